"""Identity-policy evaluation as IAM does it, over patterns instead of single requests.

The order of IAM's decision for one principal (identity policies plus a permissions
boundary; no SCPs, session or resource policies):

1. an explicit Deny in any policy that applies wins;
2. otherwise the identity policies must Allow **and**, when the role has a permissions
   boundary, the boundary must Allow too;
3. otherwise the request is implicitly denied.

A request here may name a resource *pattern* (``arn:aws:s3:::orders/*`` when the analysis
knows the bucket but not the key), so every match is three-valued: ``YES`` when the
statement covers every request the pattern stands for, ``MAYBE`` when it covers only some
(or a condition cannot be decided), ``NO`` when none. A ``MAYBE`` anywhere that could change
the outcome makes the decision ``conditional``: the tool never calls something allowed that
it cannot prove is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from least_priv.evaluate.conditions import Tri, evaluate_conditions
from least_priv.evaluate.patterns import contains, matches, overlaps
from least_priv.evaluate.policy import ParsedPolicy, PolicyStatement


class Decision(enum.StrEnum):
    """The outcome for one request, ordered from most to least permissive by ``rank``."""

    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    NOT_ALLOWED = "not-allowed"  # implicit deny: nothing allows it
    DENIED = "denied"  # explicit deny

    @property
    def rank(self) -> int:
        """Higher is more permissive; the effective decision is the minimum over layers."""
        return _RANK[self]


_RANK = {
    Decision.DENIED: 0,
    Decision.NOT_ALLOWED: 1,
    Decision.CONDITIONAL: 2,
    Decision.ALLOWED: 3,
}


@dataclass(frozen=True, order=True, slots=True)
class Request:
    """An action on a resource pattern, with the condition keys whose values are known.

    ``context`` maps lower-cased condition keys to their values.
    """

    action: str
    resource: str = "*"
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # True when ``resource`` is a concrete string, not a pattern: the ``*`` IAM evaluates for
    # actions without resource-level permissions is the literal resource "*".
    literal_resource: bool = False

    def context_map(self) -> dict[str, tuple[str, ...]]:
        """The context as a dict with lower-cased keys."""
        return {k.lower(): v for k, v in self.context}


@dataclass(frozen=True, slots=True)
class StatementMatch:
    """How one statement applies to a request, and why when only partly."""

    statement: PolicyStatement
    applies: Tri
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LayerResult:
    """The decision of one layer (identity policies, or the boundary)."""

    decision: Decision
    allows: tuple[StatementMatch, ...] = ()
    denies: tuple[StatementMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The effective decision for a request and the statements behind it."""

    request: Request
    decision: Decision
    identity: LayerResult
    boundary: LayerResult | None = None
    reasons: tuple[str, ...] = field(default=())

    @property
    def allowing(self) -> tuple[PolicyStatement, ...]:
        """Identity statements that allow the request fully or in part."""
        return tuple(m.statement for m in self.identity.allows)

    @property
    def denying(self) -> tuple[StatementMatch, ...]:
        """Deny statements (identity or boundary) that apply fully or in part."""
        out = list(self.identity.denies)
        if self.boundary is not None:
            out.extend(self.boundary.denies)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class PolicySet:
    """What a principal holds: identity policies and an optional permissions boundary."""

    identity: tuple[ParsedPolicy, ...]
    boundary: tuple[ParsedPolicy, ...] | None = None

    def statements(self) -> tuple[PolicyStatement, ...]:
        """Every identity statement, in policy order."""
        return tuple(st for policy in self.identity for st in policy.statements)


def _pattern_tri(
    patterns: Sequence[str],
    value: str,
    *,
    negated: bool,
    ignore_case: bool,
    variables: bool,
    placeholders: bool = False,
) -> Tri:
    """How a list of Action/Resource (or Not...) patterns covers the request pattern."""
    how = {"ignore_case": ignore_case, "variables": variables, "placeholders": placeholders}
    if any(contains(p, value, **how) for p in patterns):
        return Tri.NO if negated else Tri.YES
    if any(overlaps(p, value, **how) for p in patterns):
        return Tri.MAYBE
    return Tri.YES if negated else Tri.NO


def _placeholders_cover(statement: PolicyStatement) -> bool:
    """Whether the statement's template placeholders read as ``*`` for this statement.

    Only to grant: a placeholder names the resource the deployment creates for the code, so
    an Allow covers it. A Deny naming one stays undecided ("may deny"), never a sure Deny
    the tool cannot prove. In NotResource a wildcard would exclude more than the template
    does, so there too a placeholder stays unknown.
    """
    return statement.placeholders and statement.effect == "Allow" and not statement.not_resource


