"""The real pipeline with --cloudtrail: analysis + template + trail on merge-dynamic."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from least_priv.api import GenerateOptions, generate

from .conftest import MERGE_DYNAMIC

ROLE = "arn:aws:iam::123456789012:role/report-exporter-role"


@pytest.fixture
def in_fixture() -> Iterator[None]:
    """Paths in findings relative to the fixture, as a user running there sees them."""
    before = os.getcwd()
    os.chdir(MERGE_DYNAMIC)
    try:
        yield
    finally:
        os.chdir(before)


def _run(mode: str) -> tuple[set[str], set[str]]:
    result = generate(
        GenerateOptions(
            template="template.yaml",
            region="eu-west-1",
            account="123456789012",
            cloudtrail=("trail",),
            role_arn=ROLE,
            since="2026-03-01",
            until="2026-03-03",
            merge=mode,
        )
    )
    (function,) = result.functions
    return {p.action for p in function.permissions}, {f.code for f in result.findings}


@pytest.mark.usefixtures("in_fixture")
def test_union_grants_what_the_dynamic_call_did() -> None:
    actions, found = _run("union")
    assert {"states:StartExecution", "secretsmanager:GetSecretValue"} <= actions
    assert {"s3:PutObject", "ssm:GetParameter", "ssm:PutParameter"} <= actions
    # The analysis flags the dynamic call; CloudTrail names what it did and what was denied.
    assert {"LP540", "LP520", "LP542"} <= found
    assert any(code.startswith("LP2") for code in found)


@pytest.mark.usefixtures("in_fixture")
def test_report_keeps_the_code_policy() -> None:
    actions, found = _run("report")
    assert "states:StartExecution" not in actions and "s3:PutObject" in actions
    assert {"LP540", "LP541", "LP542"} <= found


@pytest.mark.usefixtures("in_fixture")
def test_intersect_keeps_unobservable_code_permissions() -> None:
    actions, found = _run("intersect")
    assert "s3:PutObject" in actions and "ssm:PutParameter" not in actions
    assert "LP543" in found
