"""``least-priv diff``: the role you have against what the code needs.

Where the role comes from (one of): ``--role-name``/``--role-arn`` (live, through IAM),
``--policy FILE`` (repeatable: documents or IAM API output; with ``--role-name`` to pick a
role out of ``get-account-authorization-details``), or ``--template T --function F``.
What the code needs: the same analysis as ``generate`` (every option that shapes the
required policy is accepted, see :func:`required_policy_options`), or ``--required FILE``.

Exit codes: 0 clean, 2 when anything is missing (and for usage errors), 1 when only excess
is found and ``--fail-on-excess`` is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from least_priv.cli.generate import FORMATS as POLICY_FORMATS
from least_priv.model import Finding, Location, Permission, PolicyDocument, Severity
from least_priv.render.diff import FORMATS as DIFF_FORMATS

if TYPE_CHECKING:  # the readers are imported when the command runs, not when it is listed
    from least_priv.attached import Attached
    from least_priv.evaluate import ParsedPolicy

F = TypeVar("F", bound=Callable[..., Any])

# The options of ``generate`` that change which permissions are required (or how the
# replacement is written). They are generate's own click parameters, reused as they are, so
# the two commands cannot drift apart.
SHAPING_OPTIONS: tuple[str, ...] = (
    "handler",
    "template",
    "function",
    "env",
    "parameters",
    "stage",
    "region",
    "account",
    "partition",
    "cloudtrail",
    "since",
    "until",
    "merge",
    "compact",
    "split",
)


def required_policy_options(func: F) -> F:
    """Give a click command every ``generate`` option that shapes the required policy."""
    from least_priv.cli.generate import generate

    params = [p for p in generate.params if p.name in SHAPING_OPTIONS]
    memo: list[click.Parameter] = getattr(func, "__click_params__", [])
    # click applies decorators bottom-up and reverses this list when it builds the command.
    memo.extend(reversed(params))
    func.__click_params__ = memo  # type: ignore[attr-defined]
    return func


def managed_policy_option(func: F) -> F:
    """``--managed-policy ARN=FILE`` (repeatable), shared by ``diff`` and ``check``."""
    return click.option(
        "--managed-policy",
        "managed_files",
        multiple=True,
        metavar="ARN=FILE",
        help="Document of a managed policy a template names only by ARN (or NAME=FILE); "
        "turns what depends on it into a definite answer.",
    )(func)


@click.command("diff")
@click.argument("paths", nargs=-1, type=click.Path())
@required_policy_options
@click.option(
    "--required",
    "required_file",
    type=click.Path(dir_okay=False),
    help="Compare this policy document (what is needed) instead of analysing code.",
)
@click.option("--role-name", help="Live role to read through IAM (or to pick from --policy).")
@click.option("--role-arn", help="Live role by ARN (its CloudTrail events too, with --cloudtrail).")
@click.option(
    "--policy",
    "policy_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Policy document or IAM API output that the role holds (repeatable).",
)
@click.option(
    "--boundary",
    "boundary_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Permissions boundary document (repeatable).",
)
@managed_policy_option
@click.option("--profile", help="AWS profile for live calls.")
@click.option("--endpoint-url", help="IAM endpoint for live calls (tests, VPC endpoints).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DIFF_FORMATS),
    default="text",
    show_default=True,
)
@click.option(
    "--policy-format",
    type=click.Choice(POLICY_FORMATS),
    default="json",
    show_default=True,
    help="Format of the replacement policy (formats other than json need the code, not "
    "--required).",
)
@click.option(
    "--fail-on-excess", is_flag=True, help="Exit 1 when the role grants more than needed."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
def diff(**kw: Any) -> int:
    """Compare the role you have with what the code needs (missing / excess / conditional)."""
    from least_priv.diff import diff_permissions, load_catalog
    from least_priv.render.diff import render_diff

    env: tuple[tuple[str, str], ...] = kw["env"]
    attached = _attached(kw)
    required, documents, findings, generated = _required(kw, env)
    catalog, catalog_findings = load_catalog()
    result = diff_permissions(
        required,
        attached.policy_set(),
        label=attached.label,
        region=kw["region"],
        principal_arn=attached.role_arn or None,
        catalog=catalog,
        replacement=documents,
        findings=[*findings, *attached.all_findings(), *catalog_findings],
    )
    if kw["managed_files"] and kw["template"] and not kw["policy_files"]:
        given = {pair.partition("=")[0] for pair in kw["managed_files"]}
        warn_unused_managed(given - attached.managed_used)
    replacement, lang = _replacement(result.replacement, generated, kw["policy_format"])
    text = render_diff(result, kw["fmt"], replacement=replacement, replacement_lang=lang)
    if kw["output"]:
        Path(kw["output"]).write_text(text)
    else:
        click.echo(text, nl=False)
    return result.exit_code(fail_on_excess=kw["fail_on_excess"])


def _attached(kw: dict[str, Any]) -> Attached:
    from least_priv import attached as source

    role = kw["role_name"] or kw["role_arn"]
    if kw["policy_files"]:
        got = source.from_files(list(kw["policy_files"]), role=role)
    elif role:
        got = source.from_role(
            role, profile=kw["profile"], region=kw["region"], endpoint_url=kw["endpoint_url"]
        )
    elif kw["template"] and kw["function"]:
        got = source.from_template(
            kw["template"],
            kw["function"],
            region=kw["region"],
            account=kw["account"],
            partition=kw["partition"],
            managed=read_managed_policies(kw["managed_files"]),
            parameters=dict(kw["parameters"]),
            stage=kw["stage"],
        )
    else:
        raise click.UsageError(
            "say where the current permissions are: --role-name/--role-arn, --policy FILE, "
            "or --template FILE --function NAME"
        )
    if kw["boundary_files"]:
        got = got.with_boundary(*source.boundary_from_files(kw["boundary_files"]))
    return got


def warn_unused_managed(keys: Iterable[str]) -> None:
    """Say which ``--managed-policy`` keys matched nothing: a typo in an ARN would otherwise
    leave the need conditional without a word."""
    for key in sorted(keys):
        click.echo(
            f"least-priv: --managed-policy {key} names no managed policy of the role; "
            "use the ARN or the policy name the LP620/LP603 findings show",
            err=True,
        )


def read_managed_policies(pairs: tuple[str, ...]) -> dict[str, ParsedPolicy]:
    """``ARN=FILE`` pairs read into parsed policies keyed by ARN (or policy name)."""
    from least_priv import attached as source

    out: dict[str, ParsedPolicy] = {}
    for pair in pairs:
        key, sep, path = pair.partition("=")
        if not sep or not key or not path:
            raise click.BadParameter(f"{pair!r} is not ARN=FILE", param_hint="--managed-policy")
        read = source.from_files([path], origin="managed", name=key.rsplit("/", 1)[-1])
        # A document that is not a policy would stand for "grants nothing": refuse it.
        errors = [f for f in read.all_findings() if f.severity is Severity.ERROR]
        if errors or len(read.identity) != 1 or not read.identity[0].statements:
            reasons = "; ".join(f.message for f in errors) or "no statement in it"
            raise click.BadParameter(f"{path}: {reasons}", param_hint="--managed-policy")
        out[key] = read.identity[0]
    return out


# Code-fence languages of the policy formats, for the Markdown report.
_FENCE = {"sam": "yaml", "cfn": "yaml", "serverless": "yaml", "terraform": "hcl", "text": "text"}


def _replacement(
    documents: tuple[PolicyDocument, ...], generated: Any, fmt: str
) -> tuple[str, str]:
    """The least-privilege replacement as text in the user's policy format."""
    if fmt == "json":
        return "".join(json.dumps(d.to_json(), indent=2) + "\n" for d in documents), "json"
    if generated is None:
        raise click.UsageError("--policy-format other than json needs the code, not --required")
    from least_priv import render

    return str(render.render_policy(generated, fmt)), _FENCE.get(fmt, "json")


