"""The pre-deploy gate: does each function's role, as the template declares it, fit its code?

For every function of the template (or the one asked for), :func:`check_template` generates
the permissions the code needs (``least_priv.api.generate``), reads the role the template
declares for it (``least_priv.attached.from_template``) and diffs the two
(``least_priv.diff``). Missing permissions become errors at the call site that needs them,
excess grants warnings at the template statement that grants them. The template's policies
are linted too (unless ``lint=False``), so one step catches both a role that grew a wildcard
and code that needs a permission the role lacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from least_priv.evaluate import codes as diff_codes
from least_priv.infra import codes as infra_codes
from least_priv.infra.positions import NodePath
from least_priv.lint import engine_codes as lint_codes
from least_priv.lint.engine import INPUT_ERROR_CODES, prepare, resources_base, settle
from least_priv.lint.inputs import LintInput, read_input
from least_priv.lint.policy import PolicyView
from least_priv.lint.suppress import (
    Candidate,
    Suppression,
    comment_suppressions,
    scope_of_line,
)
from least_priv.model import Finding

if TYPE_CHECKING:  # the evaluator is imported when check runs
    from least_priv.evaluate import ParsedPolicy

# LP614 (an action the catalog does not know, found while diffing) says what lint's LP111 and
# LP112 say, without the element's position; with lint on, lint's findings are kept.
_DIFF_UNKNOWN_ACTION = diff_codes.UNKNOWN_ACTION
# Findings that mean the template or the requested function could not be used at all.
CHECK_INPUT_ERRORS = INPUT_ERROR_CODES | {
    infra_codes.UNKNOWN_TEMPLATE,
    infra_codes.UNKNOWN_FUNCTION,
    diff_codes.ROLE_NOT_FOUND,
    diff_codes.BAD_REQUIRED,
}


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found: findings (sorted), what suppressions silenced, and coverage."""

    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]
    functions: tuple[str, ...]
    input_error: bool
    # --managed-policy keys that named no managed policy of any function's role (a typo).
    unused_managed: tuple[str, ...] = ()


def check_template(
    options: Any,
    *,
    lint: bool = True,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    managed: Mapping[str, ParsedPolicy] | None = None,
) -> CheckResult:
    """Check every function of ``options.template`` (a ``least_priv.api.GenerateOptions``).

    The template's ARNs are read with the options' region, account and partition (the
    code's ARNs are built with the same ones, so both sides compare like with like).
    ``managed`` holds documents for managed policies the template names only by ARN
    (``--managed-policy ARN=FILE``), keyed by ARN or policy name.
    """
    # Imported here: analysis and the evaluator are only needed when check actually runs.
    from least_priv import api
    from least_priv.attached import from_template
    from least_priv.diff import diff_permissions, load_catalog

    generated = api.generate(options)
    catalog, catalog_findings = load_catalog()
    found: list[Finding] = [*generated.findings, *catalog_findings]
    used: set[str] = set()
    for fp in generated.functions:
        attached = from_template(
            options.template,
            fp.name,
            region=options.region,
            account=options.account,
            partition=options.partition,
            managed=managed,
            parameters=dict(options.parameters),
            stage=options.stage,
        )
        used |= attached.managed_used
        result = diff_permissions(
            fp.permissions,
            attached.policy_set(),
            label=attached.label,
            region=options.region,
            catalog=catalog,
            replacement=fp.documents,
            findings=attached.all_findings(),
        )
        found.extend(result.findings)
        found.extend(result.as_findings())
    if lint:
        found = [f for f in found if f.code != _DIFF_UNKNOWN_ACTION]
    template = read_input(options.template)
    # The template's own parse findings come back through the lint pass; keep one copy.
    pending = prepare([template], select, ignore, run_rules=lint)
    pending.candidates.extend(_candidates(found, template, pending.views))
    for path in sorted({f.location.path for f in found} - {options.template, ""}):
        sups, bad = _code_comment_suppressions(path)
        pending.suppressions.extend(sups)
        pending.problems.extend(bad)
    result_all = settle(pending, select, ignore, CHECK_INPUT_ERRORS)
    placed = {_placed(f, options.template) for f in result_all.findings}
    return CheckResult(
        findings=tuple(sorted(_one_per_entry(placed))),
        suppressed=result_all.suppressed,
        functions=tuple(fp.name for fp in generated.functions),
        input_error=result_all.input_error,
        unused_managed=tuple(sorted(set(managed or {}) - used)),
    )


def _candidates(
    found: list[Finding], template: LintInput, views: list[tuple[int, PolicyView]]
) -> list[Candidate]:
    """Check findings as suppression candidates: by line, by the resource and by the
    statement of the template they are in (so Metadata, comments and Sids all apply)."""
    doc = template.documents[0] if template.documents else None
    base = resources_base(template.kind)
    out = []
    for finding in found:
        scope, statement = None, None
        line = finding.location.line
        if doc is not None and finding.location.path == doc.path:
            scope = scope_of_line(doc, base, line)
            statement = _statement_at(views, scope, line)
        policy_id, path = statement if statement else (None, None)
        out.append(Candidate(finding, scope, policy_id, path, frozenset({line})))
    return out


def _statement_at(
    views: list[tuple[int, PolicyView]], scope: str | None, line: int
) -> tuple[int, NodePath] | None:
    """The statement (policy id, path) of resource ``scope`` whose text holds ``line``:
    the last one starting at or before it."""
    best: tuple[int, int, NodePath] | None = None
    for policy_id, policy in views:
        if scope is None or policy.scope != scope or policy.embedded:
            continue
        for st in policy.statements:
            start = policy.locate(st.path).line
            if start <= line and (best is None or start > best[0]):
                best = (start, policy_id, st.path)
    return (best[1], best[2]) if best else None


def _code_comment_suppressions(path: str) -> tuple[list[Suppression], list[Finding]]:
    """``# least-priv: ignore LP601 -- granted by the bucket policy`` beside a call."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [], []  # not a readable source file: nothing can be suppressed in it
    return comment_suppressions(path, text)


# Lint's findings that say what infra's LP433 says about a malformed declared policy.
_LINT_RESTATES_LP433 = frozenset({lint_codes.MALFORMED_ENTRY, "LP120"})  # LP120 invalid-policy


def _one_per_entry(findings: set[Finding]) -> set[Finding]:
    """Infra's LP433 and lint's LP198/LP120 both say a policy entry or document has a shape
    IAM rejects; on the same line, keep infra's (the reading the comparison used)."""
    bad_lines = {
        (f.location.path, f.location.line)
        for f in findings
        if f.code == infra_codes.BAD_POLICY_DOCUMENT
    }
    return {
        f
        for f in findings
        if not (f.code in _LINT_RESTATES_LP433 and (f.location.path, f.location.line) in bad_lines)
    }


def _placed(finding: Finding, template: str) -> Finding:
    """A finding about no file in particular (the role as a whole) is about the template."""
    if finding.location.path:
        return finding
    return replace(finding, location=replace(finding.location, path=template))
