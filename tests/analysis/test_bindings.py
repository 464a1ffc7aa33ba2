"""Where clients live: globals, singletons, attributes, dicts, factories, arguments, imports."""

from __future__ import annotations

SEND = "sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"


def test_lazily_initialised_global_singleton(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            _sqs = None

            def get_sqs():
                global _sqs
                if _sqs is None:
                    _sqs = boto3.client("sqs")
                return _sqs

            def handler(event, context):
                get_sqs().send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == [SEND]


def test_global_set_in_one_function_used_in_another(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            CLIENT = None

            def init():
                global CLIENT
                CLIENT = boto3.client("sqs")

            def send():
                CLIENT.send_message(QueueUrl="https://q", MessageBody="x")

            def handler(event, context):
                init()
                send()
            """
        }
    ).calls("app.handler")
    assert calls == [SEND]


def test_self_attribute_set_in_init(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3

            class Queue:
                def __init__(self, url):
                    self.client = boto3.client("sqs")
                    self.url = url

                def push(self, body):
                    self.client.send_message(QueueUrl=self.url, MessageBody=body)

            def handler(event, context):
                Queue("https://q").push("x")
            """
        }
    ).calls("app.handler")
    assert calls == [SEND]


def test_attribute_set_lazily_outside_init_and_property(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3

            class Store:
                def __init__(self):
                    self._s3 = None

                @property
                def s3(self):
                    if self._s3 is None:
                        self._s3 = boto3.client("s3")
                    return self._s3

                def connect_sqs(self):
                    self.sqs = boto3.client("sqs")

                def save(self, key):
                    self.s3.put_object(Bucket="b", Key=key, Body=b"")
                    self.sqs.send_message(QueueUrl="https://q", MessageBody="x")

            def handler(event, context):
                store = Store()
                store.connect_sqs()
                store.save("k")
            """
        }
    ).calls("app.handler")
    assert calls == ["s3.PutObject(Body=*, Bucket=b, Key=k)", SEND]


def test_class_attribute_and_classmethod(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3

            class Events:
                client = None

                @classmethod
                def get(cls):
                    if cls.client is None:
                        cls.client = boto3.client("events")
                    return cls.client

            def handler(event, context):
                Events.get().put_events(Entries=[])
            """
        }
    ).calls("app.handler")
    assert calls == ["events.PutEvents(Entries=[])"]


def test_dataclass_fields(project) -> None:
    calls = project(
        {
            "app.py": """
            from dataclasses import dataclass, field
            import boto3

            @dataclass
            class Deps:
                table_name: str
                sqs: object = field(default_factory=lambda: boto3.client("sqs"))
                ddb: object = field(default_factory=lambda: boto3.client("dynamodb"))

            def handler(event, context):
                deps = Deps("orders")
                deps.ddb.get_item(TableName=deps.table_name, Key={})
                deps.sqs.send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == ["dynamodb.GetItem(Key={}, TableName=orders)", SEND]


def test_dict_of_clients_keyed_by_literal(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            CLIENTS = {"queue": boto3.client("sqs"), "topic": boto3.client("sns")}
            def handler(event, context):
                CLIENTS["queue"].send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == [SEND]


def test_dict_of_clients_filled_by_assignment(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            clients = {}
            clients["sqs"] = boto3.client("sqs")
            def handler(event, context):
                clients["sqs"].send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == [SEND]


def test_factory_functions_with_cache_decorators(project) -> None:
    calls = project(
        {
            "aws.py": """
            import functools
            from functools import lru_cache
            import boto3

            @functools.cache
            def sqs():
                return boto3.client("sqs")

            @lru_cache(maxsize=None)
            def client(name):
                return boto3.client(name)
            """,
            "app.py": """
            from aws import sqs, client
            def handler(event, context):
                sqs().send_message(QueueUrl="https://q", MessageBody="x")
                client("sns").publish(TopicArn="arn:t", Message="m")
            """,
        }
    ).calls("app.handler")
    assert calls == ["sns.Publish(Message=m, TopicArn=arn:t)", SEND]


def test_client_passed_as_argument_across_modules(project) -> None:
    calls = project(
        {
            "lib/__init__.py": "",
            "lib/publish.py": """
            def publish(client, topic, message):
                client.publish(TopicArn=topic, Message=message)
            """,
            "app.py": """
            import boto3
            from lib.publish import publish
            TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"
            def handler(event, context):
                publish(boto3.client("sns"), TOPIC, message="m")
            """,
        }
    ).calls("app.handler")
    assert calls == ["sns.Publish(Message=m, TopicArn=arn:aws:sns:us-east-1:123456789012:orders)"]


def test_client_imported_from_sibling_module_relative(project) -> None:
    calls = project(
        {
            "svc/__init__.py": "",
            "svc/aws.py": """
            import boto3
            sqs = boto3.client("sqs")
            """,
            "svc/app.py": """
            from .aws import sqs
            from . import aws
            def handler(event, context):
                sqs.send_message(QueueUrl="https://q", MessageBody="x")
                aws.sqs.delete_message(QueueUrl="https://q", ReceiptHandle="r")
            """,
        }
    ).calls("svc.app.handler")
    assert calls == ["sqs.DeleteMessage(QueueUrl=https://q, ReceiptHandle=r)", SEND]


def test_resource_meta_client(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.resource("dynamodb")
            client = ddb.meta.client
            def handler(event, context):
                client.describe_table(TableName="orders")
                ddb.Table("orders").meta.client.list_tables()
            """
        }
    ).calls("app.handler")
    assert calls == ["dynamodb.DescribeTable(TableName=orders)", "dynamodb.ListTables()"]


