"""boto3 resources: sub-resources, chains, actions, collections, batch actions, lazy loads."""

from __future__ import annotations


def test_table_actions_carry_the_table_name(project) -> None:
    calls = project(
        {
            "app.py": """
            import os
            import boto3
            TABLE = os.environ["ORDERS_TABLE"]
            table = boto3.resource("dynamodb").Table(TABLE)
            def handler(event, context):
                table.put_item(Item={"pk": event["id"]})
                table.query(KeyConditionExpression="pk = :p")
                table.update_item(Key={"pk": "1"}, UpdateExpression="SET a = :a")
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.PutItem(Item={pk: *}, TableName=${ORDERS_TABLE})",
        "dynamodb.Query(KeyConditionExpression=pk = :p, TableName=${ORDERS_TABLE})",
        "dynamodb.UpdateItem(Key={pk: 1}, TableName=${ORDERS_TABLE}, UpdateExpression=SET a = :a)",
    ]


def test_bucket_object_chain(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.resource("s3")
            def handler(event, context):
                s3.Bucket("media").Object(f"thumbs/{event['id']}.png").put(Body=b"")
                s3.Object("media", "raw/a.png").get()
                s3.Bucket("media").Object("x").copy_from(CopySource={"Bucket": "src", "Key": "k"})
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.CopyObject(Bucket=media, CopySource={Bucket: src, Key: k}, Key=x)",
        "s3.GetObject(Bucket=media, Key=raw/a.png)",
        "s3.PutObject(Body=*, Bucket=media, Key=thumbs/*.png)",
    ]


def test_queue_resource_by_url_and_by_name(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            sqs = boto3.resource("sqs")
            def handler(event, context):
                sqs.Queue("https://sqs.us-east-1.amazonaws.com/1/jobs").send_message(MessageBody="x")
                q = sqs.get_queue_by_name(QueueName="events")
                q.send_message(MessageBody="y")
            """
        }
    ).calls("app.handler")
    assert calls == [
        "sqs.GetQueueUrl(QueueName=events)",
        "sqs.SendMessage(MessageBody=x, QueueUrl=https://sqs.us-east-1.amazonaws.com/1/jobs)",
        # The queue URL names the client's region, the caller's account and the queue.
        "sqs.SendMessage(MessageBody=y, QueueUrl=https://sqs.{AWS::Region}.amazonaws.com/"
        "{AWS::AccountId}/events)",
    ]


def test_queue_url_looked_up_with_the_client(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            sqs = boto3.client("sqs")
            URL = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
            def handler(event, context):
                sqs.send_message(QueueUrl=URL, MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == [
        "sqs.GetQueueUrl(QueueName=jobs)",
        "sqs.SendMessage(MessageBody=x, QueueUrl=https://sqs.{AWS::Region}.amazonaws.com/"
        "{AWS::AccountId}/jobs)",
    ]


def test_received_messages_are_resources_of_their_queue(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            queue = boto3.resource("sqs").Queue("https://sqs.us-east-1.amazonaws.com/1/work")
            def handler(event, context):
                for message in queue.receive_messages(MaxNumberOfMessages=10):
                    message.delete()
            """
        }
    ).calls("app.handler")
    url = "https://sqs.us-east-1.amazonaws.com/1/work"
    assert calls == [
        f"sqs.DeleteMessage(QueueUrl={url}, ReceiptHandle=*)",
        f"sqs.ReceiveMessage(MaxNumberOfMessages=10, QueueUrl={url})",
    ]


def test_collections_list_and_yield_resources(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            bucket = boto3.resource("s3").Bucket("logs")
            def handler(event, context):
                for obj in bucket.objects.filter(Prefix="2024/").limit(100):
                    obj.delete()
                for obj in bucket.objects.all().page_size(50):
                    print(obj.key, obj.size)
            """
        }
    ).calls("app.handler")
    # ObjectSummary has no load: reading .key/.size makes no request. Listed keys begin
    # with the listing's prefix.
    assert calls == [
        "s3.DeleteObject(Bucket=logs, Key=2024/*)",
        "s3.ListObjects(Bucket=logs)",
        "s3.ListObjects(Bucket=logs, Prefix=2024/)",
    ]


def test_batch_action_on_collection(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                boto3.resource("s3").Bucket("tmp").objects.filter(Prefix="old/").delete()
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.DeleteObjects(Bucket=tmp, Delete={Objects: [{Key: old/*}]})",
        "s3.ListObjects(Bucket=tmp, Prefix=old/)",
    ]


def test_lazy_attribute_load_is_a_request(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.resource("s3")
            def handler(event, context):
                obj = s3.Object("media", "a.png")
                size = obj.content_length
                table = boto3.resource("dynamodb").Table("orders")
                return size, table.item_count, obj.key
            """
        }
    ).analyze("app.handler")
    assert sorted((c.service, c.operation, c.via, c.location.line) for c in result.calls) == [
        ("dynamodb", "DescribeTable", "Table.item_count", 7),
        ("s3", "HeadObject", "Object.content_length", 5),
    ]


def test_explicit_load_and_resource_waiter(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                bucket = boto3.resource("s3").Bucket("new-bucket")
                bucket.create()
                bucket.wait_until_exists()
                obj = bucket.Object("k")
                obj.load()
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.CreateBucket(Bucket=new-bucket)",
        "s3.HeadBucket(Bucket=new-bucket)",
        "s3.HeadObject(Bucket=new-bucket, Key=k)",
    ]


def test_service_resource_collection(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            def handler(event, context):
                return [q.url for q in boto3.resource("sqs").queues.filter(QueueNamePrefix="jobs")]
            """
        }
    ).calls("app.handler")
    assert calls == ["sqs.ListQueues(QueueNamePrefix=jobs)"]


def test_keys_from_a_client_listing_keep_the_prefix(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def handler(event, context):
                pages = s3.get_paginator("list_objects_v2").paginate(Bucket="b", Prefix="exports/")
                for page in pages:
                    keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
                    s3.delete_objects(Bucket="b", Delete={"Objects": keys})
                listing = s3.list_objects_v2(Bucket="b", Prefix="tmp/")
                for obj in listing["Contents"]:
                    s3.delete_object(Bucket="b", Key=obj["Key"])
            """
        }
    ).calls("app.handler")
    assert calls == [
        "s3.DeleteObject(Bucket=b, Key=tmp/*)",
        "s3.DeleteObjects(Bucket=b, Delete={Objects: [{Key: exports/*}]})",
        "s3.ListObjectsV2(Bucket=b, Prefix=exports/)",
        "s3.ListObjectsV2(Bucket=b, Prefix=tmp/)",
    ]


def test_queue_url_of_a_pinned_region_and_another_owner(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            sqs = boto3.client("sqs", region_name="eu-west-1")
            def handler(event, context):
                url = sqs.get_queue_url(QueueName="q", QueueOwnerAWSAccountId="111122223333")
                sqs.send_message(QueueUrl=url["QueueUrl"], MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls[-1] == (
        "sqs.SendMessage(MessageBody=x, QueueUrl=https://sqs.eu-west-1.amazonaws.com/111122223333/q)"
    )
