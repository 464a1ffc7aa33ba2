"""Severities graded by what a wildcard reaches today, and by conditions that fence it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from least_priv.lint.engine import lint_text
from least_priv.model import Severity


def _findings(*statements: dict[str, Any]) -> dict[str, tuple[Severity, str]]:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    result = lint_text(json.dumps(doc, indent=2), "p.json")
    return {f.code: (f.severity, f.message) for f in result.findings}


def _allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("action", "severity"),
    [
        ("pricing:*", Severity.WARNING),  # a read-only service
        ("dynamodb:*", Severity.ERROR),
    ],
)
def test_service_wildcard_graded_by_what_the_service_can_do(
    action: str, severity: Severity
) -> None:
    level, message = _findings(_allow(action))["LP102"]
    assert level is severity
    assert message.startswith(f"{action} allows all ")


@pytest.mark.parametrize(
    ("action", "severity", "levels"),
    [
        ("logs:Describe*", Severity.NOTE, "List"),
        ("sqs:Send*", Severity.WARNING, "Write 1"),
        ("iam:*Policy*", Severity.ERROR, "Permissions management"),
    ],
)
def test_partial_wildcard_graded_by_access_levels(
    action: str, severity: Severity, levels: str
) -> None:
    level, message = _findings(_allow(action, "arn:aws:iam::111122223333:role/x"))["LP103"]
    assert level is severity
    assert levels in message


def test_resource_wildcard_read_is_a_warning_write_an_error() -> None:
    assert _findings(_allow("dynamodb:GetItem"))["LP104"][0] is Severity.WARNING
    assert _findings(_allow("dynamodb:PutItem"))["LP104"][0] is Severity.ERROR


def test_resource_wildcard_fenced_by_tags_is_a_note() -> None:
    condition = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    level, message = _findings(_allow("ec2:StopInstances", Condition=condition))["LP104"]
    assert level is Severity.NOTE
    assert message.endswith("limited by condition aws:resourcetag/team")


@pytest.mark.parametrize(
    ("resource", "flagged"),
    [
        ("*", True),
        ("arn:aws:iam::111122223333:role/*", True),
        ("arn:aws:iam::*:role/*", True),
        ("arn:aws:iam::111122223333:role/etl-*", False),
        ("arn:aws:iam::111122223333:role/service-role/etl", False),
    ],
)
def test_pass_role_on_every_role(resource: str, flagged: bool) -> None:
    condition = {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    found = _findings(_allow("iam:PassRole", resource, Condition=condition))
    assert ("LP107" in found) is flagged
    assert "LP108" not in found


@pytest.mark.parametrize(
    ("action", "resource", "flagged"),
    [
        ("s3:ListBucket", "arn:aws:s3:::reports/*", True),
        ("s3:ListBucket", "arn:aws:s3:::reports", False),
        ("s3:ListBucket", "arn:aws:s3:::reports*", False),  # also matches bucket names
        ("s3:GetObject", "arn:aws:s3:::reports/${aws:username}/*", False),
        ("s3:GetObject", "arn:aws:s3:::reports", True),
        ("dynamodb:Query", "arn:aws:s3:::reports/*", True),
        ("dynamodb:Query", "arn:aws:dynamodb:*:*:table/orders/index/*", False),
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", False),
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs/extra", True),
        ("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/*", False),
    ],
)
def test_resource_type_mismatch(action: str, resource: str, flagged: bool) -> None:
    assert ("LP113" in _findings(_allow(action, resource))) is flagged


def test_resource_wildcard_on_an_action_some_requests_cannot_scope_is_a_warning() -> None:
    # sns:Publish to a phone number (SMS) has no topic: "*" may be the only way.
    level, message = _findings(_allow("sns:Publish"))["LP104"]
    assert level is Severity.WARNING
    assert message.endswith("some sns:Publish requests name no resource")
    # With an action that is always scoped beside it, it is an error again.
    level, _ = _findings(_allow(["sns:Publish", "sqs:SendMessage"]))["LP104"]
    assert level is Severity.ERROR


def test_actions_the_catalog_grants_on_star_are_not_flagged() -> None:
    # cloudwatch:PutMetricData lists an optional resource type; the catalog grants it on "*".
    assert "LP104" not in _findings(_allow("cloudwatch:PutMetricData"))