def match_statement(
    statement: PolicyStatement, request: Request, context: Mapping[str, tuple[str, ...]]
) -> StatementMatch:
    """How ``statement`` applies to ``request`` (three-valued), with reasons for ``MAYBE``."""
    action = _pattern_tri(
        statement.actions,
        request.action,
        negated=statement.not_action,
        ignore_case=True,
        variables=False,
    )
    if action is Tri.NO:
        return StatementMatch(statement, Tri.NO)
    placeholders = _placeholders_cover(statement)
    if request.literal_resource:
        hit = any(
            matches(p, request.resource, placeholders=placeholders) for p in statement.resources
        )
        resource = Tri.of(hit != statement.not_resource)
    else:
        resource = _pattern_tri(
            statement.resources,
            request.resource,
            negated=statement.not_resource,
            ignore_case=False,
            variables=statement.variables,
            placeholders=placeholders,
        )
    if resource is Tri.NO:
        return StatementMatch(statement, Tri.NO)
    condition = evaluate_conditions(statement.conditions, context)
    reasons: list[str] = []
    if action is Tri.MAYBE:
        reasons.append(
            _partly(
                "actions",
                statement.actions,
                statement.not_action,
                lambda p: overlaps(p, request.action, ignore_case=True),
            )
        )
    if resource is Tri.MAYBE:
        reasons.append(
            _partly(
                "resources",
                statement.resources,
                statement.not_resource,
                lambda p: overlaps(
                    p, request.resource, variables=statement.variables, placeholders=placeholders
                ),
            )
        )
    if condition is Tri.MAYBE:
        keys = sorted({key for _op, key, _v in statement.conditions if key.lower() not in context})
        shown = ", ".join(keys) if keys else "its condition"
        reasons.append(f"depends on {shown}")
    return StatementMatch(statement, min(action, resource, condition), tuple(reasons))


def _partly(
    what: str, patterns: Sequence[str], negated: bool, overlapping: Callable[[str], bool]
) -> str:
    """Why a statement covers a requirement only in part: the patterns that touch it."""
    touching = ", ".join(p for p in patterns if overlapping(p)) or ", ".join(patterns)
    if negated:
        return f"covers only part of the {what}: it excludes {touching}"
    return f"covers only part of the {what}: it names {touching}"


def evaluate_layer(statements: Iterable[PolicyStatement], request: Request) -> LayerResult:
    """Decide a request against one set of statements (Deny beats Allow, default deny)."""
    context = request.context_map()
    allows: list[StatementMatch] = []
    denies: list[StatementMatch] = []
    for statement in statements:
        found = match_statement(statement, request, context)
        if found.applies is Tri.NO:
            continue
        (denies if statement.effect == "Deny" else allows).append(found)
    if any(m.applies is Tri.YES for m in denies):
        decision = Decision.DENIED
    elif any(m.applies is Tri.YES for m in allows):
        decision = Decision.CONDITIONAL if denies else Decision.ALLOWED
    elif allows:
        decision = Decision.CONDITIONAL
    else:
        decision = Decision.NOT_ALLOWED
    return LayerResult(decision, tuple(allows), tuple(denies))


def evaluate(request: Request, policies: PolicySet) -> Evaluation:
    """The effective decision for ``request`` under ``policies`` (identity ∩ boundary)."""
    identity = evaluate_layer(policies.statements(), request)
    boundary = None
    decision = identity.decision
    reasons: list[str] = []
    if policies.boundary is not None:
        boundary = evaluate_layer(
            (st for policy in policies.boundary for st in policy.statements), request
        )
        if boundary.decision.rank < decision.rank:
            decision = boundary.decision
    reasons.extend(_explain(identity, "role"))
    if boundary is not None:
        reasons.extend(_explain(boundary, "permissions boundary"))
    return Evaluation(request, decision, identity, boundary, tuple(reasons))


def _explain(layer: LayerResult, what: str) -> list[str]:
    out: list[str] = []
    for m in layer.denies:
        verb = "denies" if m.applies is Tri.YES else "may deny"
        why = f" ({'; '.join(m.reasons)})" if m.reasons else ""
        out.append(f"{m.statement.label} {verb} it{why}")
    if layer.decision is Decision.NOT_ALLOWED and not layer.denies:
        out.append(f"no statement of the {what} allows it")
    elif layer.decision is Decision.CONDITIONAL and not any(
        m.applies is Tri.YES for m in layer.allows
    ):
        for m in layer.allows:
            out.append(f"{m.statement.label} {'; '.join(m.reasons)}")
    return out
