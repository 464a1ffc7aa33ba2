"""One test per row of the event-name table (least_priv/trail/quirks.py).

Each case is a record of the shape CloudTrail writes for the call; the expected IAM action
is the one the AWS Service Authorization Reference lists for the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from least_priv.catalog import get_catalog
from least_priv.trail import quirks
from least_priv.trail.mapping import EventMapper
from least_priv.trail.records import Record

T = "2026-03-02T02:00:02Z"
BUCKET = {
    "bucketName": "acme-report-exports",
    "Host": "acme-report-exports.s3.eu-west-1.amazonaws.com",
}


@pytest.fixture(scope="module")
def mapper() -> EventMapper:
    return EventMapper()


def _uses(mapper: EventMapper, record: dict[str, Any]) -> list[tuple[str, str]]:
    rec = msgspec.json.decode(msgspec.json.encode(record), type=Record)
    return sorted((u.action, u.resource) for u in mapper.uses(rec))


RENAMED_CASES = {
    "GetBucketLifecycle": ("s3:GetLifecycleConfiguration", {**BUCKET, "lifecycle": ""}),
    "PutBucketLifecycle": ("s3:PutLifecycleConfiguration", {**BUCKET, "lifecycle": ""}),
    "GetAccelerateConfiguration": ("s3:GetAccelerateConfiguration", {**BUCKET, "accelerate": ""}),
    "PutAccelerateConfiguration": ("s3:PutAccelerateConfiguration", {**BUCKET, "accelerate": ""}),
    "GetBucketObjectLockConfiguration": (
        "s3:GetBucketObjectLockConfiguration",
        {**BUCKET, "object-lock": ""},
    ),
    "PutBucketObjectLockConfiguration": (
        "s3:PutBucketObjectLockConfiguration",
        {**BUCKET, "object-lock": ""},
    ),
    "GetBucketPublicAccessBlock": (
        "s3:GetBucketPublicAccessBlock",
        {**BUCKET, "publicAccessBlock": ""},
    ),
    "PutBucketPublicAccessBlock": (
        "s3:PutBucketPublicAccessBlock",
        {**BUCKET, "publicAccessBlock": ""},
    ),
    "DeleteBucketPublicAccessBlock": (
        "s3:PutBucketPublicAccessBlock",
        {**BUCKET, "publicAccessBlock": ""},
    ),
    "GetBucketNotification": ("s3:GetBucketNotification", {**BUCKET, "notification": ""}),
    "PutBucketNotification": ("s3:PutBucketNotification", {**BUCKET, "notification": ""}),
}
ACCOUNT_LEVEL = {
    "GetAccountPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "PutAccountPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
}


def test_every_renamed_row_has_a_case() -> None:
    names = {name for (_, name) in quirks.RENAMED}
    assert names == set(RENAMED_CASES) | set(ACCOUNT_LEVEL)


def test_every_renamed_row_names_a_real_operation() -> None:
    catalog = get_catalog()
    for row in quirks.RENAMED.values():
        assert catalog.operation(row.client, row.operation) is not None, row


@pytest.mark.parametrize("event_name", sorted(RENAMED_CASES))
def test_s3_bucket_subresource_names(
    mapper: EventMapper, make_record: Callable[..., dict[str, Any]], event_name: str
) -> None:
    action, params = RENAMED_CASES[event_name]
    record = make_record(T, "s3.amazonaws.com", event_name, params)
    assert _uses(mapper, record) == [(action, "arn:aws:s3:::acme-report-exports")]


@pytest.mark.parametrize("event_name", sorted(ACCOUNT_LEVEL))
def test_account_public_access_block_is_s3control_under_s3(
    mapper: EventMapper, make_record: Callable[..., dict[str, Any]], event_name: str
) -> None:
    record = make_record(
        T,
        "s3.amazonaws.com",
        event_name,
        {"Host": "123456789012.s3-control.eu-west-1.amazonaws.com"},
    )
    assert _uses(mapper, record) == [(ACCOUNT_LEVEL[event_name], "*")]


# Names as the Lambda and CloudFront services log them (version suffix kept).
SUFFIXED = [
    ("lambda.amazonaws.com", "Invoke20150331", "Invoke"),
    ("lambda.amazonaws.com", "GetFunction20150331v2", "GetFunction"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "UpdateFunctionCode"),
    ("lambda.amazonaws.com", "PublishLayerVersion20181031", "PublishLayerVersion"),
    ("lambda.amazonaws.com", "PutFunctionConcurrency20171031", "PutFunctionConcurrency"),
    ("lambda.amazonaws.com", "GetAccountSettings20160819", "GetAccountSettings"),
    ("lambda.amazonaws.com", "GetFunctionCodeSigningConfig", "GetFunctionCodeSigningConfig"),
    ("cloudfront.amazonaws.com", "CreateInvalidation2020_05_31", "CreateInvalidation"),
    # Other services are never stripped: digits can be part of a real name.
    ("ec2.amazonaws.com", "DescribeInstances20150331", "DescribeInstances20150331"),
]


@pytest.mark.parametrize(("source", "event", "operation"), SUFFIXED)
def test_version_suffixes(source: str, event: str, operation: str) -> None:
    assert quirks.strip_version(source, event) == operation


def test_versioned_lambda_invoke_maps_to_invoke_function(
    mapper: EventMapper, make_record: Callable[..., dict[str, Any]]
) -> None:
    record = make_record(
        T,
        "lambda.amazonaws.com",
        "Invoke20150331",
        {"functionName": "arn:aws:lambda:eu-west-1:123456789012:function:report-fanout"},
    )
    assert _uses(mapper, record) == [
        ("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:report-fanout")
    ]


@pytest.mark.parametrize(
    ("source", "event", "action"),
    [
        ("s3.amazonaws.com", "ListAccessPoints", "s3:ListAccessPoints"),  # s3control
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroups",
        ),  # elbv2 under the shared source
        ("monitoring.amazonaws.com", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
        ("states.amazonaws.com", "StartExecution", "states:StartExecution"),
        ("execute-api.amazonaws.com", "PostToConnection", "execute-api:ManageConnections"),
        ("dynamodb.amazonaws.com", "GetRecords", "dynamodb:GetRecords"),  # dynamodbstreams
    ],
)
def test_event_sources_with_several_clients(
    mapper: EventMapper, source: str, event: str, action: str
) -> None:
    resolution = mapper.resolve(source, event)
    assert resolution.status == "mapped"
    assert resolution.requirements[0].action == action


@pytest.mark.parametrize(("source", "event"), sorted(quirks.NO_PERMISSION))
def test_events_that_need_no_permission(mapper: EventMapper, source: str, event: str) -> None:
    name = "ConsoleLogin" if event == "*" else event
    resolution = mapper.resolve(source, name)
    assert resolution.status == "no-permission" and resolution.reason


SES_IDENTITIES = [
    ("ses:SendEmail", "arn:aws:ses:eu-west-1:123456789012:identity/acme.example"),
    ("ses:SendEmail", "arn:aws:ses:eu-west-1:123456789012:identity/reports@acme.example"),
]


@pytest.mark.parametrize(
    "params",
    [
        # SES v1 (ses.send_email): the sender is "source".
        {"source": "Reports <reports@acme.example>", "destination": {"toAddresses": ["x@y.z"]}},
        # SES v2 (sesv2.send_email): "fromEmailAddress"; pinpoint-email has the same call
        # but binds nothing, so the request's parameters pick the client.
        {
            "fromEmailAddress": "reports@acme.example",
            "destination": {"toAddresses": ["x@y.z"]},
            "content": {"simple": {"subject": {"data": "Daily report"}}},
        },
    ],
)
def test_a_shared_endpoint_picks_the_client_the_request_fits(
    mapper: EventMapper, make_record: Callable[..., dict[str, Any]], params: dict[str, Any]
) -> None:
    """email.amazonaws.com serves pinpoint-email, ses and sesv2 (catalog's
    clients_for_event_source); each SendEmail form is scoped to its sending identity."""
    record = make_record(T, "email.amazonaws.com", "SendEmail", params)
    assert _uses(mapper, record) == SES_IDENTITIES


def test_a_service_default_fills_the_resource(
    mapper: EventMapper, make_record: Callable[..., dict[str, Any]]
) -> None:
    """An Athena query without workGroup runs in "primary" (the catalog's =primary)."""
    record = make_record(
        T,
        "athena.amazonaws.com",
        "StartQueryExecution",
        {"queryString": "SELECT 1", "resultConfiguration": {"outputLocation": "s3://r/q/"}},
    )
    assert _uses(mapper, record) == [
        ("athena:StartQueryExecution", "arn:aws:athena:eu-west-1:123456789012:workgroup/primary")
    ]
