"""What the code needs against what the role grants: missing, excess, conditional.

``diff_permissions`` evaluates every required permission (with its provenance: call sites,
CloudTrail observations) against the role's policies with the IAM evaluator, and walks every
Allow statement of the role to say what it grants that nothing needs:

- **missing** — not allowed (no statement allows it, an explicit Deny, or the permissions
  boundary): the AccessDenied the deploy would hit, with the call sites that need it;
- **excess** — per statement and per action pattern, kept apart by level: *service* (a
  whole service the code never calls), *action* (``s3:*`` where the code calls GetObject)
  and *resource* (grants ``table/*``, the code needs ``table/Orders``);
- **conditional** — decided by conditions the tool cannot evaluate, policy variables, or a
  requirement the analysis could not pin down (a wildcard resource the role covers only in
  part).

The replacement policy (what ``generate`` wrote) travels with the result for rendering.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from least_priv.attached import UNREADABLE_PREFIX, is_unreadable, unreadable_reasons
from least_priv.evaluate import codes
from least_priv.evaluate.engine import Decision, Evaluation, PolicySet, Request, evaluate
from least_priv.evaluate.patterns import (
    contains,
    has_wildcard,
    matches,
    overlaps,
    whole_placeholder,
)
from least_priv.evaluate.policy import NodePath, PolicySource, PolicyStatement, parse_policy
from least_priv.model import (
    Condition,
    Finding,
    Location,
    Permission,
    PolicyDocument,
    Provenance,
    Severity,
    Statement,
)

# boto3 always talks HTTPS to AWS, so a "Deny unless aws:SecureTransport" statement never
# blocks what the code does.
BASE_CONTEXT: tuple[tuple[str, tuple[str, ...]], ...] = (("aws:securetransport", ("true",)),)

# Operators whose single concrete value in a generated permission pins the request context
# (e.g. kms:ViaService = s3.us-east-1.amazonaws.com for SSE-KMS through S3).
_PINNING_OPERATORS = {"stringequals", "stringlike", "arnequals", "arnlike", "bool"}


class ActionCatalog(Protocol):
    """The part of ``least_priv.catalog.Catalog`` the diff uses."""

    def expand(self, pattern: str) -> list[str]: ...

    def action(self, name: str) -> object | None: ...


# Findings that mean an input the user gave was not read (in full).
_UNREAD_INPUTS = frozenset({codes.BAD_REQUIRED, codes.BAD_JSON})


@dataclass(frozen=True, slots=True)
class MissingEntry:
    """A required permission the role does not allow, and why."""

    action: str
    resource: str
    decision: Decision
    reasons: tuple[str, ...]
    statements: tuple[str, ...]
    provenance: tuple[Provenance, ...]


@dataclass(frozen=True, slots=True)
class ConditionalEntry:
    """A required permission the tool can neither prove allowed nor denied."""

    action: str
    resource: str
    reasons: tuple[str, ...]
    statements: tuple[str, ...]
    provenance: tuple[Provenance, ...]


@dataclass(frozen=True, slots=True)
class ExcessEntry:
    """Something one Allow statement grants that no requirement needs.

    ``kind`` is ``service``, ``action`` or ``resource``. ``action`` is the pattern as the
    statement writes it (``NotAction ...`` for NotAction statements); ``grants`` how many
    catalog actions it stands for (0 when unknown); ``unused`` those the code never needs;
    ``used`` the (action, resource) pairs of the code the statement does serve.
    """

    kind: str
    action: str
    resource: str
    statement: str
    location: Location | None
    grants: int
    unused: tuple[str, ...]
    used: tuple[tuple[str, str], ...]
    message: str


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The outcome of a diff, ready for rendering."""

    label: str
    missing: tuple[MissingEntry, ...] = ()
    excess: tuple[ExcessEntry, ...] = ()
    conditional: tuple[ConditionalEntry, ...] = ()
    findings: tuple[Finding, ...] = ()
    replacement: tuple[PolicyDocument, ...] = ()
    required: tuple[Permission, ...] = field(default=())

    @property
    def incomplete(self) -> bool:
        """True when an input could not be read: part of the requirement (LP624), or a
        policy or boundary file of the role (LP610). The comparison would otherwise pass on
        what it never saw."""
        return any(f.code in _UNREAD_INPUTS and f.severity is Severity.ERROR for f in self.findings)

    def exit_code(self, *, fail_on_excess: bool = False) -> int:
        """0 clean; 2 when anything is missing or the requirement is unreadable; 1 for excess
        only, with ``fail_on_excess``."""
        if self.missing or self.incomplete:
            return 2
        if self.excess and fail_on_excess:
            return 1
        return 0

    def as_findings(self) -> tuple[Finding, ...]:
        """Every entry as an LP601/LP602/LP603 finding (for SARIF and ``check``)."""
        out: list[Finding] = []
        for m in self.missing:
            why = "; ".join(m.reasons)
            for loc in _sites(m.provenance) or (Location(self.label),):
                out.append(
                    Finding(
                        loc,
                        codes.MISSING,
                        f"{m.action} on {m.resource} is not allowed by {self.label}: {why}",
                        Severity.ERROR,
                    )
                )
        for c in self.conditional:
            for loc in _sites(c.provenance) or (Location(self.label),):
                out.append(
                    Finding(
                        loc,
                        codes.CONDITIONAL,
                        f"{c.action} on {c.resource}: {'; '.join(c.reasons)}",
                    )
                )
        for e in self.excess:
            out.append(
                Finding(
                    e.location or Location(self.label), codes.EXCESS, f"{e.statement}: {e.message}"
                )
            )
        return tuple(sorted(out))


