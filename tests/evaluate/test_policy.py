"""Reading policy documents: IAM's forgiving shapes are accepted, its errors reported."""

from __future__ import annotations

from typing import Any

from least_priv.evaluate import PolicySet, PolicySource, Request, evaluate, parse_policy
from least_priv.evaluate.engine import Decision
from least_priv.model import Location, Severity

SRC = PolicySource("p", "file", Location("p.json"))


def _codes(document: Any) -> list[str]:
    return [f.code for f in parse_policy(document, SRC).findings]


def test_strings_or_lists_and_single_statement_object() -> None:
    parsed = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": ["arn:aws:s3:::b/*"],
            },
        },
        SRC,
    )
    assert [f.code for f in parsed.findings] == ["LP612"]
    assert parsed.findings[0].severity is Severity.NOTE
    [st] = parsed.statements
    assert st.actions == ("s3:GetObject",) and st.resources == ("arn:aws:s3:::b/*",)


def test_version_2008_reads_variables_literally() -> None:
    doc = {
        "Version": "2008-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::home/${aws:username}/*",
            }
        ],
    }
    parsed = parse_policy(doc, SRC)
    assert [f.code for f in parsed.findings] == ["LP611"]
    policies = PolicySet((parsed,))
    literal = Request("s3:GetObject", "arn:aws:s3:::home/${aws:username}/a")
    assert evaluate(literal, policies).decision is Decision.ALLOWED
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::home/alice/a"), policies).decision is (
        Decision.NOT_ALLOWED
    )
    assert _codes({"Statement": []}) == ["LP611"]


def test_malformed_statements_are_reported_and_left_out() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "NotAction": "s3:PutObject",
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": "s3:GetObject"},
            {"Effect": "Allow", "Action": "GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": 7, "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": ["x"]},
            "not a statement",
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
        ],
    }
    parsed = parse_policy(doc, SRC)
    assert [f.code for f in parsed.findings] == ["LP613"] * 8
    assert [st.actions for st in parsed.statements] == [("s3:ListBucket",)]
    assert all("statement" in f.message for f in parsed.findings)


def test_unknown_condition_operator_is_kept_as_conditional() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringMaybe": {"aws:SourceVpc": "vpc-1"}},
            }
        ],
    }
    parsed = parse_policy(doc, SRC)
    assert [f.code for f in parsed.findings] == ["LP615"]
    result = evaluate(Request("s3:GetObject", "*"), PolicySet((parsed,)))
    assert result.decision is Decision.CONDITIONAL


def test_not_a_policy() -> None:
    assert _codes(["Statement"]) == ["LP610"]
    assert _codes({"Version": "2012-10-17", "Statement": "Allow everything"}) == ["LP610"]


def test_locations_come_from_the_locator() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Nope", "Action": "s3:*", "Resource": "*"}],
    }
    parsed = parse_policy(doc, SRC, lambda path: Location("p.json", 3 + len(path), 0))
    assert parsed.findings[0].location == Location("p.json", 6, 0)
