"""Permissions a function's configuration implies, and KMS for CMK-encrypted resources.

Functions are built as the infra readers return them (``Function`` with settings and events
as ``Value``s, template references as ``TemplateRef``), so these tests do not depend on a
template parser.
"""

from __future__ import annotations

from types import MappingProxyType

from least_priv.model import (
    CallSite,
    EventSource,
    Function,
    Location,
    ParamBinding,
    Permission,
    Provenance,
    Requirement,
    TemplateRef,
    Value,
)
from least_priv.policy import ArnContext, Environment, Scoper, implied_permissions
from least_priv.policy.encryption import EncryptionLookup, encryption_permissions, kms_actions

WHERE = Location("template.yaml", 12, 2)
CONTEXT = ArnContext.of(None, "eu-west-1", "123456789012")
ACCT = "eu-west-1:123456789012"


def ref(
    logical_id: str, attribute: str | None, resource_type: str, known: str | None = None
) -> Value:
    return Value((TemplateRef(logical_id, attribute, resource_type, known),))


def mapping(**items: Value) -> Value:
    return Value(mapping=tuple((Value.literal(k), v) for k, v in items.items()))


def function(*settings: tuple[str, Value], events: tuple[EventSource, ...] = ()) -> Function:
    return Function(
        name="Worker",
        code_root="src",
        handler="app.handler",
        settings=(("FunctionName", Value.literal("billing-worker")), *settings),
        events=events,
        location=WHERE,
    )


def implied(fn: Function) -> tuple[dict[str, set[str]], Scoper]:
    scoper = Scoper(Environment({}, complete=True), CONTEXT)
    out: dict[str, set[str]] = {}
    for perm in implied_permissions(fn, scoper):
        out.setdefault(perm.action, set()).add(perm.resource)
        assert perm.provenance[0].source == "config"
    return out, scoper


def test_logs_are_scoped_to_the_functions_log_group_only() -> None:
    got, scoper = implied(function())
    group = f"arn:aws:logs:{ACCT}:log-group:/aws/lambda/billing-worker"
    assert got == {
        "logs:CreateLogGroup": {group + ":*"},
        "logs:CreateLogStream": {group + ":log-stream:*"},
        "logs:PutLogEvents": {group + ":log-stream:*"},
    }
    assert scoper.findings == []


def test_custom_log_group_and_generated_function_name() -> None:
    custom = Function(
        "Worker",
        "src",
        "app.handler",
        settings=(("LoggingConfig", mapping(LogGroup=Value.literal("/platform/billing"))),),
        location=WHERE,
    )
    got, _ = implied(custom)
    assert got["logs:PutLogEvents"] == {
        f"arn:aws:logs:{ACCT}:log-group:/platform/billing:log-stream:*"
    }
    unnamed = Function("Worker", "src", "app.handler", location=WHERE)
    got, scoper = implied(unnamed)
    assert got["logs:CreateLogGroup"] == {f"arn:aws:logs:{ACCT}:log-group:/aws/lambda/*:*"}
    assert [f.code for f in scoper.findings] == ["LP303"]


def test_vpc_config_names_subnets_and_security_groups() -> None:
    vpc = mapping(
        SubnetIds=Value(sequence=(Value.literal("subnet-0a1"), Value.literal("subnet-0b2"))),
        SecurityGroupIds=Value(sequence=(Value.literal("sg-0c3"),)),
    )
    got, _ = implied(function(("VpcConfig", vpc)))
    assert got["ec2:CreateNetworkInterface"] == {
        f"arn:aws:ec2:{ACCT}:network-interface/*",
        f"arn:aws:ec2:{ACCT}:subnet/subnet-0a1",
        f"arn:aws:ec2:{ACCT}:subnet/subnet-0b2",
        f"arn:aws:ec2:{ACCT}:security-group/sg-0c3",
    }
    assert got["ec2:DescribeNetworkInterfaces"] == {"*"}
    assert got["ec2:DeleteNetworkInterface"] == {f"arn:aws:ec2:{ACCT}:network-interface/*"}
    # Without VpcConfig, no EC2 permission at all.
    assert not any(a.startswith("ec2:") for a in implied(function())[0])


