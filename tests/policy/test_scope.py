"""Scoping a call's requirement to the resource it touches, with the catalog's transforms.

Requirements are written as the catalog emits them (ARN templates from the IAM service
authorization reference, bindings to request parameters), so these tests pin the policy
stage's half of the contract.
"""

from __future__ import annotations

from least_priv.model import (
    CallSite,
    EnvRef,
    Location,
    ParamBinding,
    Requirement,
    TemplateRef,
    Unknown,
    Value,
)
from least_priv.policy import ArnContext, Environment, Scoper

HERE = Location("src/orders/app.py", 12, 4)
TABLE = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
INDEX = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}"
OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
BUCKET = "arn:${Partition}:s3:::${BucketName}"
QUEUE = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
SECRET = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"

GET_ITEM = Requirement(
    "dynamodb:GetItem", "table", TABLE, (ParamBinding("TableName", "dynamodb_table"),)
)
GET_OBJECT = Requirement(
    "s3:GetObject",
    "object",
    OBJECT,
    (ParamBinding("Bucket", "s3_bucket"), ParamBinding("Key", "s3_key")),
)
SEND = Requirement("sqs:SendMessage", "queue", QUEUE, (ParamBinding("QueueUrl", "sqs_queue_url"),))
NO_ENV = Environment({})


def call(service: str, operation: str, **args: Value) -> CallSite:
    return CallSite(HERE, service, operation, tuple(sorted(args.items())))


def scope(
    requirement: Requirement,
    site: CallSite,
    env: Environment = NO_ENV,
    context: ArnContext | None = None,
) -> tuple[list[str], list[str], Scoper]:
    scoper = Scoper(env, context or ArnContext())
    perms = scoper.permissions(site, requirement)
    return [p.resource for p in perms], [f.code for f in scoper.findings], scoper


def test_literal_table_name_is_scoped_and_context_fills_the_arn() -> None:
    site = call("dynamodb", "GetItem", TableName=Value.literal("orders"))
    resources, found, _ = scope(GET_ITEM, site)
    assert resources == ["arn:*:dynamodb:*:*:table/orders"]
    assert found == []
    resources, _, _ = scope(GET_ITEM, site, context=ArnContext("aws", "eu-west-1", "123456789012"))
    assert resources == ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]


def test_fstring_key_prefix_scopes_objects_below_it() -> None:
    site = call(
        "s3",
        "GetObject",
        Bucket=Value.literal("acme-uploads"),
        Key=Value(("uploads/", Unknown("user id"), "/avatar.png")),
    )
    resources, found, _ = scope(GET_OBJECT, site)
    assert resources == ["arn:*:s3:::acme-uploads/uploads/*/avatar.png"]
    assert found == []


def test_unknown_table_gets_typed_wildcard_and_a_finding_naming_parameter_and_place() -> None:
    site = call("dynamodb", "GetItem", TableName=Value.unknown("event['table']"))
    resources, found, scoper = scope(GET_ITEM, site)
    assert resources == ["arn:*:dynamodb:*:*:table/*"]
    assert found == ["LP300"]
    finding = scoper.findings[0]
    assert finding.location == HERE
    assert "TableName" in finding.message and "event['table']" in finding.message


def test_parameter_not_passed_is_reported_once_and_still_granted() -> None:
    resources, found, _ = scope(GET_ITEM, call("dynamodb", "GetItem"))
    assert resources == ["arn:*:dynamodb:*:*:table/*"]
    assert found == ["LP304"]


def test_queue_url_gives_region_account_and_name() -> None:
    url = Value.literal("https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq")
    resources, found, _ = scope(SEND, call("sqs", "SendMessage", QueueUrl=url))
    assert resources == ["arn:*:sqs:eu-west-1:123456789012:orders-dlq"]
    assert found == []


def test_value_that_does_not_fit_the_parameter_is_reported() -> None:
    site = call("sqs", "SendMessage", QueueUrl=Value.literal("orders"))
    resources, found, _ = scope(SEND, site)
    assert resources == ["arn:*:sqs:*:*:*"]
    assert found == ["LP302"]


def test_secret_name_gets_the_six_character_suffix() -> None:
    requirement = Requirement(
        "secretsmanager:GetSecretValue",
        "secret",
        SECRET,
        (ParamBinding("SecretId", "secretsmanager_secret"),),
    )
    site = call("secretsmanager", "GetSecretValue", SecretId=Value.literal("prod/orders/db"))
    resources, _, _ = scope(requirement, site)
    assert resources == ["arn:*:secretsmanager:*:*:secret:prod/orders/db-??????"]


