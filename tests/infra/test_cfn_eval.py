"""The CloudFormation intrinsic evaluator: values keep references, documents render them."""

from __future__ import annotations

from least_priv.infra.cfn_eval import Evaluator
from least_priv.infra.parts import PARAMETER, PARTITION, REGION
from least_priv.infra.positions import parse_text
from least_priv.model import TemplateRef, Unknown, Value

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
  Buckets: {Type: CommaDelimitedList, Default: "a,b,c"}
  Secret: {Type: String}
  Version: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/version}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  HasSecret: !Not [!Equals [!Ref Secret, ""]]
  ProdOrSecret: !Or [!Condition IsProd, !Condition HasSecret]
  DevAndSecret: !And [!Condition IsDev, !Condition HasSecret]
  Loop: !Condition Loop
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "orders-${Stage}"}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "${AWS::StackName}-jobs"}
  Generated:
    Type: AWS::SQS::Queue
  Secretive:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: !Sub "app/${Stage}/db"}
  Self:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Ref Self}
"""


def _ev(parameters: dict[str, str] | None = None) -> Evaluator:
    return Evaluator(parse_text(TEMPLATE, "t.yaml"), parameters=parameters)


def _node(text: str) -> object:
    return parse_text("x: " + text).data["x"]  # type: ignore[index]


def test_ref_to_resource_keeps_the_reference_and_its_known_name() -> None:
    ev = _ev()
    value = ev.value(_node("!Ref Table"), ())
    assert value.parts == (TemplateRef("Table", None, "AWS::DynamoDB::Table", "orders-dev"),)
    assert value.pattern() == "orders-dev"
    arn = ev.value(_node("!GetAtt Table.Arn"), ())
    assert arn.pattern() == "arn:*:dynamodb:*:*:table/orders-dev"
    assert ev.document(_node("!GetAtt Table.Arn"), ()) == (
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-dev"
    )


def test_parameter_overrides_change_what_is_known() -> None:
    ev = _ev({"Stage": "prod"})
    assert ev.value(_node("!Ref Table"), ()).pattern() == "orders-prod"
    assert ev.condition("IsProd", ()) is True
    assert ev.document(_node("!FindInMap [Sizes, !Ref Stage, Memory]"), ()) == 1024


def test_names_with_deployment_parts_become_patterns() -> None:
    ev = _ev()
    url = ev.value(_node("!Ref Queue"), ())
    (ref,) = url.parts
    assert isinstance(ref, TemplateRef)
    assert ref.known == "https://sqs.*.amazonaws.com/*/*-jobs"
    assert ev.document(_node("!GetAtt Queue.Arn"), ()) == (
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}-jobs"
    )
    # A secret's ARN ends with AWS's random suffix.
    assert ev.value(_node("!Ref Secretive"), ()).pattern() == (
        "arn:*:secretsmanager:*:*:secret:app/dev/db-??????"
    )


def test_generated_names_stay_references() -> None:
    ev = _ev()
    value = ev.value(_node("!GetAtt Generated.Arn"), ())
    assert value.parts == (TemplateRef("Generated", "Arn", "AWS::SQS::Queue", None),)
    assert value.pattern() == "*"
    assert ev.document(_node("!GetAtt Generated.Arn"), ()) == "${Generated.Arn}"


def test_sub_with_variables_pseudo_parameters_and_escapes() -> None:
    ev = _ev()
    node = _node('!Sub ["arn:${AWS::Partition}:s3:::${B}/${!literal}/*", {B: !Ref Table}]')
    value = ev.value(node, ())
    assert value.parts == (
        "arn:",
        PARTITION,
        ":s3:::",
        TemplateRef("Table", None, "AWS::DynamoDB::Table", "orders-dev"),
        "/${literal}/*",
    )
    assert ev.document(_node('!Sub "${AWS::Region}-${Table.Arn}"'), ()).startswith(
        "${AWS::Region}-arn:${AWS::Partition}:dynamodb:"
    )
    assert ev.value(_node('!Sub "${AWS::Region}"'), ()).parts == (REGION,)


def test_join_select_split_and_list_parameters() -> None:
    ev = _ev()
    assert ev.document(_node('!Join ["-", [a, !Ref Stage, c]]'), ()) == "a-dev-c"
    assert ev.document(_node("!Select [1, !Ref Buckets]"), ()) == "b"
    assert ev.document(_node('!Select [2, !Split [",", "x,y,z"]]'), ()) == "z"
    assert ev.document(_node('!Join [",", !Ref Buckets]'), ()) == "a,b,c"


def test_conditions_decide_if_and_remove_no_value() -> None:
    ev = _ev()
    assert ev.condition("IsDev", ()) is True
    assert ev.document(_node("!If [IsProd, big, small]"), ()) == "small"
    doc = ev.document(_node("[a, !If [IsProd, b, !Ref AWS::NoValue], c]"), ())
    assert doc == ["a", "c"]
    assert ev.document(_node("{A: 1, B: !If [IsDev, !Ref AWS::NoValue, 2]}"), ()) == {"A": 1}


def test_undecidable_conditions_are_unknown_with_a_finding() -> None:
    ev = _ev()
    # Secret has no default: HasSecret depends on a value only known at deploy time.
    assert ev.condition("HasSecret", ()) is None
    assert ev.condition("ProdOrSecret", ()) is None  # False or unknown
    assert ev.condition("DevAndSecret", ()) is None  # True and unknown
    value = ev.value(_node("!If [HasSecret, yes, no]"), ("x",))
    assert value.parts == (Unknown("Fn::If HasSecret"),)
    # Both branches equal: no need to know the condition.
    assert ev.document(_node("!If [HasSecret, same, same]"), ()) == "same"
    assert {f.code for f in ev.findings} == {"LP412"}


def test_cycles_do_not_hang() -> None:
    ev = _ev()
    assert ev.condition("Loop", ()) is None
    assert ev.value(_node("!Ref Self"), ()).parts[0] == TemplateRef("Self", None, "AWS::S3::Bucket")


def test_offline_only_intrinsics_and_bad_references() -> None:
    ev = _ev()
    imported = ev.value(_node("!ImportValue shared-vpc"), ("x",))
    assert imported == Value((Unknown("Fn::ImportValue"),))
    assert ev.document(_node("!ImportValue shared-vpc"), ()) == "*"
    assert ev.value(_node("!Ref Nope"), ("y",)).pattern() == "*"
    assert ev.value(_node("!GetAtt Nope.Arn"), ("z",)).pattern() == "*"
    ssm = ev.value(_node("!Ref Version"), ())
    assert ssm.parts == (TemplateRef("Version", None, PARAMETER, None),)
    codes = sorted(f.code for f in ev.findings)
    assert codes == ["LP411", "LP411", "LP412", "LP413"]


def test_malformed_intrinsics_are_findings_not_crashes() -> None:
    ev = _ev()
    for text in (
        "{Ref: [a]}",
        "{Fn::GetAtt: Table}",
        "{Fn::Join: [only-one]}",
        "{Fn::Select: [9, [a]]}",
        "{Fn::If: [IsProd, a]}",
        "{Fn::FindInMap: [Sizes, nope, Memory]}",
        "{Fn::Sub: [1, 2]}",
    ):
        value = ev.value(_node(text), ("x",))
        assert value.pattern() == "*", text
    assert {f.code for f in ev.findings} <= {"LP404", "LP411"}
    assert len(ev.findings) >= 6


def test_find_in_map_default_value() -> None:
    ev = _ev()
    node = _node("{Fn::FindInMap: [Sizes, staging, Memory, {DefaultValue: 256}]}")
    assert ev.document(node, ()) == 256


def test_dynamic_references_are_read_at_deploy_time() -> None:
    ev = _ev()
    value = ev.value(_node("'{{resolve:ssm:/app/table}}'"), ("x",))
    assert value.parts == (Unknown("{{resolve:ssm:/app/table}}"),)
    mixed = ev.value(_node('!Sub "arn:aws:s3:::{{resolve:ssm:/app/bucket:3}}/${Stage}/*"'), ("y",))
    assert mixed.pattern() == "arn:aws:s3:::*/dev/*"
    assert [f.code for f in ev.findings] == ["LP412", "LP412"]
