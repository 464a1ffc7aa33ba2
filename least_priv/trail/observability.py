"""Which IAM actions CloudTrail shows by default, so absence from a trail means something.

A trail logs management events unless told otherwise. Data events (object- and item-level
calls) appear only with a data-event selector, and some actions are never logged at all.
For those, "never seen in the window" proves nothing, and the merge says so instead of
calling the permission unused.

Source (public facts): AWS CloudTrail User Guide, "Logging data events" (resource types
AWS::S3::Object, AWS::DynamoDB::Table, AWS::Lambda::Function, AWS::SNS::Topic,
AWS::SQS::Queue, AWS::Kinesis::Stream, AWS::CloudWatch::Metric, ...), and the IAM User
Guide on iam:PassRole ("PassRole is not an API call and is not logged").
"""

from __future__ import annotations

import fnmatch
import re

NEVER_LOGGED: dict[str, str] = {
    "iam:PassRole": "iam:PassRole is a permission check, not an API call: never logged",
    "execute-api:ManageConnections": "API Gateway connection callbacks are not logged",
    "xray:PutTraceSegments": "X-Ray trace uploads are not logged as management events",
    "xray:PutTelemetryRecords": "X-Ray telemetry uploads are not logged as management events",
}

# Action patterns logged only as data events (need a data-event selector on the trail).
DATA_EVENTS: dict[str, str] = {
    "s3:*Object*": "S3 object-level call (data event)",
    "s3:ListBucket": "S3 object listing (data event)",
    "s3:ListBucketVersions": "S3 object listing (data event)",
    "s3:ListBucketMultipartUploads": "S3 multipart listing (data event)",
    "s3:ListMultipartUploadParts": "S3 multipart call (data event)",
    "s3:AbortMultipartUpload": "S3 multipart call (data event)",
    "s3-object-lambda:*": "S3 Object Lambda call (data event)",
    "dynamodb:*Item": "DynamoDB item-level call (data event)",
    "dynamodb:Query": "DynamoDB item-level call (data event)",
    "dynamodb:Scan": "DynamoDB item-level call (data event)",
    "dynamodb:PartiQL*": "DynamoDB PartiQL call (data event)",
    "dynamodb:GetRecords": "DynamoDB Streams read (data event)",
    "dynamodb:GetShardIterator": "DynamoDB Streams read (data event)",
    "lambda:InvokeFunction": "Lambda invocation (data event)",
    "lambda:InvokeFunctionUrl": "Lambda function URL invocation (data event)",
    "sns:Publish": "SNS publish (data event)",
    "sqs:SendMessage": "SQS message call (data event)",
    "sqs:ReceiveMessage": "SQS message call (data event)",
    "sqs:DeleteMessage": "SQS message call (data event)",
    "sqs:ChangeMessageVisibility": "SQS message call (data event)",
    "kinesis:PutRecord*": "Kinesis record call (data event)",
    "kinesis:GetRecords": "Kinesis record call (data event)",
    "kinesis:GetShardIterator": "Kinesis record call (data event)",
    "kinesis:SubscribeToShard": "Kinesis record call (data event)",
    "firehose:PutRecord*": "Firehose record upload (not a management event)",
    "logs:PutLogEvents": "CloudWatch Logs ingestion (not a management event)",
    "logs:GetLogEvents": "CloudWatch Logs read (not a management event)",
    "logs:FilterLogEvents": "CloudWatch Logs read (not a management event)",
    "cloudwatch:PutMetricData": "CloudWatch metric call (data event)",
    "cloudwatch:GetMetricData": "CloudWatch metric call (data event)",
    "cloudwatch:GetMetricStatistics": "CloudWatch metric call (data event)",
}

_DATA = [
    (re.compile(fnmatch.translate(pattern.lower())), why) for pattern, why in DATA_EVENTS.items()
]
_NEVER = {action.lower(): why for action, why in NEVER_LOGGED.items()}


def unobservable_reason(action: str) -> str | None:
    """Why CloudTrail would not show ``action`` by default, or None when it would."""
    lowered = action.lower()
    never = _NEVER.get(lowered)
    if never is not None:
        return never
    for pattern, why in _DATA:
        if pattern.match(lowered):
            return why
    return None
