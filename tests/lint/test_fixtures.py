"""Real-looking templates and policies: expected findings on the right lines (golden files)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from least_priv.lint.engine import lint_paths
from least_priv.render.findings import render_findings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path("fixtures/lint")
EXPECTED = ROOT / FIXTURES / "expected"

INPUTS = [
    "sam-orders/template.yaml",
    "cfn-json/template.json",
    "serverless/serverless.yml",
    "terraform/plan.json",
    "cdk.out",
    "policies/clean.json",
    "policies/ci-deployer.json",
    "policies/get-role-policy.json",
    "iam/authorization-details.json",
]


pytestmark = pytest.mark.usefixtures("at_repo_root")


def _lines(name: str) -> list[tuple[int, str]]:
    result = lint_paths([str(FIXTURES / name)])
    return [(f.location.line, f.code) for f in result.findings]


@pytest.mark.parametrize("name", INPUTS)
def test_golden_text(name: str, golden: Callable[[Path, object], None]) -> None:
    result = lint_paths([str(FIXTURES / name)])
    stem = name.replace("/", "__")
    golden(EXPECTED / f"{stem}.txt", render_findings(result.findings, "text"))


def test_golden_sarif_of_the_sam_app_validates(
    golden: Callable[[Path, object], None], validate_sarif: Callable[[str], dict[str, Any]]
) -> None:
    result = lint_paths([str(FIXTURES / "sam-orders/template.yaml")])
    silenced = [(f, s.reason) for f, s in result.suppressed]
    text = render_findings(result.findings, "sarif", suppressed=silenced)
    log = validate_sarif(text)
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"LP102", "LP107", "LP110"}
    # Suppressed findings travel as results with an in-source suppression and its reason.
    justifications = sorted(
        s["justification"] for r in run["results"] for s in r.get("suppressions", [])
    )
    assert justifications == [
        "The export reads the warehouse password from Secrets Manager by prefix",
        "reply queues are named by each caller at run time",
    ]
    golden(EXPECTED / "sam-orders.sarif", text)


def test_sam_findings_are_on_the_offending_lines() -> None:
    found = _lines("sam-orders/template.yaml")
    # Checked by hand against the template.
    assert (57, "LP102") in found  # Action: dynamodb:*
    assert (58, "LP104") in found  # Resource: "*" beside it
    assert (73, "LP111") in found  # - s3:GetObjects
    assert (120, "LP103") in found  # Action: s3:Put*
    assert (129, "LP104") in found  # Resource "*" inside the !If branch
    assert (134, "LP107") in found  # iam:PassRole on "*"
    assert (144, "LP109") in found  # lambda:UpdateFunctionCode
    assert (148, "LP105") in found  # NotAction: iam:*
    # Suppressed with reasons: the comment above line 77's statement, and ExportRole Metadata.
    assert (78, "LP104") not in found
    assert not any(code == "LP110" for _, code in found)
    # A comment without a reason is reported and does not suppress.
    assert (81, "LP190") in found and (81, "LP104") in found


def test_json_template_findings_lines() -> None:
    found = _lines("cfn-json/template.json")
    assert (72, "LP101") in found  # "Action": "*" in AdminPolicy
    assert (54, "LP112") in found  # logz:PutLogEvents
    assert (46, "LP190") in found  # Sid suppression without Because...
    # s3:GetObject on !GetAtt ImagesBucket.Arn (a bucket, not its objects) grants nothing...
    assert (30, "LP113") in found
    # ...while the literal bucket ARN of statement 3 is accepted by its Sid, with a reason.
    assert [line for line, code in found if code == "LP113"] == [30]


def test_serverless_terraform_and_cdk_lines() -> None:
    serverless = _lines("serverless/serverless.yml")
    assert (13, "LP114") in serverless  # managedPolicies: AmazonSESFullAccess
    assert (24, "LP102") in serverless and (55, "LP106") in serverless
    plan = _lines("terraform/plan.json")
    assert (32, "LP102") in plan and (76, "LP107") in plan and (85, "LP196") in plan
    assert (42, "LP114") in plan  # aws_iam_role_policy_attachment of AdministratorAccess
    # AWSLambdaBasicExecutionRole (line 52) is a narrow managed policy: nothing to say.
    assert not [line for line, code in plan if code == "LP114" and line != 42]
    # The data source's Action "*" is not attached to anything and is not linted.
    assert not any(code == "LP101" for _, code in plan)
    cdk = lint_paths([str(FIXTURES / "cdk.out")]).findings
    assert (44, "LP103") in [(f.location.line, f.code) for f in cdk]
    # Stacks of a Stage live in a nested cloud assembly, and are linted too.
    nested = str(FIXTURES / "cdk.out" / "assembly-Prod" / "ProdReportsStack.template.json")
    assert [(f.location.line, f.code) for f in cdk if f.location.path == nested] == [(9, "LP101")]


def test_account_authorization_details() -> None:
    found = _lines("iam/authorization-details.json")
    assert (17, "LP109") in found  # ci-bot: PassRole + lambda:CreateFunction
    assert (56, "LP102") in found  # billing-fn-role inline dynamodb:*
    assert (74, "LP114") in found  # PowerUserAccess attached to the role
    # Only the default version (v2) of the customer managed policy is in force...
    assert (105, "LP113") in found
    assert not [line for line, _ in found if 85 <= line <= 95]
    # ...and AWS managed documents (AWSLambdaBasicExecutionRole's "*") are AWS's text.
    assert not [line for line, _ in found if line > 110]


def test_clean_policy_has_no_findings() -> None:
    assert _lines("policies/clean.json") == []


def test_directory_walk_lints_every_recognised_file() -> None:
    result = lint_paths([str(FIXTURES)])
    paths = {f.location.path for f in result.findings}
    assert str(FIXTURES / "cdk.out" / "ReportsStack.template.json") in paths
    assert str(FIXTURES / "serverless" / "serverless.yml") in paths
    # The SARIF schema and other JSON found on the walk are not inputs, and not errors.
    assert not result.input_error
    assert json.loads((ROOT / FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())