def _sites(provenance: Iterable[Provenance]) -> tuple[Location, ...]:
    return tuple(sorted({p.location for p in provenance if p.location is not None}))


def load_catalog() -> tuple[ActionCatalog | None, list[Finding]]:
    """The service catalog, or None with a finding when it cannot be loaded."""
    from least_priv.catalog import get_catalog

    try:
        catalog: ActionCatalog = get_catalog()
    except (OSError, ValueError) as exc:
        note = Finding(
            Location("least_priv.catalog"),
            codes.NO_CATALOG,
            f"service catalog unavailable ({exc}): action patterns are not "
            "expanded and action names are not checked",
            Severity.WARNING,
        )
        return None, [note]
    return catalog, []


def request_for(
    permission: Permission,
    base: Mapping[str, tuple[str, ...]],
    catalog: ActionCatalog | None = None,
) -> Request:
    """The request a required permission stands for, with the context it pins down.

    ``Resource: "*"`` on an action the catalog knows has no resource types is IAM's literal
    ``*`` (only a statement whose Resource matches ``*`` allows it), not "some resource".
    """
    context = dict(base)
    for cond in permission.conditions:
        op = cond.operator.lower()
        if op in _PINNING_OPERATORS and len(cond.values) == 1 and not has_wildcard(cond.values[0]):
            context[cond.key.lower()] = cond.values
    if "kms:viaservice" in context:
        # S3 (or another service) calls KMS with the caller's credentials on its behalf.
        context["aws:viaawsservice"] = ("true",)
    elif permission.provenance and all(p.source == "code" for p in permission.provenance):
        # The handler calls the API itself; no service stands in between.
        context["aws:viaawsservice"] = ("false",)
    literal = permission.resource == "*" and _without_resource_types(permission.action, catalog)
    return Request(permission.action, permission.resource, tuple(sorted(context.items())), literal)


def _without_resource_types(action: str, catalog: ActionCatalog | None) -> bool:
    if catalog is None or has_wildcard(action):
        return False
    info = catalog.action(action)
    return info is not None and not getattr(info, "resource_types", True)


