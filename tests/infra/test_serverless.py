"""serverless.yml: variables, defaults from provider, roles the framework creates."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from least_priv.infra import load_template
from least_priv.infra.template import Template
from least_priv.model import TemplateRef, Unknown


def _load(tmp_path: Path, text: str, **options: object) -> Template:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(text))
    return load_template(path, **options)  # type: ignore[arg-type]


BASE = """
service: billing
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
custom:
  names:
    dev: billing-dev-table
    prod: billing-prod-table
  table: ${self:custom.names.${sls:stage}}
  bucket: ${env:BILLING_BUCKET, self:custom.fallbackBucket}
  fallbackBucket: invoices-${sls:stage}
  limits: ${file(./limits.yml):${sls:stage}}
  secret: ${ssm:/billing/secret}
functions:
  invoice:
    handler: handlers/invoice.main
    environment:
      TABLE: ${self:custom.table}
      BUCKET: ${self:custom.bucket}
      MAX: ${self:custom.limits.max}
      SECRET: ${self:custom.secret}
      LOOP: ${self:custom.loop}
      QUOTED: ${opt:missing, "a, b"}
"""


def test_variables_resolve_nested_fallbacks_and_files(tmp_path: Path) -> None:
    (tmp_path / "limits.yml").write_text("dev: {max: 10}\nprod: {max: 500}\n")
    template = _load(tmp_path, BASE)
    (fn,) = template.functions
    env = {name: value.pattern() for name, value in fn.env}
    assert env["TABLE"] == "billing-dev-table"
    assert env["BUCKET"] == "invoices-dev"  # env: is never read from this machine
    assert env["MAX"] == "10"
    assert env["QUOTED"] == "a, b"
    secret = dict(fn.env)["SECRET"]
    assert isinstance(secret.parts[0], Unknown)
    assert dict(fn.env)["LOOP"].pattern() == "*"  # custom.loop does not exist
    assert dict(fn.settings)["FunctionName"].text == "billing-dev-invoice"
    lp412 = [f for f in template.findings if f.code == "LP412"]
    assert any("ssm:/billing/secret" in f.message for f in lp412)


def test_stage_option_changes_every_name(tmp_path: Path) -> None:
    (tmp_path / "limits.yml").write_text("dev: {max: 10}\nprod: {max: 500}\n")
    template = _load(tmp_path, BASE, stage="prod")
    (fn,) = template.functions
    env = {name: value.pattern() for name, value in fn.env}
    assert env["TABLE"] == "billing-prod-table"
    assert (env["BUCKET"], env["MAX"]) == ("invoices-prod", "500")
    assert dict(fn.settings)["FunctionName"].text == "billing-prod-invoice"


def test_machine_environment_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILLING_BUCKET", "from-this-laptop")
    (tmp_path / "limits.yml").write_text("dev: {max: 10}\n")
    (fn,) = _load(tmp_path, BASE).functions
    assert dict(fn.env)["BUCKET"].pattern() == "invoices-dev"


def test_self_reference_cycle_is_a_finding(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        service: s
        provider: {name: aws, runtime: python3.12}
        custom:
          a: ${self:custom.b}
          b: ${self:custom.a}
        functions:
          f: {handler: h.main, environment: {A: "${self:custom.a}"}}
        """,
    )
    (fn,) = template.functions
    assert dict(fn.env)["A"].pattern() == "*"
    assert any(f.code == "LP412" for f in template.findings)


def test_cloudformation_references_and_aws_variables(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        service: s
        provider: {name: aws, runtime: python3.12, region: eu-central-1}
        functions:
          f:
            handler: h.main
            environment:
              QUEUE: !Ref Jobs
              ARN: !GetAtt Jobs.Arn
              REGION: ${aws:region}
              ACCOUNT: ${aws:accountId}
              SELF: !GetAtt FLambdaFunction.Arn
        resources:
          Resources:
            Jobs:
              Type: AWS::SQS::Queue
              Properties: {QueueName: "${self:service}-jobs"}
        """,
    )
    (fn,) = template.functions
    env = dict(fn.env)
    assert env["QUEUE"].parts == (
        TemplateRef("Jobs", None, "AWS::SQS::Queue", "https://sqs.*.amazonaws.com/*/s-jobs"),
    )
    assert env["ARN"].pattern() == "arn:*:sqs:*:*:s-jobs"
    assert env["REGION"].pattern() == "eu-central-1"
    assert env["ACCOUNT"].parts == (TemplateRef("AWS::AccountId"),)
    # The framework's own logical ids are known, not dangling references.
    assert env["SELF"].parts[0] == TemplateRef("FLambdaFunction", "Arn", "AWS::Lambda::Function")
    assert not [f for f in template.findings if f.code == "LP411"]


def test_custom_and_external_roles(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        service: s
        provider:
          name: aws
          runtime: python3.12
          iam:
            role: arn:aws:iam::123456789012:role/shared-lambda
        functions:
          shared: {handler: a.main}
          custom: {handler: b.main, role: CustomRole}
        resources:
          Resources:
            CustomRole:
              Type: AWS::IAM::Role
              Properties:
                AssumeRolePolicyDocument: {}
                Policies:
                  - PolicyName: p
                    PolicyDocument:
                      Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
        """,
    )
    assert template.function("shared").role == "arn:aws:iam::123456789012:role/shared-lambda"  # type: ignore[union-attr]
    [external] = template.role_policies("shared")
    assert (external.origin, external.expandable) == ("external-role", False)
    assert external.name == "arn:aws:iam::123456789012:role/shared-lambda"
    assert [p.name for p in template.role_policies("custom")] == ["p"]
    assert [f.code for f in template.findings] == ["LP432"]


