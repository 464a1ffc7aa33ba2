"""Permissions into policy documents: merged, grouped, named, compacted and size-checked.

Statements group the actions that share one resource set and one condition set, so a reader
sees "these actions on these resources". Everything is sorted and every Sid is derived from
the statement's content: the same permissions always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from least_priv.evaluate.patterns import contains, has_wildcard
from least_priv.model import (
    Condition,
    Finding,
    Location,
    Permission,
    PolicyDocument,
    Severity,
    Statement,
)
from least_priv.policy import codes

#: IAM quota: a managed policy's size, whitespace not counted.
MANAGED_POLICY_LIMIT = 6144
#: IAM quota: all inline policies of one role together, whitespace not counted.
INLINE_TOTAL_LIMIT = 10240
#: IAM default quota of managed policies attached to one role.
MANAGED_POLICIES_PER_ROLE = 10

ResourceKey = Callable[[Permission], str]
Expand = Callable[[str], Sequence[str]]


def json_key(permission: Permission) -> str:
    """The resource as the JSON policy names it."""
    return permission.resource


def merge(permissions: Iterable[Permission]) -> tuple[Permission, ...]:
    """One permission per (action, resource, references), provenance combined.

    Two template resources without a concrete name have the same JSON resource (``table/*``)
    but different references; they stay apart so template formats can name both.
    Conditions of the same action on the same resource combine when that keeps the meaning:
    a grant without condition covers the conditional ones; grants that differ only in the
    values of one condition (two listings, ``s3:prefix`` ``landing/`` and ``archive/``)
    become one with both values, which IAM reads as either.
    """
    groups: dict[tuple[object, ...], list[Permission]] = defaultdict(list)
    for perm in permissions:
        groups[(perm.action, perm.resource, perm.resource_parts)].append(perm)
    out: list[Permission] = []
    for group in groups.values():
        out.extend(_combined(group))
    return tuple(sorted(out, key=_permission_order))


def _combined(group: list[Permission]) -> list[Permission]:
    first = group[0]

    def one(conditions: tuple[Condition, ...], members: Iterable[Permission]) -> Permission:
        provenance = tuple(sorted({p for m in members for p in m.provenance}))
        return Permission(
            first.action, first.resource, conditions, provenance, first.resource_parts
        )

    by_conditions: dict[tuple[Condition, ...], list[Permission]] = defaultdict(list)
    for perm in group:
        by_conditions[perm.conditions].append(perm)
    if () in by_conditions:
        return [one((), group)]
    shapes = {tuple((c.operator, c.key) for c in conds) for conds in by_conditions}
    if len(by_conditions) > 1 and len(shapes) == 1 and len(next(iter(shapes))) == 1:
        ((operator, key),) = next(iter(shapes))
        values = tuple(sorted({v for conds in by_conditions for v in conds[0].values}))
        return [one((Condition(operator, key, values),), group)]
    return [one(conds, members) for conds, members in by_conditions.items()]


def _permission_order(perm: Permission) -> tuple[str, str, tuple[Condition, ...], str]:
    return (perm.action.lower(), perm.resource, perm.conditions, repr(perm.resource_parts))


@dataclass(frozen=True, slots=True)
class Built:
    """Documents for one function, and what the size checks found."""

    documents: tuple[PolicyDocument, ...]
    findings: tuple[Finding, ...]


def statements(
    permissions: Iterable[Permission],
    key: ResourceKey = json_key,
    expand: Expand | None = None,
) -> tuple[Statement, ...]:
    """Statements grouped by (resource set, conditions), sorted, with content-derived Sids.

    A resource covered by a broader one of the same action and conditions is left out
    (``table/orders`` next to ``table/*``). ``expand`` (the catalog's wildcard expansion)
    turns on ``--compact``: actions are shortened to ``svc:Prefix*`` only where the
    wildcard expands to exactly the actions it replaces.
    """
    by_action: dict[tuple[str, tuple[Condition, ...]], set[str]] = defaultdict(set)
    for perm in permissions:
        by_action[(perm.action, tuple(sorted(perm.conditions)))].add(key(perm))
    by_group: dict[tuple[tuple[str, ...], tuple[Condition, ...]], set[str]] = defaultdict(set)
    for (action, conditions), resources in by_action.items():
        by_group[(_without_covered(resources), conditions)].add(action)
    out: list[Statement] = []
    for (group_resources, conditions), actions in by_group.items():
        names = sorted(actions, key=str.lower)
        if expand is not None:
            names = compact_actions(names, expand)
        out.append(_statement(tuple(names), group_resources, conditions))
    return tuple(sorted(out, key=_statement_order))


def _statement(
    actions: tuple[str, ...], resources: tuple[str, ...], conditions: tuple[Condition, ...]
) -> Statement:
    body = json.dumps([actions, resources, [list(_condition_tuple(c)) for c in conditions]])
    digest = hashlib.sha256(body.encode()).hexdigest()[:8].upper()
    services = sorted({a.split(":", 1)[0] for a in actions})
    label = "".join(camel(s) for s in services[:3]) + ("Etc" if len(services) > 3 else "")
    return Statement(actions, resources, conditions, "Allow", f"{label}{digest}")


def _condition_tuple(condition: Condition) -> tuple[str, str, tuple[str, ...]]:
    return (condition.operator, condition.key, condition.values)


def camel(text: str) -> str:
    """``"orders-api_handler"`` → ``"OrdersApiHandler"``: alphanumeric, for Sids and ids."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", text) if w)


def _statement_order(st: Statement) -> tuple[object, ...]:
    return (
        tuple(a.lower() for a in st.actions),
        st.resources,
        tuple(_condition_tuple(c) for c in st.conditions),
    )


def _without_covered(resources: set[str]) -> tuple[str, ...]:
    # Only plain patterns are compared: a template expression (``${Table.Arn}``) names a
    # resource whose ARN is not known here, so nothing can be said to cover it.
    # Only a pattern with a wildcard can cover another: the rest are compared by equality
    # (already one set), which keeps this linear for a thousand named resources.
    wild = [(o, *_literal_ends(o)) for o in resources if "${" not in o and has_wildcard(o)]
    kept = {
        r
        for r in resources
        if "${" in r
        or not any(
            # Cheap necessary test first: a cover's literal ends are r's ends.
            o != r and r.startswith(head) and r.endswith(tail) and contains(o, r)
            for o, head, tail in wild
        )
    }
    return tuple(sorted(kept))


def _literal_ends(pattern: str) -> tuple[str, str]:
    """The text before the first and after the last wildcard of ``pattern``."""
    head = re.match(r"[^*?]*", pattern)
    tail = re.search(r"[^*?]*$", pattern)
    return (head.group(0) if head else "", tail.group(0) if tail else "")


_WORD = re.compile(r"[A-Z][a-z0-9]*|[a-z0-9]+|[A-Z]+(?![a-z])")


def compact_actions(actions: Sequence[str], expand: Expand) -> list[str]:
    """``actions`` with groups replaced by ``svc:Prefix*`` where that is exactly the group.

    A wildcard is used only when the catalog's expansion of it is a subset of ``actions``
    (case-insensitive) with at least two members, so the compact statement grants exactly
    what the long one did — today. Shortest prefixes are tried first.
    """
    remaining = {a.lower(): a for a in actions}
    out: list[str] = []
    by_service: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        service, _, name = action.partition(":")
        by_service[service].append(name)
    for service in sorted(by_service):
        for candidate in _prefix_candidates(service, by_service[service]):
            expanded = {a.lower() for a in expand(candidate)}
            if len(expanded) < 2 or not expanded <= remaining.keys():
                continue
            out.append(candidate)
            for covered in expanded:
                remaining.pop(covered)
    out.extend(remaining.values())
    return sorted(out, key=str.lower)


def _prefix_candidates(service: str, names: Sequence[str]) -> list[str]:
    prefixes: set[str] = set()
    for name in names:
        words = _WORD.findall(name)
        for n in range(1, len(words)):
            prefixes.add("".join(words[:n]))
    ordered = sorted(prefixes, key=lambda p: (len(p), p))
    return [f"{service}:*"] + [f"{service}:{p}*" for p in ordered]


def size(document: PolicyDocument) -> int:
    """The size IAM counts: the JSON text without whitespace."""
    return len(json.dumps(document.to_json(), separators=(",", ":")))


def build(
    permissions: Iterable[Permission],
    location: Location,
    *,
    key: ResourceKey = json_key,
    expand: Expand | None = None,
    split: bool = False,
) -> Built:
    """The policy documents for ``permissions``; one unless ``split`` and over the limit.

    Never truncates: without ``split`` an oversized policy is returned whole with a finding.
    """
    sts = statements(permissions, key, expand)
    whole = PolicyDocument(sts)
    findings: list[Finding] = []
    total = size(whole)
    if not sts or total <= MANAGED_POLICY_LIMIT:
        return Built((whole,), ())
    if not split:
        findings.append(
            codes.finding(
                codes.POLICY_TOO_LARGE,
                location,
                f"the policy is {total:,} characters, over IAM's {MANAGED_POLICY_LIMIT:,}-"
                "character managed-policy limit; use --split to write several policies",
            )
        )
        return Built((whole,), tuple(findings))
    pieces: list[Statement] = []
    for st in sts:
        cut = _cut(st)
        if len(cut) > 1:
            findings.append(
                codes.finding(
                    codes.STATEMENT_TOO_LARGE,
                    location,
                    f"statement {st.sid} alone is over the limit; written as {len(cut)} "
                    "statements with the same meaning",
                    Severity.NOTE,
                )
            )
        pieces.extend(cut)
    documents = _pack(pieces)
    findings.append(
        codes.finding(
            codes.POLICY_SPLIT,
            location,
            f"the policy ({total:,} characters) was split into {len(documents)} documents "
            f"of at most {MANAGED_POLICY_LIMIT:,} characters",
            Severity.NOTE,
        )
    )
    if sum(size(d) for d in documents) > INLINE_TOTAL_LIMIT:
        findings.append(
            codes.finding(
                codes.INLINE_LIMIT,
                location,
                f"together the documents exceed the {INLINE_TOTAL_LIMIT:,}-character limit "
                "for a role's inline policies; attach them as managed policies",
            )
        )
    if len(documents) > MANAGED_POLICIES_PER_ROLE:
        findings.append(
            codes.finding(
                codes.TOO_MANY_POLICIES,
                location,
                f"{len(documents)} managed policies exceed the default quota of "
                f"{MANAGED_POLICIES_PER_ROLE} per role",
            )
        )
    return Built(tuple(documents), tuple(findings))


def _fits(statements_: Sequence[Statement]) -> bool:
    return size(PolicyDocument(tuple(statements_))) <= MANAGED_POLICY_LIMIT


def _cut(st: Statement) -> list[Statement]:
    """``st`` as statements that each fit a document, splitting resources, then actions."""
    if _fits([st]):
        return [st]
    if len(st.resources) > 1:
        half = len(st.resources) // 2
        parts = [st.resources[:half], st.resources[half:]]
        return [cut for res in parts for cut in _cut(_statement(st.actions, res, st.conditions))]
    if len(st.actions) > 1:
        half = len(st.actions) // 2
        parts = [st.actions[:half], st.actions[half:]]
        return [
            cut for acts in parts for cut in _cut(_statement(acts, st.resources, st.conditions))
        ]
    # One action on one resource over 6 KB cannot be expressed in IAM at all; keep it whole
    # (the size finding says so) rather than drop it.
    return [st]


def _pack(pieces: Sequence[Statement]) -> list[PolicyDocument]:
    documents: list[list[Statement]] = []
    for st in pieces:
        if documents and _fits([*documents[-1], st]):
            documents[-1].append(st)
        else:
            documents.append([st])
    return [PolicyDocument(tuple(d)) for d in documents]


def follow_split(
    permissions: Iterable[Permission],
    documents: Sequence[PolicyDocument],
    key: ResourceKey,
    expand: Expand | None = None,
) -> tuple[PolicyDocument, ...]:
    """The permissions grouped by ``key`` into as many documents as ``documents`` has.

    Template formats name resources differently (``${Table.Arn}``) but must split where
    the JSON policy split: each permission goes to the first JSON document that grants it,
    so every format has the same documents with the same permissions.
    """
    if len(documents) <= 1:
        return (PolicyDocument(statements(permissions, key, expand)),)
    exact: dict[tuple[str, str], int] = {}
    wild: list[tuple[str, str, int]] = []
    for index, doc in enumerate(documents):
        for st in doc.statements:
            for action in st.actions:
                for resource in st.resources:
                    exact.setdefault((action.lower(), resource), index)
                    if has_wildcard(resource):
                        wild.append((action.lower(), resource, index))
    groups: list[list[Permission]] = [[] for _ in documents]
    for perm in permissions:
        action = perm.action.lower()
        found = exact.get((action, perm.resource))
        index = found if found is not None else len(documents) - 1
        if found is None:
            # Left out as covered by a broader resource: it goes where that one went.
            index = next(
                (i for a, r, i in wild if a == action and contains(r, perm.resource)),
                len(documents) - 1,  # unreachable when the JSON documents grant everything
            )
        groups[index].append(perm)
    return tuple(PolicyDocument(statements(group, key, expand)) for group in groups)


def build_document(
    permissions: Iterable[Permission], expand: Expand | None = None
) -> PolicyDocument:
    """One policy document for ``permissions``, whatever its size (see :func:`build`)."""
    return PolicyDocument(statements(merge(permissions), expand=expand))
