"""``merge()``: code permissions and observed usage, with provenance from both.

Three modes:

- ``union`` (default): everything the code needs plus everything observed. Observed uses a
  code permission covers fold their provenance into it; the rest are added.
- ``intersect``: only what both agree on, at the narrower resource of the two. A code
  permission CloudTrail cannot show (data events, iam:PassRole) is kept, with a finding:
  dropping it would under-grant.
- ``report``: the code policy unchanged (observed provenance attached), plus three tables:
  observed but not in code (a sign of dynamic calls), code permissions CloudTrail could
  have seen but never did in the window, and code permissions it cannot see.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from least_priv.evaluate.patterns import contains, matches, overlaps
from least_priv.model import Finding, Location, Permission, Provenance, Severity
from least_priv.trail import codes
from least_priv.trail.observability import unobservable_reason
from least_priv.trail.observe import Observation, times


class MergeMode(enum.StrEnum):
    """How code and CloudTrail permissions combine."""

    UNION = "union"
    INTERSECT = "intersect"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class Unobservable:
    """A code permission CloudTrail does not show by default, and why."""

    permission: Permission
    reason: str


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged permissions and the tables a reviewer reads beside them."""

    mode: MergeMode
    permissions: tuple[Permission, ...]
    observed_not_in_code: tuple[Permission, ...]
    unused_in_window: tuple[Permission, ...]
    unobservable: tuple[Unobservable, ...]
    denied: tuple[Permission, ...]
    findings: tuple[Finding, ...]


def _same_action(code: str, seen: str) -> bool:
    """True when the code's action (possibly ``s3:Get*``) covers the observed one."""
    return matches(code, seen, ignore_case=True)


def _covers(outer: Permission, inner: Permission) -> bool:
    return _same_action(outer.action, inner.action) and contains(outer.resource, inner.resource)


def _related(code: Permission, seen: Permission) -> bool:
    return _same_action(code.action, seen.action) and overlaps(code.resource, seen.resource)


def _with(perm: Permission, extra: Iterable[Provenance], resource: str | None = None) -> Permission:
    provenance = tuple(sorted(set(perm.provenance) | set(extra)))
    if resource is None or resource == perm.resource:
        return dataclasses.replace(perm, provenance=provenance)
    return dataclasses.replace(perm, resource=resource, provenance=provenance, resource_parts=())


def _dedupe(perms: Iterable[Permission]) -> tuple[Permission, ...]:
    merged: dict[tuple[object, ...], Permission] = {}
    for perm in perms:
        key = (perm.action, perm.resource, perm.conditions)
        known = merged.get(key)
        merged[key] = perm if known is None else _with(known, perm.provenance)
    return tuple(sorted(merged.values()))


def _code_location(perm: Permission, role_arn: str) -> Location:
    """Where a finding about a code permission points: its call site, else the role."""
    for prov in perm.provenance:
        if prov.location is not None:
            return prov.location
    return Location(role_arn)


def _observed_where(observation: Observation) -> Location:
    return Location(observation.sources[0] if len(observation.sources) == 1 else "cloudtrail")


def merge(
    code_permissions: Sequence[Permission],
    observation: Observation,
    mode: str | MergeMode = MergeMode.UNION,
) -> MergeResult:
    """Combine the code's permissions with what CloudTrail showed, per ``mode``.

    Raises ``ValueError`` for an unknown mode.
    """
    mode = MergeMode(mode)
    observed = observation.permissions
    window = f"[{observation.window.since}, {observation.window.until})"
    findings: list[Finding] = []

    matches: dict[int, list[Permission]] = {
        i: [o for o in observed if _related(p, o)] for i, p in enumerate(code_permissions)
    }
    not_in_code = tuple(o for o in observed if not any(_related(p, o) for p in code_permissions))
    unused: list[Permission] = []
    unseen: list[Unobservable] = []
    for i, perm in enumerate(code_permissions):
        if matches[i]:
            continue
        reason = unobservable_reason(perm.action)
        if reason is None:
            unused.append(perm)
        else:
            unseen.append(Unobservable(perm, reason))

    where = _observed_where(observation)
    for perm in not_in_code:
        prov = perm.provenance[0] if perm.provenance else Provenance("observed")
        findings.append(
            Finding(
                where,
                codes.OBSERVED_NOT_IN_CODE,
                f"{perm.action} on {perm.resource} was used {times(prov.count)} "
                f"({prov.first_seen} .. {prov.last_seen}) but the code analysis did not find "
                "it: a dynamic call, a library, or another caller of the role",
            )
        )
    for perm in unused:
        findings.append(
            Finding(
                _code_location(perm, observation.role_arn),
                codes.UNUSED_IN_WINDOW,
                f"{perm.action} on {perm.resource} is needed by the code but was never used "
                f"in {window}",
                Severity.NOTE,
            )
        )
    for item in unseen:
        findings.append(
            Finding(
                _code_location(item.permission, observation.role_arn),
                codes.UNOBSERVABLE,
                f"{item.permission.action} on {item.permission.resource}: {item.reason}; its "
                "absence from the trail proves nothing",
                Severity.NOTE,
            )
        )

    result: list[Permission] = []
    if mode is MergeMode.INTERSECT:
        for i, perm in enumerate(code_permissions):
            for seen in matches[i]:
                narrower = _with(
                    perm,
                    seen.provenance,
                    resource=seen.resource if contains(perm.resource, seen.resource) else None,
                )
                # ``ssm:Get*`` in code ∩ ``ssm:GetParameter`` observed is the latter.
                result.append(dataclasses.replace(narrower, action=seen.action))
        for item in unseen:
            result.append(item.permission)
            findings.append(
                Finding(
                    _code_location(item.permission, observation.role_arn),
                    codes.KEPT_UNOBSERVABLE,
                    f"kept {item.permission.action} on {item.permission.resource} although "
                    "not observed: CloudTrail cannot show it by default",
                    Severity.NOTE,
                )
            )
    else:
        for i, perm in enumerate(code_permissions):
            covered = [o for o in matches[i] if contains(perm.resource, o.resource)]
            result.append(_with(perm, (p for o in covered for p in o.provenance)))
        if mode is MergeMode.UNION:
            for seen in observed:
                if not any(_covers(p, seen) for p in code_permissions):
                    result.append(seen)

    return MergeResult(
        mode=mode,
        permissions=_dedupe(result),
        observed_not_in_code=tuple(sorted(not_in_code)),
        unused_in_window=tuple(sorted(unused)),
        unobservable=tuple(sorted(unseen, key=lambda u: u.permission)),
        denied=observation.denied,
        findings=tuple(sorted(set(findings) | set(observation.findings))),
    )
