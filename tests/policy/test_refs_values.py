"""Template references (what Ref/GetAtt/Terraform attributes yield) and environment values."""

from __future__ import annotations

from least_priv.model import EnvRef, TemplateRef, Unknown, Value
from least_priv.policy.arn import ArnContext, fill, json_form, partition_of
from least_priv.policy.refs import arn_ref, is_terraform, name_ref
from least_priv.policy.values import Environment, expand_env

TABLE = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
QUEUE = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
STREAM = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}"
KEY = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"


def test_cloudformation_references_to_arns_and_names() -> None:
    table = TemplateRef("Orders", None, "AWS::DynamoDB::Table")
    assert arn_ref(table, TABLE) == TemplateRef("Orders", "Arn", "AWS::DynamoDB::Table")
    # For a stream requirement the table's reference yields its stream's ARN attribute.
    stream = TemplateRef("Orders", "StreamArn", "AWS::DynamoDB::Table")
    assert arn_ref(table, STREAM) == stream
    assert arn_ref(stream, STREAM) == stream
    # A reference is to a resource: asked for the table, the stream's table gives its Arn.
    assert arn_ref(stream, TABLE) == TemplateRef("Orders", "Arn", "AWS::DynamoDB::Table")
    # A table template variable is one ARN segment: it never takes a stream ARN format.
    only_stream = TemplateRef("Feed", "arn", "aws_kinesis_stream")
    assert arn_ref(only_stream, TABLE) is None
    queue_url = TemplateRef("Jobs", None, "AWS::SQS::Queue")
    assert arn_ref(queue_url, QUEUE) == TemplateRef("Jobs", "Arn", "AWS::SQS::Queue")
    assert name_ref(queue_url) == TemplateRef("Jobs", "QueueName", "AWS::SQS::Queue")
    bucket = TemplateRef("Uploads", None, "AWS::S3::Bucket")
    assert arn_ref(bucket, OBJECT) is None and name_ref(bucket) == bucket
    topic = TemplateRef("Alerts", None, "AWS::SNS::Topic")  # Ref of a topic is its ARN
    assert arn_ref(topic, "arn:${Partition}:sns:${Region}:${Account}:${TopicName}") == topic
    key = TemplateRef("EnvKey", None, "AWS::KMS::Key")  # Ref of a key is its id
    assert arn_ref(key, KEY) == TemplateRef("EnvKey", "Arn", "AWS::KMS::Key")
    assert name_ref(TemplateRef("Stage", None, "Parameter")) is not None


def test_terraform_addresses() -> None:
    table = TemplateRef("aws_dynamodb_table.jobs", "name", "aws_dynamodb_table")
    assert is_terraform(table)
    assert arn_ref(table, TABLE) == TemplateRef(
        "aws_dynamodb_table.jobs", "arn", "aws_dynamodb_table"
    )
    url = TemplateRef("aws_sqs_queue.done", "url", "aws_sqs_queue")
    assert name_ref(url) == TemplateRef("aws_sqs_queue.done", "name", "aws_sqs_queue")
    assert not is_terraform(TemplateRef("AWS::Region"))


def test_env_values_expand_to_their_parts_with_a_cycle_guard() -> None:
    env = Environment(
        {
            "TABLE": Value(("app-", EnvRef("STAGE"), "-orders")),
            "STAGE": Value.literal("prod"),
            "LOOP": Value((EnvRef("LOOP"),)),
        },
        complete=True,
    )
    assert expand_env(Value((EnvRef("TABLE"),)), env).text == "app-prod-orders"
    looped = expand_env(Value((EnvRef("LOOP"),)), env)
    assert any(isinstance(p, EnvRef) for p in looped.parts)  # stays unresolved, no hang
    nested = Value(mapping=((Value.literal("k"), Value((EnvRef("STAGE"),))),))
    assert expand_env(nested, env).get("k") == Value(("prod",))


def test_fill_keeps_unknowns_typed_and_context_as_pseudo_parameters() -> None:
    parts = fill(TABLE, {"TableName": (Unknown(),)}, ArnContext())
    assert json_form(parts) == "arn:*:dynamodb:*:*:table/*"
    assert TemplateRef("AWS::Region") in parts
    assert json_form(fill(TABLE, {}, ArnContext.of(None, "us-gov-west-1", "1"))) == (
        "arn:aws-us-gov:dynamodb:us-gov-west-1:1:table/*"
    )
    assert [partition_of(r) for r in ("eu-west-1", "cn-north-1", "us-iso-east-1", None)] == [
        "aws",
        "aws-cn",
        "aws-iso",
        None,
    ]
