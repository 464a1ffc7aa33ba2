"""Reachability: handler entry points, module-level code, callbacks, every-function mode."""

from __future__ import annotations

TWO_HANDLERS = {
    "app.py": """
    import boto3
    s3 = boto3.client("s3")
    sqs = boto3.client("sqs")

    def _archive(key):
        s3.put_object(Bucket="archive", Key=key, Body=b"")

    def upload_handler(event, context):
        _archive(event["key"])

    def queue_handler(event, context):
        sqs.send_message(QueueUrl="https://q", MessageBody="x")

    def never_called():
        s3.delete_bucket(Bucket="archive")
    """
}


def test_each_handler_gets_only_its_own_calls(project) -> None:
    proj = project(TWO_HANDLERS)
    assert proj.calls("app.upload_handler") == ["s3.PutObject(Body=*, Bucket=archive, Key=*)"]
    assert proj.calls("app.queue_handler") == ["sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"]


def test_without_handler_every_function_counts(project) -> None:
    assert project(TWO_HANDLERS).calls() == [
        "s3.DeleteBucket(Bucket=archive)",
        "s3.PutObject(Body=*, Bucket=archive, Key=*)",
        "sqs.SendMessage(MessageBody=x, QueueUrl=https://q)",
    ]


def test_without_handler_helpers_are_analysed_through_their_callers(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def publish(client, topic):
                client.publish(TopicArn=topic, Message="m")
            def handler(event, context):
                publish(boto3.client("sns"), "arn:aws:sns:us-east-1:1:t")
            """
        }
    ).analyze()
    # publish() is called by handler(), so it is not analysed on its own with an
    # untraceable client (which would be a false LP211).
    assert [c.arg("TopicArn").text for c in result.calls] == ["arn:aws:sns:us-east-1:1:t"]  # type: ignore[union-attr]
    assert result.findings == ()


def test_module_level_code_of_imported_modules_counts(project) -> None:
    calls = project(
        {
            "warmup.py": """
            import boto3
            SECRET = boto3.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"]
            def unused():
                boto3.client("s3").list_buckets()
            """,
            "other.py": """
            import boto3
            boto3.client("sqs").purge_queue(QueueUrl="https://never-imported")
            """,
            "app.py": """
            import warmup
            def handler(event, context):
                return warmup.SECRET
            """,
        }
    ).calls("app.handler")
    assert calls == ["secretsmanager.GetSecretValue(SecretId=db)"]


def test_functions_nobody_reaches_add_nothing(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                return 1
            def legacy():
                boto3.client("s3").delete_object(Bucket="b", Key="k")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert "app.legacy" not in result.reachable
    assert "app.handler" in result.reachable


def test_route_decorators_register_callbacks(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            from aws_lambda_powertools.event_handler import APIGatewayRestResolver
            app = APIGatewayRestResolver()
            table = boto3.resource("dynamodb").Table("todos")

            @app.get("/todos")
            def list_todos():
                return table.scan()["Items"]

            @app.post("/todos")
            def create_todo():
                table.put_item(Item=app.current_event.json_body)

            def handler(event, context):
                return app.resolve(event, context)
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.PutItem(Item=*, TableName=todos)",
        "dynamodb.Scan(TableName=todos)",
    ]


def test_functions_handed_to_library_code_are_called(project) -> None:
    calls = project(
        {
            "app.py": """
            from concurrent.futures import ThreadPoolExecutor
            import boto3
            from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
            from aws_lambda_powertools.utilities.batch import process_partial_response
            processor = BatchProcessor(event_type=EventType.SQS)
            sns = boto3.client("sns")

            def record_handler(record):
                sns.publish(TopicArn="arn:t", Message=record.body)

            def resize(key):
                boto3.client("s3").get_object(Bucket="img", Key=key)

            def handler(event, context):
                with ThreadPoolExecutor() as pool:
                    list(pool.map(resize, ["a", "b"]))
                return process_partial_response(
                    event=event, record_handler=record_handler, processor=processor, context=context
                )
            """
        }
    ).calls("app.handler")
    assert calls == ["s3.GetObject(Bucket=img, Key=*)", "sns.Publish(Message=*, TopicArn=arn:t)"]


def test_handler_in_a_sub_directory_and_a_package(project) -> None:
    proj = project(
        {
            "src/app.py": """
            from helpers import notify
            def handler(event, context):
                notify("done")
            """,
            "src/helpers.py": """
            import boto3
            def notify(text):
                boto3.client("sns").publish(TopicArn="arn:t", Message=text)
            """,
            "pkg/__init__.py": "",
            "pkg/jobs/__init__.py": "",
            "pkg/jobs/run.py": """
            import boto3
            def main(event, context):
                boto3.client("batch").submit_job(jobName="j", jobQueue="q", jobDefinition="d")
            """,
        }
    )
    assert proj.calls("src/app.handler") == ["sns.Publish(Message=done, TopicArn=arn:t)"]
    assert proj.calls("pkg.jobs.run.main") == [
        "batch.SubmitJob(jobDefinition=d, jobName=j, jobQueue=q)"
    ]


def test_handler_object_with_call_method(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            class Handler:
                def __init__(self):
                    self.sqs = boto3.client("sqs")
                def __call__(self, event, context):
                    self.sqs.send_message(QueueUrl="https://q", MessageBody="x")
            handler = Handler()
            """
        }
    ).calls("app.handler")
    assert calls == ["sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"]


def test_recursion_terminates(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def walk(prefix, depth):
                listing = s3.list_objects_v2(Bucket="b", Prefix=prefix, Delimiter="/")
                for p in listing["CommonPrefixes"]:
                    walk(p["Prefix"], depth + 1)
            def even(n):
                return odd(n - 1) if n else s3.head_bucket(Bucket="b")
            def odd(n):
                return even(n - 1)
            def handler(event, context):
                walk("", 0)
                even(4)
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.HeadBucket(Bucket=b)",
        's3.ListObjectsV2(Bucket=b, Delimiter=/, Prefix="")',
        "s3.ListObjectsV2(Bucket=b, Delimiter=/, Prefix=*)",
    ]


def test_call_graph_is_exposed(project) -> None:
    result = project(TWO_HANDLERS).analyze("app.upload_handler")
    graph = result.call_graph()
    assert graph.has_edge("app.upload_handler", "app._archive")
    assert "app.never_called" not in graph


def test_dynamic_imports(project) -> None:
    proj = project(
        {
            "handlers/__init__.py": "",
            "handlers/orders.py": """
            import boto3
            def run(event):
                boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
            """,
            "app.py": """
            import importlib
            def handler(event, context):
                importlib.import_module("handlers.orders").run(event)
                importlib.import_module("handlers." + event["type"]).run(event)
            """,
        }
    )
    result = proj.analyze("app.handler")
    assert [c.operation for c in result.calls] == ["SendMessage"]
    assert [(f.code, f.location.line) for f in result.findings] == [("LP217", 4)]
