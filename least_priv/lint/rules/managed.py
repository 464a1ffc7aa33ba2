"""AWS managed policies that grant far more than a function needs.

Source: the AWS Identity and Access Management User Guide, "AWS managed policies for job
functions" (AdministratorAccess, PowerUserAccess, ReadOnlyAccess) and the IAM managed policy
reference (IAMFullAccess; the ``<Service>FullAccess`` policies grant every action of their
service). Only the policies' names are used here, never assumed content beyond that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import Attachment
from least_priv.lint.rule import AttachmentRule, Hit, register
from least_priv.model import Severity

BROAD_POLICIES: dict[str, tuple[Severity, str]] = {
    "AdministratorAccess": (Severity.ERROR, "allows every action on every resource"),
    "PowerUserAccess": (
        Severity.ERROR,
        "allows every action except most of IAM and Organizations",
    ),
    "IAMFullAccess": (Severity.ERROR, "allows iam:*, so the holder can grant itself anything"),
    "ReadOnlyAccess": (Severity.WARNING, "reads every service of the account, data included"),
}
# arn:<partition>:iam::aws:policy/<optional path/>Name; "aws" as the account means AWS managed.
_AWS_MANAGED_ARN = re.compile(r"^arn:[^:]+:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")
_PLAIN_NAME = re.compile(r"^[\w+=,.@-]+$")


def aws_managed_name(text: str) -> str | None:
    """The name of an AWS managed policy given by ARN, or as a bare name (SAM), else None."""
    match = _AWS_MANAGED_ARN.match(text)
    if match:
        return match["name"]
    return text if _PLAIN_NAME.match(text) and not text.startswith("arn") else None


@register
class BroadManagedPolicy(AttachmentRule):
    """Attaching AdministratorAccess, PowerUserAccess, IAMFullAccess or a *FullAccess policy."""

    code = "LP114"
    name = "broad-managed-policy"
    severity = Severity.ERROR
    summary = "A role attaches an AWS managed policy that grants whole services or everything."
    doc = (
        "**What**: a role, user, group or function that attaches `AdministratorAccess`, "
        "`PowerUserAccess`, `IAMFullAccess` (errors), `ReadOnlyAccess` or an AWS managed "
        "`<Service>FullAccess` policy (warnings) — in `ManagedPolicyArns`, SAM `Policies`, "
        "serverless `managedPolicies` or a Terraform policy attachment. **Why**: the role "
        "gets every action of one or all services on every resource, and AWS adds actions "
        "to these policies over time. **Example**: `ManagedPolicyArns: "
        "[arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess]`. **Fix**: replace it with an "
        "inline policy listing the actions and resources the code uses (`least-priv "
        "generate`), or a narrower managed policy such as `AWSLambdaBasicExecutionRole`."
    )
    valid = (
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {},
                        "ManagedPolicyArns": [
                            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                        ],
                    },
                }
            }
        },
    )
    invalid = (
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {},
                        "ManagedPolicyArns": [
                            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}
                        ],
                    },
                }
            }
        },
        {
            "Resources": {
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {"Policies": ["AmazonDynamoDBFullAccess"]},
                }
            }
        },
    )

    def check_attachment(self, attachment: Attachment, facts: ActionFacts) -> Iterator[Hit]:
        name = aws_managed_name(attachment.name or "")
        if name is None:
            return
        if name in BROAD_POLICIES:
            severity, what = BROAD_POLICIES[name]
            yield Hit((), f"{name} {what}", severity)
        elif name.endswith("FullAccess"):
            yield Hit(
                (),
                f"{name} allows every action of its service on every resource",
                Severity.WARNING,
            )
