"""load_template: kind detection, directories, and never crashing on bad input."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.infra import detect_kind, load_template
from least_priv.infra.summary import template_to_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "infra"


def test_detect_kind_by_content() -> None:
    assert detect_kind({"Resources": {}}) == "cloudformation"
    assert detect_kind({"AWSTemplateFormatVersion": "2010-09-09"}) == "cloudformation"
    assert detect_kind({"service": "s", "provider": {"name": "aws"}}) == "serverless"
    assert detect_kind({"format_version": "1.2", "planned_values": {}}) == "terraform"
    assert detect_kind({"Version": "2012-10-17", "Statement": []}) is None
    assert detect_kind(["not", "a", "mapping"]) is None


def test_directories_are_read_through_their_usual_file(tmp_path: Path) -> None:
    sam = load_template(FIXTURES / "sam-orders")
    assert (sam.kind, sam.path) == ("sam", str(FIXTURES / "sam-orders" / "template.yaml"))
    assert load_template(FIXTURES / "serverless-orders").kind == "serverless"
    cdk = load_template(FIXTURES / "cdk-orders")  # finds cdk.out inside the project
    assert cdk.kind == "cdk" and len(cdk.functions) == 2
    empty = load_template(tmp_path)
    assert [f.code for f in empty.findings] == ["LP410"]


def test_single_stack_cdk_out_keeps_logical_ids(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    source = FIXTURES / "cdk-orders" / "cdk.out"
    (out / "manifest.json").write_text((source / "manifest.json").read_text())
    (out / "AuditStack.template.json").write_text((source / "AuditStack.template.json").read_text())
    template = load_template(out)
    assert [f.name for f in template.functions] == ["AuditFnB0A1C2D3"]
    assert template.function("AuditStack/AuditFn") is template.functions[0]  # construct path
    assert template.function("AuditFn") is template.functions[0]


def test_multi_stack_names_and_lookups() -> None:
    template = load_template(FIXTURES / "cdk-orders" / "cdk.out")
    orders = template.function("OrdersHandler")
    assert orders is not None and orders.name == "OrdersStack/OrdersHandler4C2B1F9A"
    assert orders.role == "OrdersStack/OrdersHandlerServiceRole5A1B2C3D"
    assert template.resource(orders.role) is not None
    # A bare logical id (as env references carry it) finds the one stack that has it.
    table = template.resource("OrdersTable315BB997")
    assert table is not None and table.kms_key is not None


def test_nested_assemblies_of_cdk_stages(tmp_path: Path) -> None:
    source = FIXTURES / "cdk-orders" / "cdk.out"
    out = tmp_path / "cdk.out"
    shutil.copytree(source, out)
    stage = out / "assembly-Prod"
    stage.mkdir()
    (stage / "manifest.json").write_text((source / "manifest.json").read_text())
    audit = (source / "AuditStack.template.json").read_text()
    # Assets of nested assemblies sit in the root cloud assembly.
    (stage / "ProdAudit.template.json").write_text(audit.replace('"asset.', '"../asset.'))
    template = load_template(out)
    names = [f.name for f in template.functions]
    assert "assembly-Prod/ProdAudit/AuditFnB0A1C2D3" in names and len(names) == 3
    prod = template.function("assembly-Prod/ProdAudit/AuditFnB0A1C2D3")
    assert prod is not None and os.path.isdir(prod.code_root)
    assert not [f for f in template.findings if f.code == "LP414"]


def test_not_templates(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}')
    assert [f.code for f in load_template(policy).findings] == ["LP410"]
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert [f.code for f in load_template(empty).findings] == ["LP410"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [\n")
    template = load_template(broken)
    assert [f.code for f in template.findings] == ["LP401"]
    assert template.functions == ()
    assert [f.code for f in load_template(tmp_path / "missing.yaml").findings] == ["LP400"]


# ---------------------------------------------------------------------------------------------
# Never crash: random content in every place a reader looks.
# ---------------------------------------------------------------------------------------------

_INTRINSICS = [
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Base64",
    "Fn::ImportValue",
    "Fn::Equals",
    "Fn::Not",
    "Fn::ToJsonString",
    "Fn::Length",
    "Condition",
]
_NAMES = st.sampled_from(
    [
        "Fn",
        "Table",
        "Queue",
        "Role",
        "Stage",
        "AWS::Region",
        "AWS::NoValue",
        "IsProd",
        "Policy",
        "Layer",
        "Missing",
        "Fn.Arn",
        "Table.Arn",
    ]
)
_STRINGS = st.one_of(
    _NAMES,
    st.sampled_from(
        [
            "${Stage}",
            "${Table.Arn}/*",
            "${self:custom.x}",
            "${opt:stage, 'dev'}",
            "${sls:stage}",
            "${file(./nope.yml):a}",
            "${ssm:/x}",
            "${env:A, ${self:b}}",
            "${self:custom.Table}",
            "${self:custom.Fn.Queue}",
            "${self:provider}",
            "${self:functions}",
            "${param:Stage}",
            "src/",
            "app.handler",
            "arn:aws:sqs:eu-west-1:1:q",
            "${",
            "}",
            "",
        ]
    ),
    st.text(max_size=8),
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), _STRINGS)


def _values(depth: int = 3) -> st.SearchStrategy[Any]:
    return st.recursive(
        _SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.one_of(_NAMES, st.sampled_from(_INTRINSICS)), inner, max_size=3),
            st.builds(lambda k, v: {k: v}, st.sampled_from(_INTRINSICS), inner),
        ),
        max_leaves=12,
    )


_PROPERTIES = [
    "CodeUri",
    "Code",
    "Handler",
    "Runtime",
    "Environment",
    "Layers",
    "Events",
    "Policies",
    "Role",
    "VpcConfig",
    "DeadLetterQueue",
    "EventInvokeConfig",
    "TableName",
    "QueueName",
    "BucketName",
    "FunctionName",
    "PolicyDocument",
    "Roles",
    "ManagedPolicyArns",
    "KmsMasterKeyId",
    "SSESpecification",
    "BucketEncryption",
    "EventSourceArn",
    "PackageType",
    "ContentUri",
]
_TYPES = [
    "AWS::Serverless::Function",
    "AWS::Lambda::Function",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::S3::Bucket",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Serverless::LayerVersion",
    "AWS::Lambda::EventInvokeConfig",
]

_CFN = st.fixed_dictionaries(
    {
        "Resources": st.dictionaries(
            _NAMES,
            st.fixed_dictionaries(
                {
                    "Type": st.sampled_from(_TYPES),
                    "Properties": st.dictionaries(st.sampled_from(_PROPERTIES), _values()),
                }
            ),
            max_size=4,
        )
    },
    optional={
        "Parameters": st.dictionaries(_NAMES, _values(), max_size=2),
        "Conditions": st.dictionaries(_NAMES, _values(), max_size=2),
        "Globals": st.fixed_dictionaries(
            {"Function": st.dictionaries(st.sampled_from(_PROPERTIES), _values(), max_size=3)}
        ),
        "Mappings": _values(),
        "Transform": st.just("AWS::Serverless-2016-10-31"),
    },
)

_SLS_KEYS = [
    "handler",
    "environment",
    "events",
    "layers",
    "role",
    "vpc",
    "name",
    "image",
    "destinations",
    "onError",
    "iamRoleStatements",
    "tracing",
    "runtime",
    "package",
]
_SERVERLESS = st.fixed_dictionaries(
    {
        "service": _STRINGS,
        "provider": st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "runtime",
                    "stage",
                    "region",
                    "environment",
                    "iam",
                    "vpc",
                    "tracing",
                    "iamRoleStatements",
                    "layers",
                    "ecr",
                ]
            ),
            _values(),
            max_size=4,
        ),
        "functions": st.one_of(
            st.dictionaries(
                _NAMES, st.dictionaries(st.sampled_from(_SLS_KEYS), _values(), max_size=4)
            ),
            _values(),
        ),
    },
    optional={
        "custom": _values(),
        "resources": _values(),
        "layers": _values(),
        "params": _values(),
    },
)

_TF_TYPES = [
    "aws_lambda_function",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_sqs_queue",
    "aws_lambda_event_source_mapping",
    "aws_iam_role_policy_attachment",
    "aws_s3_bucket",
    "aws_iam_policy",
    "archive_file",
    "aws_iam_policy_document",
]
_TF_RESOURCE = st.builds(
    lambda rtype, name, values, mode: {
        "address": f"{rtype}.{name}",
        "type": rtype,
        "name": name,
        "mode": mode,
        "values": values,
    },
    st.sampled_from(_TF_TYPES),
    st.sampled_from(["a", "b"]),
    st.dictionaries(
        st.sampled_from(
            [
                "handler",
                "filename",
                "role",
                "environment",
                "layers",
                "policy",
                "function_name",
                "name",
                "event_source_arn",
                "inline_policy",
                "vpc_config",
                "dead_letter_config",
                "source_dir",
            ]
        ),
        _values(),
        max_size=5,
    ),
    st.sampled_from(["managed", "data"]),
)
_TERRAFORM = st.fixed_dictionaries(
    {
        "format_version": st.just("1.2"),
        "planned_values": st.fixed_dictionaries(
            {
                "root_module": st.fixed_dictionaries(
                    {"resources": st.lists(_TF_RESOURCE, max_size=4)}
                )
            }
        ),
    },
    optional={
        "configuration": st.fixed_dictionaries(
            {
                "root_module": st.fixed_dictionaries(
                    {
                        "resources": st.lists(
                            st.builds(
                                lambda r, e: {**r, "expressions": e}, _TF_RESOURCE, _values()
                            ),
                            max_size=3,
                        )
                    }
                )
            }
        ),
        "resource_changes": _values(),
        "variables": _values(),
        "prior_state": _values(),
    },
)


def _load_data(data: dict[str, Any], name: str, as_yaml: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, name)
        with open(path, "w") as handle:
            if as_yaml:
                yaml.safe_dump(data, handle)
            else:
                json.dump(data, handle)
        template = load_template(path)
        template_to_json(template)  # every record the reader built is well-formed
        for function in template.functions:
            template.role_policies(function.name)


_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(_CFN, st.booleans())
def test_cloudformation_reader_never_crashes(data: dict[str, Any], as_yaml: bool) -> None:
    _load_data(data, "template.yaml" if as_yaml else "template.json", as_yaml)


@_FUZZ
@given(_SERVERLESS)
def test_serverless_reader_never_crashes(data: dict[str, Any]) -> None:
    _load_data(data, "serverless.yml", True)


@_FUZZ
@given(_TERRAFORM)
def test_terraform_reader_never_crashes(data: dict[str, Any]) -> None:
    _load_data(data, "plan.json", False)
