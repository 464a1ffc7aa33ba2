"""Condition operators against a known request context."""

from __future__ import annotations

import pytest

from least_priv.evaluate.conditions import Tri, evaluate_condition, is_known_operator

CTX = {
    "kms:viaservice": ("s3.us-east-1.amazonaws.com",),
    "aws:securetransport": ("true",),
    "aws:sourceip": ("10.0.3.7",),
    "s3:max-keys": ("50",),
    "aws:tagkeys": ("team", "cost-center"),
}


@pytest.mark.parametrize(
    ("operator", "key", "values", "expected"),
    [
        ("StringEquals", "kms:ViaService", ("s3.us-east-1.amazonaws.com",), Tri.YES),
        ("StringEquals", "KMS:viaservice", ("sqs.us-east-1.amazonaws.com",), Tri.NO),
        ("StringLike", "kms:ViaService", ("s3.*.amazonaws.com",), Tri.YES),
        ("StringNotLike", "kms:ViaService", ("s3.*.amazonaws.com",), Tri.NO),
        ("StringEqualsIgnoreCase", "kms:ViaService", ("S3.US-EAST-1.AMAZONAWS.COM",), Tri.YES),
        ("Bool", "aws:SecureTransport", ("false",), Tri.NO),
        ("BoolIfExists", "aws:SecureTransport", ("true",), Tri.YES),
        ("NumericLessThanEquals", "s3:max-keys", ("100",), Tri.YES),
        ("NumericGreaterThan", "s3:max-keys", ("100",), Tri.NO),
        ("IpAddress", "aws:SourceIp", ("10.0.0.0/16",), Tri.YES),
        ("NotIpAddress", "aws:SourceIp", ("10.0.0.0/16",), Tri.NO),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("team", "cost-center", "env"), Tri.YES),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("team",), Tri.NO),
        ("ForAnyValue:StringEquals", "aws:TagKeys", ("team",), Tri.YES),
        ("Null", "aws:TagKeys", ("true",), Tri.NO),
        ("Null", "aws:TagKeys", ("false",), Tri.YES),
        # Keys the tool does not know, and operators it cannot decide, stay undecided.
        ("StringEquals", "aws:PrincipalOrgID", ("o-abc",), Tri.MAYBE),
        ("StringEqualsIfExists", "aws:ResourceTag/env", ("prod",), Tri.MAYBE),
        ("DateLessThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",), Tri.MAYBE),
        ("StringSortOf", "kms:ViaService", ("x",), Tri.MAYBE),
        ("StringEquals", "kms:ViaService", ("${aws:PrincipalTag/svc}",), Tri.MAYBE),
    ],
)
def test_condition(operator: str, key: str, values: tuple[str, ...], expected: Tri) -> None:
    assert evaluate_condition(operator, key, values, CTX) is expected


def test_known_operators() -> None:
    assert is_known_operator("ForAnyValue:StringLikeIfExists")
    assert not is_known_operator("ForSomeValues:StringLike")
    assert not is_known_operator("ForAllValues:Null")
