"""Input detection by content and the policies found in each kind of input."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from least_priv.lint.engine import lint_paths, lint_text
from least_priv.lint.inputs import detect

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ADMIN, "policy"),
        ({"PolicyVersion": {"Document": ADMIN, "VersionId": "v3"}}, "policy"),
        ({"RoleName": "app", "PolicyName": "p", "PolicyDocument": ADMIN}, "policy"),
        ({"AWSTemplateFormatVersion": "2010-09-09"}, "cloudformation"),
        ({"Resources": {}}, "cloudformation"),
        ({"service": "orders", "provider": {"name": "aws"}}, "serverless"),
        ({"format_version": "1.2", "planned_values": {}}, "terraform-plan"),
        ({"format_version": "1.0", "values": {}}, "terraform-plan"),
        ({"RoleDetailList": [], "Policies": []}, "authorization-details"),
        ({"name": "web", "version": "1.0.0"}, None),
        ([ADMIN], None),
    ],
)
def test_detect_by_content(data: object, kind: str | None) -> None:
    assert detect(data) == kind


def test_cli_outputs_wrapping_a_policy_are_linted_inside() -> None:
    wrapped = {"PolicyVersion": {"Document": ADMIN, "VersionId": "v3", "IsDefaultVersion": True}}
    result = lint_text(json.dumps(wrapped, indent=2), "v3.json")
    assert [(f.code, f.location.line) for f in result.findings] == [("LP101", 8)]


def test_url_encoded_document_from_the_raw_api_is_decoded() -> None:
    raw = {"PolicyVersion": {"Document": quote(json.dumps(ADMIN)), "VersionId": "v1"}}
    result = lint_text(json.dumps(raw), "raw.json")
    assert [f.code for f in result.findings] == ["LP101"]


def test_embedded_policy_string_that_is_not_json_is_malformed() -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_policy.p",
                        "mode": "managed",
                        "type": "aws_iam_policy",
                        "values": {"policy": "{not json"},
                    }
                ]
            }
        },
    }
    result = lint_text(json.dumps(plan), "plan.json")
    assert [f.code for f in result.findings] == ["LP120"]


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "template.yaml"
    empty.write_text("")
    result = lint_paths([str(empty)])
    assert result.input_error and [f.code for f in result.findings] == ["LP195"]


def test_same_inputs_give_the_same_findings(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "fixtures" / "lint"
    first = lint_paths([str(root)])
    second = lint_paths([str(root)])
    assert first.findings == second.findings and first.findings
    assert list(first.findings) == sorted(first.findings)


def test_sam_conditional_statement_is_linted_on_both_branches() -> None:
    template = """\
Conditions:
  Prod: !Equals [!Ref Stage, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - !If
                - Prod
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::prod-data/*
                - Effect: Allow
                  Action: s3:*
                  Resource: "*"
"""
    result = lint_text(template, "t.yaml")
    assert sorted((f.location.line, f.code) for f in result.findings) == [
        (19, "LP102"),
        (20, "LP104"),
    ]


def test_registering_codes_stays_import_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, least_priv.lint.codes;"
        "heavy = [m for m in sys.modules if m.startswith(('least_priv.catalog', "
        "'least_priv.lint.engine', 'least_priv.lint.rules', 'boto3', 'botocore'))];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_exposes_the_api_lazily() -> None:
    import least_priv.lint as lint

    assert lint.lint_paths is lint_paths
    with pytest.raises(AttributeError):
        _ = lint.no_such_thing  # type: ignore[attr-defined]


def test_template_policy_document_behind_fn_if_or_computed() -> None:
    template = """\
Parameters:
  ExtraPolicy:
    Type: String
Conditions:
  Prod: !Equals [!Ref Stage, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: switched
          PolicyDocument: !If
            - Prod
            - Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
            - !Ref AWS::NoValue
        - PolicyName: computed
          PolicyDocument: !Ref ExtraPolicy
"""
    result = lint_text(template, "t.yaml")
    assert [(f.location.line, f.code) for f in result.findings] == [(18, "LP101"), (22, "LP196")]
    assert "computed by Ref" in result.findings[1].message


def test_plan_with_odd_resource_changes_is_read(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": 5, "child_modules": {"x": 1}}},
        "resource_changes": [
            5,
            {"type": "aws_iam_policy", "address": "aws_iam_policy.a", "change": 3},
            {
                "type": "aws_iam_policy",
                "address": "aws_iam_policy.b",
                "change": {"after_unknown": {"policy": True}},
            },
        ],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    result = lint_paths([str(path)])
    assert not result.input_error
    # The change that is not an object is skipped; the one only known after apply is noted.
    [note] = result.findings
    assert note.code == "LP196" and "aws_iam_policy.b" in note.message


def test_policy_entries_of_the_wrong_shape_are_reported_not_skipped() -> None:
    template = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ExportFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - AWSLambdaBasicExecutionRole
        - S3ReadPolicy:
            BucketName: exports
        - 42
        - [s3:GetObject]
  ExportRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns: [true]
      Policies:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  FlagFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies: true
"""
    result = lint_text(template, "template.yaml")
    found = [
        (f.location.line, f.message.split(": ")[0]) for f in result.findings if f.code == "LP198"
    ]
    assert found == [
        (12, "AWS::Serverless::Function ExportFunction"),
        (13, "AWS::Serverless::Function ExportFunction"),
        (18, "AWS::IAM::Role ExportRole"),
        (20, "AWS::IAM::Role ExportRole"),
        (29, "AWS::Serverless::Function FlagFunction"),
    ]
    # The managed policy name and the policy template are accepted shapes.
    assert not [f for f in result.findings if f.code == "LP198" and f.location.line in (9, 10)]
