"""What a role grants today: policies read from IAM, from files, or from an IaC template.

Three sources, one result (:class:`Attached`): the identity policies, the permissions
boundary when there is one, and findings for everything that could not be read. Nothing
is assumed: an AWS managed policy named only by ARN offline is reported as not expandable
(and left out), never guessed.

- live (``from_role``): inline policies, attached managed policies at their default version,
  and the permissions boundary, through the IAM API (``least_priv.aws``);
- files (``from_files``): policy documents, ``aws iam get-role-policy`` /
  ``get-policy-version`` output, or ``aws iam get-account-authorization-details`` output
  (the role is picked by name or ARN; its managed policies and boundary are resolved from
  the same file);
- template (``from_template``): the function's role as ``least_priv.infra`` declares it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from least_priv.evaluate import codes
from least_priv.evaluate.engine import PolicySet
from least_priv.evaluate.policy import (
    CURRENT_VERSION,
    NodePath,
    ParsedPolicy,
    PolicySource,
    PolicyStatement,
    parse_policy,
)
from least_priv.model import Finding, Location, Severity

if TYPE_CHECKING:  # infra is imported when a template is read
    from least_priv.infra.template import DeclaredPolicy

# Origins of stand-ins for documents that could not be read; the diff never calls their
# statements excess. The operator is no IAM operator, so their condition stays undecided.
UNREADABLE_PREFIX = "unreadable-"
UNREADABLE_OPERATOR = "DocumentNotReadable"


@dataclass(frozen=True, slots=True)
class Attached:
    """The policies a principal holds, where they came from, and what could not be read."""

    label: str
    identity: tuple[ParsedPolicy, ...] = ()
    boundary: tuple[ParsedPolicy, ...] | None = None
    findings: tuple[Finding, ...] = ()
    role_arn: str = ""  # when known: the live role, or the role picked from a dump
    # The ``managed`` keys (--managed-policy) that named a policy of this role.
    managed_used: frozenset[str] = frozenset()

    def policy_set(self) -> PolicySet:
        """The policies as the evaluator takes them."""
        return PolicySet(self.identity, self.boundary)

    def all_findings(self) -> tuple[Finding, ...]:
        """Reading findings plus the findings of every parsed document, sorted."""
        out = list(self.findings)
        for policy in (*self.identity, *(self.boundary or ())):
            out.extend(policy.findings)
        return tuple(sorted(set(out)))

    def with_boundary(
        self, boundary: Sequence[ParsedPolicy], findings: Iterable[Finding] = ()
    ) -> Attached:
        """A copy whose boundary is ``boundary`` (``--boundary FILE`` on top of any source)."""
        return Attached(
            self.label,
            self.identity,
            tuple(boundary),
            (*self.findings, *findings),
            self.role_arn,
            self.managed_used,
        )


def decode_document(raw: object) -> object:
    """A policy document as IAM APIs return it: a dict, or URL-encoded / plain JSON text."""
    if isinstance(raw, str):
        text = urllib.parse.unquote(raw) if raw.lstrip().startswith("%") else raw
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return json.loads(urllib.parse.unquote(raw))
    return raw


def _finding(location: Location, code: str, message: str, severity: Severity) -> Finding:
    return Finding(location, code, message, severity)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def from_files(
    paths: Sequence[str],
    *,
    role: str | None = None,
    origin: str = "file",
    name: str | None = None,
) -> Attached:
    """Read policy files; ``role`` picks a role out of authorization-details output.

    Plain documents are named after their file unless ``name`` is given.
    """
    from least_priv.infra.positions import parse_file

    identity: list[ParsedPolicy] = []
    boundary: list[ParsedPolicy] | None = None
    findings: list[Finding] = []
    role_arn = ""
    for path in paths:
        doc = parse_file(path)
        if doc.data is None:
            reasons = "; ".join(f.message for f in doc.findings) or "empty file"
            findings.append(
                _finding(
                    doc.findings[0].location if doc.findings else Location(path),
                    codes.BAD_JSON,
                    f"{path}: not a readable policy document ({reasons})",
                    Severity.ERROR,
                )
            )
            continue
        data = doc.data

        def locate(prefix: NodePath, doc: Any = doc) -> Callable[[NodePath], Location]:
            return lambda sub: doc.location(prefix + sub)

        if isinstance(data, dict) and "RoleDetailList" in data:
            got = _from_authorization_details(data, path, role, locate)
            role_arn = role_arn or got.role_arn
            identity.extend(got.identity)
            if got.boundary is not None:
                boundary = [*(boundary or []), *got.boundary]
            findings.extend(got.findings)
        elif isinstance(data, dict) and "PolicyDocument" in data:
            policy_name = str(data.get("PolicyName") or Path(path).name)
            source = PolicySource(policy_name, "inline", Location(path, 1, 0))
            identity.append(_parse_raw(data["PolicyDocument"], source, locate(("PolicyDocument",))))
        elif isinstance(data, dict) and isinstance(data.get("PolicyVersion"), dict):
            source = PolicySource(name or Path(path).name, origin, Location(path, 1, 0))
            identity.append(
                _parse_raw(
                    data["PolicyVersion"].get("Document"),
                    source,
                    locate(("PolicyVersion", "Document")),
                )
            )
        else:
            source = PolicySource(name or Path(path).name, origin, Location(path, 1, 0))
            identity.append(parse_policy(data, source, locate(())))
    label = f"role {role}" if role else ", ".join(paths)
    return Attached(
        label,
        tuple(identity),
        None if boundary is None else tuple(boundary),
        tuple(findings),
        role_arn,
    )


def boundary_from_files(
    paths: Sequence[str],
) -> tuple[tuple[ParsedPolicy, ...], tuple[Finding, ...]]:
    """Permissions boundary documents (``diff --boundary FILE``) and what reading them found.

    A file that cannot be read in full (missing, not JSON, a statement left out) also
    stands in as unknown: read as it is, the boundary would allow less than the real one and
    every need outside it would show as missing. With the stand-in, what the readable part
    does not allow is conditional instead.
    """
    policies: list[ParsedPolicy] = []
    findings: list[Finding] = []
    for path in paths:
        got = from_files([path], origin="boundary")
        read = got.all_findings()
        findings.extend(read)
        policies.extend(got.identity)
        if any(f.severity is Severity.ERROR for f in read) or not any(
            p.statements for p in got.identity
        ):
            where = Location(path)
            policies.append(unreadable(Path(path).name, "boundary", where, "", REMEDY_FILE))
    return tuple(policies), tuple(findings)


def _parse_raw(
    raw: object, source: PolicySource, locate: Callable[[NodePath], Location] | None
) -> ParsedPolicy:
    """Parse a document that may be URL-encoded text (positions are lost for text)."""
    try:
        document = decode_document(raw)
    except (json.JSONDecodeError, ValueError) as exc:
        bad = _finding(
            source.location,
            codes.BAD_JSON,
            f"{source}: the policy document is not JSON ({exc})",
            Severity.ERROR,
        )
        return ParsedPolicy(source, (), (bad,))
    return parse_policy(document, source, locate if document is raw else None)


def _matches_role(detail: dict[str, Any], role: str) -> bool:
    return role in (detail.get("RoleName"), detail.get("Arn"))


def _from_authorization_details(
    data: dict[str, Any],
    path: str,
    role: str | None,
    locate: Callable[[NodePath], Callable[[NodePath], Location]],
) -> Attached:
    where = Location(path, 1, 0)
    roles = [r for r in _list(data.get("RoleDetailList")) if isinstance(r, dict)]
    if role is None and len(roles) == 1:
        role = str(roles[0].get("RoleName"))
    if role is None:
        names = ", ".join(sorted(str(r.get("RoleName")) for r in roles)) or "none"
        return Attached(
            path,
            findings=(
                _finding(
                    where,
                    codes.ROLE_NOT_FOUND,
                    f"{path} holds several roles ({names}); name one with --role-name",
                    Severity.ERROR,
                ),
            ),
        )
    index = next((i for i, r in enumerate(roles) if _matches_role(r, role)), None)
    if index is None:
        return Attached(
            path,
            findings=(
                _finding(
                    where, codes.ROLE_NOT_FOUND, f"role {role} is not in {path}", Severity.ERROR
                ),
            ),
        )
    detail = roles[index]
    base: NodePath = ("RoleDetailList", index)
    managed = managed_policy_documents(data)
    identity: list[ParsedPolicy] = []
    findings: list[Finding] = []
    boundary: list[ParsedPolicy] | None = None
    # A list AWS writes that holds something else: what it would grant is unknown, so it
    # stands in as unreadable (conditional), never as "grants nothing" (missing).
    for key, kind in (("RolePolicyList", "inline"), ("AttachedManagedPolicies", "managed")):
        if key in detail and not isinstance(detail[key], list):
            where_key = locate((*base, key))(())
            findings.append(
                _finding(
                    where_key,
                    codes.BAD_JSON,
                    f"{key} of {role} in {path} is not a list; what it grants is unknown",
                    Severity.ERROR,
                )
            )
            identity.append(unreadable(f"{role} {key}", kind, where_key, "", REMEDY_MALFORMED))
    if "PermissionsBoundary" in detail and not isinstance(detail["PermissionsBoundary"], dict):
        where_key = locate((*base, "PermissionsBoundary"))(())
        findings.append(
            _finding(
                where_key,
                codes.BAD_JSON,
                f"PermissionsBoundary of {role} in {path} is not an object; the boundary is "
                "unknown",
                Severity.ERROR,
            )
        )
        boundary = [unreadable(f"{role} boundary", "boundary", where_key, "", REMEDY_MALFORMED)]
    for i, item in enumerate(_list(detail.get("RolePolicyList"))):
        if not isinstance(item, dict):
            item = {}  # reported by the parser as a document that is not an object
        name = str(item.get("PolicyName", f"inline-{i + 1}"))
        sub = (*base, "RolePolicyList", i, "PolicyDocument")
        source = PolicySource(name, "inline", locate(sub)(()))
        identity.append(_parse_raw(item.get("PolicyDocument"), source, locate(sub)))
    for j, item in enumerate(_list(detail.get("AttachedManagedPolicies"))):
        if not isinstance(item, dict):
            item = {}
        arn = str(item.get("PolicyArn", ""))
        name = str(item.get("PolicyName") or arn.rsplit("/", 1)[-1])
        got = managed.get(arn)
        if got is None:
            findings.append(
                _finding(
                    locate((*base, "AttachedManagedPolicies", j))(()),
                    codes.NOT_EXPANDABLE,
                    f"managed policy {arn} is attached to {role} but its document is not in "
                    f"{path}; what it allows is unknown (export with --filter "
                    "LocalManagedPolicy AWSManagedPolicy, or give it with --policy)",
                    Severity.WARNING,
                )
            )
            where_attached = locate((*base, "AttachedManagedPolicies", j))(())
            identity.append(unreadable(name, "managed", where_attached, arn, REMEDY_DUMP))
            continue
        sub, raw = got
        source = PolicySource(name, "managed", locate(sub)(()), arn)
        identity.append(_parse_raw(raw, source, locate(sub)))
    boundary_info = detail.get("PermissionsBoundary")
    boundary_arn = (
        boundary_info.get("PermissionsBoundaryArn") if isinstance(boundary_info, dict) else None
    )
    if boundary_arn:
        got = managed.get(str(boundary_arn))
        if got is None:
            findings.append(
                _finding(
                    locate((*base, "PermissionsBoundary"))(()),
                    codes.NOT_EXPANDABLE,
                    f"permissions boundary {boundary_arn} of {role} is not in {path}; without "
                    "it nothing can be called allowed for sure",
                    Severity.ERROR,
                )
            )
            # Never read as "no boundary": the stand-in makes every grant conditional.
            name = str(boundary_arn).rsplit("/", 1)[-1]
            where_boundary = locate((*base, "PermissionsBoundary"))(())
            boundary = [
                unreadable(name, "boundary", where_boundary, str(boundary_arn), REMEDY_DUMP)
            ]
        else:
            sub, raw = got
            name = str(boundary_arn).rsplit("/", 1)[-1]
            source = PolicySource(name, "boundary", locate(sub)(()), str(boundary_arn))
            boundary = [_parse_raw(raw, source, locate(sub))]
    return Attached(
        f"role {role}",
        tuple(identity),
        None if boundary is None else tuple(boundary),
        tuple(findings),
        str(detail.get("Arn") or ""),
    )


def _list(value: object) -> list[Any]:
    """``value`` when it is a list; any other shape holds nothing to iterate."""
    return value if isinstance(value, list) else []


def managed_policy_documents(data: object) -> dict[str, tuple[NodePath, object]]:
    """Managed policy ARN → (node path, default-version document) in an authorization dump.

    ``data`` is ``aws iam get-account-authorization-details`` output as parsed; its
    ``Policies`` list holds every managed policy with all its versions. Hand-edited or
    truncated exports have odd shapes (``Policies: true``, versions that are not objects):
    anything not shaped as AWS writes it is skipped, never raised on, and node paths keep
    the file's own indexes so findings land on the right line.
    """
    out: dict[str, tuple[NodePath, object]] = {}
    policies = data.get("Policies") if isinstance(data, dict) else None
    if not isinstance(policies, list):
        return out
    for i, policy in enumerate(policies):
        if not isinstance(policy, dict) or not isinstance(policy.get("Arn"), str):
            continue
        versions = policy.get("PolicyVersionList")
        if not isinstance(versions, list):
            continue
        default = policy.get("DefaultVersionId")
        for j, version in enumerate(versions):
            if not isinstance(version, dict):
                continue
            if version.get("IsDefaultVersion") is True or (
                default is not None and version.get("VersionId") == default
            ):
                out[policy["Arn"]] = (
                    ("Policies", i, "PolicyVersionList", j, "Document"),
                    version.get("Document"),
                )
                break
    return out


# ---------------------------------------------------------------------------------------------
# Live IAM
# ---------------------------------------------------------------------------------------------


def role_name_of(role: str) -> str:
    """The role name from a name or an ARN (``arn:aws:iam::1:role/service/orders`` → orders)."""
    if role.startswith("arn:"):
        return role.split(":", 5)[-1].rsplit("/", 1)[-1]
    return role


def from_role(
    role: str,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> Attached:
    """Read a live role: inline policies, managed policies (default version), boundary.

    ``role`` is a role name or ARN. IAM errors (AccessDenied, NoSuchEntity, no
    credentials) become LP621 findings; what could be read is still returned.
    """
    from least_priv import aws

    name = role_name_of(role)
    where = Location(f"iam:role/{name}")
    findings: list[Finding] = []

    def failed(what: str, exc: Exception) -> None:
        findings.append(
            _finding(where, codes.LIVE_ERROR, f"{what}: {aws.error_text(exc)}", Severity.ERROR)
        )

    try:
        # A missing profile or bad endpoint fails here, before any call.
        iam = aws.client("iam", profile=profile, region=region, endpoint_url=endpoint_url)
        role_info = iam.get_role(RoleName=name)["Role"]
    except Exception as exc:  # botocore raises many unrelated classes; all become findings
        failed(f"cannot read role {name}", exc)
        return Attached(f"role {name}", findings=tuple(findings))
    found_arn = str(role_info.get("Arn") or "")
    if role.startswith("arn:") and found_arn != role:
        # Roles are read by name in the credentials' account: a same-named role elsewhere is
        # not the one asked for.
        findings.append(
            _finding(
                where,
                codes.ROLE_NOT_FOUND,
                f"asked for {role} but the credentials' account has {found_arn or name}; "
                "use credentials (--profile) for the role's account",
                Severity.ERROR,
            )
        )
        return Attached(f"role {role}", findings=tuple(findings))
    identity: list[ParsedPolicy] = []
    try:
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy_name in page.get("PolicyNames", []):
                source = PolicySource(
                    policy_name, "inline", Location(f"iam:role/{name}/policy/{policy_name}")
                )
                try:
                    got = iam.get_role_policy(RoleName=name, PolicyName=policy_name)
                except Exception as exc:
                    failed(f"cannot read inline policy {policy_name}", exc)
                    continue
                identity.append(_parse_raw(got.get("PolicyDocument"), source, None))
    except Exception as exc:
        failed(f"cannot list the inline policies of {name}", exc)
    try:
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            for item in page.get("AttachedPolicies", []):
                arn = item["PolicyArn"]
                policy_name = item.get("PolicyName") or arn
                parsed = _live_managed(iam, arn, policy_name, "managed", failed)
                identity.append(
                    parsed
                    if parsed is not None
                    else unreadable(policy_name, "managed", Location(arn), arn, REMEDY_LIVE)
                )
    except Exception as exc:
        failed(f"cannot list the managed policies of {name}", exc)
    boundary: tuple[ParsedPolicy, ...] | None = None
    boundary_arn = (role_info.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        parsed = _live_managed(
            iam, boundary_arn, boundary_arn.rsplit("/", 1)[-1], "boundary", failed
        )
        # An unreadable boundary is never read as "no boundary": its stand-in makes every
        # grant conditional.
        boundary = (
            (parsed,)
            if parsed is not None
            else (
                unreadable(
                    boundary_arn.rsplit("/", 1)[-1],
                    "boundary",
                    Location(boundary_arn),
                    boundary_arn,
                    REMEDY_LIVE,
                ),
            )
        )
    arn = str(role_info.get("Arn") or "")
    return Attached(f"role {arn or name}", tuple(identity), boundary, tuple(findings), arn)


def _live_managed(
    iam: Any, arn: str, name: str, origin: str, failed: Callable[[str, Exception], None]
) -> ParsedPolicy | None:
    try:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"][
            "Document"
        ]
    except Exception as exc:
        failed(f"cannot read {origin} policy {arn}", exc)
        return None
    source = PolicySource(name, origin, Location(f"{arn}#{version}"), arn)
    return _parse_raw(document, source, None)


# ---------------------------------------------------------------------------------------------
# IaC templates
# ---------------------------------------------------------------------------------------------


_PSEUDO = re.compile(r"\$\{AWS::(Partition|Region|AccountId|URLSuffix)\}")


def template_value(value: object) -> object:
    """An intrinsic (``Ref``, ``Fn::Sub``, ``Fn::GetAtt``, ``Fn::Join``) as a pattern string.

    Unresolved parts become ``${...}`` policy variables: the evaluator treats those as
    unknown — they prove no grant and may match for a Deny — which is exactly right for a
    value only CloudFormation knows. (``least_priv.infra`` already renders intrinsics to
    text; this covers documents that still hold them.)
    """
    if isinstance(value, list):
        return [template_value(v) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((key, arg),) = value.items()
    if key == "Ref":
        return f"${{{arg}}}"
    if key == "Fn::Sub":
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
        return arg if isinstance(arg, str) else "${Fn::Sub}"
    if key == "Fn::GetAtt":
        target = ".".join(str(a) for a in arg) if isinstance(arg, list) else str(arg)
        return f"${{{target}}}"
    if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
        sep, parts = arg
        texts = [template_value(p) for p in parts] if isinstance(parts, list) else []
        if isinstance(sep, str) and texts and all(isinstance(t, str) for t in texts):
            return sep.join(str(t) for t in texts)
    return f"${{{key}}}"


def substitute_pseudo(
    text: str, *, region: str | None, account: str | None, partition: str | None
) -> str:
    """Fill ``${AWS::Region}``-style pseudo parameters; unknown ones become ``*``.

    The role and the code are deployed together, so the template's own region and account
    are the code's: a wildcard for them widens nothing the code could reach elsewhere.
    """
    values = {
        "Partition": partition or "aws",
        "Region": region or "*",
        "AccountId": account or "*",
        "URLSuffix": "amazonaws.com",
    }
    return _PSEUDO.sub(lambda m: values[m.group(1)], text)


def _template_document(
    document: object, *, region: str | None, account: str | None, partition: str | None
) -> object:
    """The document with intrinsics as text and pseudo parameters filled in."""

    def fill(value: object) -> object:
        value = template_value(value)
        if isinstance(value, str):
            return substitute_pseudo(value, region=region, account=account, partition=partition)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    if not isinstance(document, dict):
        return document
    # SAM and serverless write statements without a Version and add 2012-10-17 themselves.
    filled = {"Version": CURRENT_VERSION, **document}
    return {k: fill(v) if k == "Statement" else v for k, v in filled.items()}


# What makes a stand-in's document available, by where the role was read from.
REMEDY_TEMPLATE = "--managed-policy {arn}=FILE (its document) turns this into a definite answer"
REMEDY_DUMP = (
    "export it too (--filter LocalManagedPolicy AWSManagedPolicy) or give it with --policy "
    "for a definite answer"
)
REMEDY_LIVE = "reading it through IAM failed (LP621); fix access for a definite answer"
REMEDY_EXTERNAL = "compare with the deployed role instead (least-priv diff --role-arn {role})"
REMEDY_REPLACE = "write its statements in the template, or compare with the deployed role"
REMEDY_FILE = "fix the file (see its LP610/LP613 findings) for a definite answer"
REMEDY_MALFORMED = "the file does not hold it the way AWS writes it (LP610); fix the export"


def unreadable(
    name: str, origin: str, location: Location, arn: str = "", remedy: str = "", key: str = ""
) -> ParsedPolicy:
    """A stand-in for a policy whose document cannot be read (never an assumption).

    It may allow anything: one Allow statement on everything whose condition the evaluator
    cannot decide, so what nothing else allows becomes *conditional* ("depends on the
    contents of ...") instead of missing, and nothing becomes allowed for sure. ``remedy``
    says how the user makes the document available, ``key`` what to write before ``=FILE``
    in ``--managed-policy``; the diff quotes them through :func:`unreadable_reasons`.
    """
    source = PolicySource(name, UNREADABLE_PREFIX + origin, location, arn)
    how = (remedy, key) if remedy else ()
    statement = PolicyStatement(
        source=source,
        index=0,
        effect="Allow",
        actions=("*",),
        resources=("*",),
        conditions=((UNREADABLE_OPERATOR, f"the unreadable {origin} policy {arn or name}", how),),
        location=location,
    )
    return ParsedPolicy(source, (statement,))


def is_unreadable(statement: PolicyStatement) -> bool:
    """True for the statement of an :func:`unreadable` stand-in."""
    return statement.source.origin.startswith(UNREADABLE_PREFIX)


_STAND_IN_KINDS = {
    "boundary": "permissions boundary",
    "sam-policy-template": "SAM policy template",
    "sam-connector": "SAM connector",
}


def unreadable_reasons(statements: Iterable[PolicyStatement]) -> tuple[str, ...]:
    """Why a need is undecidable because of stand-ins, and how to decide it.

    ``depends on the managed policy arn:aws:iam::aws:policy/...AWSLambdaBasicExecutionRole
    (added by SAM), whose document is not available offline; --managed-policy ...=FILE ...``.
    Several managed policies of a template (SAM attaches up to four) share one sentence.
    """
    parts = [_stand_in_parts(st) for st in dict.fromkeys(statements)]
    # kind -> (shown, key) of the stand-ins a --managed-policy would settle
    named: dict[str, list[tuple[str, str]]] = {}
    for kind, shown, _remedy, key in parts:
        if kind in _PLURAL and key:
            named.setdefault(kind, []).append((shown, key))
    out: list[str] = []
    for kind, shown, remedy, key in parts:
        group = named.get(kind, []) if key else []
        if len(group) < 2:
            out.append(_one_reason(kind, shown, remedy))
        elif (shown, key) == group[0]:  # the group's one sentence, where its first member is
            listed = ", ".join(s for s, _ in group[:-1]) + f" and {group[-1][0]}"
            keys = " ".join(f"--managed-policy {k}=FILE" for _, k in group)
            out.append(
                f"depends on the {_PLURAL[kind]} {listed}, whose documents are not available "
                f"offline; {keys} (their documents) turns this into a definite answer"
            )
    return tuple(dict.fromkeys(out))


_PLURAL = {"managed": "managed policies", "boundary": "permissions boundaries"}


def _stand_in_parts(statement: PolicyStatement) -> tuple[str, str, str, str]:
    """(kind, how it is shown, remedy, --managed-policy key) of a stand-in statement."""
    source = statement.source
    kind = source.origin.removeprefix(UNREADABLE_PREFIX)
    shown = source.arn or source.name
    # Names such as "AWSLambdaBasicExecutionRole (added by SAM)" say why the role has it.
    if source.arn and source.name.endswith(")") and " (" in source.name:
        shown += source.name[source.name.rindex(" (") :]
    how = [values for _op, _key, values in statement.conditions if values]
    remedy, key = (how[0][0], how[0][1]) if how and len(how[0]) == 2 else ("", "")
    return kind, shown, remedy, key


def _one_reason(kind: str, shown: str, remedy: str) -> str:
    tail = f"; {remedy}" if remedy else ""
    if kind == "external-role":
        return (
            f"depends on the function's role ({shown}), which is defined outside the "
            f"template: what it grants is unknown offline{tail}"
        )
    what = _STAND_IN_KINDS.get(kind, f"{kind} policy")
    return f"depends on the {what} {shown}, whose document is not available offline{tail}"


def from_template(
    path: str,
    function: str,
    *,
    region: str | None = None,
    account: str | None = None,
    partition: str | None = None,
    managed: Mapping[str, ParsedPolicy] | None = None,
    parameters: Mapping[str, str] | None = None,
    stage: str | None = None,
) -> Attached:
    """The role ``least_priv.infra`` declares for ``function`` in the template at ``path``.

    ``parameters``/``stage`` are the template's parameter values and serverless stage, as
    ``generate --parameter/--stage`` reads the template with (``infra.load_template``).

    SAM policy templates arrive expanded to their statements; a managed policy named only
    by ARN is reported (LP620) and stands in as :func:`unreadable`; the permissions
    boundary, when declared, becomes the boundary. ``managed`` supplies documents for such
    ARNs (keyed by ARN or policy name), as ``diff --managed-policy ARN=FILE`` does.
    """
    from least_priv.infra import load_template
    from least_priv.infra.codes import BAD_POLICY_DOCUMENT, MANAGED_POLICY_NOT_EXPANDED

    template = load_template(path, parameters=parameters, stage=stage)
    # Infra's LP431 notes a managed ARN it cannot expand; for the role compared here that
    # fact is reported once, as LP620 below (with the ARN resolved and the remedy), or is
    # moot because the user gave the document. Other roles are not compared.
    findings = [f for f in template.findings if f.code != MANAGED_POLICY_NOT_EXPANDED]
    if template.function(function) is None:
        names = ", ".join(sorted(f.name for f in template.functions)) or "none"
        findings.append(
            _finding(
                Location(path),
                codes.ROLE_NOT_FOUND,
                f"function {function} is not in {path} (has: {names})",
                Severity.ERROR,
            )
        )
        return Attached(f"{path}:{function}", findings=tuple(findings))
    identity: list[ParsedPolicy] = []
    boundary: list[ParsedPolicy] | None = None
    malformed_lines = {
        (f.location.path, f.location.line) for f in findings if f.code == BAD_POLICY_DOCUMENT
    }
    used: set[str] = set()
    for i, declared in enumerate(template.role_policies(function)):
        origin = str(declared.origin)
        is_boundary = origin == "permissions-boundary"
        name = declared.name or declared.arn or f"{function}#{i + 1}"
        arn = substitute_pseudo(
            declared.arn or "", region=region, account=account, partition=partition
        )
        if not declared.expandable:
            key = None if origin == "external-role" else _given_key(managed or {}, arn)
            if key is not None and managed:
                used.add(key)
                stand_in = managed[key]
            else:
                stand_in, note = _stand_in(declared, name, arn, is_boundary)
                findings.extend(note)
            if is_boundary:
                boundary = [*(boundary or []), stand_in]
            else:
                identity.append(stand_in)
            continue
        document = _template_document(
            declared.document, region=region, account=account, partition=partition
        )
        source = PolicySource(
            name, "boundary" if is_boundary else origin, declared.location, declared.arn or ""
        )
        parsed = parse_policy(
            document, source, _template_locator(template, declared), placeholders=True
        )
        parsed = _without_restated(parsed, malformed_lines)
        if is_boundary:
            boundary = [*(boundary or []), parsed]
        else:
            identity.append(parsed)
    return Attached(
        f"{path}:{function}",
        tuple(identity),
        None if boundary is None else tuple(boundary),
        tuple(findings),
        managed_used=frozenset(used),
    )


# What reading a template document restates when infra already found it malformed (LP433).
_PARSE_CODES = frozenset({codes.BAD_JSON, codes.STATEMENT_OBJECT, codes.BAD_STATEMENT})


def _without_restated(parsed: ParsedPolicy, malformed: set[tuple[str, int]]) -> ParsedPolicy:
    """``parsed`` without the parse findings on a line where infra reported LP433: one
    finding per fact (the statement left out of the evaluation is the same either way)."""
    kept = tuple(
        f
        for f in parsed.findings
        if not (f.code in _PARSE_CODES and (f.location.path, f.location.line) in malformed)
    )
    return parsed if kept == parsed.findings else replace(parsed, findings=kept)


def _stand_in(
    declared: DeclaredPolicy, name: str, arn: str, is_boundary: bool
) -> tuple[ParsedPolicy, list[Finding]]:
    """The unreadable stand-in for a declared policy whose content is not in the template,
    with LP620 for a managed policy or boundary named by ARN.

    Infra already reported the other kinds in its own words (LP430 a SAM policy template
    not in its table, LP432 a role outside the template, LP435 a connector); one finding
    per fact, so those get no LP620.
    """
    origin = str(declared.origin)
    where = declared.location
    if origin == "external-role":
        remedy = REMEDY_EXTERNAL.format(role=arn or "ROLE_ARN")
        return unreadable(arn or declared.name, "external-role", where, arn, remedy), []
    if origin not in ("managed-arn", "permissions-boundary"):
        kind = origin.split(":", 1)[0]
        return unreadable(name, kind, where, arn, REMEDY_REPLACE), []
    what = "permissions boundary" if is_boundary else "managed policy"
    note = _finding(
        where,
        codes.NOT_EXPANDABLE,
        f"{what} {arn or name} is named by ARN; its document is not in the template, so what "
        "it allows is unknown (give it with --managed-policy ARN=FILE, or compare with the "
        "live role)",
        Severity.WARNING,
    )
    # An ARN still holding a wildcard is not a key the user can write; its policy name is
    # (_given_key takes either).
    key = arn.rsplit("/", 1)[-1] if "*" in arn else arn or name
    kind = "boundary" if is_boundary else "managed"
    stand_in = unreadable(name, kind, where, arn, REMEDY_TEMPLATE.format(arn=key), key)
    return stand_in, [note]


def _given_key(managed: Mapping[str, ParsedPolicy], arn: str) -> str | None:
    """The key of the user-supplied document for a managed policy ARN (or its bare name)."""
    if not arn:
        return None
    return next((k for k in (arn, arn.rsplit("/", 1)[-1]) if k in managed), None)


def _template_locator(template: Any, declared: Any) -> Callable[[NodePath], Location] | None:
    """Positions of statements in the template file, when the reader recorded a path."""
    doc = template.document
    if doc is None or not declared.path:
        return None
    base: NodePath = tuple(declared.path)
    return lambda sub: doc.location(base + sub)