def diff_permissions(
    required: Sequence[Permission],
    policies: PolicySet,
    *,
    label: str = "the role",
    region: str | None = None,
    principal_arn: str | None = None,
    catalog: ActionCatalog | None = None,
    replacement: Sequence[PolicyDocument] = (),
    findings: Sequence[Finding] = (),
) -> DiffResult:
    """Compare required permissions with ``policies``; see the module docstring.

    ``region`` and ``principal_arn`` (the role's ARN, which IAM reports as
    ``aws:PrincipalArn`` for its sessions) decide conditions on those keys.
    """
    base = dict(BASE_CONTEXT)
    if region:
        base["aws:requestedregion"] = (region,)
    if principal_arn and principal_arn.startswith("arn:"):
        base["aws:principalarn"] = (principal_arn,)
        base["aws:principalaccount"] = (principal_arn.split(":")[4],)
    merged = _merge(required)
    evaluations = [(p, evaluate(request_for(p, base, catalog), policies)) for p in merged]
    missing: list[MissingEntry] = []
    conditional: list[ConditionalEntry] = []
    for perm, ev in evaluations:
        if ev.decision in (Decision.NOT_ALLOWED, Decision.DENIED):
            missing.append(
                MissingEntry(
                    perm.action,
                    perm.resource,
                    ev.decision,
                    _missing_reasons(ev),
                    tuple(m.statement.label for m in ev.denying),
                    perm.provenance,
                )
            )
        elif ev.decision is Decision.CONDITIONAL:
            conditional.append(
                ConditionalEntry(
                    perm.action,
                    perm.resource,
                    (*_conditional_reasons(ev), *_open_arn_hint(perm.resource, ev.reasons)),
                    tuple(sorted({m.statement.label for m in (*ev.identity.allows, *ev.denying)})),
                    perm.provenance,
                )
            )
    out_findings = list(findings)
    if catalog is not None:
        boundary = tuple(st for policy in policies.boundary or () for st in policy.statements)
        out_findings.extend(check_actions((*policies.statements(), *boundary), catalog))
    excess = _excess(policies, evaluations, catalog)
    return DiffResult(
        label=label,
        missing=tuple(sorted(missing, key=lambda m: (m.action.lower(), m.resource))),
        excess=tuple(excess),
        conditional=tuple(sorted(conditional, key=lambda c: (c.action.lower(), c.resource))),
        findings=tuple(sorted(set(out_findings))),
        replacement=tuple(replacement),
        required=tuple(merged),
    )


def _merge(required: Sequence[Permission]) -> list[Permission]:
    """One permission per (action, resource, conditions), provenance united, sorted."""
    by_key: dict[tuple[str, str, tuple[Condition, ...]], list[Provenance]] = {}
    for p in required:
        by_key.setdefault((p.action, p.resource, p.conditions), []).extend(p.provenance)
    return [
        Permission(action, resource, conds, tuple(sorted(set(prov))))
        for (action, resource, conds), prov in sorted(
            by_key.items(), key=lambda kv: (kv[0][0].lower(), kv[0][1], kv[0][2])
        )
    ]


def _conditional_reasons(ev: Evaluation) -> tuple[str, ...]:
    """The evaluator's reasons, with each unreadable stand-in named by what it stands for
    (the managed policy or boundary) and how to make its document available."""
    layers = (ev.identity, *((ev.boundary,) if ev.boundary is not None else ()))
    stand_ins = [
        m.statement for layer in layers for m in layer.allows if is_unreadable(m.statement)
    ]
    if not stand_ins:
        return ev.reasons
    # The evaluator explains an undecided Allow as "<statement label> <why>".
    labels = tuple(f"{st.label} " for st in stand_ins)
    kept = [r for r in ev.reasons if not r.startswith(labels)]
    return (*kept, *unreadable_reasons(stand_ins))


def _open_arn_hint(resource: str, reasons: Sequence[str]) -> tuple[str, ...]:
    """A hint when only the ARN's unknown region or account keeps a grant from being proved."""
    fields = resource.split(":", 5)
    if len(fields) < 6 or not any("part of the resources" in r for r in reasons):
        return ()
    open_fields = [
        name for name, value in (("--region", fields[3]), ("--account", fields[4])) if value == "*"
    ]
    if not open_fields:
        return ()
    return (
        f"the code's ARN leaves {' and '.join(f[2:] for f in open_fields)} open: "
        f"give {' and '.join(open_fields)}",
    )


