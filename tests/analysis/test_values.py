"""Values of request parameters: literals, constants, f-strings, formatting, environment."""

from __future__ import annotations

import pytest

from least_priv.model import EnvRef, Unknown, Value


def _bucket_values(project, body: str, prelude: str = "") -> list[Value]:
    source = f"""
import os
import boto3
s3 = boto3.client("s3")
{prelude}
def handler(event, context):
    user = event["user"]
{body}
"""
    result = project({"app.py": source}).analyze("app.handler")
    return [c.arg("Key") or Value() for c in result.calls]


@pytest.mark.parametrize(
    ("body", "parts"),
    [
        ('    s3.get_object(Bucket="b", Key="fixed/key.txt")', ("fixed/key.txt",)),
        ('    s3.get_object(Bucket="b", Key=f"uploads/{user}/x")', ("uploads/", Unknown(), "/x")),
        (
            '    s3.get_object(Bucket="b", Key="uploads/" + user + "/x")',
            ("uploads/", Unknown(), "/x"),
        ),
        ('    s3.get_object(Bucket="b", Key="uploads/%s/x" % user)', ("uploads/", Unknown(), "/x")),
        (
            '    s3.get_object(Bucket="b", Key="uploads/{}/{}".format(user, "x"))',
            ("uploads/", Unknown(), "/x"),
        ),
        (
            '    s3.get_object(Bucket="b", Key="uploads/{u}/x".format(u=user))',
            ("uploads/", Unknown(), "/x"),
        ),
        (
            '    s3.get_object(Bucket="b", Key="/".join(["uploads", user, "x"]))',
            ("uploads/", Unknown(), "/x"),
        ),
        ('    s3.get_object(Bucket="b", Key=f"{PREFIX}/{user}")', ("data/", Unknown())),
        ('    s3.get_object(Bucket="b", Key=f"{user:>10}")', (Unknown(),)),
        ('    s3.get_object(Bucket="b", Key=f"{{literal}}/{user}")', ("{literal}/", Unknown())),
        ('    s3.get_object(Bucket="b", Key=f"tab\\t{user}")', ("tab\t", Unknown())),
    ],
)
def test_string_building(project, body: str, parts: tuple[object, ...]) -> None:
    [value] = _bucket_values(project, body, prelude='PREFIX = "data"')
    # Unknown parts carry a reason; compare their kind only.
    normalised = tuple(Unknown() if isinstance(p, Unknown) else p for p in value.parts)
    assert normalised == parts


@pytest.mark.parametrize(
    ("expression", "ref"),
    [
        ('os.environ["BUCKET"]', EnvRef("BUCKET")),
        ('os.environ.get("BUCKET")', EnvRef("BUCKET")),
        ('os.environ.get("BUCKET", "fallback")', EnvRef("BUCKET", "fallback")),
        ('os.getenv("BUCKET", "fallback")', EnvRef("BUCKET", "fallback")),
        ('os.getenv("BUCKET") or "fallback"', EnvRef("BUCKET", "fallback")),
        ('environ["BUCKET"]', EnvRef("BUCKET")),
        ("CONFIG['bucket']", EnvRef("BUCKET")),
        ("BUCKET_NAME", EnvRef("BUCKET")),
    ],
)
def test_environment_references(project, expression: str, ref: EnvRef) -> None:
    source = f"""
import os
from os import environ
import boto3
BUCKET_NAME = os.environ["BUCKET"]
CONFIG = {{"bucket": os.environ["BUCKET"], "region": "us-east-1"}}
def handler(event, context):
    boto3.client("s3").head_bucket(Bucket={expression})
"""
    [call] = project({"app.py": source}).analyze("app.handler").calls
    assert call.arg("Bucket") == Value((ref,))


def test_constants_imported_from_a_config_module(project) -> None:
    result = project(
        {
            "config.py": """
            import os
            STAGE = os.environ.get("STAGE", "dev")
            TABLE = f"orders-{STAGE}"
            QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/" + "jobs"
            """,
            "app.py": """
            import boto3
            import config
            from config import TABLE
            def handler(event, context):
                boto3.client("dynamodb").get_item(TableName=TABLE, Key={})
                boto3.client("sqs").send_message(QueueUrl=config.QUEUE_URL, MessageBody="x")
            """,
        }
    ).analyze("app.handler")
    by_op = {c.operation: c for c in result.calls}
    assert by_op["GetItem"].arg("TableName") == Value(("orders-", EnvRef("STAGE", "dev")))
    assert by_op["SendMessage"].arg("QueueUrl") == Value.literal(
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    )


