"""``least-priv generate``: stdout, stderr and exit codes, through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest

from least_priv.cli import main

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = "fixtures/quickstart/template.yaml"
INVOICES = "fixtures/policy/sam-invoices/template.yaml"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    # The CLI caches analysis results by default: keep them out of the user's cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["generate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_readme_quickstart_command_prints_a_scoped_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--template", QUICKSTART, "--format", "json")
    assert code == 0
    policy = json.loads(out)["OrdersFunction"]
    resources = json.dumps(policy)
    assert "table/orders" in resources and "acme-order-receipts/receipts/*.json" in resources
    assert "log-group:/aws/lambda/orders-api:log-stream:*" in resources
    assert err == ""  # everything pinned down: nothing to report


def test_issue_3_form_paths_and_handler(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "fixtures/quickstart/src", "--handler", "app.lambda_handler", "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    assert document["Version"] == "2012-10-17"
    actions = {
        a
        for st in document["Statement"]
        for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "s3:PutObject", "sqs:SendMessage"}
    assert {line.split("environment variable ")[1].split(",")[0] for line in err.splitlines()} == {
        "TABLE_NAME",
        "RECEIPTS_BUCKET",
        "EVENTS_QUEUE_URL",
    }


def test_strict_turns_unpinned_resources_into_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--template", INVOICES, "--strict")
    assert code == 1 and json.loads(out)  # the policy is still printed
    # Notes alone (names CDK generates at deploy time) do not fail --strict.
    code, _, err = run(capsys, "--template", "fixtures/policy/cdk-thumbnails/cdk.out", "--strict")
    assert code == 0 and "LP303" in err


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("no/such/dir",),
        ("--template", QUICKSTART, "--function", "Nope"),
        ("--template", QUICKSTART, "--format", "yaml"),
        ("fixtures/quickstart/src", "--env", "NOEQUALS"),
    ],
)
def test_usage_and_input_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err


def test_unreadable_template_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources:\n  Fn:\n    Type: [unclosed\n")
    code, out, err = run(capsys, "--template", str(broken))
    assert code == 2 and out == ""
    assert "LP401" in err


def test_report_file_has_permissions_with_provenance(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    code, _, _ = run(capsys, "--template", QUICKSTART, "--report", str(report))
    assert code == 0
    data = json.loads(report.read_text())
    (function,) = data["functions"]
    put = next(p for p in function["permissions"] if p["action"] == "dynamodb:PutItem")
    assert put["provenance"] == [
        {
            "source": "code",
            "detail": "dynamodb.PutItem via Table.put_item",
            "path": "fixtures/quickstart/src/orders/repository.py",
            "line": 13,
            "column": 8,
        }
    ]
    assert data["findings"] == []


def test_explain_keeps_stdout_parseable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--template", QUICKSTART, "--format", "terraform", "--explain")
    assert code == 0
    hcl2.loads(out)
    assert "why each permission is there" in err
    assert "fixtures/quickstart/src/app.py:29" in err
    code, out, _ = run(capsys, "--template", QUICKSTART, "--format", "text", "--explain")
    assert "why each permission is there" in out and "Tracing: Active" in out


def test_split_writes_several_documents_for_a_large_policy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A reconciliation job reading 150 named ledger tables: too large for one managed policy.
    src = tmp_path / "src"
    src.mkdir()
    functions = "".join(
        f"\n\ndef check_{i:03d}():\n"
        f"    return dynamodb.get_item(TableName='tenant-{i:03d}-ledger-entries', Key={{}})\n"
        for i in range(150)
    )
    (src / "jobs.py").write_text("import boto3\n\ndynamodb = boto3.client('dynamodb')" + functions)
    code, out, err = run(capsys, str(src))
    assert code == 0 and isinstance(json.loads(out), dict)  # whole, never truncated
    assert "LP320" in err
    code, out, err = run(capsys, str(src), "--split")
    documents = json.loads(out)
    assert isinstance(documents, list) and len(documents) > 1
    assert "LP321" in err
    assert all(len(json.dumps(d, separators=(",", ":"))) <= 6144 for d in documents)
    resources = {r for d in documents for st in d["Statement"] for r in st["Resource"]}
    assert len(resources) == 150


def test_merge_report_prints_the_cloudtrail_tables_to_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT / "fixtures" / "trail" / "merge-dynamic")
    report = tmp_path / "report.json"
    code, out, err = run(
        capsys,
        "--template", "template.yaml",
        "--region", "eu-west-1",
        "--account", "123456789012",
        "--cloudtrail", "trail",
        "--role-arn", "arn:aws:iam::123456789012:role/report-exporter-role",
        "--since", "2026-03-01",
        "--until", "2026-03-03",
        "--merge", "report",
        "--report", str(report),
    )  # fmt: skip
    assert code == 0
    policy = json.loads(out)["ReportExporterFunction"]
    # report mode keeps the code's policy: the dynamic call's StartExecution is not granted.
    assert "states:StartExecution" not in json.dumps(policy)
    assert "### Observed in CloudTrail, not found in the code" in err
    assert "states:StartExecution" in err.split("### Needed by the code")[0]
    (function,) = json.loads(report.read_text())["functions"]
    assert "### Observed in CloudTrail" in function["cloudtrail_report"]


def test_same_bytes_whatever_the_hash_seed() -> None:
    # Set and dict iteration order changes with PYTHONHASHSEED between processes; the
    # output must not.
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "least_priv", "generate", "--template", INVOICES,
             "--format", "sam", "--compact"],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout + done.stderr)
    assert len(outputs) == 1


def test_findings_as_sarif_or_github_annotations_for_ci(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--template", INVOICES, "--findings-format", "sarif")
    assert code == 0 and json.loads(out)
    sarif = json.loads(err)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"LP300", "LP303"}
    code, _, err = run(capsys, "--template", INVOICES, "--findings-format", "github")
    assert (
        err.startswith("::") and "file=fixtures/policy/sam-invoices/src/invoices/archive.py" in err
    )


_MERGE_REPORT = (
    "--template", "template.yaml",
    "--region", "eu-west-1",
    "--account", "123456789012",
    "--cloudtrail", "trail",
    "--role-arn", "arn:aws:iam::123456789012:role/report-exporter-role",
    "--until", "2026-03-03",
    "--merge", "report",
)  # fmt: skip


def test_bad_cloudtrail_window_is_a_usage_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "fixtures" / "trail" / "merge-dynamic")
    code, out, err = run(capsys, *_MERGE_REPORT, "--since", "last tuesday")
    assert code == 2 and out == ""
    assert "not an ISO date" in err and "'last tuesday'" in err
    assert "Traceback" not in err


def test_merge_report_tables_are_part_of_the_text_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "fixtures" / "trail" / "merge-dynamic")
    code, out, err = run(capsys, *_MERGE_REPORT, "--since", "2026-03-01", "--format", "text")
    assert code == 0
    summary, tables = out.split("### Observed in CloudTrail, not found in the code")
    assert summary.startswith("ReportExporterFunction: ")
    assert "| states:StartExecution | arn:aws:states:eu-west-1:123456789012:" in tables
    assert "### Denied in CloudTrail (missing permissions)" in tables
    assert "###" not in err  # printed once, where the reader is looking


def test_parameter_and_stage_options_reach_the_template(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--template", INVOICES, "--parameter", "Stage=staging")
    assert code == 0
    assert "table/invoices-staging" in out and "invoices-prod" not in out
    serverless = "fixtures/policy/serverless-payments/serverless.yml"
    code, out, _ = run(capsys, "--template", serverless, "--stage", "dev")
    assert code == 0 and "payments-dev-ledger" in out and "-prod-" not in out
    code, out, err = run(capsys, "--template", INVOICES, "--parameter", "Stage")
    assert code == 2 and out == "" and "'Stage' is not KEY=VALUE" in err


def test_check_reads_the_declared_role_with_the_same_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The role's SAM policy templates name the stage's resources too: were only the code's
    # side read with Stage=staging, every staging permission would be "missing" (exit 1).
    argv = ["check", "--template", INVOICES, "--no-lint", "--region", "eu-west-1"]
    code = main([*argv, "--account", "123456789012", "--parameter", "Stage=staging"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "incoming-invoices-staging" in out and "incoming-invoices-prod" not in out
    assert " 0 errors" in err
