"""SAM/CloudFormation reading: Globals, code locations, events, roles and bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from least_priv.infra import load_template, select_functions
from least_priv.infra.template import Template
from least_priv.model import TemplateRef, Value


def _load(tmp_path: Path, text: str, **options: object) -> Template:
    (tmp_path / "src").mkdir(exist_ok=True)
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return load_template(path, **options)  # type: ignore[arg-type]


# Stage defaults to dev, so IsProd is false.
STAGE_CONDITIONS = """
        Parameters:
          Stage: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
"""


def _codes(template: Template) -> list[str]:
    return [f.code for f in template.findings]


SAM = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Layers: [arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7]
    Environment:
      Variables: {SHARED: "1", OVERRIDE: global}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Layers: [arn:aws:lambda:eu-west-1:123456789012:layer:mine:1]
      Environment:
        Variables: {OVERRIDE: own, EXTRA: x}
"""


def test_globals_merge_maps_add_lists_and_override_scalars(tmp_path: Path) -> None:
    template = _load(tmp_path, SAM)
    (fn,) = template.functions
    assert fn.runtime == "python3.12"
    assert fn.code_root == str(tmp_path / "src")
    assert dict(fn.env) == {
        "EXTRA": Value.literal("x"),
        "OVERRIDE": Value.literal("own"),
        "SHARED": Value.literal("1"),
    }
    # Both layers are published ARNs: not local, each reported once, at its own line.
    notes = [f for f in template.findings if f.code == "LP414"]
    assert sorted(f.location.line for f in notes) == [7, 15]
    assert fn.layers == ()


def test_environment_location_points_at_globals_or_the_function(tmp_path: Path) -> None:
    text = SAM.replace('SHARED: "1"', "SHARED: !Ref Missing")
    template = _load(tmp_path, text)
    (found,) = [f for f in template.findings if f.code == "LP411"]
    assert found.location.line == 9  # the Globals line that holds the bad Ref


def test_policy_templates_unknown_and_missing_parameters(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Policies:
                - DynamoDBCrudPolicyy: {TableName: t}
                - S3ReadPolicy: {}
                - CloudWatchPutMetricPolicy: {}
                - [not, a, policy]
        """,
    )
    policies = template.role_policies("Fn")
    typo = next(p for p in policies if p.origin == "sam-policy-template:DynamoDBCrudPolicyy")
    assert (typo.expandable, typo.document) == (False, {})
    s3 = next(p for p in policies if p.name == "S3ReadPolicy")
    # The missing BucketName stays visible as a placeholder instead of vanishing.
    assert "arn:${AWS::Partition}:s3:::${BucketName}/*" in s3.document["Statement"][0]["Resource"]
    metrics = next(p for p in policies if p.name == "CloudWatchPutMetricPolicy")
    assert metrics.document["Statement"][0]["Action"] == ["cloudwatch:PutMetricData"]
    assert sorted(_codes(template)) == ["LP417", "LP430", "LP433"]


def test_code_locations_that_cannot_be_analysed(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          FromS3:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: s3://bucket/fn.zip, Handler: a.b, Runtime: python3.12}
          Inline:
            Type: AWS::Serverless::Function
            Properties: {InlineCode: "def h(e, c): pass", Handler: index.h, Runtime: python3.12}
          Missing:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: build/missing/, Handler: a.b, Runtime: python3.12}
          Archive:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: dist/function.zip, Handler: a.b, Runtime: python3.12}
          Image:
            Type: AWS::Serverless::Function
            Properties: {PackageType: Image}
            Metadata: {DockerContext: ./src, Dockerfile: Dockerfile}
          ImageWithCommand:
            Type: AWS::Serverless::Function
            Properties: {PackageType: Image, ImageConfig: {Command: [app.handler]}}
            Metadata: {DockerContext: ./src}
        """,
    )
    by_name = {f.name: f for f in template.functions}
    assert by_name["FromS3"].code_root == ""
    assert by_name["Inline"].code_root == ""
    assert by_name["Archive"].code_root == ""
    assert by_name["Missing"].code_root == str(tmp_path / "build" / "missing")
    assert (by_name["Image"].code_root, by_name["Image"].handler) == (str(tmp_path / "src"), "")
    assert by_name["ImageWithCommand"].handler == "app.handler"
    assert sorted(_codes(template)) == ["LP414", "LP414", "LP414", "LP414", "LP415"]


