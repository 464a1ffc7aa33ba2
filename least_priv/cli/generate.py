"""``least-priv generate``: the least-privilege policy for a function's code.

Thin: parses options into :class:`~least_priv.api.GenerateOptions`, calls
:func:`~least_priv.api.generate`, prints the policy in ``--format`` on stdout and the
findings on stderr. stdout always holds only the chosen format, so it can be piped.

Exit codes: 0 the policy was written; 1 a finding of severity error, or with ``--strict``
any warning (something could not be pinned down, e.g. a typed wildcard); 2 usage or input
error (nothing to generate from, an unknown function, a path that does not exist).
"""

from __future__ import annotations

from pathlib import Path

import click

from least_priv.model import Finding, Severity

FORMATS = ("json", "sam", "cfn", "terraform", "serverless", "text")


def _env_pair(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> object:
    """``NAME=VALUE`` items as pairs (``--env``, ``--parameter``); the value may be empty."""
    pairs: list[tuple[str, str]] = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            metavar = param.metavar or "NAME=VALUE"
            raise click.BadParameter(f"{item!r} is not {metavar}", param_hint=param.opts[0])
        pairs.append((name, value))
    return tuple(pairs)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--handler", help="Lambda handler string, relative to the code root.")
@click.option(
    "--template",
    type=click.Path(),
    help="SAM/CloudFormation, cdk.out, serverless.yml or Terraform plan JSON.",
)
@click.option("--function", "function", help="Only this function of --template.")
@click.option(
    "--env",
    multiple=True,
    callback=_env_pair,
    metavar="NAME=VALUE",
    help="An environment variable's value (overrides the template's).",
)
@click.option(
    "--parameter",
    "parameters",
    multiple=True,
    callback=_env_pair,
    metavar="KEY=VALUE",
    help="A template parameter's value (CloudFormation/SAM parameter, serverless ${opt:KEY}).",
)
@click.option("--stage", help="serverless.yml stage (${opt:stage}, ${sls:stage}).")
@click.option("--region", help="Region in ARNs (default: * / ${AWS::Region}).")
@click.option("--account", help="Account id in ARNs (default: * / ${AWS::AccountId}).")
@click.option(
    "--partition",
    help="Partition in ARNs (default: the region's, else * / ${AWS::Partition}).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--findings-format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="How findings are written to stderr (github: workflow annotations).",
)
@click.option("--explain", is_flag=True, help="Say why each permission is there.")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    help="Write a JSON report (permissions, provenance, findings) to FILE.",
)
@click.option("--compact", is_flag=True, help="Use Prefix* actions where exactly equivalent.")
@click.option("--split", is_flag=True, help="Split policies over IAM's 6,144-character limit.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything could not be pinned down.")
@click.option(
    "--cloudtrail", multiple=True, metavar="SRC", help="Merge usage observed in CloudTrail."
)
@click.option("--role-arn", help="The execution role, to find its CloudTrail events.")
@click.option("--since", help="CloudTrail window start (default: 90 days ago).")
@click.option("--until", help="CloudTrail window end (default: now).")
@click.option(
    "--merge",
    type=click.Choice(["union", "intersect", "report"]),
    default="union",
    show_default=True,
    help="How CloudTrail usage combines with the code's.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the analysis cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Analysis cache directory (default: $XDG_CACHE_HOME/least-priv/v1).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes that parse and analyse code in parallel (default: one per core).",
)
def generate(
    paths: tuple[str, ...],
    handler: str | None,
    template: str | None,
    function: str | None,
    env: tuple[tuple[str, str], ...],
    parameters: tuple[tuple[str, str], ...],
    stage: str | None,
    region: str | None,
    account: str | None,
    partition: str | None,
    fmt: str,
    findings_format: str,
    explain: bool,
    report_file: str | None,
    compact: bool,
    split: bool,
    strict: bool,
    cloudtrail: tuple[str, ...],
    role_arn: str | None,
    since: str | None,
    until: str | None,
    merge: str,
    no_cache: bool,
    cache_dir: str | None,
    jobs: int | None,
) -> int:
    """Write the least-privilege IAM policy for a Lambda function's code.

    PATH is the function's code root (or one file); more PATHs are extra import roots
    (layers). Or give --template to read code location, handler and environment from IaC.

    Exit codes: 0 written; 1 an error finding, or with --strict any warning; 2 usage or
    input error. Findings go to stderr.
    """
    from least_priv.api import GenerateOptions, UsageError
    from least_priv.api import generate as run
    from least_priv.cli.progress import ProgressBar
    from least_priv.render import render_policy

    bar = ProgressBar()

    options = GenerateOptions(
        paths=paths,
        handler=handler,
        template=template,
        function=function,
        env=env,
        parameters=parameters,
        stage=stage,
        region=region,
        account=account,
        partition=partition,
        cloudtrail=cloudtrail,
        role_arn=role_arn,
        since=since,
        until=until,
        merge=merge,
        compact=compact,
        split=split,
        cache=not no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        progress=bar if bar.enabled else None,
    )
    try:
        result = run(options)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        bar.close()
    if not result.functions:
        _print_findings(result.findings, findings_format)
        click.echo("least-priv: no function to generate a policy for", err=True)
        return 2
    click.echo(render_policy(result, fmt), nl=False)
    if explain:
        from least_priv.render.explain import render_explain

        # stdout stays valid for the chosen format; the explanation joins it only as text.
        click.echo(
            ("\n" if fmt == "text" else "") + render_explain(result), nl=False, err=fmt != "text"
        )
    for policy in result.functions:
        if policy.cloudtrail_report and fmt != "text":
            # --merge report: what CloudTrail saw that the code does not, and the reverse.
            # Text output carries the tables itself; other formats keep stdout parseable.
            title = f"## {policy.name}\n" if policy.name else ""
            click.echo(title + policy.cloudtrail_report, err=True, nl=False)
    if report_file:
        from least_priv.render.report import render_report

        Path(report_file).write_text(render_report(result), encoding="utf-8")
    _print_findings(result.findings, findings_format)
    return exit_code(result.findings, strict=strict)


def _print_findings(findings: tuple[Finding, ...], fmt: str) -> None:
    if findings or fmt in ("json", "sarif"):  # an empty report is still a report
        from least_priv.render.findings import render_findings

        click.echo(render_findings(findings, fmt), err=True, nl=False)


def exit_code(findings: tuple[Finding, ...], *, strict: bool) -> int:
    """1 on an error finding, or with ``strict`` on any warning; else 0."""
    worst = max((f.severity for f in findings), default=Severity.NOTE)
    if worst >= Severity.ERROR or (strict and worst >= Severity.WARNING):
        return 1
    return 0