def test_gsi_query_is_scoped_to_the_index() -> None:
    requirement = Requirement(
        "dynamodb:Query",
        "index",
        INDEX,
        (
            ParamBinding("TableName", "dynamodb_table"),
            ParamBinding("IndexName", "dynamodb_index"),
        ),
    )
    site = call(
        "dynamodb",
        "Query",
        TableName=Value.literal("orders"),
        IndexName=Value.literal("by-customer"),
    )
    resources, _, _ = scope(requirement, site)
    assert resources == ["arn:*:dynamodb:*:*:table/orders/index/by-customer"]


def test_request_items_keys_give_one_resource_per_table() -> None:
    requirement = Requirement(
        "dynamodb:BatchWriteItem",
        "table",
        TABLE,
        (ParamBinding("RequestItems.*", "dynamodb_table"),),
    )
    items = Value(
        mapping=(
            (Value.literal("orders"), Value.unknown()),
            (Value.literal("order-lines"), Value.unknown()),
        )
    )
    resources, found, _ = scope(requirement, call("dynamodb", "BatchWriteItem", RequestItems=items))
    assert resources == [
        "arn:*:dynamodb:*:*:table/order-lines",
        "arn:*:dynamodb:*:*:table/orders",
    ]
    assert found == []


def test_environment_from_template_resolves_to_known_name_and_keeps_reference() -> None:
    env = Environment(
        {
            "TABLE_NAME": Value(
                (TemplateRef("OrdersTable", None, "AWS::DynamoDB::Table", "orders"),)
            )
        },
        complete=True,
    )
    site = call("dynamodb", "GetItem", TableName=Value((EnvRef("TABLE_NAME"),)))
    scoper = Scoper(env, ArnContext())
    (perm,) = scoper.permissions(site, GET_ITEM)
    assert perm.resource == "arn:*:dynamodb:*:*:table/orders"
    assert perm.resource_parts == (
        TemplateRef(
            "OrdersTable", "Arn", "AWS::DynamoDB::Table", "arn:*:dynamodb:*:*:table/orders"
        ),
    )
    assert scoper.findings == []


def test_bucket_reference_stays_a_reference_inside_an_object_arn() -> None:
    env = Environment({"BUCKET": Value((TemplateRef("Uploads", None, "AWS::S3::Bucket"),))}, True)
    site = call("s3", "GetObject", Bucket=Value((EnvRef("BUCKET"),)), Key=Value(("in/", Unknown())))
    scoper = Scoper(env, ArnContext(partition="aws"))
    (perm,) = scoper.permissions(site, GET_OBJECT)
    assert perm.resource == "arn:aws:s3:::*/in/*"
    assert perm.resource_parts == (
        "arn:aws:s3:::",
        TemplateRef("Uploads", None, "AWS::S3::Bucket"),
        "/in/",
        Unknown(),
    )
    assert [f.code for f in scoper.findings] == ["LP303"]


def test_env_default_is_used_only_when_the_environment_is_known() -> None:
    site = call("dynamodb", "GetItem", TableName=Value((EnvRef("TABLE", default="orders"),)))
    resources, found, _ = scope(GET_ITEM, site, Environment({}, complete=True))
    assert resources == ["arn:*:dynamodb:*:*:table/orders"]
    assert found == []
    # Without a template the deployed value is unknown: the default is not trusted.
    resources, found, scoper = scope(GET_ITEM, site, Environment({}, complete=False))
    assert resources == ["arn:*:dynamodb:*:*:table/*"]
    assert found == ["LP301"]
    assert "'orders'" in scoper.findings[0].message


def test_cli_env_overrides_resolve_variables_without_a_template() -> None:
    site = call("dynamodb", "GetItem", TableName=Value(("app-", EnvRef("STAGE"), "-orders")))
    resources, found, _ = scope(
        GET_ITEM, site, Environment({"STAGE": Value.literal("prod")}, complete=False)
    )
    assert resources == ["arn:*:dynamodb:*:*:table/app-prod-orders"]
    assert found == []


def test_action_without_resource_types_gets_star() -> None:
    requirement = Requirement("sqs:ListQueues")
    scoper = Scoper(NO_ENV)
    (perm,) = scoper.permissions(call("sqs", "ListQueues"), requirement)
    assert (perm.action, perm.resource) == ("sqs:ListQueues", "*")
    assert perm.provenance[0].source == "code"
    assert perm.provenance[0].location == HERE


def test_bucket_level_and_object_level_actions_differ() -> None:
    list_bucket = Requirement(
        "s3:ListBucket", "bucket", BUCKET, (ParamBinding("Bucket", "s3_bucket"),)
    )
    site = call("s3", "ListObjectsV2", Bucket=Value.literal("acme-reports"))
    assert scope(list_bucket, site)[0] == ["arn:*:s3:::acme-reports"]
    get = call("s3", "GetObject", Bucket=Value.literal("acme-reports"), Key=Value.unknown())
    assert scope(GET_OBJECT, get)[0] == ["arn:*:s3:::acme-reports/*"]


