"""Records → permissions: where the resource comes from, denials, PassRole, unknown events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from least_priv.trail.mapping import EventMapper, Use, collapse_object_key, partition_of
from least_priv.trail.records import Record

T = "2026-03-02T02:00:02Z"
Make = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def mapper() -> EventMapper:
    return EventMapper()


def _uses(mapper: EventMapper, record: dict[str, Any]) -> list[Use]:
    rec = msgspec.json.decode(msgspec.json.encode(record), type=Record)
    return sorted(mapper.uses(rec), key=lambda u: (u.action, u.resource))


def test_resource_from_request_parameters(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(
        T, "ssm.amazonaws.com", "GetParameter", {"name": "/report-exporter/config"}
    )
    assert _uses(mapper, record) == [
        Use(
            "ssm:GetParameter",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/report-exporter/config",
        )
    ]


def test_resource_from_the_resources_list(mapper: EventMapper, make_record: Make) -> None:
    """KMS logs the key ARN in resources[] while the request names an alias."""
    key = "arn:aws:kms:eu-west-1:123456789012:key/1f0c7b5e-0d57-4f1e-9d5a-2a1f3e8b7c90"
    record = make_record(
        T,
        "kms.amazonaws.com",
        "Decrypt",
        {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        resources=[{"accountId": "123456789012", "type": "AWS::KMS::Key", "ARN": key}],
    )
    assert _uses(mapper, record) == [Use("kms:Decrypt", key)]


def test_s3_object_keys_are_reduced_to_their_folder_and_extension(
    mapper: EventMapper, make_record: Make
) -> None:
    record = make_record(
        T,
        "s3.amazonaws.com",
        "PutObject",
        {"bucketName": "acme-report-exports", "key": "exports/2026/03/daily.json"},
        category="Data",
    )
    assert _uses(mapper, record) == [
        Use("s3:PutObject", "arn:aws:s3:::acme-report-exports/exports/2026/03/*.json")
    ]
    assert collapse_object_key("top.json") == "*.json"
    assert collapse_object_key("a/b/") == "a/b/*"
    assert collapse_object_key("a.b/c") == "a.b/*"
    assert collapse_object_key("x/y/*.json") == "x/y/*.json"


def test_dict_keys_name_tables(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(
        T,
        "dynamodb.amazonaws.com",
        "BatchWriteItem",
        {"requestItems": {"orders": [{"putRequest": {}}], "order-lines": [{"putRequest": {}}]}},
        category="Data",
    )
    assert [u.resource for u in _uses(mapper, record)] == [
        "arn:aws:dynamodb:eu-west-1:123456789012:table/order-lines",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    ]


def test_missing_resource_becomes_a_typed_wildcard(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(T, "ssm.amazonaws.com", "GetParameter", None)
    (use,) = _uses(mapper, record)
    assert use == Use(
        "ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/*", resolved=False
    )


_SSM = "arn:aws:ssm:eu-west-1:123456789012"
_EC2 = "arn:aws:ec2:eu-west-1:123456789012"


@pytest.mark.parametrize(
    ("source", "name", "params", "use"),
    [
        (
            "ssm.amazonaws.com",
            "GetDocument",
            {"name": "report-exporter-bootstrap", "documentVersion": "$LATEST"},
            Use("ssm:GetDocument", f"{_SSM}:document/report-exporter-bootstrap"),
        ),
        (
            # AWS-owned documents have no account in their ARN.
            "ssm.amazonaws.com",
            "DescribeDocument",
            {"name": "AWS-RunShellScript"},
            Use("ssm:DescribeDocument", "arn:aws:ssm:eu-west-1:*:document/AWS-RunShellScript"),
        ),
        (
            "ec2.amazonaws.com",
            "GetPasswordData",
            {"instanceId": "i-0b22a22eec53b9321"},
            Use("ec2:GetPasswordData", f"{_EC2}:instance/i-0b22a22eec53b9321"),
        ),
        (
            "ec2.amazonaws.com",
            "DescribeInstanceAttribute",
            {"instanceId": "i-0b22a22eec53b9321", "attribute": "userData"},
            Use("ec2:DescribeInstanceAttribute", f"{_EC2}:instance/i-0b22a22eec53b9321"),
        ),
        (
            # The VPC is what the call creates: a typed wildcard on the vpc, not an IPAM pool.
            "ec2.amazonaws.com",
            "CreateVpc",
            {"cidrBlock": "10.20.0.0/16", "instanceTenancy": "default"},
            Use("ec2:CreateVpc", "arn:aws:ec2:eu-west-1:123456789012:vpc/*", resolved=False),
        ),
    ],
)  # fmt: skip
def test_id_parameters_name_the_resource(
    mapper: EventMapper,
    make_record: Make,
    source: str,
    name: str,
    params: dict[str, Any],
    use: Use,
) -> None:
    assert _uses(mapper, make_record(T, source, name, params)) == [use]


def test_a_vpc_from_an_ipam_pool_is_granted_on_the_pool_too(
    mapper: EventMapper, make_record: Make
) -> None:
    params = {"ipv4IpamPoolId": "ipam-pool-0a1b2c3d4e5f67890", "ipv4NetmaskLength": 24}
    assert _uses(mapper, make_record(T, "ec2.amazonaws.com", "CreateVpc", params)) == [
        Use("ec2:CreateVpc", "arn:aws:ec2::123456789012:ipam-pool/ipam-pool-0a1b2c3d4e5f67890"),
        Use("ec2:CreateVpc", f"{_EC2}:vpc/*", resolved=False),
    ]


def test_denied_message_names_action_and_resource(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(
        T,
        "ssm.amazonaws.com",
        "GetParameters",
        {"names": ["/a", "/b"]},
        error=(
            "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/report-exporter-role/report-exporter "
            "is not authorized to perform: ssm:GetParameters on resource: "
            "arn:aws:ssm:eu-west-1:123456789012:parameter/a because no identity-based policy "
            "allows the ssm:GetParameters action",
        ),
    )
    assert _uses(mapper, record) == [
        Use("ssm:GetParameters", "arn:aws:ssm:eu-west-1:123456789012:parameter/a", denied=True)
    ]


def test_ec2_unauthorized_without_detail_uses_the_mapping(
    mapper: EventMapper, make_record: Make
) -> None:
    record = make_record(
        T,
        "ec2.amazonaws.com",
        "DescribeInstances",
        {"instancesSet": {}},
        error=("Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
    )
    assert _uses(mapper, record) == [Use("ec2:DescribeInstances", "*", denied=True)]


def test_other_errors_still_prove_the_call_was_authorised(
    mapper: EventMapper, make_record: Make
) -> None:
    record = make_record(
        T,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/report-exporter/config"},
        error=("ThrottlingException", "Rate exceeded"),
    )
    assert [u.denied for u in _uses(mapper, record)] == [False]


def test_a_passed_role_implies_pass_role(mapper: EventMapper, make_record: Make) -> None:
    """iam:PassRole is never logged; the call that passed the role proves it was needed."""
    role = "arn:aws:iam::123456789012:role/report-fanout-sfn"
    record = make_record(
        T,
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        {"functionName": "report-fanout", "role": role, "runtime": "python3.12"},
        read_only=False,
    )
    assert _uses(mapper, record) == [
        Use("iam:PassRole", role),
        Use(
            "lambda:CreateFunction", "arn:aws:lambda:eu-west-1:123456789012:function:report-fanout"
        ),
    ]


def test_unknown_events_are_unmapped(mapper: EventMapper, make_record: Make) -> None:
    assert mapper.resolve("example.amazonaws.com", "DoSomething").status == "unmapped"
    assert _uses(mapper, make_record(T, "example.amazonaws.com", "DoSomething", None)) == []


@pytest.mark.parametrize(
    ("region", "partition"),
    [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("", "aws")],
)
def test_partition_of(region: str, partition: str) -> None:
    assert partition_of(region) == partition


def test_listed_object_arns_are_reduced_to_their_folder_too(
    mapper: EventMapper, make_record: Make
) -> None:
    """S3 data events list the object and the bucket in resources[]."""
    record = make_record(
        T,
        "s3.amazonaws.com",
        "GetObject",
        {"bucketName": "acme-report-exports", "key": "in/2026/03/a.json", "Host": "x"},
        category="Data",
        resources=[
            {
                "type": "AWS::S3::Object",
                "ARN": "arn:aws:s3:::acme-report-exports/in/2026/03/a.json",
            },
            {
                "accountId": "123456789012",
                "type": "AWS::S3::Bucket",
                "ARN": "arn:aws:s3:::acme-report-exports",
            },
        ],
    )
    assert _uses(mapper, record) == [
        Use("s3:GetObject", "arn:aws:s3:::acme-report-exports/in/2026/03/*.json")
    ]


def test_catalog_content_rules_apply_to_the_logged_request(
    mapper: EventMapper, make_record: Make
) -> None:
    """A versionId in the request means s3:GetObjectVersion, as for code."""
    params = {"bucketName": "acme-report-exports", "key": "in/a.json"}
    plain = make_record(T, "s3.amazonaws.com", "GetObject", params, category="Data")
    versioned = make_record(
        T,
        "s3.amazonaws.com",
        "GetObject",
        {**params, "versionId": "3HL4kqtJlcpXroDTDmJ"},
        category="Data",
    )
    assert [u.action for u in _uses(mapper, plain)] == ["s3:GetObject"]
    assert [u.action for u in _uses(mapper, versioned)] == ["s3:GetObjectVersion"]


def test_query_on_an_index_is_granted_on_the_index(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(
        T,
        "dynamodb.amazonaws.com",
        "Query",
        {"tableName": "orders", "indexName": "by-customer", "limit": 25},
        category="Data",
    )
    assert [u.resource for u in _uses(mapper, record)] == [
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-customer"
    ]


def test_repeated_requests_are_mapped_once(mapper: EventMapper, make_record: Make) -> None:
    record = make_record(T, "ssm.amazonaws.com", "GetParameter", {"name": "/report-exporter/x"})
    rec = msgspec.json.decode(msgspec.json.encode(record), type=Record)
    first = mapper.uses(rec)
    assert mapper.uses(rec) is first
