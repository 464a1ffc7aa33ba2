"""Conditions that narrow a permission to what the call's request really contains.

Some actions can be limited beyond their resource by a condition key that IAM fills from the
request: ``s3:ListBucket`` by the listing ``Prefix`` (``s3:prefix``), ``cloudwatch:
PutMetricData`` by its ``Namespace`` (``cloudwatch:namespace``), ``iam:PassRole`` by the
service the role is passed to (``iam:PassedToService``), ``ses:SendEmail`` by the sender
(``ses:FromAddress``). When the call's parameter is known
the condition is added; when it is not, the permission stays without it (never narrower than
the code may need).

Sources: Service Authorization Reference, "Condition keys" of Amazon S3 (s3:prefix),
Amazon CloudWatch (cloudwatch:namespace), Amazon SES (ses:FromAddress) and IAM
(iam:PassedToService, with the service principals documented in each service's execution
role pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from least_priv.catalog.params import values_at
from least_priv.model import CallSite, Condition, EnvRef, Unknown, Value
from least_priv.policy.values import Environment, expand_env


@dataclass(frozen=True, slots=True)
class _FromParameter:
    """``key`` takes the value of the first of ``params`` the call passes.

    ``prefix``: a pattern of the value is enough (``StringLike``, unknown parts as ``*``);
    ``address``: an e-mail sender, ``Name <a@b>`` compared as ``a@b``.
    """

    params: tuple[str, ...]
    key: str
    prefix: bool = False
    address: bool = False


_FROM_PARAMETER: dict[str, _FromParameter] = {
    "s3:listbucket": _FromParameter(("Prefix",), "s3:prefix", prefix=True),
    "s3:listbucketversions": _FromParameter(("Prefix",), "s3:prefix", prefix=True),
    "cloudwatch:putmetricdata": _FromParameter(("Namespace",), "cloudwatch:namespace"),
    # SES v1 names the sender Source, v2 FromEmailAddress; both authorise ses:SendEmail.
    "ses:sendemail": _FromParameter(
        ("Source", "FromEmailAddress"), "ses:FromAddress", address=True
    ),
    "ses:sendrawemail": _FromParameter(("Source",), "ses:FromAddress", address=True),
}
_ANGLE_ADDRESS = re.compile(r"<([^<>]+)>\s*$")

# boto3 client → the service principal a role passed through it is handed to.
_PASSED_TO: dict[str, str] = {
    "lambda": "lambda.amazonaws.com",
    "scheduler": "scheduler.amazonaws.com",
    "stepfunctions": "states.amazonaws.com",
    "events": "events.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "sagemaker": "sagemaker.amazonaws.com",
    "codebuild": "codebuild.amazonaws.com",
    "ecs": "ecs-tasks.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
}


def request_conditions(call: CallSite, action: str, env: Environment) -> tuple[Condition, ...]:
    """Conditions the request of ``call`` allows on ``action``; empty when nothing is known."""
    lowered = action.lower()
    if lowered == "iam:passrole":
        service = _PASSED_TO.get(call.service)
        if service is None:
            return ()
        return (Condition("StringEquals", "iam:PassedToService", (service,)),)
    rule = _FROM_PARAMETER.get(lowered)
    if rule is None:
        return ()
    values = next((found for p in rule.params if (found := values_at(call, p)) is not None), None)
    if not values or len(values) != 1:
        return ()
    text = _text(expand_env(values[0], env), rule.prefix)
    if text is None:
        return ()
    if rule.address:
        match = _ANGLE_ADDRESS.search(text)
        text = (match.group(1) if match else text).strip()
    if rule.prefix:
        return (Condition("StringLike", rule.key, (text,)),)
    return (Condition("StringEquals", rule.key, (text,)),)


def _text(value: Value, prefix: bool) -> str | None:
    if not value.is_string or not value.parts:
        return None
    if value.is_literal:
        return value.text
    if not prefix:
        return None
    # The request carries exactly this prefix: its pattern (unknown parts as "*") matches
    # it, as long as something of it is known.
    pattern = Value(tuple(Unknown() if isinstance(p, EnvRef) else p for p in value.parts)).pattern()
    return None if pattern.strip("*") == "" else pattern