def _missing_reasons(ev: Evaluation) -> tuple[str, ...]:
    if ev.decision is Decision.DENIED:
        return tuple(r for r in ev.reasons if " denies " in r) or ev.reasons
    if (
        ev.boundary is not None
        and ev.boundary.decision is not Decision.ALLOWED
        and (ev.identity.decision is Decision.ALLOWED)
    ):
        return ("allowed by the role but outside its permissions boundary",)
    return ev.reasons


# ---------------------------------------------------------------------------------------------
# Excess
# ---------------------------------------------------------------------------------------------


def _served(
    statement: PolicyStatement, evaluations: Sequence[tuple[Permission, Evaluation]]
) -> list[Permission]:
    return [p for p, ev in evaluations if any(s is statement for s in ev.allowing)]


def _granted(pattern: str, catalog: ActionCatalog | None) -> list[str]:
    if catalog is None:
        return [] if has_wildcard(pattern) else [pattern]
    if not has_wildcard(pattern):
        return [pattern] if catalog.action(pattern) is not None else []
    return sorted(catalog.expand(pattern), key=str.lower)


def _service(action: str) -> str:
    return action.split(":", 1)[0].lower()


def _needed_actions(needed: Sequence[Permission]) -> Callable[[str], bool]:
    """A test for "the code may need this action": a requirement the analysis could not pin
    down (``s3:*``) needs every action it matches, so none of those is called unused."""
    exact = {p.action.lower() for p in needed if not has_wildcard(p.action)}
    patterns = [p.action for p in needed if has_wildcard(p.action)]
    return lambda action: (
        action.lower() in exact or any(matches(pat, action, ignore_case=True) for pat in patterns)
    )


def _used_text(used: Sequence[tuple[str, str]]) -> str:
    shown = [f"{a} on `{r}`" for a, r in used[:3]]
    more = f" and {len(used) - 3} more" if len(used) > 3 else ""
    return ", ".join(shown) + more


def _excess(
    policies: PolicySet,
    evaluations: Sequence[tuple[Permission, Evaluation]],
    catalog: ActionCatalog | None,
) -> list[ExcessEntry]:
    services_used = {_service(p.action) for p, _ in evaluations}
    out: list[ExcessEntry] = []
    for st in policies.statements():
        # Stand-ins for unreadable documents grant nothing known, so nothing of theirs is excess.
        if st.effect != "Allow" or st.source.origin.startswith(UNREADABLE_PREFIX):
            continue
        served = _served(st, evaluations)
        resource_text = ", ".join(st.resources)
        if st.not_resource:
            resource_text = f"everything but {resource_text}"
        if st.not_action:
            out.extend(_not_action_excess(st, served, resource_text, catalog))
        else:
            for pattern in st.actions:
                entry = _action_excess(st, pattern, served, resource_text, catalog, services_used)
                if entry is not None:
                    out.append(entry)
        out.extend(_resource_excess(st, served, resource_text))
    return out


def _action_excess(
    st: PolicyStatement,
    pattern: str,
    served: Sequence[Permission],
    resource_text: str,
    catalog: ActionCatalog | None,
    services_used: set[str],
) -> ExcessEntry | None:
    mine = [p for p in served if overlaps(pattern, p.action, ignore_case=True)]
    used = tuple(sorted({(p.action, p.resource) for p in mine}))
    used_actions = _needed_actions(mine)
    granted = _granted(pattern, catalog)
    unused = tuple(g for g in granted if not used_actions(g))
    count = len(granted)
    grants_text = f"grants {count} actions" if count != 1 else "grants 1 action"
    if not granted and has_wildcard(pattern):
        grants_text = "grants every matching action"
    if not granted and catalog is not None and not has_wildcard(pattern):
        return None  # an unknown action grants nothing; check_actions reports it
    if not mine:
        svc = _service(pattern)
        if svc not in services_used and pattern != "*":
            kind, tail = "service", f"the code uses no {svc} action"
        else:
            kind, tail = "action", "the code needs none of them"
        if has_wildcard(pattern):
            message = f"`{pattern}` on `{resource_text}` {grants_text}; {tail}"
        else:
            never = "the code never needs it" if kind == "action" else tail
            message = f"`{pattern}`: {never}"
        return ExcessEntry(
            kind,
            pattern,
            resource_text,
            st.label,
            st.location,
            count,
            unused or ((pattern,) if not granted else ()),
            (),
            message,
        )
    if any(contains(p.action, pattern, ignore_case=True) for p in mine):
        return None  # the code may need every action of the pattern (an unpinned call)
    # Without the catalog a wildcard cannot be expanded, but it still stands for more than
    # the concrete actions it serves, so it is reported (with an unknown count).
    if not has_wildcard(pattern) or (granted and not unused):
        return None
    message = f"`{pattern}` on `{resource_text}` {grants_text}; the code uses {_used_text(used)}"
    return ExcessEntry(
        "action", pattern, resource_text, st.label, st.location, count, unused, used, message
    )