def test_tracing_in_sam_and_cloudformation_forms() -> None:
    sam, _ = implied(function(("Tracing", Value.literal("Active"))))
    cfn, _ = implied(function(("TracingConfig", mapping(Mode=Value.literal("Active")))))
    passthrough, _ = implied(function(("Tracing", Value.literal("PassThrough"))))
    assert sam["xray:PutTraceSegments"] == cfn["xray:PutTraceSegments"] == {"*"}
    assert "xray:PutTraceSegments" not in passthrough


def test_pollers_read_their_sources() -> None:
    events = (
        EventSource("SQS", ref("Jobs", "Arn", "AWS::SQS::Queue", "arn:*:sqs:*:*:jobs"), WHERE),
        EventSource("Kinesis", Value.literal(f"arn:aws:kinesis:{ACCT}:stream/clicks"), WHERE),
        EventSource(
            "DynamoDB",
            ref("Accounts", "StreamArn", "AWS::DynamoDB::Table", None),
            WHERE,
        ),
        EventSource("Api", None, WHERE),
        EventSource("MQ", Value.literal("arn:aws:mq:eu-west-1:123456789012:broker:b"), WHERE),
    )
    got, scoper = implied(function(events=events))
    assert got["sqs:ReceiveMessage"] == {f"arn:aws:sqs:{ACCT}:jobs"}
    assert got["kinesis:GetRecords"] == {f"arn:aws:kinesis:{ACCT}:stream/clicks"}
    assert "kinesis:ListStreams" not in got and "kinesis:SubscribeToShard" not in got
    assert got["dynamodb:GetRecords"] == {f"arn:aws:dynamodb:{ACCT}:table/*/stream/*"}
    assert got["dynamodb:ListStreams"] == {"*"}
    assert [f.code for f in scoper.findings if f.code == "LP341"] == ["LP341"]


def test_dead_letter_queue_and_destinations() -> None:
    dlq = mapping(Type=Value.literal("SNS"), TargetArn=Value.literal(f"arn:aws:sns:{ACCT}:dead"))
    invoke = mapping(
        DestinationConfig=mapping(
            OnFailure=mapping(
                Type=Value.literal("SQS"),
                Destination=ref("Failures", "Arn", "AWS::SQS::Queue", "arn:*:sqs:*:*:failures"),
            ),
            OnSuccess=mapping(
                Destination=Value.literal(f"arn:aws:lambda:{ACCT}:function:next-step")
            ),
        )
    )
    got, _ = implied(function(("DeadLetterQueue", dlq), ("EventInvokeConfig", invoke)))
    assert got["sns:Publish"] == {f"arn:aws:sns:{ACCT}:dead"}
    assert got["sqs:SendMessage"] == {f"arn:aws:sqs:{ACCT}:failures"}
    assert got["lambda:InvokeFunction"] == {f"arn:aws:lambda:{ACCT}:function:next-step"}


def test_env_encryption_key_and_file_system() -> None:
    key = ref("EnvKey", "Arn", "AWS::KMS::Key")
    efs = Value(
        sequence=(
            mapping(
                Arn=Value.literal(f"arn:aws:elasticfilesystem:{ACCT}:access-point/fsap-1"),
                LocalMountPath=Value.literal("/mnt/data"),
            ),
        )
    )
    scoper = Scoper(Environment({}, complete=True), CONTEXT)
    perms = implied_permissions(function(("KmsKeyArn", key), ("FileSystemConfigs", efs)), scoper)
    decrypt = [p for p in perms if p.action == "kms:Decrypt"]
    assert [p.resource_parts for p in decrypt] == [
        (TemplateRef("EnvKey", "Arn", "AWS::KMS::Key", f"arn:aws:kms:{ACCT}:key/*"),)
    ]
    mount = [p for p in perms if p.action == "elasticfilesystem:ClientMount"]
    assert mount[0].resource == f"arn:aws:elasticfilesystem:{ACCT}:file-system/*"
    assert mount[0].conditions[0].values == (
        f"arn:aws:elasticfilesystem:{ACCT}:access-point/fsap-1",
    )


class _Resource:
    def __init__(self, kind: str, key: Value | None, name: str | None = None) -> None:
        self.type = kind
        self.kms_key = key
        self.name = name


