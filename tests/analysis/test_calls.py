"""How calls are written: methods, paginators, waiters, presigned URLs, helpers, getattr."""

from __future__ import annotations

from least_priv.model import CallKind


def test_paginator_inline_and_stored(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            ddb = boto3.client("dynamodb")
            def handler(event, context):
                pages = s3.get_paginator("list_objects_v2").paginate(Bucket="logs", Prefix="a/")
                for page in pages:
                    pass
                paginator = ddb.get_paginator("scan")
                pages = paginator.paginate(TableName="orders", PaginationConfig={"PageSize": 10})
                return list(pages)
            """
        }
    ).analyze("app.handler")
    got = sorted((c.service, c.operation, c.kind, c.via) for c in result.calls)
    assert got == [
        ("dynamodb", "Scan", CallKind.PAGINATOR, "get_paginator(scan).paginate"),
        ("s3", "ListObjectsV2", CallKind.PAGINATOR, "get_paginator(list_objects_v2).paginate"),
    ]
    # PaginationConfig is the paginator's own setting, not a request parameter.
    assert all(c.arg("PaginationConfig") is None for c in result.calls)


def test_waiter_polls_its_operation(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                ec2 = boto3.client("ec2")
                waiter = ec2.get_waiter("instance_running")
                waiter.wait(InstanceIds=["i-1"], WaiterConfig={"Delay": 5})
            """
        }
    ).calls("app.handler")
    assert calls == ["ec2.DescribeInstances(InstanceIds=[i-1])"]


def test_presigned_url_needs_the_signed_action(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            BUCKET = "downloads"
            def handler(event, context):
                url = s3.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": BUCKET, "Key": f"files/{event['id']}"},
                    ExpiresIn=60,
                )
                post = s3.generate_presigned_post(BUCKET, "incoming/upload.bin")
                return url, post
            """
        }
    ).analyze("app.handler")
    got = sorted(
        (c.operation, c.kind, str(c.arg("Bucket")), c.arg("Key").pattern()) for c in result.calls
    )  # type: ignore[union-attr]
    assert [g[:2] for g in got] == [
        ("GetObject", CallKind.PRESIGN),
        ("PutObject", CallKind.PRESIGN),
    ]
    assert [g[3] for g in got] == ["files/*", "incoming/upload.bin"]


def test_transfer_helpers_expand_to_their_operations(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def handler(event, context):
                extra = {"ServerSideEncryption": "aws:kms"}
                s3.upload_file("/tmp/a", "out", "reports/a.csv", ExtraArgs=extra)
                s3.download_file(Bucket="in", Key="b.csv", Filename="/tmp/b")
                s3.copy({"Bucket": "in", "Key": "b.csv"}, "out", "copy/b.csv")
            """
        }
    ).analyze("app.handler")
    ops = {(c.operation, c.arg("Bucket").text) for c in result.calls}  # type: ignore[union-attr]
    assert ("PutObject", "out") in ops
    assert ("CreateMultipartUpload", "out") in ops
    assert ("GetObject", "in") in ops
    assert ("CopyObject", "out") in ops
    assert ("HeadObject", "in") in ops
    put = next(c for c in result.calls if c.operation == "PutObject")
    assert put.kind is CallKind.HELPER
    assert put.arg("ServerSideEncryption").text == "aws:kms"  # type: ignore[union-attr]


