"""The records every template reader returns: ``Template``, ``TemplateResource``,
``DeclaredPolicy``.

A :class:`Template` is the same whatever the source format (SAM/CloudFormation, CDK output,
serverless.yml, Terraform plan): its functions as :class:`~least_priv.model.Function`
records, its resources, the policies each function's role declares, and findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from least_priv.infra.positions import NodePath, ParsedDocument
from least_priv.model import Finding, Function, Location, Value


@dataclass(frozen=True, slots=True)
class TemplateResource:
    """One resource of a template, with what the policy stage asks about it.

    ``properties`` is the resource's configuration as written (CloudFormation properties
    with long-form intrinsics, or Terraform planned values). ``kms_key`` is the customer
    managed KMS key that encrypts the resource (S3 bucket default encryption, SQS/SNS
    ``KmsMasterKeyId``, DynamoDB SSE, Kinesis stream encryption, ...) when the template sets
    one; None when there is no encryption or it uses an AWS managed key (``alias/aws/...``),
    which needs no permission in the caller's policy. ``name`` is the physical name when the
    template pins it (``*`` where it depends on the deployment).
    """

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    location: Location
    kms_key: Value | None = None
    name: str | None = None
    condition: str | None = None
    path: NodePath = ()


@dataclass(frozen=True, slots=True)
class DeclaredPolicy:
    """A policy the template attaches to a role (what ``diff``/``check``/``lint`` compare).

    ``document`` is the IAM JSON document with intrinsics rendered to text
    (``arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders``; ``${Id.Attr}``
    for names AWS generates). ``origin`` says where it comes from:

    * ``inline`` — statements written in the template (SAM ``Statement``, role ``Policies``,
      ``AWS::IAM::Policy``/``RolePolicy``, serverless ``iam.role.statements``, Terraform
      ``aws_iam_role_policy``/``inline_policy``);
    * ``customer-managed`` — an ``AWS::IAM::ManagedPolicy`` / ``aws_iam_policy`` of the same
      template, attached to the role (``name`` is its logical id/address);
    * ``sam-policy-template:<Name>`` — a SAM policy template expanded to its statements;
    * ``sam-implicit`` / ``serverless-implicit`` — statements the framework adds by itself
      (SAM's dead-letter queue policy, serverless' log and event-source statements);
    * ``managed-arn`` — a managed policy named by ARN. Its content is not in the template:
      ``expandable`` is False and ``document`` is empty. Never assume what it grants.
    * ``permissions-boundary`` — the role's boundary (an ARN, or a managed policy of the
      template); it limits, it does not grant.
    * ``external-role`` — the function's role is not defined in the template (an ARN, an
      import, a role outside the plan): what it grants is unknown offline, so ``expandable``
      is False and ``document`` empty; ``name`` is the role as written. Never read as a role
      that grants nothing.

    ``path`` is where the policy is written in the source file (for positions:
    ``template.document.location(path + ("Statement", 0))``); ``role`` the role's logical
    id, address or ARN.
    """

    document: dict[str, Any]
    location: Location
    origin: str
    expandable: bool = True
    name: str = ""
    arn: str | None = None
    role: str | None = None
    path: NodePath = ()


def managed_policy(
    arn: str,
    location: Location,
    role: str | None,
    path: NodePath,
    *,
    origin: str = "managed-arn",
    name: str | None = None,
) -> DeclaredPolicy:
    """A managed policy named by ARN: its content is not in the template, so it is never
    expanded (``expandable=False``, empty document)."""
    label = name if name is not None else arn.rsplit("/", 1)[-1]
    return DeclaredPolicy({}, location, origin, False, label, arn, role, path)


def external_role(role: str | None, location: Location, path: NodePath) -> DeclaredPolicy:
    """The stand-in for a role defined outside the template (see ``external-role``)."""
    name = role or "not known at plan time"
    arn = role if role and role.startswith("arn:") else None
    return DeclaredPolicy({}, location, "external-role", False, name, arn, role, path)


@dataclass(frozen=True)
class Template:
    """An IaC template read by :func:`~least_priv.infra.load_template`.

    ``kind`` is ``sam``, ``cloudformation``, ``cdk``, ``serverless`` or ``terraform``.
    ``functions`` are sorted by name. ``findings`` hold everything the readers could not
    understand or pin down, including what reading the role policies reported.
    """

    path: str
    kind: str
    functions: tuple[Function, ...]
    resources: Mapping[str, TemplateResource]
    findings: tuple[Finding, ...]
    documents: tuple[ParsedDocument, ...] = ()
    policies: tuple[DeclaredPolicy, ...] = ()
    _function_policies: Mapping[str, tuple[DeclaredPolicy, ...]] = field(
        default_factory=dict, repr=False
    )
    _aliases: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def aliases(self) -> Mapping[str, str]:
        """Other names that select a function (deployed name, CDK path ...) → its name."""
        return self._aliases

    @property
    def document(self) -> ParsedDocument | None:
        """The parsed main file (positions for findings), None for an unreadable input."""
        return self.documents[0] if self.documents else None

    def resource(self, logical_id: str) -> TemplateResource | None:
        """The resource with this logical id (CloudFormation) or address (Terraform).

        In a multi-stack ``cdk.out`` resources are ``Stack/LogicalId``; references inside a
        stack use the bare logical id, which finds the resource when only one stack has it.
        """
        found = self.resources.get(logical_id)
        if found is not None or "/" in logical_id:
            return found
        matches = [r for key, r in self.resources.items() if key.endswith("/" + logical_id)]
        return matches[0] if len(matches) == 1 else None

    def function(self, name: str) -> Function | None:
        """The function called ``name``: its logical id / key / address, or an alias the
        format knows (CDK construct path, deployed FunctionName, Terraform function_name)."""
        wanted = self._aliases.get(name, name)
        for function in self.functions:
            if function.name == wanted:
                return function
        return None

    def role_policies(self, function_name: str) -> list[DeclaredPolicy]:
        """The policies the template declares for the function's execution role.

        Raises ``KeyError`` for a name :meth:`function` does not know: callers check the
        user's ``--function`` first and report LP416 (see :func:`select_functions`).
        """
        function = self.function(function_name)
        if function is None:
            raise KeyError(function_name)
        return list(self._function_policies.get(function.name, ()))


def make_template(
    *,
    path: str,
    kind: str,
    functions: Iterable[Function],
    resources: Iterable[TemplateResource],
    findings: Iterable[Finding],
    documents: Iterable[ParsedDocument] = (),
    function_policies: Mapping[str, Iterable[DeclaredPolicy]] | None = None,
    extra_policies: Iterable[DeclaredPolicy] = (),
    aliases: Mapping[str, str] | None = None,
) -> Template:
    """Build a :class:`Template` with sorted, de-duplicated contents (deterministic output).

    ``policies`` is every declared policy of the template: the functions' plus
    ``extra_policies`` (roles no function uses still get linted).
    """
    per_function = {name: tuple(items) for name, items in sorted((function_policies or {}).items())}
    every: dict[tuple[str, int, int, str, str], DeclaredPolicy] = {}
    for policy in [*(p for items in per_function.values() for p in items), *extra_policies]:
        key = (policy.location.path, policy.location.line, policy.location.column)
        every.setdefault((*key, policy.origin, policy.name), policy)
    return Template(
        path=path,
        kind=kind,
        functions=tuple(sorted(functions, key=lambda f: f.name)),
        resources=MappingProxyType(
            {r.logical_id: r for r in sorted(resources, key=lambda r: r.logical_id)}
        ),
        findings=tuple(sorted(set(findings))),
        documents=tuple(documents),
        policies=tuple(every[key] for key in sorted(every)),
        _function_policies=MappingProxyType(per_function),
        _aliases=MappingProxyType(dict(aliases or {})),
    )
