"""``least-priv diff PATH --handler H``: the requirement comes from analysing the handler."""

from __future__ import annotations

import json

import pytest

from least_priv.cli import main

from .helpers import APP, ROOT

CODE = [
    "fixtures/diff/orders/src",
    "--handler",
    "app.lambda_handler",
    "--env",
    "EVENTS_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/123456789012/orders-events",
    "--region",
    "us-east-1",
    "--account",
    "123456789012",
]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _line_of(needle: str) -> int:
    return next(i for i, t in enumerate(APP.read_text().splitlines(), 1) if needle in t)


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["diff", *CODE, *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_deny_is_reported_at_the_call_that_would_fail(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _diff(
        capsys,
        "--env",
        "ORDERS_TABLE=Orders",
        "--policy",
        "fixtures/diff/policies/deny-delete.json",
    )
    assert code == 2
    [missing] = data["missing"]
    assert (missing["action"], missing["decision"]) == ("dynamodb:DeleteItem", "denied")
    assert missing["resource"] == "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
    assert missing["call_sites"] == [
        f"fixtures/diff/orders/src/app.py:{_line_of('dynamodb.delete_item')}:12"
    ]
    assert data["conditional"] == []
    assert data["replacement"] and data["replacement"][0]["Version"] == "2012-10-17"


def test_unpinned_table_name_is_conditional_not_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without ORDERS_TABLE the analysis knows only table/*; the CRUD role names table/Orders.
    code, data = _diff(capsys, "--policy", "fixtures/diff/orders/role-expanded.json")
    assert code == 0
    conditional = {c["action"] for c in data["conditional"]}
    assert {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"} <= conditional
    reasons = " ".join(r for c in data["conditional"] for r in c["reasons"])
    assert "it names arn:aws:dynamodb:us-east-1:123456789012:table/Orders" in reasons
    assert "LP301" in {f["code"] for f in data["findings"]}


def test_replacement_in_the_template_format(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "diff",
            *CODE,
            "--env",
            "ORDERS_TABLE=Orders",
            "--policy",
            "fixtures/diff/orders/role-expanded.json",
            "--format",
            "markdown",
            "--policy-format",
            "sam",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "```yaml" in out and "Policies:" in out