def _not_action_excess(
    st: PolicyStatement,
    served: Sequence[Permission],
    resource_text: str,
    catalog: ActionCatalog | None,
) -> list[ExcessEntry]:
    label = "NotAction " + ", ".join(st.actions)
    used = tuple(sorted({(p.action, p.resource) for p in served}))
    used_actions = _needed_actions(served)
    if catalog is None:
        granted: list[str] = []
    else:
        excluded = {a.lower() for pat in st.actions for a in catalog.expand(pat)}
        granted = [a for a in catalog.expand("*") if a.lower() not in excluded]
    unused = tuple(sorted((a for a in granted if not used_actions(a)), key=str.lower))
    count = len(granted)
    grants_text = f"grants {count} actions" if granted else "grants every action not excluded"
    tail = f"the code uses {_used_text(used)}" if used else "the code needs none of them"
    message = f"`{label}` on `{resource_text}` {grants_text}; {tail}"
    return [
        ExcessEntry(
            "action", label, resource_text, st.label, st.location, count, unused, used, message
        )
    ]


def _resource_excess(
    st: PolicyStatement, served: Sequence[Permission], resource_text: str
) -> list[ExcessEntry]:
    if not served:
        return []
    out: list[ExcessEntry] = []
    if st.not_resource:
        used = tuple(sorted({(p.action, p.resource) for p in served}))
        needed_text = ", ".join(f"`{r}`" for r in sorted({p.resource for p in served}))
        message = f"grants `{resource_text}`; the code needs {needed_text}"
        return [
            ExcessEntry(
                "resource",
                ", ".join(sorted({p.action for p in served})),
                resource_text,
                st.label,
                st.location,
                0,
                (),
                used,
                message,
            )
        ]
    for pattern in st.resources:
        mine = [
            p
            for p in served
            if overlaps(pattern, p.resource, variables=st.variables, placeholders=st.placeholders)
        ]
        if any(contains(p.resource, pattern) for p in mine):
            continue  # no broader than something the code needs
        if mine and st.placeholders and whole_placeholder(pattern):
            # ``${OrderDLQ.Arn}`` is the one resource the deployment creates, the same one
            # the code's ARN leaves open: its breadth is unknown, so it is not called excess.
            continue
        used = tuple(sorted({(p.action, p.resource) for p in mine}))
        actions = ", ".join(sorted({p.action for p in mine}))
        if mine:
            needed = ", ".join(f"`{r}`" for r in sorted({p.resource for p in mine}))
            message = f"grants `{pattern}`; the code needs {needed} (for {actions})"
        else:
            message = f"grants `{pattern}`; the code uses none of it"
        out.append(
            ExcessEntry(
                "resource",
                actions or ", ".join(st.actions),
                pattern,
                st.label,
                st.location,
                0,
                (),
                used,
                message,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Input checks and the --required document
# ---------------------------------------------------------------------------------------------


def check_actions(statements: Iterable[PolicyStatement], catalog: ActionCatalog) -> list[Finding]:
    """LP614 for every action (or pattern) the catalog does not know, with a suggestion."""
    out: list[Finding] = []
    for st in statements:
        for index, action in enumerate(st.actions):
            if action == "*":
                continue
            known = (
                catalog.expand(action)
                if has_wildcard(action)
                else ([action] if catalog.action(action) is not None else [])
            )
            if known:
                continue
            prefix = action.split(":", 1)[0]
            service_actions = catalog.expand(f"{prefix}:*")
            if not service_actions:
                hint = f"unknown service prefix {prefix!r}"
            else:
                close = difflib.get_close_matches(action, service_actions, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]}?" if close else f"no {prefix} action matches"
            out.append(
                Finding(
                    st.action_location(index) or st.source.location,
                    codes.UNKNOWN_ACTION,
                    f"{st.label}: {action} grants nothing ({hint})",
                    Severity.WARNING,
                )
            )
    return out


def required_from_document(
    document: object,
    source: PolicySource,
    locate: Callable[[NodePath], Location] | None = None,
) -> tuple[list[Permission], list[PolicyDocument], list[Finding]]:
    """Required permissions from a policy document (``diff --required FILE``).

    What cannot be read of it is LP624, an input error: a need left out would otherwise
    compare as "nothing missing" and pass.
    """
    parsed = parse_policy(document, source, locate)
    findings = [
        replace(f, code=codes.BAD_REQUIRED) if f.severity is Severity.ERROR else f
        for f in parsed.findings
    ]
    perms: list[Permission] = []
    for st in parsed.statements:
        if st.effect != "Allow" or st.not_action or st.not_resource:
            findings.append(
                Finding(
                    st.location or source.location,
                    codes.BAD_REQUIRED,
                    f"{st.label}: a required policy lists what is needed "
                    "(Allow with Action and Resource); left out",
                    Severity.ERROR,
                )
            )
            continue
        conds = tuple(Condition(op, key, values) for op, key, values in st.conditions)
        prov = (Provenance("config", st.location, f"{source.name} {st.label}"),)
        perms.extend(Permission(a, r, conds, prov) for a in st.actions for r in st.resources)
    doc = PolicyDocument(
        tuple(
            _model_statement(st)
            for st in parsed.statements
            if st.effect == "Allow" and not st.not_action and not st.not_resource
        )
    )
    return perms, [doc] if doc.statements else [], findings


def required_from_output(
    data: object,
    source: PolicySource,
    locate: Callable[[NodePath], Location] | None = None,
    *,
    function: str | None = None,
) -> tuple[list[Permission], list[PolicyDocument], list[Finding]]:
    """Required permissions from what ``generate --format json`` writes.

    That is one document, a list of documents (``--split``), or an object keyed by function
    name (a template's functions); ``function`` picks one of those, and may be left out when
    there is only one.
    """
    parts: list[tuple[NodePath, object]]
    if isinstance(data, list):
        parts = [((i,), item) for i, item in enumerate(data)]
    elif isinstance(data, dict) and "Statement" not in data and data:
        names = sorted(str(k) for k in data)
        chosen = function if function is not None else (names[0] if len(names) == 1 else None)
        if chosen is None or chosen not in data:
            hint = "" if chosen is None else f"{chosen} is not one of them; "
            bad = Finding(
                source.location,
                codes.BAD_REQUIRED,
                f"{source.name} holds the policies of {', '.join(names)}: "
                f"{hint}choose with --function",
                Severity.ERROR,
            )
            return [], [], [bad]
        value = data[chosen]
        parts = (
            [((chosen, i), item) for i, item in enumerate(value)]
            if isinstance(value, list)
            else [((chosen,), value)]
        )
    else:
        parts = [((), data)]
    perms: list[Permission] = []
    docs: list[PolicyDocument] = []
    findings: list[Finding] = []
    for base, item in parts:
        sub = None if locate is None else _under(locate, base)
        got_perms, got_docs, got_findings = required_from_document(item, source, sub)
        perms.extend(got_perms)
        docs.extend(got_docs)
        findings.extend(got_findings)
    return perms, docs, findings


def _under(
    locate: Callable[[NodePath], Location], base: NodePath
) -> Callable[[NodePath], Location]:
    return lambda path: locate(base + path)


def _model_statement(st: PolicyStatement) -> Statement:
    conds = tuple(Condition(op, key, values) for op, key, values in st.conditions)
    return Statement(st.actions, st.resources, conds, st.effect, st.sid)


def policy_json(document: PolicyDocument) -> str:
    """A policy document as stable, indented JSON text."""
    return json.dumps(document.to_json(), indent=2) + "\n"
