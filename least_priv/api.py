"""The whole ``generate`` pipeline as one library call: options in, policies and findings out.

The CLI builds a :class:`GenerateOptions`, calls :func:`generate` and renders the
:class:`GenerateResult`; a Python caller (``diff``, ``check``, a build script) does the same.
The stages are the packages of ``least_priv``::

    infra.load_template ─► Function(s) ──┐
    analysis.analyze ────► CallSite(s) ──┼─► catalog.requirements ─► policy (scope, implied,
    trail.observe/merge (--cloudtrail) ──┘                            merge, documents)

Only the edges do I/O (reading the template and the code, CloudTrail sources when asked).
Bad input never raises: it becomes a finding and the run goes on. Options that cannot work
together, or paths that do not exist, raise :class:`UsageError` (the CLI's exit code 2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from least_priv.catalog import Catalog, get_catalog
from least_priv.model import (
    CallKind,
    CallSite,
    Finding,
    Function,
    Location,
    Part,
    Permission,
    PolicyDocument,
    Value,
)
from least_priv.policy import (
    ArnContext,
    Environment,
    Scoper,
    build_documents,
    implied_permissions,
    merge,
)
from least_priv.policy import codes as policy_codes
from least_priv.policy.document import follow_split
from least_priv.policy.encryption import EncryptionLookup, encryption_permissions
from least_priv.policy.template import template_key

if TYPE_CHECKING:
    from least_priv.analysis.loading import ModuleLoader

MERGE_MODES = ("union", "intersect", "report")


class UsageError(ValueError):
    """Options that cannot work together or inputs that do not exist (exit code 2)."""


@dataclass(frozen=True)
class GenerateOptions:
    """Everything that shapes a generated policy (see docs/policy.md for each option)."""

    paths: tuple[str, ...] = ()  # code root first, then extra import roots (layers)
    handler: str | None = None  # Lambda handler string, relative to the code root
    template: str | None = None  # SAM/CFN/serverless/terraform-plan/cdk.out
    function: str | None = None  # a function of the template; None = every function
    # Template parameter values (CloudFormation parameters, serverless ${opt:NAME}) and
    # serverless' stage, as `sam deploy --parameter-overrides` / `sls --stage` would give.
    parameters: tuple[tuple[str, str], ...] = ()
    stage: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    account: str | None = None
    partition: str | None = None
    cloudtrail: tuple[str, ...] = ()  # CloudTrail sources (least_priv.trail)
    role_arn: str | None = None
    since: str | None = None
    until: str | None = None
    merge: str = "union"  # union | intersect | report
    compact: bool = False
    split: bool = False
    # Speed (docs/speed.md): keep per-module analysis results in the on-disk cache (the
    # default directory unless cache_dir), parse with `jobs` processes (None: one per core),
    # and report progress as (phase, done, total).
    cache: bool = False
    cache_dir: str | None = None
    jobs: int | None = None
    progress: Callable[[str, int, int], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FunctionPolicy:
    """The policy of one function, with the permissions it was built from.

    ``documents`` are the JSON policies (one, or several after ``--split``).
    ``template_documents`` are the same statements grouped for template formats, whose
    resources are keys into ``template_resources`` (the resource as parts, keeping
    ``TemplateRef``s) — the renderers of sam/cfn/serverless/terraform use those.
    """

    name: str  # function name ("" for a bare code path)
    permissions: tuple[Permission, ...]  # with provenance
    documents: tuple[PolicyDocument, ...]  # one, or several after --split
    findings: tuple[Finding, ...]
    template_documents: tuple[PolicyDocument, ...] = ()
    template_resources: tuple[tuple[str, tuple[Part, ...]], ...] = ()
    location: Location | None = None
    cloudtrail_report: str = ""  # --merge report: Markdown tables of code vs observed usage

    def resource_parts(self, key: str) -> tuple[Part, ...]:
        """The parts of a template-document resource key (the key itself when plain)."""
        for known, parts in self.template_resources:
            if known == key:
                return parts
        return (key,)


@dataclass(frozen=True)
class GenerateResult:
    """Policies for every selected function, and every finding of the run, sorted."""

    functions: tuple[FunctionPolicy, ...]
    findings: tuple[Finding, ...]  # all findings, sorted
    keyed: bool = False  # every function of a template: output keyed by function name

    def function(self, name: str) -> FunctionPolicy | None:
        """The policy of function ``name``, if it was generated."""
        for policy in self.functions:
            if policy.name == name:
                return policy
        return None


@dataclass
class _Run:
    """Per-run state: options, the ARN context and template access for encryption lookups."""

    options: GenerateOptions
    context: ArnContext
    encryption: EncryptionLookup | None = None
    findings: list[Finding] = field(default_factory=list)
    loader: ModuleLoader | None = None  # one per run: each module is parsed once


def generate(options: GenerateOptions) -> GenerateResult:
    """Run the pipeline: read the template or code, analyse, scope, build the documents."""
    _check(options)
    run = _Run(options, ArnContext.of(options.partition, options.region, options.account))
    functions, from_template = _functions(run)
    run.loader = _module_loader(options, functions)
    policies = []
    for done, fn in enumerate(functions, 1):
        policies.append(_function_policy(run, fn, from_template))
        if options.progress is not None:
            options.progress("functions", done, len(functions))
    policies.sort(key=lambda p: p.name)
    everything = set(run.findings)
    for policy in policies:
        everything.update(policy.findings)
    keyed = from_template and options.function is None and not options.paths
    return GenerateResult(tuple(policies), tuple(sorted(everything)), keyed)


def _check(options: GenerateOptions) -> None:
    if not options.paths and not options.template:
        raise UsageError("give the function's code (PATH...) or a template (--template FILE)")
    if options.merge not in MERGE_MODES:
        raise UsageError(f"--merge must be one of {', '.join(MERGE_MODES)}")
    for path in (*options.paths, *([options.template] if options.template else [])):
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
    if options.function and not options.template:
        raise UsageError("--function selects a function of --template; give --template too")
    if options.cloudtrail and not options.role_arn:
        raise UsageError("--cloudtrail needs --role-arn (the function's execution role)")
    if options.cloudtrail:
        # A bad window is known before any code is analysed; observe() checks it again.
        from least_priv.trail import TrailUsageError
        from least_priv.trail.window import Window

        try:
            Window.parse(options.since, options.until)
        except TrailUsageError as exc:
            raise UsageError(str(exc)) from exc
    for name, _ in options.env:
        if not name:
            raise UsageError("--env takes NAME=VALUE")
    for name, _ in options.parameters:
        if not name:
            raise UsageError("--parameter takes KEY=VALUE")
    if (options.parameters or options.stage is not None) and not options.template:
        raise UsageError("--parameter and --stage are values for --template; give --template too")


# ---------------------------------------------------------------------------------------------
# Functions: from a template, or one bare code path
# ---------------------------------------------------------------------------------------------


def _functions(run: _Run) -> tuple[list[Function], bool]:
    options = run.options
    if not options.template:
        root, *layers = options.paths
        function = Function("", root, options.handler or "", layers=tuple(layers))
        return [function], False
    from least_priv.infra import load_template, select_functions
    from least_priv.infra.codes import MISSING_CODE

    template = load_template(
        options.template, parameters=dict(options.parameters), stage=options.stage
    )
    # What the template's declared role policies lack (LP430-449) matters to diff and
    # check, which compare against them; a generated policy does not depend on them.
    run.findings.extend(
        f
        for f in template.findings
        if not _declared_policy_code(f.code)
        # Code given as PATHs replaces the template's code location, missing or not.
        and not (options.paths and f.code == MISSING_CODE)
    )
    run.encryption = EncryptionLookup.of(template)
    functions, unknown = select_functions(template, options.function)
    if unknown:
        raise UsageError("; ".join(f.message for f in unknown))
    if options.paths or options.handler:
        # Code or handler given on the command line with a template: the template supplies
        # the function's configuration (environment, events, role), the options the rest.
        if len(functions) != 1:
            raise UsageError(
                "with PATHs or --handler and a template of several functions, give --function"
            )
        fn = functions[0]
        functions = [
            replace(
                fn,
                code_root=options.paths[0] if options.paths else fn.code_root,
                handler=options.handler or fn.handler,
                layers=tuple(options.paths[1:]) + fn.layers,
            )
        ]
    return functions, True


def _module_loader(options: GenerateOptions, functions: Sequence[Function]) -> ModuleLoader:
    """The run's loader, with every function's modules parsed ahead (in parallel if many)."""
    from least_priv.analysis.loading import ModuleLoader

    loader = ModuleLoader.for_run(
        cache=options.cache,
        cache_dir=options.cache_dir,
        jobs=options.jobs,
        progress=options.progress,
    )
    loader.prefetch_functions(
        ((fn.code_root, *fn.layers), fn.handler or None)
        for fn in functions
        if os.path.exists(fn.code_root)
    )
    return loader


def _declared_policy_code(code: str) -> bool:
    return code.startswith("LP4") and 30 <= int(code[3:]) <= 49


# ---------------------------------------------------------------------------------------------
# One function
# ---------------------------------------------------------------------------------------------


def _function_policy(run: _Run, function: Function, from_template: bool) -> FunctionPolicy:
    options = run.options
    where = function.location or Location(options.template or function.code_root)
    findings: list[Finding] = []
    calls = _analyse(run, function, findings, where)
    values = dict(function.env)
    values.update({name: Value.literal(text) for name, text in options.env})
    scoper = Scoper(Environment(values, complete=from_template), run.context)
    permissions = list(code_permissions(calls, scoper, findings))
    if from_template:
        permissions.extend(implied_permissions(function, scoper))
    if run.encryption is not None:
        permissions.extend(encryption_permissions(permissions, run.encryption, scoper))
    findings.extend(scoper.findings)
    merged = merge(permissions)
    cloudtrail_report = ""
    if options.cloudtrail:
        merged, cloudtrail_report = _with_cloudtrail(run, function, merged, findings)
    expand = get_catalog().expand if options.compact else None
    built = build_documents(merged, where, expand=expand, split=options.split)
    findings.extend(built.findings)
    keyed = follow_split(merged, built.documents, template_key, expand)
    # One entry per key (parts with the same key render the same; Unknown reasons may differ).
    parts_by_key: dict[str, tuple[Part, ...]] = {}
    for perm in merged:
        parts_by_key.setdefault(template_key(perm), perm.resource_parts or (perm.resource,))
    return FunctionPolicy(
        name=function.name,
        permissions=merged,
        documents=built.documents,
        findings=tuple(sorted(set(findings))),
        template_documents=keyed,
        template_resources=tuple(sorted(parts_by_key.items(), key=lambda item: item[0])),
        location=function.location,
        cloudtrail_report=cloudtrail_report,
    )


def _analyse(
    run: _Run, function: Function, findings: list[Finding], where: Location
) -> list[CallSite]:
    if not os.path.exists(function.code_root):
        findings.append(
            policy_codes.finding(
                policy_codes.NO_CODE,
                where,
                f"function {function.name or function.code_root}: code location "
                f"{function.code_root!r} is not a local path; only configuration-implied "
                "permissions are in its policy",
            )
        )
        return []
    from least_priv.analysis.loading import ModuleLoader

    paths = (function.code_root, *function.layers)
    loader = run.loader if run.loader is not None else ModuleLoader(jobs=1)
    result = loader.analyze_calls(paths, function.handler or None)
    findings.extend(result.findings)
    return list(result.calls)


def code_permissions(
    calls: Iterable[CallSite], scoper: Scoper, findings: list[Finding]
) -> Iterable[Permission]:
    """The permissions the calls need, scoped by ``scoper``; unmappable calls are reported.

    The catalog's findings on each call join ``findings``; LP306 (no action) is added only
    when the catalog has not already said why.

    Exposed for callers that bring their own call sites (tests, other front ends).
    """
    catalog = get_catalog()
    for call in calls:
        requirements = catalog.requirements(call)
        # The catalog's own word on the call (LP701-705: an operation granted prefix:*,
        # request content that could not be decided), at the call's location.
        explained = catalog.findings(call)
        findings.extend(explained)
        if not requirements and not explained and _needs_permission(catalog, call):
            findings.append(
                policy_codes.finding(
                    policy_codes.NO_ACTIONS,
                    call.location,
                    f"{call.service}.{call.operation}: the catalog names no IAM action for "
                    "this call; it is not in the policy — grant it by hand",
                )
            )
        for permission in scoper.call_permissions(call, requirements):
            if permission.resource == "*" and _catalog_gap(catalog, call, permission.action):
                findings.append(
                    policy_codes.finding(
                        policy_codes.UNTYPED_RESOURCE,
                        call.location,
                        f"{permission.action}: supports resource-level permissions but the "
                        "catalog has no ARN template for its resource type; granted on '*'",
                    )
                )
            yield permission


def _catalog_gap(catalog: Catalog, call: CallSite, action: str) -> bool:
    """True when ``action`` has a resource type but the catalog gives no ARN for it here.

    Some operations take '*' on purpose for some requests (sns Publish to a phone number
    has no topic): the catalog then also lists the action with its ARN template, and the
    '*' is the request-content rule's choice, not a gap.
    """
    info = catalog.action(action)
    # Any resource type counts: alternatives (bucket object or access-point object) are
    # each marked not required, yet the action is resource-level.
    if info is None or not info.resource_types:
        return False
    operation = catalog.operation(call.service, call.operation)
    rows = operation.requirements if operation is not None else ()
    return not any(r.action.lower() == action.lower() and r.arn_template for r in rows)


def _deployed_name(function: Function) -> str | None:
    # Lambda's role session is named after the function; CloudTrail matches on it.
    name = dict(function.settings).get("FunctionName")
    return None if name is None else name.text


def _needs_permission(catalog: Catalog, call: CallSite) -> bool:
    info = catalog.operation(call.service, call.operation)
    if info is not None:
        return info.permissionless is None
    # An unknown client or method is the analysis' finding (LP2xx); a helper that expands
    # to nothing is ours to report.
    return call.kind in (CallKind.HELPER, CallKind.PRESIGN)


# ---------------------------------------------------------------------------------------------
# CloudTrail
# ---------------------------------------------------------------------------------------------


def _with_cloudtrail(
    run: _Run, function: Function, code: Sequence[Permission], findings: list[Finding]
) -> tuple[tuple[Permission, ...], str]:
    """The permissions merged with CloudTrail's, and for ``--merge report`` its tables."""
    from least_priv.trail import TrailUsageError, observe
    from least_priv.trail import merge as merge_observed

    options = run.options
    assert options.role_arn is not None  # _check demands it with --cloudtrail
    try:
        observation = observe(
            options.cloudtrail,
            role_arn=options.role_arn,
            since=options.since,
            until=options.until,
            session_name=_deployed_name(function),
            region=options.region,
            account=options.account,
            progress=False,
        )
    except TrailUsageError as exc:  # a role ARN or source option that cannot work
        raise UsageError(str(exc)) from exc
    result = merge_observed(list(code), observation, options.merge)
    findings.extend(observation.findings)
    findings.extend(result.findings)
    report = ""
    if options.merge == "report":
        from least_priv.trail.report import merge_report_markdown

        report = merge_report_markdown(result)
    return merge(result.permissions), report