def test_arguments_passed_down_keep_each_callers_constant(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.client("dynamodb")
            def load(table, key):
                return ddb.get_item(TableName=table, Key={"pk": {"S": key}})
            def handler(event, context):
                load("users", event["u"])
                load("sessions", event["s"])
            """
        }
    ).analyze("app.handler")
    assert sorted(c.arg("TableName").text for c in result.calls) == ["sessions", "users"]  # type: ignore[union-attr]


def test_values_read_once_into_globals(project) -> None:
    result = project(
        {
            "app.py": """
            import os
            import boto3
            _settings = {}
            def settings():
                if not _settings:
                    _settings["queue"] = os.environ["QUEUE_URL"]
                return _settings
            def handler(event, context):
                boto3.client("sqs").send_message(QueueUrl=settings()["queue"], MessageBody="x")
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    assert call.arg("QueueUrl") == Value((EnvRef("QUEUE_URL"),))


def test_structured_arguments_keep_keys(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            ORDERS = "orders"
            ddb = boto3.client("dynamodb")
            def handler(event, context):
                ddb.batch_get_item(RequestItems={ORDERS: {"Keys": []}, "users": {"Keys": []}})
                ddb.transact_write_items(TransactItems=[
                    {"Put": {"TableName": ORDERS, "Item": {}}},
                    {"Delete": {"TableName": "users", "Key": {}}},
                ])
            """
        }
    ).analyze("app.handler")
    by_op = {c.operation: c for c in result.calls}
    items = by_op["BatchGetItem"].arg("RequestItems")
    assert items is not None and [k.text for k, _ in items.mapping or ()] == ["orders", "users"]
    transact = by_op["TransactWriteItems"].arg("TransactItems")
    assert transact is not None and transact.sequence is not None
    first, second = transact.sequence
    assert first.get("Put").get("TableName").text == "orders"  # type: ignore[union-attr]
    assert second.get("Delete").get("TableName").text == "users"  # type: ignore[union-attr]


def test_kwargs_dict_expansion(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                params = {"Bucket": "media", "Key": "a.png"}
                boto3.client("s3").get_object(**params)
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    assert (call.arg("Bucket"), call.arg("Key")) == (Value.literal("media"), Value.literal("a.png"))


def test_two_possible_constants_give_two_calls(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                table = "archive" if event.get("old") else "orders"
                boto3.client("dynamodb").delete_item(TableName=table, Key={})
            """
        }
    ).analyze("app.handler")
    assert sorted(c.arg("TableName").text for c in result.calls) == ["archive", "orders"]  # type: ignore[union-attr]


def test_slices_of_lists_keep_their_elements(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            TABLE = "orders"
            def handler(event, context):
                statements = [
                    {"Statement": f'UPDATE "{TABLE}" SET a = 1 WHERE id = ?', "Parameters": []}
                    for _ in event["ids"]
                ]
                for start in range(0, len(statements), 25):
                    boto3.client("dynamodb").batch_execute_statement(
                        Statements=statements[start : start + 25]
                    )
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    statements = call.arg("Statements")
    assert statements is not None and statements.sequence is not None
    assert statements.sequence[0].get("Statement").text == (  # type: ignore[union-attr]
        'UPDATE "orders" SET a = 1 WHERE id = ?'
    )


def test_class_constants_and_enum_members(project) -> None:
    result = project(
        {
            "app.py": """
            import enum
            import os
            import boto3

            class Config:
                TABLE = os.environ["TABLE"]

            class Queue(str, enum.Enum):
                JOBS = "https://sqs.us-east-1.amazonaws.com/1/jobs"

            def handler(event, context):
                boto3.client("dynamodb").get_item(TableName=Config.TABLE, Key={})
                boto3.client("sqs").send_message(QueueUrl=Queue.JOBS.value, MessageBody="x")
            """
        }
    ).analyze("app.handler")
    by_op = {c.operation: c for c in result.calls}
    assert by_op["GetItem"].arg("TableName") == Value((EnvRef("TABLE"),))
    assert by_op["SendMessage"].arg("QueueUrl") == Value.literal(
        "https://sqs.us-east-1.amazonaws.com/1/jobs"
    )


def test_generators_lists_built_by_append_and_tuple_unpacking(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            BUCKET, PREFIX = "exports", "daily/"

            def listed():
                for page in s3.get_paginator("list_objects_v2").paginate(
                    Bucket=BUCKET, Prefix=PREFIX
                ):
                    for obj in page.get("Contents", []):
                        yield obj["Key"]

            def handler(event, context):
                batch, count = [], 0
                for key in listed():
                    batch.append({"Key": key})
                s3.delete_objects(Bucket=BUCKET, Delete={"Objects": batch})
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.DeleteObjects(Bucket=exports, Delete={Objects: [{Key: daily/*}]})",
        "s3.ListObjectsV2(Bucket=exports, Prefix=daily/)",
    ]


def test_contextmanager_factory_yields_its_client(project) -> None:
    calls = project(
        {
            "app.py": """
            from contextlib import contextmanager
            import boto3

            @contextmanager
            def queue():
                client = boto3.client("sqs")
                try:
                    yield client
                finally:
                    client.close()

            def handler(event, context):
                with queue() as sqs:
                    sqs.send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == ["sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"]


def test_many_calling_contexts_widen_but_lose_nothing(project) -> None:
    callers = "\n".join(f"    put(ddb, 'table{i}')" for i in range(30))
    source = f"""
import boto3

def put(client, table):
    client.put_item(TableName=table, Item={{}})

def handler(event, context):
    ddb = boto3.client("dynamodb")
{callers}
"""
    result = project({"app.py": source}).analyze("app.handler")
    tables = {c.arg("TableName").pattern() for c in result.calls}  # type: ignore[union-attr]
    # The first contexts keep their table; past the limit the table is a wildcard, so no
    # table of the 30 is left out of the policy, and the client stays a client.
    assert "*" in tables
    assert {c.operation for c in result.calls} == {"PutItem"}
    assert result.findings == ()
