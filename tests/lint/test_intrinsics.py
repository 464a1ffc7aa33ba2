"""Resource-type checks on ARNs written with intrinsics (!GetAtt, !Sub, !Ref, !Join)."""

from __future__ import annotations

import pytest

from least_priv.lint.engine import lint_text

TEMPLATE = """\
Parameters:
  BucketName:
    Type: String
    Default: shared-reports
  AnyArn:
    Type: String
Resources:
  Reports:
    Type: AWS::S3::Bucket
  Orders:
    Type: AWS::DynamoDB::Table
  Jobs:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: {action}
                Resource: {resource}
"""


def _lp113(action: str, resource: str) -> list[str]:
    text = TEMPLATE.format(action=action, resource=resource)
    return [f.message for f in lint_text(text, "t.yaml").findings if f.code == "LP113"]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", "!GetAtt Reports.Arn"),
        ("s3:PutObject", '!Sub "arn:${AWS::Partition}:s3:::${Reports}"'),
        ("s3:GetObject", '!Sub "arn:aws:s3:::${BucketName}"'),
        ("dynamodb:GetItem", "!GetAtt Jobs.Arn"),
        ("sqs:SendMessage", "!GetAtt Orders.Arn"),
        ("s3:ListBucket", '!Join ["", [!GetAtt Orders.Arn, "/index/by-customer"]]'),
    ],
)
def test_intrinsic_of_the_wrong_type_is_flagged(action: str, resource: str) -> None:
    [message] = _lp113(action, resource)
    assert message.startswith(f"{action} cannot apply to !")


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", '!Sub "${Reports.Arn}/*"'),
        ("s3:ListBucket", "!GetAtt Reports.Arn"),
        ("s3:GetObject", '!Sub "arn:aws:s3:::${BucketName}/*"'),
        ("dynamodb:Query", '!Sub "${Orders.Arn}/index/*"'),
        ("sqs:SendMessage", "!GetAtt Jobs.Arn"),
        ("s3:GetObject", "!Ref AnyArn"),  # a parameter without a value: could be anything
        ("s3:GetObject", "!ImportValue shared-bucket-arn"),
    ],
)
def test_intrinsic_of_the_right_or_unknown_type_is_accepted(action: str, resource: str) -> None:
    assert _lp113(action, resource) == []