def test_inherited_client_and_super_init(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3

            class Base:
                def __init__(self, service):
                    self.client = boto3.client(service)

            class Notifier(Base):
                def __init__(self):
                    super().__init__("sns")

                def notify(self):
                    self.client.publish(TopicArn="arn:t", Message="m")

            def handler(event, context):
                Notifier().notify()
            """
        }
    ).calls("app.handler")
    assert calls == ["sns.Publish(Message=m, TopicArn=arn:t)"]


def test_method_reference_and_literal_getattr(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3
            ddb = boto3.client("dynamodb")
            put = ddb.put_item
            def handler(event, context):
                put(TableName="a", Item={})
                getattr(ddb, "delete_item")(TableName="b", Key={})
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.DeleteItem(Key={}, TableName=b)",
        "dynamodb.PutItem(Item={}, TableName=a)",
    ]


def test_client_stored_in_closure_and_decorator_wrapper(project) -> None:
    calls = project(
        {
            "app.py": """
            import functools
            import boto3

            def with_metrics(fn):
                cw = boto3.client("cloudwatch")
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    result = fn(*args, **kwargs)
                    cw.put_metric_data(Namespace="App", MetricData=[])
                    return result
                return wrapper

            @with_metrics
            def handler(event, context):
                boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler")
    assert calls == ["cloudwatch.PutMetricData(MetricData=[], Namespace=App)", SEND]


def test_same_decorator_on_two_functions_keeps_both(project) -> None:
    calls = project(
        {
            "app.py": """
            import boto3

            def traced(fn):
                def wrapper(*args):
                    return fn(*args)
                return wrapper

            @traced
            def a():
                boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")

            @traced
            def b():
                boto3.client("sns").publish(TopicArn="arn:t", Message="m")

            def handler(event, context):
                a()
                b()
            """
        }
    ).calls("app.handler")
    assert calls == ["sns.Publish(Message=m, TopicArn=arn:t)", SEND]


def test_layer_module_imports_as_top_level_name(project, tmp_path) -> None:
    layer = tmp_path / "layer" / "python" / "shared"
    layer.mkdir(parents=True)
    (layer / "__init__.py").write_text("")
    (layer / "clients.py").write_text("import boto3\nsqs = boto3.client('sqs')\n")
    calls = project(
        {
            "app.py": """
            from shared.clients import sqs
            def handler(event, context):
                sqs.send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).calls("app.handler", layers=("layer",))
    assert calls == [SEND]


def test_dict_comprehension_of_clients(project) -> None:
    proj = project(
        {
            "app.py": """
            import boto3
            CLIENTS = {name: boto3.client(name) for name in ("sqs", "sns")}
            def handler(event, context):
                CLIENTS["sqs"].send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    )
    # Keys of a comprehension are not tied to their values, so both clients may answer;
    # sns has no send_message, so only the sqs call exists, and that is no finding.
    assert proj.calls("app.handler") == [SEND]
    assert proj.codes("app.handler") == []


def test_functools_partial_keeps_bound_arguments(project) -> None:
    calls = project(
        {
            "app.py": """
            from concurrent.futures import ThreadPoolExecutor
            from functools import partial
            import boto3
            make = partial(boto3.client, "sqs")
            def push(queue_url, body):
                make().send_message(QueueUrl=queue_url, MessageBody=body)
            def handler(event, context):
                with ThreadPoolExecutor() as pool:
                    pool.map(partial(push, "https://q"), ["x"])
                partial(push, body="x")("https://q")
            """
        }
    ).calls("app.handler")
    assert calls == ["sqs.SendMessage(MessageBody=*, QueueUrl=https://q)", SEND]


def test_clients_in_a_namespace_and_tables_built_in_a_loop(project) -> None:
    calls = project(
        {
            "app.py": """
            from types import SimpleNamespace
            import boto3
            aws = SimpleNamespace(sqs=boto3.client("sqs"), ddb=boto3.resource("dynamodb"))
            TABLES = {}
            for name in ("orders", "users"):
                TABLES[name] = aws.ddb.Table(name)
            def handler(event, context):
                aws.sqs.send_message(QueueUrl="https://q", MessageBody="x")
                TABLES["users"].get_item(Key={})
            """
        }
    ).calls("app.handler")
    # The loop's keys are not tied to their tables: both tables may answer "users".
    assert calls == [
        "dynamodb.GetItem(Key={}, TableName=orders)",
        "dynamodb.GetItem(Key={}, TableName=users)",
        SEND,
    ]


def test_instances_keep_their_own_attributes(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3

            class Repo:
                def __init__(self, table_name):
                    self.table = boto3.resource("dynamodb").Table(table_name)

                def save(self, item):
                    self.table.put_item(Item=item)

                def load(self, key):
                    return self.table.get_item(Key=key)

            orders = Repo("orders")
            users = Repo("users")

            def handler(event, context):
                orders.save({})
                users.load({})
            """
        }
    ).analyze("app.handler")
    got = sorted((c.operation, c.arg("TableName").text) for c in result.calls)  # type: ignore[union-attr]
    assert got == [("GetItem", "users"), ("PutItem", "orders")]
