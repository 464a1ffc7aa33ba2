"""``least-priv lint`` and ``least-priv check``: the CI gates.

``lint PATH...`` checks IAM policies wherever they are written (policy JSON, SAM/CFN, serverless,
Terraform plans, cdk.out). ``check --template T`` analyses each function's code, compares it
with the role the template declares, and (unless ``--no-lint``) lints the template too.

Exit codes (both commands): 0 when no finding reaches ``--fail-on`` (default ``error``); 1
when one does (for ``check``, also when ``--fail-on-conditional`` is given and a need is
conditional, LP603); 2 for usage errors and for inputs that could not be read or recognised
(the run is incomplete, so it must not pass).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from least_priv.model import Finding, Severity

F = TypeVar("F", bound=Callable[..., Any])

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "note": Severity.NOTE}


def report_options(func: F) -> F:
    """Output, threshold and baseline options shared by ``lint`` and ``check``."""
    options = (
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json", "sarif", "github"]),
            default="text",
            show_default=True,
            help="Report format (github: workflow-command annotations).",
        ),
        click.option(
            "-o", "--output", type=click.Path(dir_okay=False), help="Write the report here."
        ),
        click.option(
            "--sarif",
            "sarif_file",
            type=click.Path(dir_okay=False),
            help="Also write a SARIF report to this file (one run, two reports).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "note", "never"]),
            default="error",
            show_default=True,
            help="Exit 1 when a finding of this severity or worse remains.",
        ),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False),
            help="Ignore findings recorded in this baseline file.",
        ),
        click.option(
            "--write-baseline",
            is_flag=True,
            help="Record the current findings in the --baseline file and exit 0.",
        ),
        click.option(
            "--select", multiple=True, metavar="CODE", help="Only these codes (prefixes)."
        ),
        click.option("--ignore", multiple=True, metavar="CODE", help="Skip these codes."),
    )
    for option in reversed(options):
        func = option(func)
    return func


def _codes(values: Sequence[str]) -> list[str]:
    # Accept "--select LP1,LP6" as well as repeated options.
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def finish(
    findings: Sequence[Finding],
    kw: dict[str, Any],
    *,
    inputs: int,
    input_error: bool,
    suppressed: Sequence[tuple[Finding, str]] = (),
    noun: str = "input",
) -> int:
    """Apply the baseline, render, write the summary to stderr and return the exit code.

    ``suppressed`` (finding, reason) pairs are carried in JSON and SARIF reports.
    """
    from least_priv.lint.baseline import (
        BaselineError,
        load_baseline,
        split_by_baseline,
        write_baseline,
    )
    from least_priv.render.findings import render_findings, severity_counts

    if kw["write_baseline"]:
        if not kw["baseline"]:
            raise click.UsageError("--write-baseline needs --baseline FILE")
        write_baseline(kw["baseline"], findings)
        click.echo(f"least-priv: wrote {len(findings)} findings to {kw['baseline']}", err=True)
        return 0
    baselined: list[Finding] = []
    if kw["baseline"]:
        try:
            known = load_baseline(kw["baseline"])
        except BaselineError as exc:
            raise click.UsageError(str(exc)) from exc
        findings, baselined = split_by_baseline(findings, known)
    text = render_findings(findings, kw["fmt"], suppressed=suppressed)
    if kw["sarif_file"]:
        sarif = render_findings(findings, "sarif", suppressed=suppressed)
        Path(kw["sarif_file"]).write_text(sarif, encoding="utf-8")
    if kw["output"]:
        Path(kw["output"]).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    counts = severity_counts(findings)
    parts = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts.items()]
    extra = [f"{len(suppressed)} suppressed"] if suppressed else []
    extra += [f"{len(baselined)} in baseline"] if baselined else []
    tail = f" ({', '.join(extra)})" if extra else ""
    plural = noun if inputs == 1 else f"{noun}s"
    click.echo(f"least-priv: {', '.join(parts)} in {inputs} {plural}{tail}", err=True)
    if input_error:
        return 2
    threshold = FAIL_ON.get(kw["fail_on"])
    if threshold is not None and any(f.severity >= threshold for f in findings):
        return 1
    if kw.get("fail_on_conditional"):
        from least_priv.evaluate.codes import CONDITIONAL

        # An undecidable need is a warning by severity; this gate treats it as a failure.
        undecided = sum(1 for f in findings if f.code == CONDITIONAL)
        if undecided:
            click.echo(
                f"least-priv: {undecided} permission{'s' if undecided != 1 else ''} the role "
                "may not allow (LP603) and --fail-on-conditional is set",
                err=True,
            )
            return 1
    return 0


def _list_rules(fmt: str) -> None:
    from least_priv.lint.engine import selected_rules

    rules = selected_rules()
    if fmt == "json":
        data = [
            {"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary}
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.severity!s:<7}  {r.name:<26}  {r.summary}")


def _explain(code: str) -> None:
    from least_priv.lint.engine import selected_rules
    from least_priv.lint.rule import example_document

    rule = next((r for r in selected_rules() if r.code == code.upper()), None)
    if rule is None:
        raise click.UsageError(f"no lint rule {code}; see --list-rules")
    click.echo(f"{rule.code} {rule.name} ({rule.severity})\n\n{rule.doc}\n")
    for title, examples in (("Flagged", rule.invalid), ("Accepted", rule.valid)):
        for example in examples:
            click.echo(f"{title}:\n{json.dumps(example_document(example), indent=2)}\n")


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--input-type",
    type=click.Choice(
        ["policy", "cloudformation", "serverless", "terraform-plan", "cdk", "authorization-details"]
    ),
    help="Read every input as this kind instead of detecting it from the content.",
)
@report_options
@click.option(
    "--skip-unrecognised",
    is_flag=True,
    help="Skip files that are not policies, templates or plans instead of reporting them.",
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="CODE", help="Show a rule's documentation and examples.")
def lint(**kw: Any) -> int:
    """Lint IAM policies in policy files, templates, serverless.yml, Terraform plans, cdk.out."""
    if kw["list_rules"]:
        _list_rules(kw["fmt"])
        return 0
    if kw["explain"]:
        _explain(kw["explain"])
        return 0
    if not kw["paths"]:
        raise click.UsageError("give at least one PATH to lint")
    from least_priv.lint.engine import lint_paths

    result = lint_paths(
        kw["paths"],
        input_type=kw["input_type"],
        select=_codes(kw["select"]) or None,
        ignore=_codes(kw["ignore"]),
        skip_unrecognised=kw["skip_unrecognised"],
    )
    return finish(
        result.findings,
        kw,
        inputs=result.inputs,
        input_error=result.input_error,
        suppressed=[(f, s.reason) for f, s in result.suppressed],
    )


def _check_command() -> click.Command:
    # The options that shape the required policy are generate's and diff's; reuse them so
    # the three commands cannot drift apart.
    from least_priv.cli.diff import (
        managed_policy_option,
        read_managed_policies,
        required_policy_options,
        warn_unused_managed,
    )

    @click.command("check")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True))
    @required_policy_options
    @managed_policy_option
    @click.option(
        "--lint/--no-lint",
        "with_lint",
        default=True,
        show_default=True,
        help="Also lint the template's policies.",
    )
    @report_options
    @click.option(
        "--fail-on-conditional",
        is_flag=True,
        help="Exit 1 when the role may or may not allow a need (LP603), e.g. because it "
        "depends on a managed policy the template names only by ARN.",
    )
    def check(**kw: Any) -> int:
        """Check each function's code against the role its template declares.

        Missing permissions are errors at the call site; excess grants are warnings at the
        template statement. PATH... are extra code roots (layers), as for generate.
        """
        if not kw["template"]:
            raise click.UsageError("check needs --template FILE")
        from least_priv.api import GenerateOptions, UsageError
        from least_priv.lint.check import check_template

        # The shaping options are generate's own parameters (already parsed: --env gives
        # pairs); each fills the GenerateOptions field of the same name.
        values = {f.name: kw[f.name] for f in fields(GenerateOptions) if f.name in kw}
        options = GenerateOptions(**{**values, "paths": tuple(kw["paths"])})
        managed = read_managed_policies(kw["managed_files"])
        try:
            result = check_template(
                options,
                lint=kw["with_lint"],
                select=_codes(kw["select"]) or None,
                ignore=_codes(kw["ignore"]),
                managed=managed,
            )
        except UsageError as exc:  # an unknown --function, a template without functions
            raise click.UsageError(str(exc)) from exc
        warn_unused_managed(result.unused_managed)
        return finish(
            result.findings,
            kw,
            inputs=len(result.functions),
            input_error=result.input_error,
            suppressed=[(f, s.reason) for f, s in result.suppressed],
            noun="function",
        )

    return check


def __getattr__(name: str) -> Any:
    # ``check`` borrows generate's options, which import the whole pipeline; building it on
    # first access keeps ``least-priv lint`` from paying for that.
    if name == "check":
        command = _check_command()
        globals()["check"] = command
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
