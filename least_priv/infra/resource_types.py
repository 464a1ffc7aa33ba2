"""What a reference to a resource returns: physical names, ARNs and URLs per resource type.

Source: the "Return values" (``Ref`` / ``Fn::GetAtt``) sections of the AWS CloudFormation
resource and property type reference, and the "Attribute Reference" sections of the
Terraform AWS provider documentation, for the resource types Lambda code commonly touches.
ARN shapes follow the "Resource types defined by ..." tables of the Service Authorization
Reference.

A format is a string with placeholders: ``{name}`` (the physical name the template gives),
``{name/}`` (the name without a leading ``/``, for SSM parameter ARNs), ``{partition}``,
``{region}``, ``{account}`` (pseudo parameters) and ``{*}`` (a part AWS generates, such as a
stream label). Any other text is literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_P = "arn:{partition}"


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """How one resource type names itself and what its references evaluate to.

    ``name_property`` is the property holding the physical name (absent → AWS generates
    one). ``ref`` is the format ``Ref`` returns (CloudFormation); ``attributes`` maps an
    attribute (``Fn::GetAtt`` name or Terraform attribute) to its format.
    """

    name_property: str | None
    ref: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    def format(self, attribute: str | None) -> str | None:
        """The format of ``Ref`` (attribute None) or of ``attribute``, if known."""
        return self.ref if attribute is None else self.attributes.get(attribute)


def _arn(service: str, resource: str, *, regional: bool = True) -> str:
    region = "{region}" if regional else ""
    return f"{_P}:{service}:{region}:{{account}}:{resource}"


_TABLE_ARN = _arn("dynamodb", "table/{name}")
_TABLE_STREAM = _TABLE_ARN + "/stream/{*}"
_QUEUE_URL = "https://sqs.{region}.amazonaws.com/{account}/{name}"
_QUEUE_ARN = _arn("sqs", "{name}")
_TOPIC_ARN = _arn("sns", "{name}")
_FUNCTION_ARN = _arn("lambda", "function:{name}")
_STREAM_ARN = _arn("kinesis", "stream/{name}")
_FIREHOSE_ARN = _arn("firehose", "deliverystream/{name}")
_STATE_MACHINE_ARN = _arn("states", "stateMachine:{name}")
_SECRET_ARN = _arn("secretsmanager", "secret:{name}-??????")
_PARAMETER_ARN = _arn("ssm", "parameter/{name/}")
_BUS_ARN = _arn("events", "event-bus/{name}")
_LOG_GROUP_ARN = _arn("logs", "log-group:{name}")
_BUCKET_ARN = f"{_P}:s3:::{{name}}"
_ROLE_ARN = f"{_P}:iam::{{account}}:role/{{name}}"
_REPOSITORY_ARN = _arn("ecr", "repository/{name}")
_LAYER_ARN = _arn("lambda", "layer:{name}:{*}")
_DOMAIN_ARN = _arn("es", "domain/{name}")
_WORKGROUP_ARN = _arn("athena", "workgroup/{name}")
_CLUSTER_ARN = _arn("ecs", "cluster/{name}")

#: CloudFormation resource type → kind.
CLOUDFORMATION: dict[str, ResourceKind] = {
    "AWS::DynamoDB::Table": ResourceKind(
        "TableName", "{name}", {"Arn": _TABLE_ARN, "StreamArn": _TABLE_STREAM}
    ),
    "AWS::DynamoDB::GlobalTable": ResourceKind(
        "TableName", "{name}", {"Arn": _TABLE_ARN, "StreamArn": _TABLE_STREAM}
    ),
    "AWS::Serverless::SimpleTable": ResourceKind("TableName", "{name}"),
    "AWS::S3::Bucket": ResourceKind(
        "BucketName",
        "{name}",
        {
            "Arn": _BUCKET_ARN,
            "DomainName": "{name}.s3.amazonaws.com",
            "RegionalDomainName": "{name}.s3.{region}.amazonaws.com",
        },
    ),
    "AWS::SQS::Queue": ResourceKind(
        "QueueName",
        _QUEUE_URL,
        {"Arn": _QUEUE_ARN, "QueueName": "{name}", "QueueUrl": _QUEUE_URL},
    ),
    "AWS::SNS::Topic": ResourceKind(
        "TopicName", _TOPIC_ARN, {"TopicArn": _TOPIC_ARN, "TopicName": "{name}"}
    ),
    "AWS::Lambda::Function": ResourceKind("FunctionName", "{name}", {"Arn": _FUNCTION_ARN}),
    "AWS::Serverless::Function": ResourceKind("FunctionName", "{name}", {"Arn": _FUNCTION_ARN}),
    "AWS::Kinesis::Stream": ResourceKind("Name", "{name}", {"Arn": _STREAM_ARN}),
    "AWS::KinesisFirehose::DeliveryStream": ResourceKind(
        "DeliveryStreamName", "{name}", {"Arn": _FIREHOSE_ARN}
    ),
    "AWS::StepFunctions::StateMachine": ResourceKind(
        "StateMachineName", _STATE_MACHINE_ARN, {"Arn": _STATE_MACHINE_ARN, "Name": "{name}"}
    ),
    "AWS::Serverless::StateMachine": ResourceKind(
        "Name", _STATE_MACHINE_ARN, {"Arn": _STATE_MACHINE_ARN, "Name": "{name}"}
    ),
    "AWS::SecretsManager::Secret": ResourceKind("Name", _SECRET_ARN, {"Id": _SECRET_ARN}),
    "AWS::SSM::Parameter": ResourceKind("Name", "{name}"),
    "AWS::Events::EventBus": ResourceKind("Name", "{name}", {"Arn": _BUS_ARN, "Name": "{name}"}),
    "AWS::Logs::LogGroup": ResourceKind("LogGroupName", "{name}", {"Arn": _LOG_GROUP_ARN + ":*"}),
    "AWS::KMS::Key": ResourceKind(None),
    "AWS::KMS::Alias": ResourceKind("AliasName", "{name}"),
    "AWS::IAM::Role": ResourceKind("RoleName", "{name}", {"Arn": _ROLE_ARN}),
    "AWS::ECR::Repository": ResourceKind("RepositoryName", "{name}", {"Arn": _REPOSITORY_ARN}),
    "AWS::Lambda::LayerVersion": ResourceKind("LayerName", _LAYER_ARN),
    "AWS::Serverless::LayerVersion": ResourceKind("LayerName", _LAYER_ARN),
    "AWS::OpenSearchService::Domain": ResourceKind("DomainName", "{name}", {"Arn": _DOMAIN_ARN}),
    "AWS::Athena::WorkGroup": ResourceKind("Name", "{name}"),
    "AWS::ECS::Cluster": ResourceKind("ClusterName", "{name}", {"Arn": _CLUSTER_ARN}),
}

#: Terraform resource type → kind (attributes as the provider names them).
TERRAFORM: dict[str, ResourceKind] = {
    "aws_dynamodb_table": ResourceKind(
        "name",
        None,
        {"name": "{name}", "id": "{name}", "arn": _TABLE_ARN, "stream_arn": _TABLE_STREAM},
    ),
    "aws_s3_bucket": ResourceKind(
        "bucket",
        None,
        {
            "bucket": "{name}",
            "id": "{name}",
            "arn": _BUCKET_ARN,
            "bucket_domain_name": "{name}.s3.amazonaws.com",
            "bucket_regional_domain_name": "{name}.s3.{region}.amazonaws.com",
        },
    ),
    "aws_sqs_queue": ResourceKind(
        "name", None, {"name": "{name}", "id": _QUEUE_URL, "url": _QUEUE_URL, "arn": _QUEUE_ARN}
    ),
    "aws_sns_topic": ResourceKind(
        "name", None, {"name": "{name}", "id": _TOPIC_ARN, "arn": _TOPIC_ARN}
    ),
    "aws_lambda_function": ResourceKind(
        "function_name",
        None,
        {"function_name": "{name}", "id": "{name}", "arn": _FUNCTION_ARN},
    ),
    "aws_kinesis_stream": ResourceKind(
        "name", None, {"name": "{name}", "id": _STREAM_ARN, "arn": _STREAM_ARN}
    ),
    "aws_kinesis_firehose_delivery_stream": ResourceKind(
        "name", None, {"name": "{name}", "id": _FIREHOSE_ARN, "arn": _FIREHOSE_ARN}
    ),
    "aws_sfn_state_machine": ResourceKind(
        "name", None, {"name": "{name}", "id": _STATE_MACHINE_ARN, "arn": _STATE_MACHINE_ARN}
    ),
    "aws_secretsmanager_secret": ResourceKind(
        "name", None, {"name": "{name}", "id": _SECRET_ARN, "arn": _SECRET_ARN}
    ),
    "aws_ssm_parameter": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _PARAMETER_ARN}
    ),
    "aws_cloudwatch_event_bus": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _BUS_ARN}
    ),
    "aws_cloudwatch_log_group": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _LOG_GROUP_ARN}
    ),
    "aws_kms_key": ResourceKind(None),
    "aws_kms_alias": ResourceKind("name", None, {"name": "{name}", "id": "{name}"}),
    "aws_iam_role": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _ROLE_ARN}
    ),
    "aws_ecr_repository": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _REPOSITORY_ARN}
    ),
    "aws_opensearch_domain": ResourceKind(
        "domain_name", None, {"domain_name": "{name}", "arn": _DOMAIN_ARN}
    ),
    "aws_athena_workgroup": ResourceKind(
        "name", None, {"name": "{name}", "id": "{name}", "arn": _WORKGROUP_ARN}
    ),
    "aws_ecs_cluster": ResourceKind(
        "name", None, {"name": "{name}", "id": _CLUSTER_ARN, "arn": _CLUSTER_ARN}
    ),
}