def test_bad_property_shapes_are_findings(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Resources:
          NoType: {Properties: {}}
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code: src
              Handler: app.handler
              Runtime: python3.12
              Role: arn:aws:iam::123456789012:role/existing
              Environment: [A, B]
              Layers: not-a-list
        """,
    )
    (fn,) = template.functions
    assert (fn.env, fn.layers, fn.role) == ((), (), "arn:aws:iam::123456789012:role/existing")
    assert sorted(_codes(template)) == ["LP417", "LP417", "LP417", "LP432"]
    # The role lives outside the template: one stand-in whose content is unknown.
    [external] = template.role_policies("Fn")
    assert (external.origin, external.expandable, external.document) == (
        "external-role",
        False,
        {},
    )
    assert external.arn == "arn:aws:iam::123456789012:role/existing"


def test_event_sources_from_sam_events_and_separate_resources(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}
          Stream: {Type: AWS::Kinesis::Stream, Properties: {Name: clicks, ShardCount: 1}}
          Topic: {Type: AWS::SNS::Topic}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              FunctionName: worker
              Events:
                Jobs: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
                Odd: {Type: Teleport, Properties: {}}
          Mapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {EventSourceArn: !GetAtt Stream.Arn, FunctionName: worker}
          Literal:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              EventSourceArn: arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2024
              FunctionName: !GetAtt Fn.Arn
          Sub:
            Type: AWS::SNS::Subscription
            Properties: {Protocol: lambda, Endpoint: !GetAtt Fn.Arn, TopicArn: !Ref Topic}
        """,
    )
    (fn,) = template.functions
    kinds = [(e.kind, e.target.pattern() if e.target else None) for e in fn.events]
    assert kinds == [
        ("SQS", "arn:*:sqs:*:*:jobs"),
        ("Teleport", None),
        ("Kinesis", "arn:*:kinesis:*:*:stream/clicks"),
        ("DynamoDB", "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2024"),
        ("SNS", "*"),
    ]
    assert _codes(template) == ["LP418"]
    # The deployed name selects the function as well as its logical id.
    assert template.function("worker") is fn


def test_role_with_attached_policy_resources(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: app-role
              AssumeRolePolicyDocument: {}
          ByRef:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: by-ref
              Roles: [!Ref Role]
              PolicyDocument: {Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: "*"}]}
          ByName:
            Type: AWS::IAM::RolePolicy
            Properties:
              RoleName: app-role
              PolicyName: by-name
              PolicyDocument: {Statement: {Effect: Allow, Action: sqs:*, Resource: "*"}}
          Dangling:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: dangling
              Roles: [!Ref Gone]
              PolicyDocument: {Statement: []}
          Broken:
            Type: AWS::IAM::ManagedPolicy
            Properties: {PolicyDocument: {Version: "2012-10-17"}}
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Code: src, Handler: a.b, Runtime: python3.12, Role: !GetAtt Role.Arn}
        """,
    )
    names = sorted(p.name for p in template.role_policies("Fn"))
    assert names == ["ByName", "ByRef"]
    assert all(p.role == "Role" for p in template.role_policies("Fn"))
    # Lint sees every policy of the template, attached or not.
    assert sorted(p.name for p in template.policies) == ["Broken", "ByName", "ByRef", "Dangling"]
    assert sorted(_codes(template)) == ["LP433", "LP434"]


def test_unknown_function_names(tmp_path: Path) -> None:
    template = _load(tmp_path, SAM)
    with pytest.raises(KeyError):
        template.role_policies("Nope")
    selected, findings = select_functions(template, "Nope")
    assert selected == []
    assert [f.code for f in findings] == ["LP416"]
    assert "Fn" in findings[0].message
    assert select_functions(template, None)[0] == list(template.functions)


def test_customer_keys_only(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Resources:
          Key: {Type: AWS::KMS::Key}
          AwsManaged: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: alias/aws/sqs}}
          Customer: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: !GetAtt Key.Arn}}
          Table:
            Type: AWS::DynamoDB::Table
            Properties: {SSESpecification: {SSEEnabled: true}}
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
        """,
    )
    keys = {rid: r.kms_key for rid, r in template.resources.items()}
    assert keys["AwsManaged"] is None
    assert keys["Table"] is None  # SSE with the AWS owned key
    assert keys["Bucket"] is None
    assert keys["Customer"] == Value((TemplateRef("Key", "Arn", "AWS::KMS::Key"),))


