"""Transforms: request parameter strings → ARN template variables, on realistic values."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.catalog import transforms
from least_priv.catalog.transforms import apply


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s3_bucket", "acme-uploads", {"BucketName": "acme-uploads"}),
        ("s3_bucket", "acme-*", {"BucketName": "acme-*"}),
        ("s3_bucket", "arn:aws:s3:::acme-uploads", {"BucketName": "acme-uploads"}),
        (
            "s3_bucket",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/reports-ap",
            {"AccessPointName": "reports-ap", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("s3_bucket", "arn:aws:sqs:us-east-1:123456789012:q", None),
        ("s3_key", "uploads/*/photo.jpg", {"ObjectName": "uploads/*/photo.jpg"}),
        ("s3_prefix", "reports/2026/", {"ObjectName": "reports/2026/*"}),
        ("s3_prefix", "reports/*", {"ObjectName": "reports/*"}),
        (
            "s3_copy_source",
            "src-bucket/in/a.csv",
            {"BucketName": "src-bucket", "ObjectName": "in/a.csv"},
        ),
        (
            "s3_copy_source",
            "/src-bucket/in/a.csv?versionId=3sL4kqtJlcpXroDTDmJ",
            {"BucketName": "src-bucket", "ObjectName": "in/a.csv"},
        ),
        ("s3_copy_source", "*", {"BucketName": "*", "ObjectName": "*"}),
        (
            "s3_copy_source",
            "arn:aws:s3:eu-west-1:123456789012:accesspoint/ap1/object/k/x",
            {
                "AccessPointName": "ap1",
                "ObjectName": "k/x",
                "Region": "eu-west-1",
                "Account": "123456789012",
            },
        ),
        (
            "s3_uri",
            "s3://media-in/calls/2026/a.wav",
            {"BucketName": "media-in", "ObjectName": "calls/2026/a.wav"},
        ),
        (
            "s3_uri_prefix",
            "s3://acme-athena/results/",
            {"BucketName": "acme-athena", "ObjectName": "results/*"},
        ),
        ("dynamodb_table", "orders", {"TableName": "orders"}),
        (
            "dynamodb_table",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
            {"TableName": "orders", "Region": "eu-west-1", "Account": "123456789012"},
        ),
        ("dynamodb_table", "arn:aws:dynamodb:eu-west-1:123456789012:global-table/x", None),
        (
            "dynamodb_stream_arn",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
            {
                "TableName": "orders",
                "StreamLabel": "2026-01-01T00:00:00.000",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        ("dynamodb_partiql_table", 'SELECT * FROM "orders" WHERE pk = ?', {"TableName": "orders"}),
        (
            "dynamodb_partiql_table",
            'select * from "orders"."by-user" where u=?',
            {"TableName": "orders/index/by-user"},
        ),
        ("dynamodb_partiql_table", "INSERT INTO orders VALUE {'pk': ?}", {"TableName": "orders"}),
        ("dynamodb_partiql_table", 'UPDATE "orders" SET a=1 WHERE pk=?', {"TableName": "orders"}),
        ("dynamodb_partiql_table", "*", {"TableName": "*"}),
        (
            "sqs_queue_url",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq",
            {"QueueName": "orders-dlq", "Region": "eu-west-1", "Account": "123456789012"},
        ),
        (
            "sqs_queue_url",
            "https://queue.amazonaws.com/123456789012/legacy",
            {"QueueName": "legacy", "Region": "us-east-1", "Account": "123456789012"},
        ),
        (
            "sqs_queue_url",
            "https://us-west-2.queue.amazonaws.com/123456789012/old",
            {"QueueName": "old", "Region": "us-west-2", "Account": "123456789012"},
        ),
        (
            "sqs_queue_url",
            "https://sqs.*.amazonaws.com/*/orders-*",
            {"QueueName": "orders-*", "Region": "*", "Account": "*"},
        ),
        ("sqs_queue_url", "*", {"QueueName": "*"}),
        (
            "sqs_queue_url",
            "https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/claims",
            {"QueueName": "claims", "Region": "us-gov-west-1", "Account": "123456789012"},
        ),
        (
            "sqs_queue_url",
            "https://vpce-0a1b.sqs.eu-central-1.vpce.amazonaws.com/123456789012/jobs",
            {"QueueName": "jobs", "Region": "eu-central-1", "Account": "123456789012"},
        ),
        (
            "sqs_queue_url",
            "http://localhost:4566/000000000000/local",
            {"QueueName": "local", "Account": "000000000000"},
        ),
        ("sqs_queue_url", "https://example.com/123/q", None),
        ("sqs_queue_url", "orders", None),
        (
            "sns_topic_arn",
            "arn:aws:sns:us-east-1:123456789012:alerts",
            {"TopicName": "alerts", "Region": "us-east-1", "Account": "123456789012"},
        ),
        (
            "sns_topic_arn",
            "arn:aws:sns:us-east-1:123456789012:alerts:0b1c4a3e-1111-2222-3333-444455556666",
            {"TopicName": "alerts", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("lambda_function", "resize-image", {"FunctionName": "resize-image"}),
        ("lambda_function", "resize-image:live", {"FunctionName": "resize-image:live"}),
        (
            "lambda_function",
            "123456789012:function:resize-image",
            {"FunctionName": "resize-image", "Account": "123456789012"},
        ),
        (
            "lambda_function",
            "arn:aws:lambda:us-east-1:123456789012:function:resize-image:3",
            {"FunctionName": "resize-image:3", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("kinesis_stream_name", "clicks", {"StreamName": "clicks"}),
        (
            "kinesis_stream_arn",
            "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
            {"StreamName": "clicks", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("firehose_stream_name", "to-s3", {"DeliveryStreamName": "to-s3"}),
        (
            "sfn_state_machine_arn",
            "arn:aws:states:us-east-1:123456789012:stateMachine:checkout",
            {"StateMachineName": "checkout", "Region": "us-east-1", "Account": "123456789012"},
        ),
        (
            "sfn_execution_arn",
            "arn:aws:states:us-east-1:123456789012:execution:checkout:run-42",
            {
                "StateMachineName": "checkout",
                "ExecutionId": "run-42",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        ("secretsmanager_secret", "prod/db", {"SecretId": "prod/db-??????"}),
        ("secretsmanager_secret", "prod/*", {"SecretId": "prod/*"}),
        (
            "secretsmanager_secret",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            {"SecretId": "prod/db-AbCdEf", "Region": "us-east-1", "Account": "123456789012"},
        ),
        (
            "secretsmanager_secret",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db",
            {"SecretId": "prod/db-??????", "Region": "us-east-1", "Account": "123456789012"},
        ),
        # The ARN of a secret the template creates: its suffix is already the wildcard.
        (
            "secretsmanager_secret",
            "arn:*:secretsmanager:*:*:secret:partners/signing-??????",
            {"SecretId": "partners/signing-??????", "Region": "*", "Account": "*"},
        ),
        (
            "ssm_parameter",
            "/app/prod/db-url",
            {"ParameterNameWithoutLeadingSlash": "app/prod/db-url"},
        ),
        ("ssm_parameter", "plain-name", {"ParameterNameWithoutLeadingSlash": "plain-name"}),
        ("ssm_parameter", "/app/db:3", {"ParameterNameWithoutLeadingSlash": "app/db"}),
        ("ssm_parameter", "/app/db:prod", {"ParameterNameWithoutLeadingSlash": "app/db"}),
        (
            "ssm_parameter",
            "arn:aws:ssm:us-east-1:123456789012:parameter/app/x",
            {
                "ParameterNameWithoutLeadingSlash": "app/x",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        ("ssm_parameter_path", "/app/prod/", {"ParameterNameWithoutLeadingSlash": "app/prod*"}),
        ("ssm_parameter_path", "/", {"ParameterNameWithoutLeadingSlash": "*"}),
        ("lambda_function_any_qualifier", "resize", {"FunctionName": "resize:*"}),
        ("lambda_function_any_qualifier", "resize:live", {"FunctionName": "resize:live"}),
        (
            "kms_key",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        ),
        (
            "kms_key",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            {
                "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        ("kms_key", "alias/app-data", {"KeyId": "*"}),
        ("kms_alias", "alias/app-data", {"Alias": "app-data"}),
        ("kms_alias", "app-data", None),
        (
            "kms_key",
            "arn:aws:kms:us-east-1:123456789012:alias/app-data",
            {"KeyId": "*", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("events_bus", "orders-bus", {"EventBusName": "orders-bus"}),
        (
            "events_bus",
            "arn:aws:events:us-east-1:123456789012:event-bus/orders-bus",
            {"EventBusName": "orders-bus", "Region": "us-east-1", "Account": "123456789012"},
        ),
        ("athena_workgroup", "analytics", {"WorkGroupName": "analytics"}),
        ("appconfig_application", "abc1234", {"ApplicationId": "abc1234"}),
        ("appconfig_application", "storefront", {"ApplicationId": "*"}),
        ("appconfig_profile", "checkout-flags", {"ConfigurationProfileId": "*"}),
        (
            "bedrock_model",
            "anthropic.claude-3-haiku-20240307-v1:0",
            {"ResourceId": "anthropic.claude-3-haiku-20240307-v1:0"},
        ),
        (
            "bedrock_model",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
            {
                "ResourceId": "us.anthropic.claude-3-haiku-20240307-v1:0",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        (
            "bedrock_profile_model",
            "us.anthropic.claude-3-haiku-20240307-v1:0",
            {"ResourceId": "anthropic.claude-3-haiku-20240307-v1:0", "Region": "*"},
        ),
        ("ses_identity", "orders@example.com", {"IdentityName": "orders@example.com"}),
        ("ses_identity", "mail.example.com", {"IdentityName": "mail.example.com"}),
        ("ses_sender", "Orders <orders@example.com>", {"IdentityName": "*example.com"}),
        ("ses_sender", "noreply@mail.acme.example", {"IdentityName": "*acme.example"}),
        ("ses_sender", "noreply@*", {"IdentityName": "*"}),
        ("logs_group", "/aws/lambda/resize", {"LogGroupName": "/aws/lambda/resize"}),
        (
            "logs_group",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/resize:*",
            {
                "LogGroupName": "/aws/lambda/resize",
                "Region": "us-east-1",
                "Account": "123456789012",
            },
        ),
        (
            "iam_role_arn",
            "arn:aws:iam::123456789012:role/service/etl-runner",
            {"RoleNameWithPath": "service/etl-runner", "Account": "123456789012"},
        ),
        ("iam_role_name", "etl-runner", {"RoleNameWithPath": "*etl-runner"}),
        (
            "ecs_task_definition",
            "worker:7",
            {"TaskDefinitionFamilyName": "worker", "TaskDefinitionRevisionNumber": "7"},
        ),
        (
            "ecs_task_definition",
            "worker",
            {"TaskDefinitionFamilyName": "worker", "TaskDefinitionRevisionNumber": "*"},
        ),
        ("sagemaker_endpoint", "Fraud-Scorer", {"EndpointName": "fraud-scorer"}),
        ("ssm_document", "acme-patch-baseline", {"DocumentName": "acme-patch-baseline"}),
        (
            "events_rule",
            "arn:aws:events:us-east-1:123456789012:rule/orders-bus/on-paid",
            {"RuleName": "on-paid", "Region": "us-east-1", "Account": "123456789012"},
        ),
    ],
)
def test_transform(name: str, text: str, expected: dict[str, str] | None) -> None:
    assert apply(name, text) == expected


def test_empty_text_is_not_a_value() -> None:
    assert apply("s3_bucket", "") is None


def test_unknown_transform_is_a_bug() -> None:
    with pytest.raises(KeyError):
        apply("no_such_transform", "x")


def test_bedrock_model_kind() -> None:
    kind = transforms.bedrock_model_kind
    assert kind("anthropic.claude-3-haiku-20240307-v1:0") == "foundation-model"
    assert kind("us.anthropic.claude-3-haiku-20240307-v1:0") == "inference-profile"
    assert kind("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc") == (
        "application-inference-profile"
    )
    assert kind("*") is None


def _all_template_vars() -> set[str]:
    root = resources.files("least_priv").joinpath("service_maps", "actions")
    found: set[str] = set()
    for entry in root.iterdir():
        data = json.loads(entry.read_text())
        for rt in data["resources"].values():
            found.update(re.findall(r"\$\{([A-Za-z0-9_]+)\}", rt["arn"]))
    return found


def test_outputs_are_real_template_variables() -> None:
    """A transform whose variables no ARN template uses could never scope anything."""
    known = _all_template_vars() | {"Qualifier"}
    for name in transforms.names():
        assert transforms.OUTPUTS[name] <= known, name


@pytest.mark.parametrize("name", transforms.names())
def test_results_stay_within_declared_outputs_and_keep_wildcards(name: str) -> None:
    for text in (
        "*",
        "abc",
        "arn:aws:x:us-east-1:123456789012:thing/abc",
        "https://sqs.us-east-1.amazonaws.com/1/q",
    ):
        result = apply(name, text)
        if result is None:
            continue
        assert set(result) <= transforms.OUTPUTS[name]
        if text == "*":
            # an unknown value never turns into a concrete one
            assert all("*" in v for k, v in result.items() if k not in ("Region", "Account")), (
                result
            )


_ARN_PIECES = st.sampled_from(
    ["arn", "aws", "s3", "sqs", "lambda", "kms", "us-east-1", "123456789012", "*", "", "table/x",
     "function:f", "alias/a", "key/k", "secret:s-AbCdEf", "parameter/p", "accesspoint/ap"]
)  # fmt: skip


@given(
    name=st.sampled_from(transforms.names()),
    text=st.one_of(
        st.text(min_size=1, max_size=40),
        st.lists(_ARN_PIECES, min_size=1, max_size=7).map(":".join),
    ),
)
@settings(max_examples=400, deadline=None)
def test_transforms_never_raise_and_stay_within_their_outputs(name: str, text: str) -> None:
    result = apply(name, text)
    if result is not None:
        assert set(result) <= transforms.OUTPUTS[name]
        assert all(isinstance(v, str) for v in result.values())
