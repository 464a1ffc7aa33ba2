"""Generate a synthetic serverless monorepo for the speed benchmark.

Each function looks like the Lambda projects people write: a handler module, a repository
module wrapping DynamoDB/S3/SQS calls, a validation module with plain Python, and a shared
layer (``layers/shared``: configuration from Secrets Manager, SNS notifications, helpers)
that every handler imports. A SAM template describes every function with its environment
and the layer. The generator is deterministic (seeded) so runs compare like with like.

Usage (to look at one)::

    .venv/bin/python benchmarks/monorepo.py DIR [--functions 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import textwrap
from pathlib import Path

_SERVICES = ("orders", "invoices", "users", "shipments", "payments", "catalog", "reviews")

_HANDLER = '''\
"""{title} API handler."""
import json
import logging
import os

from shared_lib.config import secret_value
from shared_lib.notify import publish_event
from {pkg}.repository import {cls}Repository
from {pkg}.validation import validate_{name}

LOGGER = logging.getLogger(__name__)
REPO = {cls}Repository(os.environ["TABLE_NAME"], os.environ["BUCKET_NAME"])


def _response(status, body):
    return {{"statusCode": status, "headers": {{"Content-Type": "application/json"}},
            "body": json.dumps(body, default=str)}}


def lambda_handler(event, context):
    method = event.get("httpMethod", "GET")
    item_id = (event.get("pathParameters") or {{}}).get("id")
    LOGGER.info("request %s %s", method, item_id)
    if method == "GET" and item_id:
        item = REPO.get(item_id)
        return _response(200 if item else 404, item or {{"message": "not found"}})
    if method == "GET":
        return _response(200, REPO.list_recent(limit=25))
    if method == "POST":
        payload = json.loads(event.get("body") or "{{}}")
        errors = validate_{name}(payload)
        if errors:
            return _response(400, {{"errors": errors}})
        saved = REPO.save(payload)
        REPO.archive(saved)
        REPO.notify(saved)
        publish_event("{name}.created", saved, signing_key=secret_value("signing-key"))
        return _response(201, saved)
    if method == "DELETE" and item_id:
        REPO.delete(item_id)
        return _response(204, {{}})
    return _response(405, {{"message": "method not allowed"}})
'''

_REPOSITORY = '''\
"""Persistence for {name} records."""
import json
import os
import uuid
from datetime import datetime, timezone

import boto3
from boto3.dynamodb.conditions import Key

_DDB = boto3.resource("dynamodb")
_S3 = boto3.client("s3")
_SQS = boto3.client("sqs")
QUEUE_URL = os.environ.get("QUEUE_URL", "")


class {cls}Repository:
    """DynamoDB-backed store with an S3 archive and an SQS notification."""

    def __init__(self, table_name, bucket_name):
        self.table = _DDB.Table(table_name)
        self.bucket = bucket_name

    def get(self, item_id):
        response = self.table.get_item(Key={{"pk": item_id}})
        return response.get("Item")

    def list_recent(self, limit=25):
        response = self.table.query(
            IndexName="by-created",
            KeyConditionExpression=Key("kind").eq("{name}"),
            Limit=limit,
            ScanIndexForward=False,
        )
        return response.get("Items", [])

    def save(self, payload):
        item = dict(payload)
        item["pk"] = item.get("pk") or str(uuid.uuid4())
        item["kind"] = "{name}"
        item["created"] = datetime.now(timezone.utc).isoformat()
        self.table.put_item(Item=item)
        return item

    def archive(self, item):
        key = f"archive/{{item['pk']}}.json"
        _S3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(item).encode())

    def notify(self, item):
        if QUEUE_URL:
            _SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({{"id": item["pk"]}}))

    def delete(self, item_id):
        self.table.delete_item(Key={{"pk": item_id}})
'''

_VALIDATION_FIELD = '''
def check_{field}(value, errors):
    """Validate the {field} field."""
    if value is None:
        errors.append("{field} is required")
        return
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            errors.append("{field} must not be blank")
        elif len(stripped) > {limit}:
            errors.append("{field} is longer than {limit} characters")
    elif isinstance(value, (int, float)):
        if value < 0:
            errors.append("{field} must not be negative")
        elif value > {limit} * 1000:
            errors.append("{field} is too large")
    else:
        errors.append("{field} has an unsupported type")
'''


_LAYER = {
    "shared_lib/__init__.py": '"""Helpers shared by every function of the monorepo."""\n',
    "shared_lib/config.py": '''"""Configuration from Secrets Manager, read once per container."""
import functools
import json
import os

import boto3

_SECRETS = boto3.client("secretsmanager")
SECRET_ID = os.environ.get("CONFIG_SECRET", "monorepo/config")


@functools.lru_cache(maxsize=1)
def _config():
    response = _SECRETS.get_secret_value(SecretId=SECRET_ID)
    return json.loads(response["SecretString"])


def secret_value(name, default=None):
    """One value of the shared configuration secret."""
    return _config().get(name, default)
''',
    "shared_lib/notify.py": '''"""Domain events on the shared SNS topic."""
import hashlib
import hmac
import json
import os

import boto3

_SNS = boto3.client("sns")
TOPIC_ARN = os.environ["EVENTS_TOPIC_ARN"]


def _signature(body, key):
    if not key:
        return ""
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def publish_event(kind, detail, signing_key=None):
    """Publish one event; subscribers filter on the kind attribute."""
    body = json.dumps({"kind": kind, "detail": detail}, default=str, sort_keys=True)
    _SNS.publish(
        TopicArn=TOPIC_ARN,
        Message=body,
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": kind},
            "signature": {"DataType": "String", "StringValue": _signature(body, signing_key)},
        },
    )
''',
}


def _validation_module(name: str, rng: random.Random, fields: int) -> str:
    names = [f"field_{i}" for i in range(fields)]
    parts = [f'"""Input validation for {name} payloads (plain Python, no AWS)."""\n']
    for field in names:
        parts.append(_VALIDATION_FIELD.format(field=field, limit=rng.randint(16, 512)))
    checks = "\n".join(f"    check_{f}(payload.get({f!r}), errors)" for f in names)
    parts.append(
        f"\n\ndef validate_{name}(payload):\n"
        f'    """All validation errors of a payload."""\n'
        f"    errors = []\n{checks}\n    return errors\n"
    )
    return "".join(parts)


def generate(root: Path, functions: int = 200, fields: int = 21, seed: int = 7) -> int:
    """Write ``functions`` Lambda projects and a SAM template under ``root``; return lines."""
    rng = random.Random(seed)
    lines = 0
    resources: list[str] = []
    layer = root / "layers" / "shared" / "python"
    for relative, text in _LAYER.items():
        path = layer / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines += text.count("\n")
    for index in range(functions):
        base = _SERVICES[index % len(_SERVICES)]
        name = f"{base}{index}"
        pkg = f"svc_{name}"
        code = root / "functions" / name
        package = code / pkg
        package.mkdir(parents=True, exist_ok=True)
        files = {
            code / "app.py": _HANDLER.format(
                title=name.title(), pkg=pkg, cls=name.title(), name=name
            ),
            package / "__init__.py": "",
            package / "repository.py": _REPOSITORY.format(cls=name.title(), name=name),
            package / "validation.py": _validation_module(name, rng, fields),
        }
        for path, text in files.items():
            path.write_text(text)
            lines += text.count("\n")
        resource = f"""\
            {name.title()}Function:
              Type: AWS::Serverless::Function
              Properties:
                CodeUri: functions/{name}/
                Handler: app.lambda_handler
                Layers:
                  - !Ref SharedLayer
                Environment:
                  Variables:
                    TABLE_NAME: {name}-table
                    BUCKET_NAME: {name}-archive
                    QUEUE_URL: https://sqs.us-east-1.amazonaws.com/123456789012/{name}-events
            """
        resources.append(textwrap.indent(textwrap.dedent(resource), "  "))
    header = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    Runtime: python3.12\n"
        "    Environment:\n      Variables:\n"
        "        EVENTS_TOPIC_ARN: arn:aws:sns:us-east-1:123456789012:monorepo-events\n"
        "        CONFIG_SECRET: monorepo/config\n"
        "Resources:\n"
        "  SharedLayer:\n"
        "    Type: AWS::Serverless::LayerVersion\n"
        "    Properties:\n"
        "      ContentUri: layers/shared/\n"
        "      CompatibleRuntimes: [python3.12]\n"
    )
    (root / "template.yaml").write_text(header + "".join(resources))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write a monorepo into DIR and print its line count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--functions", type=int, default=200)
    opts = parser.parse_args(argv)
    print(generate(opts.directory, functions=opts.functions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
