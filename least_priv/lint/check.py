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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from least_priv.lint.engine import INPUT_ERROR_CODES, is_selected, lint_paths
from least_priv.lint.suppress import Suppression
from least_priv.model import Finding

# LP614 (an action the catalog does not know, found while diffing) says what lint's LP111 and
# LP112 say, without the element's position; with lint on, lint's findings are kept.
_DIFF_UNKNOWN_ACTION = "LP614"
# Findings that mean the template or the requested function could not be used at all.
CHECK_INPUT_ERRORS = INPUT_ERROR_CODES | {"LP410", "LP416", "LP622", "LP624"}


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found: findings (sorted), what suppressions silenced, and coverage."""

    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]
    functions: tuple[str, ...]
    input_error: bool


def check_template(
    options: Any,
    *,
    lint: bool = True,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> CheckResult:
    """Check every function of ``options.template`` (a ``least_priv.api.GenerateOptions``)."""
    # Imported here: analysis and the evaluator are only needed when check actually runs.
    from least_priv import api
    from least_priv.attached import from_template
    from least_priv.diff import diff_permissions, load_catalog

    generated = api.generate(options)
    catalog, catalog_findings = load_catalog()
    findings: list[Finding] = [*generated.findings, *catalog_findings]
    for fp in generated.functions:
        attached = from_template(options.template, fp.name)
        result = diff_permissions(
            fp.permissions,
            attached.policy_set(),
            label=attached.label,
            region=options.region,
            catalog=catalog,
            replacement=fp.documents,
            findings=attached.all_findings(),
        )
        findings.extend(result.findings)
        findings.extend(result.as_findings())
    suppressed: tuple[tuple[Finding, Suppression], ...] = ()
    if lint:
        linted = lint_paths([options.template], select=select, ignore=ignore)
        findings = [f for f in findings if f.code != _DIFF_UNKNOWN_ACTION]
        findings.extend(linted.findings)
        suppressed = linted.suppressed
    final = sorted({_relabel(f) for f in findings if is_selected(f.code, select, ignore)})
    return CheckResult(
        findings=tuple(final),
        suppressed=suppressed,
        functions=tuple(fp.name for fp in generated.functions),
        input_error=any(f.code in CHECK_INPUT_ERRORS for f in final),
    )


def _relabel(finding: Finding) -> Finding:
    # A finding without a file (e.g. about "the role") still needs a stable path to render.
    if finding.location.path:
        return finding
    return replace(finding, location=replace(finding.location, path="<template>"))