def test_resource_transfer_helpers_get_identifiers(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            bucket = boto3.resource("s3").Bucket("media")
            def handler(event, context):
                bucket.upload_file("/tmp/x", "raw/x.jpg")
                bucket.Object("raw/y.jpg").download_file("/tmp/y")
            """
        }
    ).analyze("app.handler")
    got = {(c.operation, c.arg("Bucket").text, c.arg("Key").text) for c in result.calls}  # type: ignore[union-attr]
    assert ("PutObject", "media", "raw/x.jpg") in got
    assert ("GetObject", "media", "raw/y.jpg") in got


def test_batch_writer_is_batch_write_item_on_the_table(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            table = boto3.resource("dynamodb").Table("events")
            def handler(event, context):
                with table.batch_writer() as batch:
                    for record in event["Records"]:
                        batch.put_item(Item=record)
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    assert (call.service, call.operation, call.kind) == (
        "dynamodb",
        "BatchWriteItem",
        CallKind.HELPER,
    )
    items = call.arg("RequestItems")
    assert items is not None and items.mapping is not None
    assert [k.text for k, _ in items.mapping] == ["events"]


def test_getattr_with_computed_name_is_reported_not_guessed(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.client("dynamodb")
            def handler(event, context):
                getattr(ddb, event["op"] + "_item")(TableName="t")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    [finding] = result.findings
    assert (finding.code, finding.location.line) == ("LP212", 4)
    assert "dynamodb" in finding.message


def test_unknown_method_on_known_client_is_reported(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                boto3.client("s3").get_objekt(Bucket="b", Key="k")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert [f.code for f in result.findings] == ["LP213"]


def test_calls_inside_expressions_comprehensions_and_lambdas(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            sqs = boto3.client("sqs")
            def handler(event, context):
                if sqs.get_queue_attributes(QueueUrl="https://q", AttributeNames=["All"]):
                    pass
                results = [
                    sqs.send_message(QueueUrl="https://q", MessageBody=r) for r in event["Records"]
                ]
                purge = lambda: sqs.purge_queue(QueueUrl="https://q")
                purge()
                return results
            """
        }
    ).calls("app.handler")
    assert calls == [
        "sqs.GetQueueAttributes(AttributeNames=[All], QueueUrl=https://q)",
        "sqs.PurgeQueue(QueueUrl=https://q)",
        "sqs.SendMessage(MessageBody=*, QueueUrl=https://q)",
    ]


def test_call_location_and_enclosing_function(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            class Repo:
                def __init__(self):
                    self.ddb = boto3.client("dynamodb")
                def save(self, item):
                    return self.ddb.put_item(
                        TableName="orders",
                        Item=item,
                    )
            def handler(event, context):
                Repo().save({})
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    assert (call.location.line, call.location.column) == (6, 15)
    assert call.function == "app.Repo.save"
    assert call.location.path.endswith("app.py")


def test_presigned_post_filename_placeholder_is_the_uploaders_choice(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                key = f"inbox/{event['user']}/${{filename}}"
                return boto3.client("s3").generate_presigned_post("uploads", key)
            """
        }
    ).analyze("app.handler")
    [call] = result.calls
    assert (call.operation, call.arg("Key").pattern()) == ("PutObject", "inbox/*/*")  # type: ignore[union-attr]


def test_dispatch_through_a_dict_of_bound_methods(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            table = boto3.resource("dynamodb").Table("orders")
            OPERATIONS = {"get": table.get_item, "delete": table.delete_item}
            def handler(event, context):
                return OPERATIONS[event["op"]](Key={"id": event["id"]})
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.DeleteItem(Key={id: *}, TableName=orders)",
        "dynamodb.GetItem(Key={id: *}, TableName=orders)",
    ]


def test_botocore_make_api_call(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.client("dynamodb")
            def handler(event, context):
                ddb._make_api_call("PutItem", {"TableName": "orders", "Item": {}})
                ddb._make_api_call(event["op"], {})
            """
        }
    ).analyze("app.handler")
    assert [(c.operation, c.arg("TableName").text) for c in result.calls] == [  # type: ignore[union-attr]
        ("PutItem", "orders")
    ]
    assert [(f.code, f.location.line) for f in result.findings] == [("LP212", 5)]


def test_dispatch_by_computed_name_on_our_module_or_class(project) -> None:
    result = project(
        {
            "handlers.py": """
            import boto3
            def created(event):
                boto3.client("sns").publish(TopicArn="arn:t", Message="m")
            def deleted(event):
                boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
            """,
            "app.py": """
            import boto3
            import handlers

            class Jobs:
                def run_archive(self):
                    boto3.client("s3").put_object(Bucket="b", Key="k", Body=b"")

            def handler(event, context):
                getattr(handlers, event["type"])(event)
                getattr(Jobs(), "run_" + event["job"], None)()
            """,
        }
    ).analyze("app.handler")
    # Every function of the module may be picked, so all count; a method picked by a
    # computed name is reported (following every method of every object is too costly).
    assert sorted(c.operation for c in result.calls) == ["Publish", "SendMessage"]
    assert [(f.code, f.location.line) for f in result.findings] == [("LP212", 10)]
