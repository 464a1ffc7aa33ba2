"""What a template reference evaluates to, so a policy can reference the resource itself.

An environment variable set to ``!Ref OrdersTable`` holds the table's *name*; ``!GetAtt
Queue.Arn`` holds an ARN; ``!Ref Queue`` a queue URL. To write ``!GetAtt OrdersTable.Arn`` or
``!Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"`` into a template-format policy, the policy
stage needs to know, per resource type, which attribute gives the ARN and which the name.

Source: the "Return values" section of each resource type in the CloudFormation resource
reference (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-
ref.html), the AWS SAM resource reference, and the "Attribute Reference" of each resource in
the Terraform AWS provider documentation (registry.terraform.io/providers/hashicorp/aws).
``iam_type`` is the resource type name used by the IAM service authorization reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from least_priv.model import TemplateRef

PARTITION = TemplateRef("AWS::Partition")
REGION = TemplateRef("AWS::Region")
ACCOUNT = TemplateRef("AWS::AccountId")
PSEUDO = frozenset({PARTITION, REGION, ACCOUNT})


@dataclass(frozen=True, slots=True)
class RefType:
    """How references to one resource type evaluate.

    ``kinds`` maps an attribute (None: the bare ``Ref``) to what it yields: ``name``,
    ``arn``, ``url``, ``id`` or ``stream-arn``. ``arn_attr``/``name_attr`` are the
    attributes to ask for when the policy needs the ARN or the name.
    """

    iam_type: str
    kinds: tuple[tuple[str | None, str], ...]
    arn_attr: str | None = None
    name_attr: str | None = None

    def kind(self, attribute: str | None) -> str | None:
        """What a reference with ``attribute`` yields, or None when it is none of ours."""
        for attr, kind in self.kinds:
            if attr == attribute:
                return kind
        return None


def _cfn(
    iam_type: str,
    ref: str,
    arn_attr: str | None = "Arn",
    name_attr: str | None = None,
    **extra: str,
) -> RefType:
    kinds: list[tuple[str | None, str]] = [(None, ref)]
    if arn_attr is not None:
        kinds.append((arn_attr, "arn"))
    if name_attr is not None:
        kinds.append((name_attr, "name"))
    kinds.extend(extra.items())
    return RefType(iam_type, tuple(kinds), arn_attr, name_attr)


def _tf(iam_type: str, name_attr: str, id_kind: str, **extra: str) -> RefType:
    kinds: list[tuple[str | None, str]] = [("arn", "arn"), (name_attr, "name"), ("id", id_kind)]
    kinds.extend(extra.items())
    return RefType(iam_type, tuple(kinds), "arn", name_attr)


TYPES: dict[str, RefType] = {
    # CloudFormation and SAM
    "AWS::DynamoDB::Table": _cfn("table", "name", StreamArn="stream-arn"),
    "AWS::Serverless::SimpleTable": _cfn("table", "name", arn_attr=None),
    "AWS::S3::Bucket": _cfn("bucket", "name"),
    "AWS::SQS::Queue": _cfn("queue", "url", name_attr="QueueName", QueueUrl="url"),
    "AWS::SNS::Topic": _cfn("topic", "arn", arn_attr="TopicArn", name_attr="TopicName"),
    "AWS::Lambda::Function": _cfn("function", "name"),
    "AWS::Serverless::Function": _cfn("function", "name"),
    "AWS::Kinesis::Stream": _cfn("stream", "name"),
    "AWS::KinesisFirehose::DeliveryStream": _cfn("deliverystream", "name"),
    "AWS::SecretsManager::Secret": _cfn("secret", "arn", arn_attr="Id"),
    "AWS::SSM::Parameter": _cfn("parameter", "name", arn_attr=None),
    "AWS::StepFunctions::StateMachine": _cfn("stateMachine", "arn", name_attr="Name"),
    "AWS::Serverless::StateMachine": _cfn("stateMachine", "arn", name_attr="Name"),
    "AWS::KMS::Key": _cfn("key", "id", KeyId="id"),
    "AWS::KMS::Alias": _cfn("alias", "name", arn_attr=None),
    "AWS::Events::EventBus": _cfn("event-bus", "name", name_attr="Name"),
    "AWS::Logs::LogGroup": _cfn("log-group", "name"),
    # Terraform (plan JSON addresses such as aws_dynamodb_table.orders)
    "aws_dynamodb_table": _tf("table", "name", "name", stream_arn="stream-arn"),
    "aws_s3_bucket": _tf("bucket", "bucket", "name"),
    "aws_sqs_queue": _tf("queue", "name", "url", url="url"),
    "aws_sns_topic": _tf("topic", "name", "arn"),
    "aws_lambda_function": _tf("function", "function_name", "name"),
    "aws_kinesis_stream": _tf("stream", "name", "arn"),
    "aws_kinesis_firehose_delivery_stream": _tf("deliverystream", "name", "arn"),
    "aws_secretsmanager_secret": _tf("secret", "name", "arn"),
    "aws_ssm_parameter": _tf("parameter", "name", "name"),
    "aws_sfn_state_machine": _tf("stateMachine", "name", "arn"),
    "aws_kms_key": _tf("key", "key_id", "id"),
    "aws_kms_alias": _tf("alias", "name", "name"),
    "aws_cloudwatch_event_bus": _tf("event-bus", "name", "name"),
    "aws_cloudwatch_log_group": _tf("log-group", "name", "name"),
}


def ref_type(ref: TemplateRef) -> RefType | None:
    """The table entry for ``ref``'s resource type, if it has one."""
    if ref.resource_type is None:
        return None
    return TYPES.get(ref.resource_type)


def kind(ref: TemplateRef) -> str | None:
    """What ``ref`` evaluates to (``name``, ``arn``, ``url`` ...); pseudo parameters are names."""
    if ref in PSEUDO or ref.logical_id == "AWS::StackName":
        return "name"
    info = ref_type(ref)
    return None if info is None else info.kind(ref.attribute)


def is_terraform(ref: TemplateRef) -> bool:
    """True for a Terraform address (``aws_sqs_queue.jobs``), False for a CloudFormation id."""
    return "." in ref.logical_id or (ref.resource_type or "").startswith("aws_")


def arn_ref(ref: TemplateRef, iam_type: str | None) -> TemplateRef | None:
    """A reference that yields the ARN of ``ref``'s resource when it is of ``iam_type``.

    ``!Ref OrdersTable`` for a ``table`` requirement becomes ``!GetAtt OrdersTable.Arn``; a
    reference that already yields the ARN is returned as is. None when the resource is of
    another type or has no ARN attribute (the caller then builds the ARN from the name).
    """
    info = ref_type(ref)
    if info is None or iam_type is None:
        return None
    if info.kind(ref.attribute) == "stream-arn" and iam_type.lower() == "stream":
        return ref  # !GetAtt Table.StreamArn for a DynamoDB stream requirement
    if info.iam_type.lower() != iam_type.lower():
        return None
    if info.kind(ref.attribute) == "arn":
        return ref
    if info.arn_attr is None:
        return None
    return TemplateRef(ref.logical_id, info.arn_attr, ref.resource_type, None)


def name_ref(ref: TemplateRef) -> TemplateRef | None:
    """A reference that yields the *name* of ``ref``'s resource, or None when none does."""
    if kind(ref) == "name":
        return ref
    info = ref_type(ref)
    if info is None:
        return None
    for attr, attr_kind in info.kinds:
        if attr_kind == "name":
            return TemplateRef(ref.logical_id, attr, ref.resource_type, None)
    return None
