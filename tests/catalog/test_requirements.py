"""requirements(call): request-content rules, selectors, value switches, helpers, side effects.

Call sites are what the analysis produces for realistic handler code; each test names the
line of Python it stands for.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.catalog import get_catalog
from least_priv.catalog.params import values_at
from least_priv.model import (
    CallKind,
    CallSite,
    Condition,
    EnvRef,
    ParamBinding,
    Requirement,
    Severity,
    Unknown,
    Value,
)

from .calls import actions, call, dict_value, list_value, lit

CAT = get_catalog()


def only(reqs: list[Requirement], action: str) -> list[Requirement]:
    return [r for r in reqs if r.action == action]


# -- selectors -----------------------------------------------------------------------------------


def test_query_on_an_index_is_scoped_to_the_index() -> None:
    # table.query(IndexName="by-user", KeyConditionExpression=...)
    (req,) = CAT.requirements(
        call("dynamodb", "Query", TableName=lit("orders"), IndexName=lit("by-user"))
    )
    assert req.resource_type == "index"
    assert ParamBinding("IndexName", "dynamodb_index") in req.bindings


def test_query_without_index_is_scoped_to_the_table() -> None:
    (req,) = CAT.requirements(call("dynamodb", "Query", TableName=lit("orders")))
    assert req.resource_type == "table"
    assert req.bindings == (ParamBinding("TableName", "dynamodb_table"),)


# -- request-content rules -----------------------------------------------------------------------


def test_transact_write_items_per_item_kind() -> None:
    # dynamodb.transact_write_items(TransactItems=[{"Put": {...orders}}, {"Delete": {...carts}}])
    items = list_value(
        dict_value(Put=dict_value(TableName=lit("orders"), Item=Value.unknown())),
        dict_value(Delete=dict_value(TableName=lit("carts"), Key=Value.unknown())),
    )
    reqs = CAT.requirements(call("dynamodb", "TransactWriteItems", TransactItems=items))
    assert actions(reqs) == ["dynamodb:DeleteItem", "dynamodb:PutItem"]
    (put,) = only(reqs, "dynamodb:PutItem")
    assert put.bindings == (ParamBinding("TransactItems[].Put.TableName", "dynamodb_table"),)
    assert put.kind == "conditional"
    (delete,) = only(reqs, "dynamodb:DeleteItem")
    assert delete.bindings == (ParamBinding("TransactItems[].Delete.TableName", "dynamodb_table"),)


def test_transact_write_items_unknown_items_grant_every_kind() -> None:
    # dynamodb.transact_write_items(TransactItems=build_items(order))
    reqs = CAT.requirements(call("dynamodb", "TransactWriteItems", TransactItems=Value.unknown()))
    assert actions(reqs) == [
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert all("every possibility" in r.reason for r in reqs)


def test_partiql_by_verb() -> None:
    stmt = Value(('SELECT * FROM "orders" WHERE pk = ', Unknown()))
    (req,) = CAT.requirements(call("dynamodb", "ExecuteStatement", Statement=stmt))
    assert req.action == "dynamodb:PartiQLSelect"
    assert req.bindings == (ParamBinding("Statement", "dynamodb_partiql_table"),)


def test_partiql_batch_mixed_verbs() -> None:
    stmts = list_value(
        dict_value(Statement=lit("UPDATE \"orders\" SET s='paid' WHERE pk=?")),
        dict_value(Statement=lit('DELETE FROM "carts" WHERE pk=?')),
    )
    reqs = CAT.requirements(call("dynamodb", "BatchExecuteStatement", Statements=stmts))
    assert actions(reqs) == ["dynamodb:PartiQLDelete", "dynamodb:PartiQLUpdate"]


def test_partiql_unknown_statement_grants_all_verbs() -> None:
    reqs = CAT.requirements(call("dynamodb", "ExecuteStatement", Statement=Value((EnvRef("SQL"),))))
    assert len(actions(reqs)) == 4


def test_delete_objects_with_version_ids() -> None:
    objects = list_value(dict_value(Key=lit("a.txt"), VersionId=lit("v1")))
    reqs = CAT.requirements(
        call("s3", "DeleteObjects", Bucket=lit("b"), Delete=dict_value(Objects=objects))
    )
    assert actions(reqs) == ["s3:DeleteObject", "s3:DeleteObjectVersion"]


def test_delete_objects_without_version_ids() -> None:
    objects = list_value(dict_value(Key=lit("a.txt")), dict_value(Key=lit("b.txt")))
    reqs = CAT.requirements(
        call("s3", "DeleteObjects", Bucket=lit("b"), Delete=dict_value(Objects=objects))
    )
    assert actions(reqs) == ["s3:DeleteObject"]


def test_copy_object_reads_source_and_writes_target() -> None:
    reqs = CAT.requirements(
        call("s3", "CopyObject", Bucket=lit("dst"), Key=lit("k"), CopySource=lit("src/k"))
    )
    (get,) = only(reqs, "s3:GetObject")
    assert get.bindings == (ParamBinding("CopySource", "s3_copy_source"),)
    (put,) = only(reqs, "s3:PutObject")
    assert set(put.bindings) == {ParamBinding("Bucket", "s3_bucket"), ParamBinding("Key", "s3_key")}


# -- value switches ------------------------------------------------------------------------------


def test_access_point_arn_moves_to_access_point_resources() -> None:
    ap = lit("arn:aws:s3:us-east-1:123456789012:accesspoint/reports")
    (req,) = CAT.requirements(call("s3", "GetObject", Bucket=ap, Key=lit("r.csv")))
    assert req.resource_type == "accesspointobject"
    assert "accesspoint/${AccessPointName}/object/${ObjectName}" in (req.arn_template or "")


def test_bedrock_foundation_model() -> None:
    (req,) = CAT.requirements(
        call(
            "bedrock-runtime", "InvokeModel", modelId=lit("anthropic.claude-3-haiku-20240307-v1:0")
        )
    )
    assert (req.action, req.resource_type) == ("bedrock:InvokeModel", "foundation-model")


def test_bedrock_inference_profile_also_needs_the_model() -> None:
    reqs = CAT.requirements(
        call(
            "bedrock-runtime", "Converse", modelId=lit("us.anthropic.claude-3-haiku-20240307-v1:0")
        )
    )
    assert {r.resource_type for r in reqs} == {"inference-profile", "foundation-model"}
    (model,) = [r for r in reqs if r.resource_type == "foundation-model"]
    assert model.bindings == (ParamBinding("modelId", "bedrock_profile_model"),)


def test_bedrock_unknown_model_grants_both_kinds() -> None:
    reqs = CAT.requirements(
        call("bedrock-runtime", "Converse", modelId=Value((EnvRef("MODEL_ID"),)))
    )
    assert {"foundation-model", "inference-profile"} <= {r.resource_type for r in reqs}
    assert any("may be a foundation model" in r.reason for r in reqs)


# -- helpers -------------------------------------------------------------------------------------


def test_upload_file_helper() -> None:
    # s3.upload_file("/tmp/out.csv", BUCKET, f"exports/{day}.csv")
    c = call(
        "s3",
        "upload_file",
        CallKind.HELPER,
        Filename=lit("/tmp/out.csv"),
        Bucket=Value((EnvRef("BUCKET"),)),
        Key=Value(("exports/", Unknown(), ".csv")),
    )
    reqs = CAT.requirements(c)
    assert actions(reqs) == ["s3:AbortMultipartUpload", "s3:PutObject"]
    subs = CAT.expand_helper(c)
    assert [s.operation for s in subs] == [
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    ]
    assert subs[0].arg("Key") == Value(("exports/", Unknown(), ".csv"))
    assert subs[0].via == "upload_file"


def test_upload_file_with_sse_kms_extra_args_needs_the_key() -> None:
    extra = dict_value(ServerSideEncryption=lit("aws:kms"), SSEKMSKeyId=lit("alias/uploads"))
    c = call(
        "s3",
        "upload_file",
        CallKind.HELPER,
        Filename=lit("f"),
        Bucket=lit("b"),
        Key=lit("k"),
        ExtraArgs=extra,
    )
    reqs = CAT.requirements(c)
    gen = only(reqs, "kms:GenerateDataKey")
    assert gen and gen[0].bindings == (ParamBinding("SSEKMSKeyId", "kms_key"),)
    assert Condition("StringLike", "kms:ViaService", ("s3.*.amazonaws.com",)) in gen[0].conditions
    assert only(reqs, "kms:Decrypt")  # multipart upload decrypts the data key


def test_download_file_helper_on_object_resource() -> None:
    info = CAT.helper("s3", "Object.download_file")
    assert info is not None
    assert info.arguments[0] == "Filename" and info.identifiers == ("Bucket", "Key")
    c = call(
        "s3",
        "Object.download_file",
        CallKind.HELPER,
        Filename=lit("/tmp/x"),
        Bucket=lit("b"),
        Key=lit("k"),
    )
    assert actions(CAT.requirements(c)) == ["s3:GetObject"]


def test_copy_helper_with_dict_source() -> None:
    src = dict_value(Bucket=lit("src"), Key=lit("in/a.csv"))
    c = call("s3", "copy", CallKind.HELPER, CopySource=src, Bucket=lit("dst"), Key=lit("out/a.csv"))
    subs = CAT.expand_helper(c)
    head = subs[0]
    assert (head.operation, head.arg("Bucket"), head.arg("Key")) == (
        "HeadObject",
        lit("src"),
        lit("in/a.csv"),
    )
    copy = next(s for s in subs if s.operation == "CopyObject")
    assert copy.arg("CopySource") == Value(("src", "/", "in/a.csv"))
    assert actions(CAT.requirements(c)) == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:PutObject",
    ]


def test_batch_writer_becomes_batch_write_item_on_the_table() -> None:
    c = call("dynamodb", "Table.batch_writer", CallKind.HELPER, TableName=Value((EnvRef("TABLE"),)))
    (sub,) = CAT.expand_helper(c)
    assert sub.operation == "BatchWriteItem"
    assert values_at(sub, "RequestItems.*") == [Value((EnvRef("TABLE"),))]
    (req,) = CAT.requirements(c)
    assert req.action == "dynamodb:BatchWriteItem"
    assert req.bindings == (ParamBinding("RequestItems.*", "dynamodb_table"),)


def test_presigned_url_needs_the_signed_operation() -> None:
    params = dict_value(Bucket=lit("reports"), Key=Value(("r/", Unknown())))
    c = call(
        "s3",
        "generate_presigned_url",
        CallKind.PRESIGN,
        ClientMethod=lit("get_object"),
        Params=params,
    )
    (sub,) = CAT.expand_helper(c)
    assert (sub.operation, sub.arg("Bucket")) == ("GetObject", lit("reports"))
    assert actions(CAT.requirements(c)) == ["s3:GetObject"]


def test_presigned_url_with_unknown_method_expands_to_nothing() -> None:
    c = call("s3", "generate_presigned_url", CallKind.PRESIGN, ClientMethod=Value.unknown())
    assert CAT.expand_helper(c) == []


def test_presigned_post() -> None:
    c = call(
        "s3",
        "generate_presigned_post",
        CallKind.PRESIGN,
        Bucket=lit("in"),
        Key=lit("u/${filename}"),
    )
    assert actions(CAT.requirements(c)) == ["s3:PutObject"]


# -- side effects --------------------------------------------------------------------------------


def test_pass_role_is_bound_to_the_role_parameter() -> None:
    c = call(
        "lambda",
        "CreateFunction",
        FunctionName=lit("worker"),
        Role=lit("arn:aws:iam::123456789012:role/worker-exec"),
    )
    (passrole,) = only(CAT.requirements(c), "iam:PassRole")
    assert passrole.kind == "side-effect"
    assert passrole.bindings == (ParamBinding("Role", "iam_role_arn"),)


def test_pass_role_for_nested_role_arns() -> None:
    targets = list_value(
        dict_value(Id=lit("1"), Arn=lit("arn:aws:sqs:..."), RoleArn=lit("arn:aws:iam::1:role/r"))
    )
    reqs = CAT.requirements(call("events", "PutTargets", Rule=lit("on-paid"), Targets=targets))
    (passrole,) = only(reqs, "iam:PassRole")
    assert passrole.bindings == (ParamBinding("Targets[].RoleArn", "iam_role_arn"),)


def test_targets_without_roles_pass_none() -> None:
    targets = list_value(dict_value(Id=lit("1"), Arn=lit("arn:aws:lambda:us-east-1:1:function:f")))
    reqs = CAT.requirements(call("events", "PutTargets", Rule=lit("on-paid"), Targets=targets))
    assert actions(reqs) == ["events:PutTargets"]


def test_start_execution_passes_no_role() -> None:
    reqs = CAT.requirements(
        call(
            "stepfunctions",
            "StartExecution",
            stateMachineArn=lit("arn:aws:states:us-east-1:1:stateMachine:m"),
        )
    )
    assert actions(reqs) == ["states:StartExecution"]


def test_textract_reads_the_s3_object_as_the_caller() -> None:
    doc = dict_value(S3Object=dict_value(Bucket=lit("scans"), Name=Value(("in/", Unknown()))))
    reqs = CAT.requirements(
        call("textract", "AnalyzeDocument", Document=doc, FeatureTypes=Value.unknown())
    )
    (get,) = only(reqs, "s3:GetObject")
    assert get.kind == "side-effect"
    assert set(get.bindings) == {
        ParamBinding("Document.S3Object.Bucket", "s3_bucket"),
        ParamBinding("Document.S3Object.Name", "s3_key"),
    }


def test_textract_bytes_input_reads_nothing_from_s3() -> None:
    reqs = CAT.requirements(
        call("textract", "DetectDocumentText", Document=dict_value(Bytes=Value.unknown()))
    )
    assert actions(reqs) == ["textract:DetectDocumentText"]


def test_textract_document_built_elsewhere_may_be_in_s3() -> None:
    reqs = CAT.requirements(call("textract", "DetectDocumentText", Document=Value.unknown()))
    assert actions(reqs) == ["s3:GetObject", "textract:DetectDocumentText"]


def test_kms_rows_for_encrypted_queue_only_on_request() -> None:
    c = call(
        "sqs",
        "SendMessage",
        QueueUrl=lit("https://sqs.us-east-1.amazonaws.com/1/q"),
        MessageBody=lit("x"),
    )
    assert actions(CAT.requirements(c)) == ["sqs:SendMessage"]
    encrypted = CAT.requirements(c, kms_encrypted=True)
    assert actions(encrypted) == ["kms:Decrypt", "kms:GenerateDataKey", "sqs:SendMessage"]
    kms = only(encrypted, "kms:Decrypt")[0]
    assert Condition("StringLike", "kms:ViaService", ("sqs.*.amazonaws.com",)) in kms.conditions


def test_unknown_structures_become_unknown_values() -> None:
    c = call("dynamodb", "BatchWriteItem", RequestItems=Value.unknown())
    (value,) = values_at(c, "RequestItems.*") or []
    assert value.pattern() == "*"
    assert values_at(c, "Nope") is None


# -- service defaults and alternative bindings ---------------------------------------------------


def test_athena_without_workgroup_runs_in_primary() -> None:
    reqs = CAT.requirements(call("athena", "StartQueryExecution", QueryString=lit("SELECT 1")))
    (req,) = only(reqs, "athena:StartQueryExecution")
    assert req.bindings == (ParamBinding("=primary", "athena_workgroup"),)
    assert values_at(call("athena", "X"), "=primary") == [lit("primary")]
    named_reqs = CAT.requirements(
        call("athena", "StartQueryExecution", QueryString=lit("SELECT 1"), WorkGroup=lit("etl"))
    )
    (named,) = only(named_reqs, "athena:StartQueryExecution")
    assert named.bindings == (ParamBinding("WorkGroup", "athena_workgroup"),)


def test_put_events_mixing_custom_and_default_bus() -> None:
    entries = list_value(
        dict_value(EventBusName=lit("orders"), Source=lit("shop"), DetailType=lit("Paid")),
        dict_value(Source=lit("shop"), DetailType=lit("Refunded")),
    )
    reqs = CAT.requirements(call("events", "PutEvents", Entries=entries))
    assert sorted(r.bindings for r in reqs) == [
        (ParamBinding("=default", "events_bus"),),
        (ParamBinding("Entries[].EventBusName", "events_bus"),),
    ]


def test_put_events_all_on_a_custom_bus_needs_no_default() -> None:
    entries = list_value(dict_value(EventBusName=lit("orders"), Source=lit("shop")))
    (req,) = CAT.requirements(call("events", "PutEvents", Entries=entries))
    assert req.bindings == (ParamBinding("Entries[].EventBusName", "events_bus"),)


def test_alternative_parameters_become_separate_requirements() -> None:
    # sns.publish(TopicArn=...) — TargetArn is the other way to name the destination
    (req,) = CAT.requirements(call("sns", "Publish", TopicArn=lit("arn:aws:sns:us-east-1:1:t")))
    assert req.bindings == (ParamBinding("TopicArn", "sns_topic_arn"),)
    # neither passed (arguments built elsewhere): keep both, each alone
    reqs = CAT.requirements(call("sns", "Publish", Message=lit("hi")))
    assert sorted(b.param for r in reqs for b in r.bindings) == ["TargetArn", "TopicArn"]
    assert all(len(r.bindings) == 1 for r in reqs)


def test_every_requirement_fills_each_variable_from_one_binding() -> None:
    from least_priv.catalog import transforms

    calls = [
        call("dynamodb", "TransactWriteItems", TransactItems=Value.unknown()),
        call("s3", "CopyObject", Bucket=lit("b"), Key=lit("k"), CopySource=Value.unknown()),
        call("events", "PutEvents", Entries=Value.unknown()),
        call("sns", "Publish", Message=lit("x")),
    ]
    for c in calls:
        for req in CAT.requirements(c):
            seen: set[str] = set()
            for b in req.bindings:
                outputs = transforms.OUTPUTS[b.transform] - {"Region", "Account"}
                assert not (outputs & seen), (c.operation, req)
                seen |= outputs


def test_kms_through_an_alias_is_conditioned_on_the_alias() -> None:
    # kms.encrypt(KeyId="alias/app-data", Plaintext=...)
    (req,) = CAT.requirements(
        call("kms", "Encrypt", KeyId=lit("alias/app-data"), Plaintext=lit("x"))
    )
    assert req.resource_type == "key"
    assert req.conditions == (Condition("StringEquals", "kms:RequestAlias", ("alias/app-data",)),)
    (by_id,) = CAT.requirements(
        call("kms", "Encrypt", KeyId=lit("1234abcd-12ab"), Plaintext=lit("x"))
    )
    assert by_id.conditions == ()


def test_glue_table_calls_need_catalog_database_and_table() -> None:
    reqs = CAT.requirements(call("glue", "GetTable", DatabaseName=lit("sales"), Name=lit("orders")))
    by_type = {r.resource_type: r for r in reqs}
    assert set(by_type) == {"rootcatalog", "database", "table"}
    assert set(by_type["table"].bindings) == {
        ParamBinding("DatabaseName", "glue_database"),
        ParamBinding("Name", "glue_table"),
    }


def test_kms_create_alias_needs_the_alias_and_the_key() -> None:
    reqs = CAT.requirements(
        call("kms", "CreateAlias", AliasName=lit("alias/app"), TargetKeyId=lit("1234abcd"))
    )
    assert {(r.resource_type, r.bindings) for r in reqs} == {
        ("alias", (ParamBinding("AliasName", "kms_alias"),)),
        ("key", (ParamBinding("TargetKeyId", "kms_key"),)),
    }


# -- findings ------------------------------------------------------------------------------------


def codes_of(c: CallSite) -> list[str]:
    return [f.code for f in CAT.findings(c)]


def test_findings_for_unknown_names() -> None:
    (finding,) = CAT.findings(call("dynamo", "GetItem"))
    assert finding.code == "LP701" and "closest: dynamodb" in finding.message
    assert finding.location == call("s3", "x").location
    assert codes_of(call("s3", "GetObjects")) == ["LP702"]


def test_findings_for_unresolved_and_undecided_calls() -> None:
    client, operation = CAT.unresolved()[0].split(".")
    assert codes_of(call(client, operation)) == ["LP703"]
    assert codes_of(call("dynamodb", "TransactWriteItems", TransactItems=Value.unknown())) == [
        "LP705"
    ]
    items = list_value(dict_value(Put=dict_value(TableName=lit("orders"))))
    assert codes_of(call("dynamodb", "TransactWriteItems", TransactItems=items)) == []
    assert codes_of(call("s3", "GetObject", Bucket=lit("b"), Key=lit("k"))) == []


def test_findings_for_helpers() -> None:
    unknown = call("s3", "generate_presigned_url", CallKind.PRESIGN, ClientMethod=Value.unknown())
    assert codes_of(unknown) == ["LP704"]
    ok = call(
        "s3", "upload_file", CallKind.HELPER, Filename=lit("f"), Bucket=lit("b"), Key=lit("k")
    )
    assert codes_of(ok) == []


def test_catalog_codes_are_registered() -> None:
    from least_priv.lint.codes import code_info

    assert code_info("LP703").name == "catalog-unresolved-operation"
    assert code_info("LP705").severity == Severity.NOTE


def test_optional_resource_types_without_a_binding_mean_any_resource() -> None:
    # cloudwatch.put_metric_data(Namespace=..., MetricData=[...]) names no dataset: IAM
    # evaluates "*", which arn:...:dataset/* would not match.
    (req,) = CAT.requirements(call("cloudwatch", "PutMetricData", Namespace=lit("Shop")))
    assert (req.resource_type, req.arn_template) == (None, None)


def test_ses_send_needs_identity_and_named_configuration_set() -> None:
    # sesv2.send_email(FromEmailAddress="Shop <noreply@mail.acme.example>",
    #                  ConfigurationSetName="transactional", ...)
    reqs = CAT.requirements(
        call(
            "sesv2",
            "SendEmail",
            FromEmailAddress=lit("Shop <noreply@mail.acme.example>"),
            ConfigurationSetName=lit("transactional"),
        )
    )
    # the address, its domain or a parent domain may be the verified identity
    assert {(r.resource_type, r.bindings) for r in reqs} == {
        ("identity", (ParamBinding("=noreply@mail.acme.example", "ses_identity"),)),
        ("identity", (ParamBinding("=mail.acme.example", "ses_identity"),)),
        ("identity", (ParamBinding("=acme.example", "ses_identity"),)),
        ("configuration-set", (ParamBinding("ConfigurationSetName", "ses_configuration_set"),)),
    }
    from_env = CAT.requirements(
        call("sesv2", "SendEmail", FromEmailAddress=Value((EnvRef("FROM"),)))
    )
    assert [r.bindings for r in from_env] == [(ParamBinding("FromEmailAddress", "ses_sender"),)]
    without = CAT.requirements(call("ses", "SendRawEmail", RawMessage=Value.unknown()))
    assert {r.resource_type for r in without} == {"identity"}


def test_appconfig_names_are_not_ids() -> None:
    reqs = CAT.requirements(
        call(
            "appconfigdata",
            "StartConfigurationSession",
            ApplicationIdentifier=lit("storefront"),
            EnvironmentIdentifier=lit("prod"),
            ConfigurationProfileIdentifier=lit("checkout-flags"),
        )
    )
    (req,) = reqs
    assert req.resource_type == "configuration"
    assert {b.transform for b in req.bindings} == {
        "appconfig_application",
        "appconfig_environment",
        "appconfig_profile",
    }


def test_tags_at_creation_need_the_tagging_action() -> None:
    tags = list_value(dict_value(Key=lit("tenant"), Value=lit("acme")))
    reqs = CAT.requirements(
        call("dynamodb", "CreateTable", TableName=lit("acme-orders"), Tags=tags)
    )
    (tag,) = only(reqs, "dynamodb:TagResource")
    assert tag.kind == "conditional" and "tag-on-create" in tag.reason
    assert tag.bindings == (ParamBinding("TableName", "dynamodb_table"),)
    untagged = CAT.requirements(call("dynamodb", "CreateTable", TableName=lit("acme-orders")))
    assert actions(untagged) == ["dynamodb:CreateTable"]


def test_ec2_tag_on_create_is_conditioned_on_the_creating_action() -> None:
    info = CAT.operation("ec2", "RunInstances")
    assert info is not None
    (tag,) = [
        r for r in info.requirements if r.action == "ec2:CreateTags" and r.kind == "conditional"
    ]
    assert tag.conditions == (Condition("StringEquals", "ec2:CreateAction", ("RunInstances",)),)


def test_object_tagging_on_upload() -> None:
    reqs = CAT.requirements(
        call("s3", "PutObject", Bucket=lit("b"), Key=lit("k"), Tagging=lit("team=data"))
    )
    assert actions(reqs) == ["s3:PutObject", "s3:PutObjectTagging"]


def test_sms_publish_names_no_topic() -> None:
    # sns.publish(PhoneNumber="+15550100", Message="code 1234")
    (req,) = CAT.requirements(
        call("sns", "Publish", PhoneNumber=lit("+15550100"), Message=lit("code 1234"))
    )
    assert (req.action, req.resource_type) == ("sns:Publish", None)
    info = CAT.operation("sns", "Publish")
    assert info is not None and info.actions == ("sns:Publish",)


def test_invoke_with_a_qualifier_is_scoped_to_the_qualified_function() -> None:
    # lambda_.invoke(FunctionName="resize", Qualifier="live", Payload=...)
    (req,) = CAT.requirements(
        call("lambda", "Invoke", FunctionName=lit("resize"), Qualifier=lit("live"))
    )
    assert req.bindings == (ParamBinding("=resize:live", "lambda_function"),)
    (env,) = CAT.requirements(
        call("lambda", "Invoke", FunctionName=Value((EnvRef("FN"),)), Qualifier=lit("live"))
    )
    assert env.bindings == (ParamBinding("FunctionName", "lambda_function_any_qualifier"),)
    (plain,) = CAT.requirements(call("lambda", "Invoke", FunctionName=lit("resize")))
    assert plain.bindings == (ParamBinding("FunctionName", "lambda_function"),)


def test_athena_query_reads_glue_and_s3_and_writes_results_as_the_caller() -> None:
    c = call(
        "athena",
        "StartQueryExecution",
        QueryString=lit("SELECT * FROM orders"),
        QueryExecutionContext=dict_value(Database=lit("sales")),
        ResultConfiguration=dict_value(OutputLocation=lit("s3://acme-athena/results/")),
    )
    reqs = CAT.requirements(c)
    assert {"glue:GetTable", "glue:GetPartitions", "s3:PutObject", "s3:GetBucketLocation"} <= set(
        actions(reqs)
    )
    (put,) = only(reqs, "s3:PutObject")
    assert put.kind == "side-effect"
    assert put.bindings == (ParamBinding("ResultConfiguration.OutputLocation", "s3_uri_prefix"),)
    tables = [r for r in only(reqs, "glue:GetTable") if r.resource_type == "table"]
    assert tables[0].bindings == (ParamBinding("QueryExecutionContext.Database", "glue_database"),)


def test_tagging_dependents_only_with_tags() -> None:
    base = {
        "ProcessingJobName": lit("features-2026"),
        "RoleArn": lit("arn:aws:iam::123456789012:role/sm-processing"),
        "AppSpecification": dict_value(ImageUri=lit("123.dkr.ecr/x:1")),
        "ProcessingResources": Value.unknown(),
    }
    plain = CAT.requirements(call("sagemaker", "CreateProcessingJob", **base))
    assert "sagemaker:AddTags" not in actions(plain)
    tagged = CAT.requirements(
        call("sagemaker", "CreateProcessingJob", Tags=list_value(Value.unknown()), **base)
    )
    assert "sagemaker:AddTags" in actions(tagged)


# -- object versions -----------------------------------------------------------------------------


def test_reading_a_version_needs_the_version_action() -> None:
    reqs = CAT.requirements(
        call("s3", "GetObject", Bucket=lit("b"), Key=lit("k"), VersionId=lit("3HL4kqtJ"))
    )
    # IAM authorises a versioned read by s3:GetObjectVersion alone
    assert actions(reqs) == ["s3:GetObjectVersion"]
    (version,) = only(reqs, "s3:GetObjectVersion")
    assert version.kind == "required"
    assert set(version.bindings) == {
        ParamBinding("Bucket", "s3_bucket"),
        ParamBinding("Key", "s3_key"),
    }
    assert actions(CAT.requirements(call("s3", "GetObject", Bucket=lit("b"), Key=lit("k")))) == [
        "s3:GetObject"
    ]


def test_copying_a_source_version() -> None:
    versioned = lit("src/in/a.csv?versionId=3HL4kqtJ")
    reqs = CAT.requirements(
        call("s3", "CopyObject", Bucket=lit("dst"), Key=lit("a.csv"), CopySource=versioned)
    )
    (version,) = only(reqs, "s3:GetObjectVersion")
    assert version.bindings == (ParamBinding("CopySource", "s3_copy_source"),)
    assert only(reqs, "s3:GetObject") == []  # the version action stands in for it
    current = CAT.requirements(
        call("s3", "CopyObject", Bucket=lit("dst"), Key=lit("a.csv"), CopySource=lit("src/a.csv"))
    )
    assert "s3:GetObjectVersion" not in actions(current)
    unknown = CAT.requirements(
        call(
            "s3", "CopyObject", Bucket=lit("d"), Key=lit("k"), CopySource=Value(("src/", Unknown()))
        )
    )
    assert "s3:GetObjectVersion" in actions(unknown)


def test_copy_source_as_a_dict_binds_its_members() -> None:
    members = {
        ParamBinding("CopySource.Bucket", "s3_bucket"),
        ParamBinding("CopySource.Key", "s3_key"),
    }
    current = dict_value(Bucket=lit("src"), Key=lit("in/a.csv"))
    reqs = CAT.requirements(
        call("s3", "CopyObject", Bucket=lit("dst"), Key=lit("a.csv"), CopySource=current)
    )
    (get,) = only(reqs, "s3:GetObject")
    assert set(get.bindings) == members
    version = dict_value(Bucket=lit("src"), Key=lit("in/a.csv"), VersionId=lit("v1"))
    reqs = CAT.requirements(
        call("s3", "CopyObject", Bucket=lit("dst"), Key=lit("a.csv"), CopySource=version)
    )
    (get_version,) = only(reqs, "s3:GetObjectVersion")
    assert set(get_version.bindings) == members
    assert only(reqs, "s3:GetObject") == []


def test_deleting_a_version() -> None:
    reqs = CAT.requirements(
        call("s3", "DeleteObject", Bucket=lit("b"), Key=lit("k"), VersionId=Value.unknown())
    )
    assert actions(reqs) == ["s3:DeleteObjectVersion"]
    info = CAT.operation("s3", "DeleteObject")
    assert info is not None and info.actions == ("s3:DeleteObject",)


def test_copy_helper_with_a_source_version() -> None:
    src = dict_value(Bucket=lit("src"), Key=lit("k"), VersionId=lit("v1"))
    c = call("s3", "copy", CallKind.HELPER, CopySource=src, Bucket=lit("dst"), Key=lit("k"))
    assert "s3:GetObjectVersion" in actions(CAT.requirements(c))


def test_request_members_that_bring_in_another_action() -> None:
    # s3.upload_file(path, BUCKET, key, ExtraArgs={"ACL": "bucket-owner-full-control"})
    c = call(
        "s3",
        "upload_file",
        CallKind.HELPER,
        Filename=lit("/tmp/r.pdf"),
        Bucket=lit("reports"),
        Key=lit("r.pdf"),
        ExtraArgs=dict_value(ACL=lit("bucket-owner-full-control")),
    )
    reqs = CAT.requirements(c)
    (acl,) = only(reqs, "s3:PutObjectAcl")
    assert set(acl.bindings) == {ParamBinding("Bucket", "s3_bucket"), ParamBinding("Key", "s3_key")}
    plain = CAT.requirements(call("s3", "PutObject", Bucket=lit("b"), Key=lit("k")))
    assert actions(plain) == ["s3:PutObject"]


def test_assume_role_is_scoped_to_the_role_and_session_tags_need_tag_session() -> None:
    role = lit("arn:aws:iam::210987654321:role/reporting-reader")
    (assume,) = CAT.requirements(call("sts", "AssumeRole", RoleArn=role, RoleSessionName=lit("r")))
    assert assume.bindings == (ParamBinding("RoleArn", "iam_role_arn"),)
    tagged = CAT.requirements(
        call(
            "sts",
            "AssumeRole",
            RoleArn=role,
            RoleSessionName=lit("r"),
            Tags=list_value(dict_value(Key=lit("tenant"), Value=lit("acme"))),
            SourceIdentity=lit("alice"),
        )
    )
    assert actions(tagged) == ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]


# -- robustness ----------------------------------------------------------------------------------

_PARTS = st.one_of(
    st.sampled_from(["orders", "arn:aws:s3:::b", "alias/x", "s3://b/k", "SELECT * FROM t", "*"]),
    st.builds(Unknown),
    st.builds(EnvRef, st.sampled_from(["TABLE", "BUCKET"])),
)
_VALUES = st.recursive(
    st.lists(_PARTS, min_size=1, max_size=3).map(lambda ps: Value(tuple(ps))),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: Value(sequence=tuple(xs))),
        st.lists(st.tuples(st.sampled_from(["Put", "Key", "Bucket", "VersionId",
                                            "TableName", "Statement", "S3Object", "Name"]).map(lit),
                           inner), max_size=3).map(lambda kv: Value(mapping=tuple(kv))),
    ),
    max_leaves=8,
)  # fmt: skip
_OPERATIONS = [
    ("dynamodb", "TransactWriteItems", "TransactItems"),
    ("dynamodb", "BatchExecuteStatement", "Statements"),
    ("dynamodb", "BatchWriteItem", "RequestItems"),
    ("s3", "DeleteObjects", "Delete"),
    ("s3", "CopyObject", "CopySource"),
    ("textract", "AnalyzeDocument", "Document"),
    ("events", "PutEvents", "Entries"),
    ("kms", "Encrypt", "KeyId"),
    ("bedrock-runtime", "Converse", "modelId"),
    ("sesv2", "SendEmail", "FromEmailAddress"),
]


@given(target=st.sampled_from(_OPERATIONS), value=_VALUES)
@settings(max_examples=300, deadline=None)
def test_any_argument_shape_gives_requirements_never_nothing(
    target: tuple[str, str, str], value: Value
) -> None:
    client, operation, param = target
    reqs = CAT.requirements(call(client, operation, **{param: value}))
    assert reqs, f"{client}.{operation} with {value!r} dropped every action"
    assert reqs == sorted(set(reqs))
    CAT.findings(call(client, operation, **{param: value}))  # never raises either


def test_empty_or_unrecognised_lists_are_treated_as_unknown() -> None:
    # items = []; for o in orders: items.append({"Put": ...}) — seen before it was filled
    reqs = CAT.requirements(call("dynamodb", "TransactWriteItems", TransactItems=list_value()))
    assert len(actions(reqs)) == 4
    odd = list_value(dict_value(Key=Value.unknown()))
    assert (
        len(actions(CAT.requirements(call("dynamodb", "TransactWriteItems", TransactItems=odd))))
        == 4
    )
    empty_delete = dict_value(Objects=list_value())
    reqs = CAT.requirements(call("s3", "DeleteObjects", Bucket=lit("b"), Delete=empty_delete))
    assert actions(reqs) == ["s3:DeleteObject", "s3:DeleteObjectVersion"]


def test_a_list_filled_later_keeps_its_side_effects() -> None:
    # targets = []; targets.append({... "RoleArn": role}); events.put_targets(Targets=targets)
    reqs = CAT.requirements(call("events", "PutTargets", Rule=lit("r"), Targets=list_value()))
    assert "iam:PassRole" in actions(reqs)
    (value,) = (
        values_at(
            call("dynamodb", "BatchWriteItem", RequestItems=Value(mapping=())), "RequestItems.*"
        )
        or []
    )
    assert value.pattern() == "*"


def test_retrieve_and_generate_needs_the_knowledge_base_and_the_model() -> None:
    config = dict_value(
        type=lit("KNOWLEDGE_BASE"),
        knowledgeBaseConfiguration=dict_value(
            knowledgeBaseId=lit("KB12345678"),
            modelArn=lit("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"),
        ),
    )
    reqs = CAT.requirements(
        call(
            "bedrock-agent-runtime",
            "RetrieveAndGenerate",
            input=dict_value(text=lit("q")),
            retrieveAndGenerateConfiguration=config,
        )
    )
    by_action = {r.action: r for r in reqs}
    assert set(by_action) == {
        "bedrock:RetrieveAndGenerate",
        "bedrock:Retrieve",
        "bedrock:InvokeModel",
    }
    assert by_action["bedrock:Retrieve"].resource_type == "knowledge-base"
    assert by_action["bedrock:InvokeModel"].resource_type == "foundation-model"


def test_guardrail_only_when_the_request_applies_one() -> None:
    model = lit("anthropic.claude-3-haiku-20240307-v1:0")
    plain = CAT.requirements(call("bedrock-runtime", "Converse", modelId=model))
    assert actions(plain) == ["bedrock:InvokeModel"]
    guarded = CAT.requirements(
        call(
            "bedrock-runtime",
            "Converse",
            modelId=model,
            guardrailConfig=dict_value(
                guardrailIdentifier=lit("gr-abc"), guardrailVersion=lit("1")
            ),
        )
    )
    assert actions(guarded) == ["bedrock:ApplyGuardrail", "bedrock:InvokeModel"]


def test_running_an_ecs_task_passes_its_roles() -> None:
    reqs = CAT.requirements(
        call("ecs", "RunTask", cluster=lit("jobs"), taskDefinition=lit("worker:3"))
    )
    (run,) = only(reqs, "ecs:RunTask")
    assert run.bindings == (ParamBinding("taskDefinition", "ecs_task_definition"),)
    (passrole,) = only(reqs, "iam:PassRole")
    assert passrole.conditions == (
        Condition("StringEquals", "iam:PassedToService", ("ecs-tasks.amazonaws.com",)),
    )


def test_run_instances_adds_the_resources_the_request_uses() -> None:
    def types(**args: Value) -> list[str | None]:
        reqs = CAT.requirements(call("ec2", "RunInstances", ImageId=lit("ami-0abc"), **args))
        return sorted(r.resource_type or "" for r in only(reqs, "ec2:RunInstances"))

    always = ["image", "instance", "network-interface", "security-group", "subnet", "volume"]
    assert types() == always
    assert types(KeyName=lit("ops")) == sorted([*always, "key-pair"])
    assert "launch-template" in types(LaunchTemplate=dict_value(LaunchTemplateName=lit("web")))


def test_send_command_needs_the_document_and_its_targets() -> None:
    reqs = CAT.requirements(
        call(
            "ssm",
            "SendCommand",
            DocumentName=lit("AWS-RunShellScript"),
            InstanceIds=list_value(lit("i-0abc1234")),
        )
    )
    assert {r.resource_type for r in only(reqs, "ssm:SendCommand")} == {
        "document",
        "instance",
        "managed-instance",
    }
    from least_priv.catalog.transforms import apply

    # AWS-owned documents have no account in their ARN
    assert apply("ssm_document", "AWS-RunShellScript") == {
        "DocumentName": "AWS-RunShellScript",
        "Account": "*",
    }


def test_role_members_in_any_spelling_are_passed() -> None:
    for client, operation, member in [
        ("stepfunctions", "CreateStateMachine", "roleArn"),
        ("codebuild", "CreateProject", "serviceRole"),
        ("kinesisanalyticsv2", "CreateApplication", "ServiceExecutionRole"),
    ]:
        info = CAT.operation(client, operation)
        assert info is not None
        passed = [r for r in info.requirements if r.action == "iam:PassRole"]
        assert ParamBinding(member, "iam_role_arn") in {b for r in passed for b in r.bindings}
