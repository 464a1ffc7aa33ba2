"""What a template reference evaluates to, so a policy can reference the resource itself.

An environment variable set to ``!Ref OrdersTable`` holds the table's *name*; ``!GetAtt
Queue.Arn`` holds an ARN; ``!Ref Queue`` a queue URL. To write ``!GetAtt OrdersTable.Arn`` or
``!Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"`` into a template-format policy, the policy
stage asks :mod:`least_priv.infra.resource_types` (the infra stage's table of what ``Ref``
and each attribute return, per CloudFormation and Terraform resource type) which reference
yields the resource's ARN and which its name.
"""

from __future__ import annotations

import re

from least_priv.infra.parts import ACCOUNT, PARAMETER, PARTITION, REGION, is_pseudo
from least_priv.infra.resource_types import CLOUDFORMATION, TERRAFORM, ResourceKind
from least_priv.model import TemplateRef

PSEUDO = frozenset({PARTITION, REGION, ACCOUNT})
_PLACEHOLDER = re.compile(r"\$?\{[^}]*\}")


# KMS keys have no physical name, so the infra table gives them no formats; for policies the
# key id plays the name's part (it is what KeyId takes and what the key ARN ends with).
# Source: AWS::KMS::Key return values (Ref: key id; Arn) and aws_kms_key attributes.
_KEY_ARN = "arn:{partition}:kms:{region}:{account}:key/{name}"
_KEYS: dict[str, ResourceKind] = {
    "AWS::KMS::Key": ResourceKind(None, "{name}", {"Arn": _KEY_ARN, "KeyId": "{name}"}),
    "aws_kms_key": ResourceKind(None, None, {"arn": _KEY_ARN, "key_id": "{name}", "id": "{name}"}),
}


def _kind(ref: TemplateRef) -> ResourceKind | None:
    if ref.resource_type is None:
        return None
    if ref.resource_type in _KEYS:
        return _KEYS[ref.resource_type]
    return CLOUDFORMATION.get(ref.resource_type) or TERRAFORM.get(ref.resource_type)


def _attributes(ref: TemplateRef, kind: ResourceKind) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    if (ref.resource_type or "").startswith("AWS::") and kind.ref is not None:
        out.append((None, kind.ref))
    out.extend(sorted(kind.attributes.items()))
    return out


def _shape(pattern: str) -> str:
    """An ARN template or format with every placeholder as ``*``, for comparison."""
    return _PLACEHOLDER.sub("*", pattern)


def _same_resource(template: str, fmt: str) -> bool:
    """True when ARN format ``fmt`` names a resource of ARN template ``template``'s type.

    A template variable stands for one ARN segment (no ``/`` or ``:``), so a table template
    does not take a stream ARN (``table/T/stream/S``) while a secret template takes the
    secret format's ``name-??????``.
    """
    segments = [re.escape(piece) for piece in _shape(template).split("*")]
    return re.fullmatch("[^/:]*".join(segments), _shape(fmt)) is not None


def yields_name(ref: TemplateRef) -> bool:
    """True when ``ref`` evaluates to a plain name (pseudo parameters and parameters too)."""
    if is_pseudo(ref):
        return True
    if ref.resource_type == PARAMETER:
        # A parameter is a plain string; it is a name unless its value is an ARN or a URL.
        return not (ref.known or "").startswith(("arn:", "https://", "http://"))
    kind = _kind(ref)
    return kind is not None and kind.format(ref.attribute) == "{name}"


def arn_ref(ref: TemplateRef, arn_template: str | None) -> TemplateRef | None:
    """A reference that yields the whole resource ``arn_template`` describes, if one does.

    ``!Ref OrdersTable`` for a table requirement becomes ``!GetAtt OrdersTable.Arn``; a
    reference that already yields such an ARN (``!Ref Topic``) is returned as is. None when
    the resource is of another type (a bucket reference for an object requirement): the
    caller then builds the ARN from the resource's name.
    """
    kind = _kind(ref)
    if kind is None or arn_template is None:
        return None
    current = kind.format(ref.attribute)
    if current is not None and current.startswith("arn:") and _same_resource(arn_template, current):
        return ref
    for attribute, fmt in _attributes(ref, kind):
        if fmt.startswith("arn:") and _same_resource(arn_template, fmt):
            return TemplateRef(ref.logical_id, attribute, ref.resource_type, None)
    return None


def name_ref(ref: TemplateRef) -> TemplateRef | None:
    """A reference that yields the *name* of ``ref``'s resource, or None when none does."""
    if yields_name(ref):
        return ref
    kind = _kind(ref)
    if kind is None:
        return None
    for attribute, fmt in _attributes(ref, kind):
        if fmt == "{name}":
            return TemplateRef(ref.logical_id, attribute, ref.resource_type, None)
    return None


def is_terraform(ref: TemplateRef) -> bool:
    """True for a Terraform address (``aws_sqs_queue.jobs``), False for a CloudFormation id."""
    return not is_pseudo(ref) and ("." in ref.logical_id or ref.resource_type in TERRAFORM)
