"""``least-priv observed``: the permissions a role used, read from CloudTrail alone.

Exit codes: 0 done; 1 when a source could not be read (an ERROR finding) or, with
``--strict``, when any warning was found (AccessDenied evidence, unmapped events, bad
files); 2 for usage errors.
"""

from __future__ import annotations

import json
import sys

import click

from least_priv.model import Severity


@click.command("observed")
@click.option(
    "--cloudtrail",
    "sources",
    multiple=True,
    required=True,
    metavar="SOURCE",
    help="Folder/file, s3://bucket/prefix, lookup-events, or athena://WG/DB.TABLE "
    "(repeatable).",
)
@click.option("--role-arn", required=True, help="The role (its session issuer ARN).")
@click.option("--session-name", help="Only this role session (Lambda: the function name).")
@click.option("--since", help="Start of the window (ISO date/time; default: 90 days ago).")
@click.option("--until", help="End of the window (a bare date includes that day).")
@click.option("--region", help="Only this region (plus us-east-1, where global events land).")
@click.option("--account", help="Account folders to read (default: the role's account).")
@click.option("--profile", help="AWS profile for s3://, lookup-events and athena:// sources.")
@click.option("--endpoint-url", hidden=True, help="AWS endpoint override (tests, LocalStack).")
@click.option("--jobs", type=click.IntRange(1), help="Worker processes (default: one per core).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["policy", "table", "json"]),
    default="policy",
    show_default=True,
    help="The observed usage as an IAM policy, a table, or JSON with provenance.",
)
@click.option("--print-sql", is_flag=True, help="Print the Athena SQL for athena:// and stop.")
@click.option("--strict", is_flag=True, help="Exit 1 on any warning finding.")
def observed(
    sources: tuple[str, ...],
    role_arn: str,
    session_name: str | None,
    since: str | None,
    until: str | None,
    region: str | None,
    account: str | None,
    profile: str | None,
    endpoint_url: str | None,
    jobs: int | None,
    fmt: str,
    print_sql: bool,
    strict: bool,
) -> int:
    """Permissions the role used, read from CloudTrail alone (no code analysis).

    Each permission comes with its count and first/last seen; AccessDenied calls are listed
    apart as missing permissions and never granted. Exit 1 when a source cannot be read (or,
    with --strict, on any warning); 2 for usage errors. See docs/cloudtrail.md.
    """
    from least_priv.render.findings import render_findings
    from least_priv.trail import TrailUsageError, observe

    try:
        if print_sql:
            click.echo(_sql(sources, role_arn, session_name, since, until, region, account))
            return 0
        obs = observe(
            sources,
            role_arn=role_arn,
            since=since,
            until=until,
            session_name=session_name,
            region=region,
            account=account,
            profile=profile,
            endpoint_url=endpoint_url,
            jobs=jobs,
        )
    except TrailUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(_render(obs, fmt), nl=False)
    if fmt == "policy" and sys.stderr.isatty():
        s = obs.stats
        click.echo(
            f"{s.files} files, {s.records:,} records read, {s.matched:,} of the role, "
            f"{len(obs.permissions)} permissions, {len(obs.denied)} denied",
            err=True,
        )
    if obs.findings and fmt != "json":
        click.echo(render_findings(obs.findings, "text"), err=True, nl=False)
    worst = max((f.severity for f in obs.findings), default=Severity.NOTE)
    if worst >= Severity.ERROR or (strict and worst >= Severity.WARNING):
        return 1
    return 0


def _render(obs: object, fmt: str) -> str:
    from least_priv.model import Location
    from least_priv.policy import build_documents
    from least_priv.trail import Observation
    from least_priv.trail.report import observation_json, observation_text

    assert isinstance(obs, Observation)
    if fmt == "table":
        return observation_text(obs)
    if fmt == "json":
        return observation_json(obs)
    built = build_documents(obs.permissions, Location(obs.role_arn))
    docs = [d.to_json() for d in built.documents if d.statements]
    if not docs:
        print("no permission was observed; no policy written", file=sys.stderr)
        return ""
    payload: object = docs[0] if len(docs) == 1 else docs
    return json.dumps(payload, indent=2) + "\n"


def _sql(
    sources: tuple[str, ...],
    role_arn: str,
    session_name: str | None,
    since: str | None,
    until: str | None,
    region: str | None,
    account: str | None,
) -> str:
    from least_priv.trail.engine import ScanSpec
    from least_priv.trail.sources.athena import AthenaTarget, build_sql
    from least_priv.trail.window import Window

    window = Window.parse(since, until)
    spec = ScanSpec(role_arn, window, session_name, region=region)
    days = [f"{d:%Y/%m/%d}" for d in window.delivery_days()]
    out = []
    for source in sources:
        if not source.startswith("athena://"):
            continue
        target = AthenaTarget.parse(source)
        out.append(build_sql(target, spec, days=days, account=account, region=region) + ";")
    if not out:
        raise click.UsageError("--print-sql needs an athena:// source")
    return "\n\n".join(out)