def test_listing_prefix_becomes_an_s3_prefix_condition() -> None:
    list_bucket = Requirement(
        "s3:ListBucket", "bucket", BUCKET, (ParamBinding("Bucket", "s3_bucket"),)
    )
    site = call(
        "s3",
        "ListObjectsV2",
        Bucket=Value.literal("acme-finance"),
        Prefix=Value(("drafts/", Unknown("report id"), "/")),
    )
    (perm,) = Scoper(NO_ENV).permissions(site, list_bucket)
    assert [(c.operator, c.key, c.values) for c in perm.conditions] == [
        ("StringLike", "s3:prefix", ("drafts/*/",))
    ]
    # A literal prefix is the request's exact prefix.
    site = call("s3", "ListObjectsV2", Bucket=Value.literal("b"), Prefix=Value.literal("in/"))
    assert Scoper(NO_ENV).permissions(site, list_bucket)[0].conditions[0].values == ("in/",)
    # An unknown prefix adds nothing: the listing may use any prefix.
    site = call("s3", "ListObjectsV2", Bucket=Value.literal("b"), Prefix=Value.unknown())
    assert Scoper(NO_ENV).permissions(site, list_bucket)[0].conditions == ()


def test_pass_role_is_conditioned_on_the_receiving_service() -> None:
    pass_role = Requirement(
        "iam:PassRole",
        "role",
        "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        (ParamBinding("Target.RoleArn", "iam_role_arn"),),
        kind="dependent",
    )
    target = Value(
        mapping=(
            (
                Value.literal("RoleArn"),
                Value.literal("arn:aws:iam::123456789012:role/reminder-scheduler"),
            ),
        )
    )
    (perm,) = Scoper(NO_ENV).permissions(
        call("scheduler", "CreateSchedule", Target=target), pass_role
    )
    assert perm.resource == "arn:aws:iam::123456789012:role/reminder-scheduler"
    assert [(c.key, c.values) for c in perm.conditions] == [
        ("iam:PassedToService", ("scheduler.amazonaws.com",))
    ]


def test_ses_sender_becomes_a_from_address_condition() -> None:
    send = Requirement("ses:SendEmail")
    v2 = call("sesv2", "SendEmail", FromEmailAddress=Value.literal("Acme <noreply@acme.example>"))
    (perm,) = Scoper(NO_ENV).permissions(v2, send)
    assert [(c.operator, c.key, c.values) for c in perm.conditions] == [
        ("StringEquals", "ses:FromAddress", ("noreply@acme.example",))
    ]
    v1 = call("ses", "SendEmail", Source=Value(("noreply@", Unknown("tenant domain"))))
    assert Scoper(NO_ENV).permissions(v1, send)[0].conditions == ()


def test_template_parameter_holding_an_arn_is_the_whole_resource() -> None:
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/7c1f0d2e-4b3a-4f6e-9a8d-1e2f3a4b5c6d"
    decrypt = Requirement(
        "kms:Decrypt",
        "key",
        "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
        (ParamBinding("KeyId", "kms_key"),),
    )
    parameter = TemplateRef("SettlementKeyArn", None, "Parameter", key_arn)
    env = Environment({"KEY": Value((parameter,))}, complete=True)
    (perm,) = Scoper(env).permissions(
        call("kms", "Decrypt", KeyId=Value((EnvRef("KEY"),))), decrypt
    )
    assert perm.resource == key_arn
    assert perm.resource_parts[0] == TemplateRef("SettlementKeyArn", None, "Parameter", key_arn)
    # A parameter holding a name stays a name inside the ARN.
    stage = TemplateRef("TableParam", None, "Parameter", "orders")
    env = Environment({"T": Value((stage,))}, complete=True)
    (perm,) = Scoper(env).permissions(
        call("dynamodb", "GetItem", TableName=Value((EnvRef("T"),))), GET_ITEM
    )
    assert perm.resource == "arn:*:dynamodb:*:*:table/orders"
    assert stage in perm.resource_parts


def test_ssm_parameter_reference_with_a_leading_slash_is_not_doubled() -> None:
    get = Requirement(
        "ssm:GetParameter",
        "parameter",
        "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}",
        (ParamBinding("Name", "ssm_parameter"),),
    )
    config = TemplateRef("Config", None, "AWS::SSM::Parameter", "/edge/config")
    env = Environment({"CONFIG": Value((config,))}, complete=True)
    (perm,) = Scoper(env).permissions(
        call("ssm", "GetParameter", Name=Value((EnvRef("CONFIG"),))), get
    )
    assert perm.resource == "arn:*:ssm:*:*:parameter/edge/config"
    assert "parameter//" not in repr(perm.resource_parts)