def _required(
    kw: dict[str, Any], env: tuple[tuple[str, str], ...]
) -> tuple[list[Permission], list[PolicyDocument], list[Finding], Any]:
    """What the code needs, the generated documents, findings, and the generate result."""
    if kw["required_file"]:
        return (*_required_from_file(kw["required_file"], kw["function"]), None)
    if not kw["paths"] and not kw["template"]:
        raise click.UsageError("give the code (PATH... --handler H, or --template) or --required")
    from least_priv import api

    options = api.GenerateOptions(
        paths=tuple(kw["paths"]),
        handler=kw["handler"],
        template=kw["template"],
        function=kw["function"],
        env=env,
        parameters=tuple(kw["parameters"]),
        stage=kw["stage"],
        region=kw["region"],
        account=kw["account"],
        partition=kw["partition"],
        cloudtrail=tuple(kw["cloudtrail"]),
        role_arn=kw["role_arn"],
        since=kw["since"],
        until=kw["until"],
        merge=kw["merge"],
        compact=kw["compact"],
        split=kw["split"],
    )
    try:
        generated = api.generate(options)
    except api.UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    functions = list(generated.functions)
    if len(functions) != 1:
        names = ", ".join(sorted(f.name for f in functions)) or "none"
        raise click.UsageError(
            f"the diff needs exactly one function; found {names} (choose with --function)"
        )
    fp = functions[0]
    return list(fp.permissions), list(fp.documents), list(generated.findings), generated


def _required_from_file(
    path: str, function: str | None
) -> tuple[list[Permission], list[PolicyDocument], list[Finding]]:
    from least_priv.diff import required_from_output
    from least_priv.evaluate import PolicySource, codes
    from least_priv.infra.positions import parse_file

    doc = parse_file(path)
    if doc.data is None:
        reasons = "; ".join(f.message for f in doc.findings) or "empty file"
        bad = Finding(
            doc.findings[0].location if doc.findings else Location(path),
            codes.BAD_REQUIRED,
            f"{path}: the required policy cannot be read ({reasons})",
            Severity.ERROR,
        )
        return [], [], [bad]
    source = PolicySource(Path(path).name, "required", Location(path, 1, 0))
    return required_from_output(doc.data, source, doc.location, function=function)
