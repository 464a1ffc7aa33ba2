"""KMS permissions for resources the template encrypts with a customer managed key.

Reading or writing an SSE-KMS bucket, an SQS queue or SNS topic with ``KmsMasterKeyId``, a
DynamoDB table with a customer managed SSE key, a Kinesis stream with ``StreamEncryption``
or a secret with ``KmsKeyId`` needs KMS rights on that key *in the caller's policy*, used
through the service: ``kms:Decrypt`` to read, ``kms:GenerateDataKey`` (and ``kms:Decrypt``,
for multipart uploads and re-reads) to write, each with a ``kms:ViaService`` condition so
the key can only be used through that service. AWS managed keys (``alias/aws/s3``) need
nothing; the infra stage leaves those out of ``TemplateResource.kms_key``.

Sources: Amazon S3 User Guide "Using server-side encryption with AWS KMS keys" (permissions
for PutObject/GetObject and multipart upload), Amazon SQS Developer Guide "Key management"
(producer: GenerateDataKey + Decrypt; consumer: Decrypt), Amazon SNS Developer Guide
"Encryption at rest" (publisher: GenerateDataKey + Decrypt), Amazon Kinesis "Permissions to
use user-generated KMS keys" (producer GenerateDataKey, consumer Decrypt), AWS Secrets
Manager "Secret encryption and decryption" (GetSecretValue: Decrypt; PutSecretValue:
GenerateDataKey + Decrypt), AWS KMS Developer Guide "kms:ViaService".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from least_priv.evaluate.patterns import contains
from least_priv.infra.parts import expand_format, is_pseudo
from least_priv.infra.resource_types import CLOUDFORMATION, TERRAFORM
from least_priv.model import (
    CallSite,
    Condition,
    Location,
    ParamBinding,
    Permission,
    Provenance,
    Requirement,
    TemplateRef,
    Value,
)
from least_priv.policy.scope import Scoper

KEY_ARN = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"

# Resource type → the service prefix that appears in kms:ViaService (service.region.amazonaws.com).
_VIA: dict[str, str] = {
    "AWS::S3::Bucket": "s3",
    "aws_s3_bucket": "s3",
    "AWS::SQS::Queue": "sqs",
    "aws_sqs_queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "aws_sns_topic": "sns",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "aws_dynamodb_table": "dynamodb",
    "AWS::Kinesis::Stream": "kinesis",
    "aws_kinesis_stream": "kinesis",
    "AWS::SecretsManager::Secret": "secretsmanager",
    "aws_secretsmanager_secret": "secretsmanager",
}

# Action-name prefixes that read data (need Decrypt) or write it (need GenerateDataKey and
# Decrypt). Anything else (Delete*, List*, Describe*, tagging) moves no encrypted data.
_READS = ("Get", "Receive", "Query", "Scan", "BatchGet", "PartiQLSelect", "Select")
_WRITES = (
    "Put",
    "Send",
    "Publish",
    "Update",
    "BatchWrite",
    "PartiQLInsert",
    "PartiQLUpdate",
    "Restore",
    "Copy",
    "Create",
)


class _HasKeys(Protocol):
    @property
    def resources(self) -> Mapping[str, object]: ...


@dataclass(frozen=True, slots=True)
class EncryptionLookup:
    """Customer managed keys of a template's resources: logical id → (key, resource type).

    ``arns`` holds the ARN pattern of each such resource whose name the template pins, so
    code that names the resource literally (``Bucket="acme-tax-vault"``) is matched too.
    """

    keys: Mapping[str, tuple[Value, str]]
    arns: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def of(template: _HasKeys) -> EncryptionLookup:
        """The keys of every resource of ``template`` that sets one."""
        keys: dict[str, tuple[Value, str]] = {}
        arns: list[tuple[str, str]] = []
        for logical_id, resource in template.resources.items():
            key = getattr(resource, "kms_key", None)
            kind = getattr(resource, "type", "")
            if isinstance(key, Value) and kind in _VIA:
                keys[logical_id] = (key, kind)
                pattern = _arn_pattern(kind, getattr(resource, "name", None))
                if pattern is not None:
                    arns.append((pattern, logical_id))
        return EncryptionLookup(MappingProxyType(keys), tuple(sorted(arns)))

    def named_in(self, resource: str) -> list[str]:
        """Logical ids of encrypted resources a plain ARN pattern falls within."""
        return [
            logical_id
            for pattern, logical_id in self.arns
            # An object ARN lies below its bucket's ("bucket/key").
            if contains(pattern, resource) or contains(pattern + "/*", resource)
        ]


def _arn_pattern(resource_type: str, name: str | None) -> str | None:
    if not name or "*" in name:
        return None
    kind = CLOUDFORMATION.get(resource_type) or TERRAFORM.get(resource_type)
    if kind is None:
        return None
    formats = [f for f in (kind.format("Arn"), kind.format("arn"), kind.ref) if f]
    arn_format = next((f for f in formats if f.startswith("arn:")), None)
    if arn_format is None:
        return None
    parts = expand_format(arn_format, (name,))
    return None if parts is None else Value(parts).pattern()


def kms_actions(action: str) -> tuple[str, ...]:
    """The KMS actions a data action needs on the key of an encrypted resource."""
    name = action.partition(":")[2]
    if name.startswith(_WRITES):
        return ("kms:Decrypt", "kms:GenerateDataKey")
    if name.startswith(_READS):
        return ("kms:Decrypt",)
    return ()


def via_service(service: str, region: str | None) -> Condition:
    """``kms:ViaService`` for ``service``: exact with a region, a pattern without one."""
    if region:
        return Condition("StringEquals", "kms:ViaService", (f"{service}.{region}.amazonaws.com",))
    return Condition("StringLike", "kms:ViaService", (f"{service}.*.amazonaws.com",))


def encryption_permissions(
    permissions: Iterable[Permission], lookup: EncryptionLookup, scoper: Scoper
) -> list[Permission]:
    """KMS permissions for each permission that touches a resource with a customer key."""
    out: list[Permission] = []
    for perm in permissions:
        for logical_id in _referenced(perm, lookup):
            found = lookup.keys.get(logical_id)
            if found is None:
                continue
            key, resource_type = found
            condition = via_service(_VIA[resource_type], scoper.context.region)
            location = _location(perm)
            for action in kms_actions(perm.action):
                requirement = Requirement(
                    action,
                    "key",
                    KEY_ARN,
                    (ParamBinding("KeyId", "kms_key"),),
                    (condition,),
                    "side-effect",
                )
                call = CallSite(location, "kms", action, (("KeyId", key),))
                detail = (
                    f"{logical_id} is encrypted with a customer managed key; "
                    f"{perm.action} uses it through {_VIA[resource_type]}"
                )
                for granted in scoper.permissions(call, requirement):
                    out.append(
                        Permission(
                            granted.action,
                            granted.resource,
                            granted.conditions,
                            (Provenance("config", location, detail),),
                            granted.resource_parts,
                        )
                    )
    return out


def _referenced(perm: Permission, lookup: EncryptionLookup) -> list[str]:
    refs = [
        p.logical_id for p in perm.resource_parts if isinstance(p, TemplateRef) and not is_pseudo(p)
    ]
    return refs or lookup.named_in(perm.resource)


def _location(perm: Permission) -> Location:
    for provenance in perm.provenance:
        if provenance.location is not None:
            return provenance.location
    return Location("")
