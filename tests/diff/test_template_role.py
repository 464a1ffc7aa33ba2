"""The role a SAM template declares: policy templates expanded, managed ARNs never assumed.

``fixtures/diff/policies/AWSLambdaBasicExecutionRole.json`` is the document AWS publishes for
that managed policy (logs:CreateLogGroup, CreateLogStream, PutLogEvents on ``*``), given the
way a user would give it with ``--managed-policy``.
"""

from __future__ import annotations

import json

import pytest

from least_priv.attached import from_template
from least_priv.cli import main
from least_priv.diff import diff_permissions

from .helpers import FIX, ROOT, orders_required

TEMPLATE = "fixtures/diff/orders/template.yaml"
REQUIRED = "fixtures/diff/orders/required.json"
BASIC = "fixtures/diff/policies/AWSLambdaBasicExecutionRole.json"
# The orders function's required document against its template role.
AGAINST_TEMPLATE = (
    "diff",
    "--required",
    REQUIRED,
    "--template",
    TEMPLATE,
    "--function",
    "OrdersFunction",
)
PINNED = ("--region", "us-east-1", "--account", "123456789012")


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main([*AGAINST_TEMPLATE, *PINNED, "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_managed_policy_by_arn_makes_unmatched_needs_conditional(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = _run(capsys)
    assert data["missing"] == []
    [cond] = data["conditional"]
    assert cond["action"] == "kms:GenerateDataKey"
    assert any("AWSLambdaBasicExecutionRole" in r for r in cond["reasons"])
    [lp620] = [f for f in data["findings"] if f["code"] == "LP620"]
    assert lp620["path"] == TEMPLATE and lp620["line"] > 1
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in lp620["message"]
    assert code == 0


def test_with_the_managed_document_the_kms_gap_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = _run(capsys, "--managed-policy", f"AWSLambdaBasicExecutionRole={BASIC}")
    assert code == 2
    assert [m["action"] for m in data["missing"]] == ["kms:GenerateDataKey"]
    assert data["conditional"] == []
    levels = {(e["kind"], e["action"]) for e in data["excess"]}
    assert ("service", "logs:*") in levels  # the template's own Logs statement
    assert ("action", "s3:*") in levels and ("resource", "s3:GetObject, s3:PutObject") in levels
    assert ("action", "dynamodb:Scan") in levels
    crud = [e for e in data["excess"] if e["action"] == "dynamodb:Scan"]
    assert crud[0]["statement"].startswith("SAM policy template DynamoDBCrudPolicy")


def test_template_resources_are_filled_from_region_and_account() -> None:
    attached = from_template(
        str(FIX / "orders" / "template.yaml"),
        "OrdersFunction",
        region="us-east-1",
        account="123456789012",
    )
    crud = next(p for p in attached.identity if "DynamoDBCrudPolicy" in p.source.origin)
    assert crud.statements[0].resources == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*",
    )
    result = diff_permissions(orders_required(), attached.policy_set())
    assert {c.action for c in result.conditional} == {"kms:GenerateDataKey"}


def test_unknown_function_is_a_finding() -> None:
    attached = from_template(str(FIX / "orders" / "template.yaml"), "Nope")
    assert [f.code for f in attached.findings] == ["LP622"]
    assert "OrdersFunction" in attached.findings[0].message


def test_template_report_golden(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    code = main(
        [
            *AGAINST_TEMPLATE,
            *PINNED,
            "--managed-policy",
            f"AWSLambdaBasicExecutionRole={BASIC}",
            "--format",
            "markdown",
        ]
    )
    assert code == 2
    golden(FIX / "orders" / "expected" / "template.md", capsys.readouterr().out)


def test_github_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*AGAINST_TEMPLATE, "--format", "github"])
    out = capsys.readouterr().out
    assert code == 0  # the unreadable managed policy leaves kms conditional, not missing
    assert "::warning file=fixtures/diff/orders/required.json" in out
    assert "LP603" in out and "LP620" in out