def test_old_style_iam_keys_and_image_functions(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    template = _load(
        tmp_path,
        """
        service: legacy
        provider:
          name: aws
          runtime: python3.9
          iamRoleStatements:
            - Effect: Allow
              Action: [sqs:SendMessage]
              Resource: arn:aws:sqs:us-east-1:123456789012:q
          iamManagedPolicies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
          ecr:
            images:
              app: {path: ./img}
        functions:
          web: {image: {name: app, command: [web.handler]}}
          worker: {image: app}
          prebuilt: {image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest}
        """,
    )
    by_name = {f.name: f for f in template.functions}
    assert by_name["web"].code_root == str(tmp_path / "img")
    assert by_name["web"].handler == "web.handler"
    assert by_name["worker"].handler == ""
    assert by_name["prebuilt"].code_root == ""
    origins = [p.origin for p in template.role_policies("web")]
    assert origins == ["inline", "managed-arn", "serverless-implicit"]
    assert sorted(f.code for f in template.findings) == ["LP414", "LP415", "LP431"]


def test_not_a_mapping_where_one_is_expected(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        service: s
        provider: {name: aws, environment: [A]}
        functions:
          f: {handler: h.main, events: {sqs: arn}, layers: arn:aws:lambda:x}
          g: ~
        """,
    )
    (fn,) = template.functions
    assert (fn.env, fn.events, fn.layers) == ((), (), ())
    assert sorted(f.code for f in template.findings) == ["LP417", "LP417", "LP417", "LP417"]


def test_resources_as_a_list_of_file_includes(tmp_path: Path) -> None:
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "tables.yml").write_text(
        "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n"
        "    Properties: {TableName: '${self:service}-orders'}\n"
    )
    template = _load(
        tmp_path,
        """
        service: shop
        provider: {name: aws, runtime: python3.12}
        functions:
          f: {handler: h.main, environment: {TABLE: !Ref Orders}}
        resources:
          - ${file(resources/tables.yml)}
          - Resources:
              Jobs: {Type: AWS::SQS::Queue}
        """,
    )
    (fn,) = template.functions
    assert dict(fn.env)["TABLE"].pattern() == "shop-orders"
    assert sorted(template.resources) == ["Jobs", "Orders"]
    assert not template.findings


def test_strings_with_many_variables(tmp_path: Path) -> None:
    parts = "-".join("${self:custom.p" + str(i) + "}" for i in range(40))
    custom = "".join(f"  p{i}: v{i}\n" for i in range(40))
    template = _load(
        tmp_path,
        "service: s\nprovider: {name: aws}\ncustom:\n"
        + custom
        + f"functions:\n  f: {{handler: h.main, environment: {{LONG: '{parts}'}}}}\n",
    )
    (fn,) = template.functions
    assert dict(fn.env)["LONG"].text == "-".join(f"v{i}" for i in range(40))


def test_cloudformation_sub_syntax_is_left_to_cloudformation(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        service: s
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${self:service}/*"
        functions:
          f:
            handler: h.main
            environment:
              WHERE: !Sub "${AWS::Region}-${self:service}"
              RAW: "${AWS::AccountId}"
        resources:
          Resources:
            Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: data}}
        """,
    )
    (statement,) = template.role_policies("f")[0].document["Statement"]
    assert statement["Resource"] == "arn:${AWS::Partition}:s3:::data/s/*"
    env = dict(template.functions[0].env)
    assert env["WHERE"].parts == (TemplateRef("AWS::Region"), "-s")
    assert env["RAW"].text == "${AWS::AccountId}"  # not in Fn::Sub: literal text in Lambda
    assert not template.findings
