"""Find the IAM identity policies inside whatever the user asked to lint.

Inputs are recognised by content, not by file name (``--input-type`` forces a kind):

- ``policy``: an IAM policy JSON document, or the AWS CLI's ``get-policy-version`` /
  ``get-role-policy`` output wrapping one;
- ``cloudformation``: SAM or CloudFormation (YAML with short-form tags, or JSON): inline
  ``Policies`` of roles, users and groups, ``AWS::IAM::Policy``/``ManagedPolicy``, and SAM
  ``Policies:`` statements (policy *templates* and managed policy names are AWS's text, not
  the user's, and are left to ``check``);
- ``serverless``: ``provider.iam.role.statements``, the older ``provider.iamRoleStatements``,
  per-function ``iamRoleStatements`` and the CloudFormation under ``resources``;
- ``terraform-plan``: ``terraform show -json`` output (plan or state): ``aws_iam_policy``,
  ``aws_iam_role_policy`` (and user/group), ``aws_iam_role.inline_policy``;
- ``cdk``: a ``cdk.out`` directory (each ``*.template.json`` is CloudFormation).

Trust and resource policies (``AssumeRolePolicyDocument``, bucket policies) have principals
and different rules; they are not linted here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from least_priv.attached import managed_policy_documents
from least_priv.infra.positions import NodePath, ParsedDocument, parse_file
from least_priv.lint import engine_codes as lint_codes
from least_priv.lint import intrinsics
from least_priv.lint.policy import (
    Attachment,
    Locator,
    PolicyView,
    Sampler,
    branches,
    is_intrinsic,
    policy_view,
)
from least_priv.model import Finding, Location, Severity

INPUT_TYPES: tuple[str, ...] = (
    "policy",
    "cloudformation",
    "serverless",
    "terraform-plan",
    "cdk",
    "authorization-details",
)
_DETAIL_LISTS = (
    ("RoleDetailList", "role", "RoleName", "RolePolicyList"),
    ("UserDetailList", "user", "UserName", "UserPolicyList"),
    ("GroupDetailList", "group", "GroupName", "GroupPolicyList"),
)

_SUFFIXES = (".json", ".yaml", ".yml", ".template")
# Directories that hold build output or dependencies, never the user's own policies.
_SKIP_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", ".tox", "__pycache__", "build", "dist"}
    # Tool output: SAM's build, serverless's compiled template (the same policies as
    # serverless.yml), Terraform's providers, caches.
    | {".aws-sam", ".serverless", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)
# Text that only our kinds of input contain: a walked file that does not parse is reported
# when it looks like one of them (a broken template), skipped otherwise (a Helm chart).
_OURS = re.compile(
    r"AWSTemplateFormatVersion|\bResources\s*[:\"]|\"?Statement\"?\s*:|format_version|"
    r"^\s*provider\s*:",
    re.MULTILINE,
)

# CloudFormation resources whose Properties hold identity policies: type -> how to find them.
_INLINE_POLICIES = frozenset({"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"})
_POLICY_RESOURCES = frozenset({"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"})
_SAM_WITH_POLICIES = frozenset({"AWS::Serverless::Function", "AWS::Serverless::StateMachine"})

_TF_ATTACHMENTS = frozenset(
    {
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
    }
)
_TF_POLICY_TYPES = frozenset(
    {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}
)


@dataclass
class LintInput:
    """One file (or cdk.out directory) after reading: the policies in it, and problems."""

    path: str
    kind: str | None
    documents: list[ParsedDocument] = field(default_factory=list)
    policies: list[PolicyView] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def collect_paths(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """The files to lint, each with ``explicit`` (named by the user rather than found).

    Directories are walked for JSON/YAML files in sorted order; a ``cdk.out``-style directory
    (one with a ``manifest.json`` and templates) is one input.
    """
    out: list[tuple[str, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not _is_cdk_dir(path):
            out.extend((str(p), False) for p in _walk(path))
        else:
            out.append((raw, True))
    return out


def _walk(root: Path) -> Iterator[Path]:
    for child in sorted(root.iterdir()):
        if child.is_dir():
            if child.name in _SKIP_DIRS:
                continue
            if _is_cdk_dir(child):
                yield child
            else:
                yield from _walk(child)
        elif child.suffix.lower() in _SUFFIXES:
            yield child


def _is_cdk_dir(path: Path) -> bool:
    return (path / "manifest.json").is_file() and any(path.glob("*.template.json"))


def detect(data: Any) -> str | None:
    """The input kind of parsed data, or None when it is none of the kinds we lint."""
    if not isinstance(data, dict):
        return None
    if "Statement" in data or _wrapped_policy(data) is not None:
        return "policy"
    if any(key in data for key, *_ in _DETAIL_LISTS):
        return "authorization-details"
    if "format_version" in data and any(
        k in data for k in ("planned_values", "values", "resource_changes", "terraform_version")
    ):
        return "terraform-plan"
    if "service" in data and "provider" in data:
        return "serverless"
    if isinstance(data.get("Resources"), dict) or "AWSTemplateFormatVersion" in data:
        return "cloudformation"
    return None


def _wrapped_policy(data: dict[str, Any]) -> NodePath | None:
    # aws iam get-policy-version / get-role-policy (and user/group) outputs.
    version = data.get("PolicyVersion")
    if isinstance(version, dict) and "Document" in version:
        return ("PolicyVersion", "Document")
    if "PolicyDocument" in data and ("PolicyName" in data or "RoleName" in data):
        return ("PolicyDocument",)
    return None


def read_input(path: str, explicit: bool = True, input_type: str | None = None) -> LintInput:
    """Read one input and find its policies; problems become findings, never exceptions."""
    if Path(path).is_dir():
        return _read_cdk(path)
    return read_parsed(parse_file(path), explicit, input_type)


def read_parsed(
    parsed: ParsedDocument, explicit: bool = True, input_type: str | None = None
) -> LintInput:
    """Find the policies of an already parsed file (``explicit``: named by the user)."""
    path = parsed.path
    result = LintInput(path, None, [parsed], findings=list(parsed.findings))
    if parsed.data is None:
        if not explicit and not _OURS.search(parsed.text):
            result.findings = []  # found by a directory walk, and not ours (a Helm chart...)
        elif not parsed.findings:
            result.findings.append(_unrecognised(path, "the file is empty"))
        return result
    kind = input_type or detect(parsed.data)
    result.kind = kind
    if kind is None:
        if explicit:
            result.findings.append(
                _unrecognised(
                    path,
                    "not an IAM policy, CloudFormation/SAM template, serverless.yml or "
                    "Terraform plan (use --input-type to force one)",
                )
            )
        return result
    _collect(result, _EXTRACTORS[kind](parsed, ()))
    result.findings.extend(_unreadable_policies(parsed))
    return result


def _collect(result: LintInput, found: Iterable[PolicyView | Attachment | Finding]) -> None:
    for item in found:
        if isinstance(item, Attachment):
            result.attachments.append(item)
        elif isinstance(item, Finding):
            result.findings.append(item)
        else:
            result.policies.append(item)


def _unrecognised(path: str, why: str) -> Finding:
    return Finding(Location(path), lint_codes.UNRECOGNISED_INPUT, why, Severity.ERROR)


# ---------------------------------------------------------------------------------------------
# Extractors: (parsed file, path of the part to read) -> policy views
# ---------------------------------------------------------------------------------------------


def _locator(parsed: ParsedDocument, base: NodePath) -> Locator:
    return lambda rel: parsed.location((*base, *rel))


def _policy(
    parsed: ParsedDocument,
    base: NodePath,
    origin: str,
    scope: str | None,
    sampler: Sampler | None = None,
) -> PolicyView:
    """The view of the policy document at ``base`` (a JSON string is decoded first)."""
    data = parsed.get(base)
    if isinstance(data, str):
        host = parsed.location(base)
        # The raw IAM API returns documents URL-encoded.
        text = unquote(data) if data.lstrip().startswith("%7B") else data
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = data  # the structure rule reports a policy that is not an object
        # Positions inside an embedded JSON string are meaningless to the user: every
        # finding lands on the string itself.
        view = policy_view(decoded, lambda _rel: host, origin, scope)
        return replace(view, embedded=True)
    return policy_view(data, _locator(parsed, base), origin, scope, sampler)


def _policies(
    parsed: ParsedDocument,
    base: NodePath,
    origin: str,
    scope: str | None,
    sample: Sampler | None,
) -> Iterator[PolicyView | Finding]:
    """The template policy document at ``base``: both sides of an ``Fn::If``; a document
    computed by another intrinsic cannot be linted and is reported instead."""
    for node, rel in branches(parsed.get(base), ()):
        path = (*base, *rel)
        if is_intrinsic(node):
            function = next(iter(node))
            yield Finding(
                parsed.location(path),
                lint_codes.UNRESOLVED_POLICY,
                f"the policy document of {origin} is computed by {function}; it was not linted",
                Severity.NOTE,
            )
        else:
            yield _policy(parsed, path, origin, scope, sample)


def _statements(
    parsed: ParsedDocument, base: NodePath, origin: str, scope: str | None
) -> PolicyView:
    """A bare list of statements (serverless) seen as a document the framework completes."""
    data = {"Version": "2012-10-17", "Statement": parsed.get(base)}

    def locate(rel: NodePath) -> Location:
        # ("Statement", i, ...) lives at base + (i, ...); the wrapper itself is the list.
        return parsed.location((*base, *rel[1:]))

    view = policy_view(data, locate, origin, scope)
    return PolicyView(view.data, locate, origin, scope, view.statements, generated=True)


def _policy_file(
    parsed: ParsedDocument, base: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    data = parsed.get(base)
    inner = _wrapped_policy(data) if isinstance(data, dict) and "Statement" not in data else None
    yield _policy(parsed, (*base, *(inner or ())), "policy document", None)


def _attachments(
    parsed: ParsedDocument,
    list_path: NodePath,
    origin: str,
    scope: str | None,
    sample: Sampler | None = None,
) -> Iterator[Attachment]:
    """Managed policies named (by ARN or name) in the list or string at ``list_path``."""
    for item, rel in branches(parsed.get(list_path), ()):
        path = (*list_path, *rel)
        if isinstance(item, str):
            name: str | None = item
        elif is_intrinsic(item) and sample is not None:
            name = sample(item, path)
        else:
            continue  # a SAM policy template or an inline document: not an attachment

        def locate(_rel: NodePath, at: NodePath = path) -> Location:
            return parsed.location(at)

        yield Attachment(name, item, locate, origin, scope)


def _cloudformation(
    parsed: ParsedDocument, base: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    resources = parsed.get((*base, "Resources"))
    if not isinstance(resources, dict):
        return
    sample = intrinsics.sampler(parsed, base)
    for logical_id in sorted(resources):
        resource = resources[logical_id]
        if not isinstance(resource, dict):
            continue
        rtype = resource.get("Type")
        if not isinstance(rtype, str):
            continue
        props_path = (*base, "Resources", logical_id, "Properties")
        if not isinstance(parsed.get(props_path), dict):
            continue
        label = f"{rtype} {logical_id}"
        if rtype in _INLINE_POLICIES:
            arns = (*props_path, "ManagedPolicyArns")
            yield from _attachments(parsed, arns, label, logical_id, sample)
            yield from _malformed(parsed, arns, label, _is_arn_entry)
            policies_path = (*props_path, "Policies")
            yield from _malformed(parsed, policies_path, label, _is_inline_entry)
            for item, path in branches(parsed.get(policies_path), ()):
                if isinstance(item, dict) and "PolicyDocument" in item:
                    name = item.get("PolicyName")
                    origin = f"{label} policy {name}" if isinstance(name, str) else label
                    doc_path = (*props_path, "Policies", *path, "PolicyDocument")
                    yield from _policies(parsed, doc_path, origin, logical_id, sample)
        elif rtype in _POLICY_RESOURCES:
            if parsed.get((*props_path, "PolicyDocument")) is not None:
                doc_path = (*props_path, "PolicyDocument")
                yield from _policies(parsed, doc_path, label, logical_id, sample)
        elif rtype in _SAM_WITH_POLICIES:
            policies = (*props_path, "Policies")
            yield from _attachments(parsed, policies, label, logical_id, sample)
            yield from _malformed(parsed, policies, label, _is_sam_entry)
            for item, path in branches(parsed.get(policies), ()):
                # Strings are managed policy names/ARNs and single-key dicts are SAM policy
                # templates: AWS's text, expanded and compared by `check`, not linted here.
                if isinstance(item, dict) and "Statement" in item:
                    doc_path = (*props_path, "Policies", *path)
                    yield from _policies(parsed, doc_path, label, logical_id, sample)


def _is_arn_entry(item: Any) -> bool:
    return isinstance(item, str) or is_intrinsic(item)


def _is_inline_entry(item: Any) -> bool:
    return is_intrinsic(item) or (isinstance(item, dict) and "PolicyDocument" in item)


def _is_sam_entry(item: Any) -> bool:
    # A name/ARN, an intrinsic, a document (Statement) or a one-key policy template.
    return isinstance(item, (str, dict)) and bool(item)


def _malformed(
    parsed: ParsedDocument, list_path: NodePath, label: str, accepted: Callable[[Any], bool]
) -> Iterator[Finding]:
    """LP198 for each entry at ``list_path`` that is none of the accepted shapes: reported,
    because skipping it would hide a policy the deploy will reject or a typo in its shape."""
    if parsed.get(list_path) is None:
        return
    key = str(list_path[-1])
    for item, rel in branches(parsed.get(list_path), ()):
        if not accepted(item):
            yield Finding(
                parsed.location((*list_path, *rel)),
                lint_codes.MALFORMED_ENTRY,
                f"{label}: this {key} entry ({_shape(item)}) is not one IAM or SAM "
                "accepts; it was not linted",
                Severity.ERROR,
            )


def _shape(item: Any) -> str:
    """The kind of a YAML/JSON value, in the file's own words."""
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "a boolean"
    if isinstance(item, (int, float)):
        return "a number"
    if isinstance(item, list):
        return "a list"
    if isinstance(item, dict):
        return (
            "an empty mapping" if not item else "a mapping with keys " + ", ".join(sorted(item)[:3])
        )
    return "a string" if isinstance(item, str) else type(item).__name__