class _Template:
    """What EncryptionLookup reads of infra's Template: resources with type and kms_key."""

    def __init__(self, **resources: _Resource) -> None:
        self.resources = MappingProxyType(resources)


def test_cmk_encrypted_bucket_adds_kms_through_s3_only() -> None:
    lookup = EncryptionLookup.of(
        _Template(
            Archive=_Resource("AWS::S3::Bucket", ref("ArchiveKey", "Arn", "AWS::KMS::Key")),
            Plain=_Resource("AWS::S3::Bucket", None),
        )
    )
    assert set(lookup.keys) == {"Archive"}
    bucket = TemplateRef("Archive", None, "AWS::S3::Bucket")
    site = Location("app.py", 7)
    perms = [
        Permission(
            "s3:PutObject",
            "arn:*:s3:::*/*",
            (),
            (Provenance("code", site),),
            ("arn:", "aws", ":s3:::", bucket, "/*"),
        ),
        Permission(
            "s3:GetObject",
            "arn:*:s3:::*/*",
            (),
            (Provenance("code", site),),
            ("arn:", "aws", ":s3:::", bucket, "/*"),
        ),
        Permission(
            "s3:DeleteObject",
            "arn:*:s3:::*/*",
            (),
            (Provenance("code", site),),
            ("arn:", "aws", ":s3:::", bucket, "/*"),
        ),
        Permission(
            "s3:PutObject",
            "arn:*:s3:::p/*",
            (),
            (Provenance("code", site),),
            ("arn:", "aws", ":s3:::", TemplateRef("Plain", None, "AWS::S3::Bucket"), "/*"),
        ),
    ]
    scoper = Scoper(Environment({}, complete=True), CONTEXT)
    kms = encryption_permissions(perms, lookup, scoper)
    assert sorted({p.action for p in kms}) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert {c.values for p in kms for c in p.conditions} == {("s3.eu-west-1.amazonaws.com",)}
    assert all(p.provenance[0].source == "config" and p.provenance[0].location == site for p in kms)
    assert {p.resource_parts[0].logical_id for p in kms} == {"ArchiveKey"}  # type: ignore[union-attr]


def test_kms_actions_follow_what_the_data_action_does() -> None:
    assert kms_actions("sqs:SendMessage") == ("kms:Decrypt", "kms:GenerateDataKey")
    assert kms_actions("sqs:ReceiveMessage") == ("kms:Decrypt",)
    assert kms_actions("s3:DeleteObject") == ()
    assert kms_actions("dynamodb:Query") == ("kms:Decrypt",)


def test_side_effect_kms_is_left_to_the_template_for_template_resources() -> None:
    side = Requirement(
        "kms:Decrypt",
        "key",
        "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
        (),
        (),
        "side-effect",
        "only when the target is encrypted with a customer managed KMS key",
    )
    get = Requirement(
        "secretsmanager:GetSecretValue",
        "secret",
        "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}",
        (ParamBinding("SecretId", "secretsmanager_secret"),),
    )
    env = Environment(
        {"SECRET": ref("DbSecret", None, "AWS::SecretsManager::Secret")}, complete=True
    )
    from least_priv.model import EnvRef

    in_template = CallSite(
        WHERE, "secretsmanager", "GetSecretValue", (("SecretId", Value((EnvRef("SECRET"),))),)
    )
    scoper = Scoper(env, CONTEXT)
    assert [p.action for p in scoper.call_permissions(in_template, [get, side])] == [
        "secretsmanager:GetSecretValue"
    ]
    external = CallSite(
        WHERE, "secretsmanager", "GetSecretValue", (("SecretId", Value.literal("partner/api-key")),)
    )
    scoper = Scoper(env, CONTEXT)
    perms = scoper.call_permissions(external, [get, side])
    assert [p.action for p in perms] == ["secretsmanager:GetSecretValue", "kms:Decrypt"]
    assert perms[1].resource == f"arn:aws:kms:{ACCT}:key/*"
    assert [f.code for f in scoper.findings] == ["LP305"]


