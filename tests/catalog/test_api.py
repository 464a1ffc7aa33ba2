"""The catalog contract of docs/architecture.md, on the operations Lambda code uses most."""

from __future__ import annotations

import pytest

from least_priv.catalog import get_catalog
from least_priv.model import CallKind, ParamBinding, Unknown, Value

from .calls import call, lit

CAT = get_catalog()


def test_clients_and_prefixes() -> None:
    clients = CAT.clients()
    assert len(clients) > 400
    assert clients == sorted(clients)
    assert CAT.has_client("s3") and not CAT.has_client("s4")
    assert CAT.prefix("cloudwatch") == "cloudwatch"  # botocore signs as "monitoring"
    assert CAT.prefix("resourcegroupstaggingapi") == "tag"
    assert CAT.prefix("iot-data") == "iot"
    assert CAT.prefix("mturk") == "mechanicalturk"
    assert CAT.prefix("stepfunctions") == "states"
    assert CAT.prefix("sso-oidc") == "sso-oauth"  # botocore's signing name is right here
    assert CAT.prefix("nope") is None


def test_every_client_prefix_is_an_iam_prefix_but_two_retired_services() -> None:
    # AWS Application Cost Profiler and IoT Things Graph are discontinued; IAM no longer
    # lists them, so their operations stay unresolved (granted prefix:* with LP703).
    prefixes = set(CAT.prefixes())
    missing = sorted(c for c in CAT.clients() if CAT.prefix(c) not in prefixes)
    assert missing == ["applicationcostprofiler", "iotthingsgraph"]


def test_method_paginator_waiter_names() -> None:
    assert CAT.operation_for_method("s3", "list_objects_v2") == "ListObjectsV2"
    assert CAT.operation_for_method("s3", "ListObjectsV2") is None
    assert CAT.paginator_operation("s3", "list_objects_v2") == "ListObjectsV2"
    assert CAT.paginator_operation("s3", "ListObjectsV2") == "ListObjectsV2"
    assert CAT.paginator_operation("s3", "get_object") is None
    assert CAT.waiter_operation("s3", "object_exists") == "HeadObject"
    assert CAT.waiter_operation("s3", "ObjectExists") == "HeadObject"
    assert CAT.waiter_operation("dynamodb", "table_exists") == "DescribeTable"
    assert CAT.waiter_operation("s3", "nope") is None


@pytest.mark.parametrize(
    ("client", "operation", "actions"),
    [
        ("s3", "ListObjectsV2", ("s3:ListBucket",)),
        ("s3", "HeadObject", ("s3:GetObject",)),
        ("s3", "CreateMultipartUpload", ("s3:PutObject",)),
        ("lambda", "Invoke", ("lambda:InvokeFunction",)),
        ("lambda", "InvokeWithResponseStream", ("lambda:InvokeFunction",)),
        ("sqs", "SendMessageBatch", ("sqs:SendMessage",)),
        ("sns", "PublishBatch", ("sns:Publish",)),
        ("apigatewaymanagementapi", "PostToConnection", ("execute-api:ManageConnections",)),
        ("bedrock-runtime", "Converse", ("bedrock:InvokeModel",)),
        ("appconfigdata", "GetLatestConfiguration", ("appconfig:GetLatestConfiguration",)),
        ("apigateway", "GetRestApis", ("apigateway:GET",)),
        ("apigateway", "DeleteRestApi", ("apigateway:DELETE",)),
        ("cloudwatch", "PutMetricData", ("cloudwatch:PutMetricData",)),
        ("dynamodb", "GetItem", ("dynamodb:GetItem",)),
    ],
)
def test_operation_actions(client: str, operation: str, actions: tuple[str, ...]) -> None:
    info = CAT.operation(client, operation)
    assert info is not None
    assert info.actions == actions
    assert not info.unresolved and info.permissionless is None


def test_operation_info_fields() -> None:
    info = CAT.operation("s3", "GetObject")
    assert info is not None
    assert (info.client, info.operation, info.method, info.prefix) == (
        "s3",
        "GetObject",
        "get_object",
        "s3",
    )
    assert info.http_method == "GET"
    assert {"Bucket", "Key", "VersionId"} <= set(info.inputs)
    assert ParamBinding("Bucket", "s3_bucket") in info.bindings
    assert ParamBinding("Key", "s3_key") in info.bindings
    (req,) = [r for r in info.requirements if r.action == "s3:GetObject"]
    assert req.resource_type == "object"
    assert req.arn_template == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"


@pytest.mark.parametrize(
    ("client", "operation"),
    [
        ("sts", "GetCallerIdentity"),
        ("sts", "AssumeRoleWithWebIdentity"),
        ("cognito-idp", "InitiateAuth"),
        ("cognito-idp", "SignUp"),
    ],
)
def test_permissionless(client: str, operation: str) -> None:
    info = CAT.operation(client, operation)
    assert info is not None and info.permissionless
    assert info.actions == ()
    assert CAT.requirements(call(client, operation)) == []


def test_unknown_operation_and_client() -> None:
    assert CAT.operation("s3", "GetObjects") is None
    assert CAT.operation("s4", "GetObject") is None
    assert CAT.requirements(call("s3", "GetObjects")) == []


def test_action_metadata_is_case_insensitive() -> None:
    info = CAT.action("S3:getobject")
    assert info is not None
    assert info.action == "s3:GetObject"
    assert info.access_level == "Read"
    assert {rt.name for rt, _ in info.resource_types} == {"object", "accesspointobject"}
    assert CAT.action("s3:NoSuchThing") is None
    assert CAT.action("GetObject") is None


def test_expand_wildcards() -> None:
    got = CAT.expand("s3:GetObject*")
    assert "s3:GetObject" in got and "s3:GetObjectTagging" in got
    assert all(a.startswith("s3:GetObject") for a in got)
    assert CAT.expand("sqs:*") == CAT.actions("sqs")
    assert "sqs:SendMessage" in CAT.expand("SQS:send*")
    assert CAT.expand("nope:*") == []


def test_operations_for_action() -> None:
    ops = CAT.operations_for_action("s3:ListBucket")
    assert ("s3", "ListObjectsV2") in ops and ("s3", "HeadBucket") in ops
    assert CAT.operations_for_action("lambda:invokefunction")[:1] != []


def test_event_sources() -> None:
    assert CAT.client_for_event_source("monitoring.amazonaws.com") == "cloudwatch"
    assert CAT.client_for_event_source("s3.amazonaws.com") == "s3"
    assert CAT.client_for_event_source("states.amazonaws.com") == "stepfunctions"
    assert CAT.client_for_event_source("nothing.amazonaws.com") is None


def test_resource_model_is_shipped() -> None:
    model = CAT.resource_model("dynamodb")
    assert model is not None
    assert "Table" in model["resources"]
    assert CAT.resource_model("sqs") is not None
    assert CAT.resource_model("lambda") is None


def test_unresolved_operation_is_a_typed_wildcard() -> None:
    name = CAT.unresolved()[0]
    client, operation = name.split(".")
    (req,) = CAT.requirements(call(client, operation))
    assert req.action == f"{CAT.prefix(client)}:*"
    assert "not mapped" in req.reason


def test_presign_kind_needs_the_operation_actions() -> None:
    got = CAT.requirements(
        call("s3", "GetObject", CallKind.PRESIGN, Bucket=lit("b"), Key=Value(("u/", Unknown())))
    )
    assert [r.action for r in got] == ["s3:GetObject"]