def _serverless(
    parsed: ParsedDocument, base: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    provider_lists: list[NodePath] = [
        ("provider", "iam", "role", "statements"),
        ("provider", "iamRoleStatements"),
    ]
    for path in provider_lists:
        if isinstance(parsed.get(path), list):
            yield _statements(parsed, path, "provider IAM role", None)
    managed_lists: list[NodePath] = [
        ("provider", "iam", "role", "managedPolicies"),
        ("provider", "iamManagedPolicies"),
    ]
    for path in managed_lists:
        yield from _attachments(parsed, path, "provider IAM role", None)
    functions = parsed.get(("functions",))
    if isinstance(functions, dict):
        for name in sorted(functions):
            fn_path: NodePath = ("functions", name, "iamRoleStatements")
            if isinstance(parsed.get(fn_path), list):
                yield _statements(parsed, fn_path, f"function {name} role", None)
    if isinstance(parsed.get(("resources", "Resources")), dict):
        yield from _cloudformation(parsed, ("resources",))


def _terraform(
    parsed: ParsedDocument, base: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    for top in ("planned_values", "values"):
        if isinstance(parsed.get((top, "root_module")), dict):
            yield from _terraform_module(parsed, (top, "root_module"))
            return


def _terraform_module(
    parsed: ParsedDocument, module: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    for i, resource in enumerate(_items(parsed.get((*module, "resources")))):
        if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
            continue
        rtype, address = resource.get("type"), str(resource.get("address", ""))
        if not isinstance(rtype, str):
            continue
        values = (*module, "resources", i, "values")
        if rtype in _TF_POLICY_TYPES and isinstance(parsed.get((*values, "policy")), str):
            yield _policy(parsed, (*values, "policy"), address, address)
        elif rtype in _TF_ATTACHMENTS:
            yield from _attachments(parsed, (*values, "policy_arn"), address, address)
        elif rtype == "aws_iam_role":
            arns = (*values, "managed_policy_arns")
            yield from _attachments(parsed, arns, address, address)
            for j, inline in enumerate(_items(parsed.get((*values, "inline_policy")))):
                if isinstance(inline, dict) and isinstance(inline.get("policy"), str):
                    policy_path = (*values, "inline_policy", j, "policy")
                    yield _policy(parsed, policy_path, f"{address} inline policy", address)
    for k, _child in enumerate(_items(parsed.get((*module, "child_modules")))):
        yield from _terraform_module(parsed, (*module, "child_modules", k))


def _items(value: Any) -> list[Any]:
    """``value`` when it is a list, else nothing (bad shapes are not ours to iterate)."""
    return value if isinstance(value, list) else []


def _authorization_details(
    parsed: ParsedDocument, base: NodePath
) -> Iterator[PolicyView | Attachment | Finding]:
    """``aws iam get-account-authorization-details``: every inline policy, every managed
    policy attachment, and the default version of every customer managed policy."""
    for list_key, kind, name_key, policies_key in _DETAIL_LISTS:
        for i, entity in enumerate(_items(parsed.get((list_key,)))):
            if not isinstance(entity, dict):
                continue
            label = f"{kind} {entity.get(name_key)}"
            for j, policy in enumerate(_items(entity.get(policies_key))):
                if isinstance(policy, dict) and "PolicyDocument" in policy:
                    origin = f"{label} inline policy {policy.get('PolicyName')}"
                    yield _policy(
                        parsed, (list_key, i, policies_key, j, "PolicyDocument"), origin, None
                    )
            for j, attached in enumerate(_items(entity.get("AttachedManagedPolicies"))):
                if isinstance(attached, dict) and isinstance(attached.get("PolicyArn"), str):
                    arn_path: NodePath = (list_key, i, "AttachedManagedPolicies", j, "PolicyArn")
                    yield from _attachments(parsed, arn_path, label, None)
    # The diff's reader of the same file finds each policy's default version the same way.
    for arn, (doc_path, _document) in sorted(managed_policy_documents(parsed.data).items()):
        if ":iam::aws:policy/" not in arn:  # AWS managed text is AWS's; LP114 covers names
            yield _policy(parsed, doc_path, f"managed policy {arn}", None)


_EXTRACTORS = {
    "policy": _policy_file,
    "cloudformation": _cloudformation,
    "serverless": _serverless,
    "terraform-plan": _terraform,
    "cdk": _cloudformation,  # one template of a cdk.out directory
    "authorization-details": _authorization_details,
}


def _unreadable_policies(parsed: ParsedDocument) -> list[Finding]:
    """Terraform policies only known after apply cannot be linted; say so instead of skipping."""
    if detect(parsed.data) != "terraform-plan":
        return []
    out = []
    for i, change in enumerate(_items(parsed.get(("resource_changes",)))):
        if not isinstance(change, dict) or str(change.get("type")) not in _TF_POLICY_TYPES:
            continue
        unknown = parsed.get(("resource_changes", i, "change", "after_unknown", "policy"))
        if unknown is True:
            out.append(
                Finding(
                    parsed.location(("resource_changes", i)),
                    lint_codes.UNRESOLVED_POLICY,
                    f"the policy of {change.get('address')} is only known after apply; "
                    "lint the plan again once its inputs are known",
                    Severity.NOTE,
                )
            )
    return out


def _read_cdk(path: str) -> LintInput:
    result = LintInput(path, "cdk")
    # Stages put their stacks in nested cloud assemblies (cdk.out/assembly-Prod/...).
    for template in sorted(Path(path).rglob("*.template.json")):
        parsed = parse_file(template)
        result.documents.append(parsed)
        result.findings.extend(parsed.findings)
        if parsed.data is not None:
            _collect(result, _cloudformation(parsed, ()))
    return result
