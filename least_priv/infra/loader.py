"""``load_template``: read any supported IaC input, detecting its kind by content.

Supported: SAM and CloudFormation templates (YAML or JSON), CDK output (a ``cdk.out``
directory or one of its ``*.template.json``), serverless.yml, Terraform plan JSON
(``terraform show -json plan.out``). A directory that holds one of the usual file names
(``template.yaml``, ``serverless.yml``, ``cdk.out`` ...) is read through that file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from least_priv.infra import codes
from least_priv.infra.cloudformation import read_cloudformation
from least_priv.infra.positions import ParsedDocument, parse_file
from least_priv.infra.serverless import read_serverless
from least_priv.infra.template import DeclaredPolicy, Template, TemplateResource, make_template
from least_priv.infra.terraform import read_terraform_plan
from least_priv.model import Finding, Function, Location, Severity

# File names tried, in order, when the user points at a directory.
_DIRECTORY_ENTRIES = (
    "template.yaml",
    "template.yml",
    "template.json",
    "serverless.yml",
    "serverless.yaml",
    "cdk.out",
    ".aws-sam/build/template.yaml",
    "plan.json",
    "tfplan.json",
)


def load_template(
    path: str | os.PathLike[str],
    *,
    parameters: Mapping[str, str] | None = None,
    stage: str | None = None,
) -> Template:
    """Read the IaC input at ``path``; never raises on bad input (see ``Template.findings``).

    ``parameters`` are CloudFormation parameter values (they override defaults) and, for
    serverless.yml, ``${opt:NAME}`` options; ``stage`` is serverless' ``--stage`` (also
    ``${opt:stage}``). Paths in the result are built from ``path`` as given, so relative
    input gives relative code roots.
    """
    shown = os.fspath(path)
    if os.path.isdir(shown):
        return _load_directory(shown, parameters=parameters, stage=stage)
    doc = parse_file(shown)
    return _load_document(doc, parameters=parameters, stage=stage)


def detect_kind(data: Any) -> str | None:
    """``cloudformation`` (incl. SAM/CDK), ``serverless`` or ``terraform`` by content."""
    if not isinstance(data, dict):
        return None
    if "format_version" in data and any(
        key in data for key in ("planned_values", "values", "resource_changes", "configuration")
    ):
        return "terraform"
    if "service" in data and ("provider" in data or "functions" in data):
        return "serverless"
    if "Resources" in data or "AWSTemplateFormatVersion" in data or "Transform" in data:
        return "cloudformation"
    return None


def _load_document(
    doc: ParsedDocument,
    *,
    parameters: Mapping[str, str] | None,
    stage: str | None,
    cdk: bool = False,
) -> Template:
    if doc.data is None:
        return make_template(
            path=doc.path,
            kind="unknown",
            functions=(),
            resources=(),
            findings=doc.findings or [_not_a_template(doc.path, "the file is empty")],
            documents=[doc],
        )
    kind = detect_kind(doc.data)
    if kind == "cloudformation":
        return read_cloudformation(doc, parameters=parameters, kind="cdk" if cdk else None)
    if kind == "serverless":
        return read_serverless(doc, options=parameters, stage=stage)
    if kind == "terraform":
        return read_terraform_plan(doc)
    return make_template(
        path=doc.path,
        kind="unknown",
        functions=(),
        resources=(),
        findings=[
            *doc.findings,
            _not_a_template(
                doc.path,
                "no Resources (CloudFormation/SAM/CDK), service+provider (serverless) or "
                "format_version+planned_values (Terraform plan JSON)",
            ),
        ],
        documents=[doc],
    )


def _not_a_template(path: str, why: str) -> Finding:
    return codes.finding(
        codes.UNKNOWN_TEMPLATE,
        Location(path),
        f"not a template least-priv reads: {why}",
        Severity.ERROR,
    )


def _load_directory(
    directory: str, *, parameters: Mapping[str, str] | None, stage: str | None
) -> Template:
    if _is_cdk_out(directory):
        return _load_cdk_out(directory, parameters=parameters)
    for entry in _DIRECTORY_ENTRIES:
        candidate = os.path.join(directory, entry)
        if os.path.isdir(candidate) and _is_cdk_out(candidate):
            return _load_cdk_out(candidate, parameters=parameters)
        if os.path.isfile(candidate):
            return load_template(candidate, parameters=parameters, stage=stage)
    return make_template(
        path=directory,
        kind="unknown",
        functions=(),
        resources=(),
        findings=[
            _not_a_template(
                directory,
                "a directory without template.yaml, serverless.yml, cdk.out or a plan JSON",
            )
        ],
    )


def _is_cdk_out(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "manifest.json")) and any(
        name.endswith(".template.json") for name in os.listdir(directory)
    )


def _stack_templates(directory: str) -> list[str]:
    """Stack template files of a cloud assembly and its nested assemblies, relative to it."""
    out: list[str] = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".template.json"):
            out.append(name)
        elif name.startswith("assembly-") and _is_cdk_out(os.path.join(directory, name)):
            out.extend(
                f"{name}/{inner}" for inner in _stack_templates(os.path.join(directory, name))
            )
    return out


def _load_cdk_out(directory: str, *, parameters: Mapping[str, str] | None) -> Template:
    """Every stack template of a ``cdk.out`` directory, merged into one Template.

    Stacks of CDK stages live in nested assemblies (``assembly-Prod/``) and are read too.
    With one stack, names are logical ids; with several, ``Stack/LogicalId`` (with the
    assembly: ``assembly-Prod/ProdOrders/LogicalId``) so that two stacks'
    ``Handler886CB40B`` do not collide.
    """
    names = _stack_templates(directory)
    templates = [
        _load_document(
            parse_file(os.path.join(directory, name)), parameters=parameters, stage=None, cdk=True
        )
        for name in names
    ]
    if len(templates) == 1:
        only = templates[0]
        return make_template(
            path=directory,
            kind="cdk",
            functions=only.functions,
            resources=only.resources.values(),
            findings=only.findings,
            documents=only.documents,
            function_policies={f.name: only.role_policies(f.name) for f in only.functions},
            extra_policies=only.policies,
            aliases=dict(only.aliases),
        )
    functions: list[Function] = []
    resources: list[TemplateResource] = []
    findings: list[Finding] = []
    policies: dict[str, list[DeclaredPolicy]] = {}
    aliases: dict[str, str] = {}
    documents: list[ParsedDocument] = []
    extra: list[DeclaredPolicy] = []
    short: dict[str, set[str]] = {}
    for name, template in zip(names, templates, strict=True):
        stack = name.removesuffix(".template.json")
        for function in template.functions:
            qualified = f"{stack}/{function.name}"
            role = function.role
            if role is not None and role in template.resources:
                role = f"{stack}/{role}"
            functions.append(replace(function, name=qualified, role=role))
            policies[qualified] = [
                replace(p, role=f"{stack}/{p.role}" if p.role in template.resources else p.role)
                for p in template.role_policies(function.name)
            ]
            short.setdefault(function.name, set()).add(qualified)
        for alias, target in template.aliases.items():
            aliases[alias if alias.startswith(f"{stack}/") else f"{stack}/{alias}"] = (
                f"{stack}/{target}"
            )
            if not alias.startswith(f"{stack}/"):
                short.setdefault(alias, set()).add(f"{stack}/{target}")
        resources.extend(
            replace(r, logical_id=f"{stack}/{r.logical_id}") for r in template.resources.values()
        )
        findings.extend(template.findings)
        documents.extend(template.documents)
        extra.extend(template.policies)
    # A name that designates one function across all stacks works without its stack.
    for alias, targets in short.items():
        if len(targets) == 1 and alias not in aliases:
            aliases[alias] = next(iter(targets))
    return make_template(
        path=directory,
        kind="cdk",
        functions=functions,
        resources=resources,
        findings=findings,
        documents=documents,
        function_policies=policies,
        extra_policies=extra,
        aliases=aliases,
    )


def select_functions(template: Template, name: str | None) -> tuple[list[Function], list[Finding]]:
    """The functions a ``--function NAME`` option selects (all when None), with LP416 when
    the name matches none (listing the names that exist)."""
    if name is None:
        return list(template.functions), []
    function = template.function(name)
    if function is not None:
        return [function], []
    known = ", ".join(f.name for f in template.functions) or "none"
    message = f"no function {name!r} in {template.path} (functions: {known})"
    return [], [
        codes.finding(codes.UNKNOWN_FUNCTION, Location(template.path), message, Severity.ERROR)
    ]
