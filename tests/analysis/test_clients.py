"""Where clients come from: factories, sessions, aliases, async SDKs, service constants."""

from __future__ import annotations

import pytest

from least_priv.analysis import analyze
from least_priv.model import EnvRef, Value


@pytest.mark.parametrize(
    "source",
    [
        # The plain factory.
        """
        import boto3
        def handler(event, context):
            boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # Module alias.
        """
        import boto3 as b
        sqs = b.client("sqs")
        def handler(event, context):
            sqs.send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # Imported factory function, renamed.
        """
        from boto3 import client as make_client
        def handler(event, context):
            make_client(service_name="sqs").send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # boto3.Session(...).client
        """
        import boto3
        session = boto3.Session(region_name="eu-west-1")
        def handler(event, context):
            session.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # boto3.session.Session()
        """
        import boto3.session
        def handler(event, context):
            sqs = boto3.session.Session().client("sqs")
            sqs.send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # from boto3.session import Session
        """
        from boto3.session import Session
        def handler(event, context):
            Session().client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # botocore's own session.
        """
        import botocore.session
        def handler(event, context):
            sqs = botocore.session.get_session().create_client("sqs")
            sqs.send_message(QueueUrl="https://q", MessageBody="x")
        """,
        # The service name held in a module constant, the queue URL in another.
        """
        import boto3
        SERVICE = "sqs"
        QUEUE = "https://q"
        def handler(event, context):
            boto3.client(SERVICE).send_message(QueueUrl=QUEUE, MessageBody="x")
        """,
    ],
)
def test_client_factories(project, source: str) -> None:
    assert project({"app.py": source}).calls("app.handler") == [
        "sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"
    ]


def test_resource_factory_and_session_resource(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.resource("dynamodb")
            s3 = boto3.Session().resource("s3")
            def handler(event, context):
                ddb.Table("orders").get_item(Key={"id": "1"})
                s3.Bucket("media").Object("a.txt").delete()
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.GetItem(Key={id: 1}, TableName=orders)",
        "s3.DeleteObject(Bucket=media, Key=a.txt)",
    ]


def test_aioboto3_async_with(project) -> None:
    calls = project(
        {
            "app.py": """
            import asyncio
            import aioboto3

            session = aioboto3.Session()

            async def fetch(key):
                async with session.client("s3") as s3:
                    obj = await s3.get_object(Bucket="assets", Key=key)
                    return await obj["Body"].read()

            async def store(item):
                async with session.resource("dynamodb") as ddb:
                    table = await ddb.Table("items")
                    await table.put_item(Item=item)

            def handler(event, context):
                return asyncio.run(fetch(event["key"]))
            """
        }
    ).calls("app.handler")
    # store() is not reachable from the handler.
    assert calls == ["s3.GetObject(Bucket=assets, Key=*)"]


def test_aiobotocore_create_client(project) -> None:
    calls = project(
        {
            "app.py": """
            from aiobotocore.session import get_session

            async def handler(event, context):
                session = get_session()
                async with session.create_client("sns", region_name="us-east-1") as sns:
                    await sns.publish(TopicArn="arn:aws:sns:us-east-1:1:t", Message="m")
            """
        }
    ).calls("app.handler")
    assert calls == ["sns.Publish(Message=m, TopicArn=arn:aws:sns:us-east-1:1:t)"]


def test_client_created_but_never_called_needs_nothing(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            ddb = boto3.resource("dynamodb")
            table = ddb.Table("orders")
            def handler(event, context):
                return {"statusCode": 200}
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert result.findings == ()


def test_local_only_methods_make_no_call(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def handler(event, context):
                region = s3.meta.region_name
                try:
                    pass
                except s3.exceptions.NoSuchKey:
                    pass
                s3.can_paginate("list_objects_v2")
                s3.close()
                return region
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert result.findings == ()


def test_unknown_service_name_literal_is_reported(project) -> None:
    proj = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                boto3.client("dynamo").put_item(TableName="t", Item={})
            """
        }
    )
    assert proj.calls("app.handler") == []
    assert proj.codes("app.handler") == ["LP214"]


def test_service_name_from_a_variable_is_a_finding_with_location(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                client = boto3.client(event["service"])
                client.describe_things()
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    [finding] = result.findings
    assert finding.code == "LP210"
    assert finding.location.line == 4
    assert "describe_things" in finding.message


def test_service_name_chosen_from_two_constants_gives_both(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                name = "sqs" if event["fifo"] else "sns"
                client = boto3.client(name)
                client.list_tags_for_resource(ResourceArn="arn")
            """
        }
    ).calls("app.handler")
    assert calls == ["sns.ListTagsForResource(ResourceArn=arn)"]


