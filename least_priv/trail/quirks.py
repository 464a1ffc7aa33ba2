"""Where CloudTrail's event names differ from the SDK's operation names.

Most events are named exactly like the API operation (``eventName == "GetSecretValue"``)
and map through the catalog. This table holds the exceptions, each checked by a test in
``tests/trail/test_quirks.py`` with a record of the shape CloudTrail writes.

Sources (public facts): the CloudTrail records of the invictus-ir dataset (Lambda and S3
names), the AWS CloudTrail User Guide ("CloudTrail record contents", "Logging data
events"), the Amazon S3 User Guide ("Amazon S3 CloudTrail events"), the AWS Lambda
Developer Guide ("Logging Lambda API calls using CloudTrail"), and the IAM User Guide
("Actions that need no permission").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lambda and CloudFront log the API version the call went to: ``GetFunction20150331v2``,
# ``ListDistributions2020_05_31``. The operation is the name without it.
VERSION_SUFFIXES: dict[str, re.Pattern[str]] = {
    "lambda.amazonaws.com": re.compile(r"^(?P<op>[A-Za-z]+?)\d{8}(?:v\d+)?$"),
    "cloudfront.amazonaws.com": re.compile(r"^(?P<op>[A-Za-z]+?)\d{4}_\d{2}_\d{2}$"),
}


@dataclass(frozen=True, slots=True)
class Renamed:
    """CloudTrail names the call ``event``; the SDK calls it ``operation`` on ``client``."""

    client: str
    operation: str


# (eventSource, eventName) → the SDK operation behind it.
RENAMED: dict[tuple[str, str], Renamed] = {
    # S3 keeps the pre-2006 REST names for bucket sub-resources in CloudTrail.
    ("s3.amazonaws.com", "GetBucketLifecycle"): Renamed("s3", "GetBucketLifecycleConfiguration"),
    ("s3.amazonaws.com", "PutBucketLifecycle"): Renamed("s3", "PutBucketLifecycleConfiguration"),
    ("s3.amazonaws.com", "GetAccelerateConfiguration"): Renamed(
        "s3", "GetBucketAccelerateConfiguration"
    ),
    ("s3.amazonaws.com", "PutAccelerateConfiguration"): Renamed(
        "s3", "PutBucketAccelerateConfiguration"
    ),
    ("s3.amazonaws.com", "GetBucketObjectLockConfiguration"): Renamed(
        "s3", "GetObjectLockConfiguration"
    ),
    ("s3.amazonaws.com", "PutBucketObjectLockConfiguration"): Renamed(
        "s3", "PutObjectLockConfiguration"
    ),
    ("s3.amazonaws.com", "GetBucketPublicAccessBlock"): Renamed("s3", "GetPublicAccessBlock"),
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock"): Renamed("s3", "PutPublicAccessBlock"),
    ("s3.amazonaws.com", "DeleteBucketPublicAccessBlock"): Renamed("s3", "DeletePublicAccessBlock"),
    ("s3.amazonaws.com", "GetBucketNotification"): Renamed(
        "s3", "GetBucketNotificationConfiguration"
    ),
    ("s3.amazonaws.com", "PutBucketNotification"): Renamed(
        "s3", "PutBucketNotificationConfiguration"
    ),
    # Account-level public access block is an s3control call logged under s3.
    ("s3.amazonaws.com", "GetAccountPublicAccessBlock"): Renamed(
        "s3control", "GetPublicAccessBlock"
    ),
    ("s3.amazonaws.com", "PutAccountPublicAccessBlock"): Renamed(
        "s3control", "PutPublicAccessBlock"
    ),
    ("s3.amazonaws.com", "DeleteAccountPublicAccessBlock"): Renamed(
        "s3control", "DeletePublicAccessBlock"
    ),
}

# Events that are not calls an identity policy authorises: console sign-in, console-only
# data endpoints, service-internal steps, and calls that need no permission at all.
NO_PERMISSION: dict[tuple[str, str], str] = {
    ("signin.amazonaws.com", "*"): "console sign-in event, not an API call",
    ("s3.amazonaws.com", "GetStorageLensDashboardDataInternal"): "console-internal call",
    ("sts.amazonaws.com", "GetCallerIdentity"): "needs no permission",
    ("secretsmanager.amazonaws.com", "StartSecretVersionDelete"): "service-internal step",
    ("secretsmanager.amazonaws.com", "EndSecretVersionDelete"): "service-internal step",
    ("health.amazonaws.com", "DescribeEventAggregatesInternal"): "console-internal call",
}


def strip_version(event_source: str, event_name: str) -> str:
    """The event name without an API-version suffix (``Invoke20150331`` → ``Invoke``)."""
    pattern = VERSION_SUFFIXES.get(event_source)
    if pattern is None:
        return event_name
    match = pattern.match(event_name)
    return match["op"] if match else event_name


def no_permission_reason(event_source: str, event_name: str) -> str | None:
    """Why an event needs no identity permission, or None when it does."""
    return NO_PERMISSION.get((event_source, event_name)) or NO_PERMISSION.get((event_source, "*"))