def test_resource_named_literally_in_code_is_matched_by_its_physical_name() -> None:
    lookup = EncryptionLookup.of(
        _Template(
            Vault=_Resource(
                "AWS::S3::Bucket", ref("VaultKey", "Arn", "AWS::KMS::Key"), "acme-tax-vault"
            ),
            Jobs=_Resource("AWS::SQS::Queue", Value.literal("alias/jobs"), "render-jobs"),
        )
    )
    site = Location("vault.py", 14)
    perms = [
        Permission(
            "s3:PutObject",
            "arn:aws:s3:::acme-tax-vault/tax/*",
            (),
            (Provenance("code", site),),
            ("arn:aws:s3:::acme-tax-vault/tax/*",),
        ),
        Permission(
            "s3:PutObject",
            "arn:aws:s3:::acme-tax-vault-copy/*",
            (),
            (Provenance("code", site),),
            ("arn:aws:s3:::acme-tax-vault-copy/*",),
        ),
        Permission(
            "sqs:ReceiveMessage",
            f"arn:aws:sqs:{ACCT}:render-jobs",
            (),
            (Provenance("code", site),),
            (f"arn:aws:sqs:{ACCT}:render-jobs",),
        ),
    ]
    kms = encryption_permissions(perms, lookup, Scoper(Environment({}, True), CONTEXT))
    by_service = {(p.action, p.conditions[0].values[0]) for p in kms}
    assert by_service == {
        ("kms:Decrypt", "s3.eu-west-1.amazonaws.com"),
        ("kms:GenerateDataKey", "s3.eu-west-1.amazonaws.com"),
        ("kms:Decrypt", "sqs.eu-west-1.amazonaws.com"),
    }
    # The alias names no key: any key, through SQS only.
    sqs = next(p for p in kms if "sqs." in p.conditions[0].values[0])
    assert sqs.resource == f"arn:aws:kms:{ACCT}:key/*"


def test_push_sources_of_serverless_need_nothing_from_the_role(tmp_path: object) -> None:
    # A chat backend on serverless: an ALB health/webhook target, WebSocket routes and an
    # Alexa smart-home skill all invoke the function themselves (resource policy).
    from pathlib import Path

    from least_priv.infra import load_template

    root = Path(str(tmp_path))
    (root / "handler.py").write_text("def main(event, context):\n    return {}\n")
    (root / "serverless.yml").write_text(
        "service: chat\n"
        "provider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n"
        "  main:\n"
        "    handler: handler.main\n"
        "    events:\n"
        "      - alb:\n"
        "          listenerArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
        "listener/app/chat/50dc6c495c0c9188/f2f7dc8efc522ab2\n"
        "          priority: 1\n"
        "          conditions:\n            path: /webhook\n"
        "      - websocket: $connect\n"
        "      - websocket:\n          route: sendMessage\n"
        "      - alexaSmartHome: amzn1.ask.skill.12345678-1234-1234-1234-123456789012\n"
    )
    template = load_template(root / "serverless.yml")
    (fn,) = template.functions
    assert {e.kind for e in fn.events} == {"ALB", "WebSocket", "AlexaSmartHome"}
    got, scoper = implied(fn)
    assert not [f for f in scoper.findings if f.code == "LP341"]
    assert set(got) == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_every_event_kind_the_readers_produce_is_push_or_poller_or_reported() -> None:
    # A kind nobody classified gets the "poller not derived" note: right for Kafka, MQ,
    # DocumentDB (polled, not modelled), wrong for anything the service invokes itself.
    from least_priv.infra import cloudformation, serverless

    polled_not_modelled = {"MSK", "MQ", "SelfManagedKafka", "DocumentDB"}
    kinds = set(serverless._EVENT_KINDS.values()) | set(cloudformation._SAM_EVENT_TARGETS)
    for kind in sorted(kinds - polled_not_modelled):
        _, scoper = implied(function(events=(EventSource(kind, None, WHERE),)))
        assert not [f for f in scoper.findings if f.code == "LP341"], kind
    for kind in sorted(polled_not_modelled):
        _, scoper = implied(function(events=(EventSource(kind, None, WHERE),)))
        assert [f.code for f in scoper.findings if f.code == "LP341"] == ["LP341"], kind