def test_parameters_option_reaches_functions_and_policies(tmp_path: Path) -> None:
    text = """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Stage: {Type: String, Default: dev}
    Resources:
      Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: !Sub "t-${Stage}"}}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: a.b
          Runtime: python3.12
          Environment: {Variables: {TABLE: !Ref Table}}
          Policies: [{DynamoDBReadPolicy: {TableName: !Ref Table}}]
    """
    prod = _load(tmp_path, text, parameters={"Stage": "prod"})
    (fn,) = prod.functions
    assert dict(fn.env)["TABLE"].pattern() == "t-prod"
    statement = prod.role_policies("Fn")[0].document["Statement"][0]
    assert statement["Resource"][0].endswith(":table/t-prod")


def test_sam_connectors_are_declared_but_not_expanded(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Table: {Type: AWS::DynamoDB::Table}
          Queue: {Type: AWS::SQS::Queue}
          Fn:
            Type: AWS::Serverless::Function
            Connectors:
              ToQueue:
                Properties:
                  Destination: {Id: Queue}
                  Permissions: [Write]
            Properties: {CodeUri: src/, Handler: a.b, Runtime: python3.12}
          FnToTable:
            Type: AWS::Serverless::Connector
            Properties:
              Source: {Id: Fn}
              Destination: {Id: Table}
              Permissions: [Read, Write]
        """,
    )
    connectors = [p for p in template.role_policies("Fn") if p.origin.startswith("sam-connector")]
    assert [(p.origin, p.expandable, p.document) for p in connectors] == [
        ("sam-connector:FnToTable", False, {}),
        ("sam-connector:FnToQueue", False, {}),
    ]
    assert connectors[0].name == "FnToTable (Read, Write on Table)"
    assert [f.code for f in template.findings] == ["LP435", "LP435"]


def test_conditional_policy_entries(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage: {Type: String, Default: dev}
          Tier: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
          Premium: !Equals [!Ref Tier, premium]
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
              ManagedPolicyArns:
                - !If [IsProd, arn:aws:iam::aws:policy/ReadOnlyAccess, !Ref AWS::NoValue]
                - !If [Premium, arn:aws:iam::aws:policy/A, arn:aws:iam::aws:policy/B]
              Policies:
                - !If
                  - IsProd
                  - PolicyName: prod-only
                    PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
                  - PolicyName: dev-only
                    PolicyDocument: {Statement: [{Effect: Allow, Action: s3:*, Resource: "*"}]}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: a.b
              Runtime: python3.12
              Role: !GetAtt Role.Arn
          Sam:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: a.b
              Runtime: python3.12
              Policies:
                - !If [IsProd, AmazonS3FullAccess, !Ref AWS::NoValue]
                - !If [IsProd, !Ref AWS::NoValue, {SQSPollerPolicy: {QueueName: jobs}}]
        """,
    )
    names = sorted(p.name for p in template.role_policies("Fn"))
    # Dev: no ReadOnlyAccess; Premium depends on a parameter without value: both branches.
    assert names == ["A", "B", "dev-only"]
    sam = [p.name for p in template.role_policies("Sam") if "added by SAM" not in p.name]
    assert sam == ["SQSPollerPolicy"]


def test_environment_chosen_by_a_condition(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        STAGE_CONDITIONS
        + """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code: src
              Handler: a.b
              Runtime: python3.12
              Role: arn:aws:iam::123456789012:role/r
              Environment:
                Variables: !If [IsProd, {MODE: live}, {MODE: test, DEBUG: "1"}]
          Other:
            Type: AWS::Lambda::Function
            Properties:
              Code: src
              Handler: a.b
              Runtime: python3.12
              Role: arn:aws:iam::123456789012:role/r
              Environment: !If [IsProd, {Variables: {A: x}}, !Ref AWS::NoValue]
        """,
    )
    fn = template.function("Fn")
    assert fn is not None
    assert dict(fn.env) == {"DEBUG": Value.literal("1"), "MODE": Value.literal("test")}
    other = template.function("Other")
    assert other is not None and other.env == ()
    assert [f.code for f in template.findings] == ["LP432", "LP432"]


def test_role_chosen_by_a_condition(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        STAGE_CONDITIONS
        + """
        Resources:
          DevRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
              Policies:
                - PolicyName: dev
                  PolicyDocument: {Statement: [{Effect: Allow, Action: s3:*, Resource: "*"}]}
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code: src
              Handler: a.b
              Runtime: python3.12
              Role: !If [IsProd, arn:aws:iam::123456789012:role/prod, !GetAtt DevRole.Arn]
        """,
    )
    fn = template.function("Fn")
    assert fn is not None and fn.role == "DevRole"
    assert [p.name for p in template.role_policies("Fn")] == ["dev"]