def test_calls_with_assumed_role_credentials_are_not_this_roles(project) -> None:
    result = project(
        {
            "app.py": """
            import os
            import boto3
            sts = boto3.client("sts")
            def member(account):
                creds = sts.assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/reader", RoleSessionName="x"
                )["Credentials"]
                return boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                )
            def handler(event, context):
                member("111122223333").client("s3").get_object(Bucket="b", Key="k")
                member("111122223333").resource("dynamodb").Table("t").put_item(Item={})
                keys = boto3.client("sqs", aws_access_key_id=os.environ["PARTNER_KEY_ID"])
                keys.send_message(QueueUrl="https://q", MessageBody="x")
                own = boto3.client("sns", aws_session_token=os.environ["AWS_SESSION_TOKEN"])
                own.publish(TopicArn="arn:t", Message="m")
            """
        }
    ).analyze("app.handler")
    assert sorted(f"{c.service}.{c.operation}" for c in result.calls) == [
        "sns.Publish",
        "sts.AssumeRole",
    ]
    assert [(f.code, f.location.line) for f in result.findings] == [
        ("LP216", 14),
        ("LP216", 15),
        ("LP216", 17),
    ]


def test_service_name_from_the_environment_when_env_gives_it(project) -> None:
    proj = project(
        {
            "app.py": """
            import os
            import boto3
            def handler(event, context):
                client = boto3.client(os.environ["QUEUE_SERVICE"])
                client.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="x")
            """
        }
    )
    without = proj.analyze("app.handler")
    assert without.calls == ()
    assert [f.code for f in without.findings] == ["LP210"]
    with_env = analyze([str(proj.root)], "app.handler", env={"QUEUE_SERVICE": "sqs"})
    [call] = with_env.calls
    assert (call.service, call.operation) == ("sqs", "SendMessage")
    # Request parameters keep the reference; the policy stage resolves it.
    assert call.arg("QueueUrl") == Value((EnvRef("QUEUE_URL"),))


def test_clients_pinned_to_a_region_say_so(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            DR = "eu-west-1"
            dr_table = boto3.resource("dynamodb", region_name=DR).Table("orders-dr")
            dr_session = boto3.Session(region_name="ap-southeast-2")
            def handler(event, context):
                dr_table.put_item(Item={})
                dr_table.meta.client.describe_table(TableName="orders-dr")
                dr_session.client("sqs").get_queue_url(QueueName="q")
                boto3.client("sns").publish(TopicArn="arn:t", Message="m")
            """
        }
    ).analyze("app.handler")
    regions = {c.operation: c.region for c in result.calls}
    assert regions == {
        "PutItem": Value.literal("eu-west-1"),
        "DescribeTable": Value.literal("eu-west-1"),
        "GetQueueUrl": Value.literal("ap-southeast-2"),
        "Publish": None,
    }


def test_region_name_none_is_the_default_region(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def client(region=None):
                return boto3.client("sqs", region_name=region)
            def handler(event, context):
                client().send_message(QueueUrl="https://q", MessageBody="x")
                client("eu-west-1").send_message(QueueUrl="https://q", MessageBody="y")
            """
        }
    ).analyze("app.handler")
    assert sorted(
        (c.arg("MessageBody").text, c.region and c.region.text)
        for c in result.calls  # type: ignore[union-attr]
    ) == [("x", None), ("y", "eu-west-1")]
