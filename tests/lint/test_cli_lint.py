"""``least-priv lint``: formats, --fail-on, baselines, input detection and exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from least_priv.cli import main

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "fixtures" / "lint" / "policies"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_policy_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", str(POLICIES / "clean.json"))
    assert (code, out) == (0, "")
    assert "0 errors, 0 warnings, 0 notes in 1 input" in err


def test_errors_exit_1_and_fail_on_never_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    deployer = str(POLICIES / "ci-deployer.json")
    code, out, _ = run(capsys, "lint", deployer)
    assert code == 1
    assert f"{deployer}:33:17: LP111 dynamodb:DeleteTabel is not a known" in out
    assert run(capsys, "lint", deployer, "--fail-on", "never")[0] == 0


def test_fail_on_warning_counts_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "read.json"
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert run(capsys, "lint", str(policy))[0] == 0  # a read on "*" is a warning
    assert run(capsys, "lint", str(policy), "--fail-on", "warning")[0] == 1


def test_unrecognised_or_broken_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "web", "version": "1.0.0"}')
    code, out, _ = run(capsys, "lint", str(package))
    assert code == 2 and "LP195" in out
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources:\n  Role: [unclosed\n")
    code, out, _ = run(capsys, "lint", str(broken), "--fail-on", "never")
    assert code == 2 and "LP401" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lint")[0] == 2
    assert run(capsys, "lint", "does-not-exist.json")[0] == 2
    assert run(capsys, "lint", str(POLICIES / "clean.json"), "--format", "xml")[0] == 2


def test_input_type_forces_the_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A policy that lost its Statement is not recognised as anything by content...
    stub = tmp_path / "policy.json"
    stub.write_text('{"Version": "2012-10-17"}')
    code, out, _ = run(capsys, "lint", str(stub))
    assert code == 2 and "LP195" in out
    # ...but read as a policy, it is a malformed one.
    code, out, _ = run(capsys, "lint", str(stub), "--input-type", "policy")
    assert code == 1 and "LP120 the policy has no Statement" in out


def test_formats(
    capsys: pytest.CaptureFixture[str], validate_sarif: Callable[[str], dict[str, Any]]
) -> None:
    deployer = str(POLICIES / "ci-deployer.json")
    report = json.loads(run(capsys, "lint", deployer, "--format", "json")[1])
    assert report["summary"]["error"] >= 5
    log = validate_sarif(run(capsys, "lint", deployer, "--format", "sarif")[1])
    assert log["runs"][0]["results"]
    github = run(capsys, "lint", deployer, "--format", "github")[1]
    assert github.startswith("::error file=") and "title=LP109 privilege-escalation" in github


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "lint.sarif"
    deployer = str(POLICIES / "ci-deployer.json")
    code, out, _ = run(capsys, "lint", deployer, "--format", "sarif", "-o", str(out_file))
    assert code == 1 and out == ""
    assert json.loads(out_file.read_text())["version"] == "2.1.0"


def test_sarif_beside_another_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif = tmp_path / "lint.sarif"
    code, out, _ = run(
        capsys,
        "lint",
        str(POLICIES / "ci-deployer.json"),
        "--format",
        "github",
        "--sarif",
        str(sarif),
    )
    assert code == 1 and out.startswith("::")
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert len(results) == len(out.splitlines())


def test_baseline_reports_only_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "deployer.json"
    shutil.copy(POLICIES / "ci-deployer.json", policy)
    baseline = tmp_path / "baseline.json"
    code, _, err = run(capsys, "lint", str(policy), "--baseline", str(baseline), "--write-baseline")
    assert code == 0 and "wrote 11 findings" in err
    assert run(capsys, "lint", str(policy), "--baseline", str(baseline))[0] == 0
    # Edits above existing findings move them; they stay baselined. A new wildcard is new.
    data = json.loads(policy.read_text())
    data["Statement"].insert(0, {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})
    policy.write_text(json.dumps(data, indent=4))
    code, out, err = run(capsys, "lint", str(policy), "--baseline", str(baseline))
    assert code == 1
    assert {line.split(": ")[1].split()[0] for line in out.splitlines()} == {"LP102", "LP104"}
    assert "11 in baseline" in err


def test_bad_baseline_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text("[1, 2]")
    code, _, err = run(capsys, "lint", str(POLICIES / "clean.json"), "--baseline", str(bad))
    assert code == 2 and "not a least-priv baseline" in err
    assert run(capsys, "lint", str(POLICIES / "clean.json"), "--write-baseline")[0] == 2


def test_select_and_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    deployer = str(POLICIES / "ci-deployer.json")
    out = run(capsys, "lint", deployer, "--select", "LP109,LP111")[1]
    assert {line.split(": ")[1].split()[0] for line in out.splitlines()} == {"LP109", "LP111"}
    out = run(capsys, "lint", deployer, "--ignore", "LP10")[1]
    assert not any(": LP10" in line for line in out.splitlines())


def test_list_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--list-rules")
    assert code == 0 and out.splitlines()[0].startswith("LP101  error    action-wildcard")
    code, out, _ = run(capsys, "lint", "--explain", "LP107")
    assert code == 0 and "**Fix**" in out and '"iam:PassRole"' in out
    assert run(capsys, "lint", "--explain", "LP999")[0] == 2


def test_skip_unrecognised_for_pre_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "web", "version": "1.0.0"}')
    clean = str(POLICIES / "clean.json")
    assert run(capsys, "lint", clean, str(package), "--skip-unrecognised")[0] == 0


def test_json_report_lists_suppressed_findings_with_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfn = str(ROOT / "fixtures" / "lint" / "cfn-json" / "template.json")
    report = json.loads(run(capsys, "lint", cfn, "--format", "json")[1])
    [entry] = report["suppressed"]
    assert entry["code"] == "LP113" and entry["reason"] == "bucket is owned by another team"
    assert entry["line"] == 42  # the Action entry of the ListUploads statement
    assert all(f["fingerprint"] != entry["fingerprint"] for f in report["findings"])


def test_input_type_choices_match_the_readers() -> None:
    # The CLI spells the choices out to stay import-light; they must not drift.
    from least_priv.cli.lint import lint
    from least_priv.lint.inputs import INPUT_TYPES

    [option] = [p for p in lint.params if p.name == "input_type"]
    assert tuple(option.type.choices) == INPUT_TYPES  # type: ignore[attr-defined]


def test_directory_walk_skips_what_is_not_ours_but_reports_broken_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "chart" / "templates").mkdir(parents=True)
    # A Helm template is not YAML until rendered; it is not ours either.
    (repo / "chart" / "templates" / "deployment.yaml").write_text(
        "spec:\n  replicas: {{ .Values.replicas }}\n  image: {{ .Values.image | quote }}\n: x\n"
    )
    (repo / "empty.yml").write_text("")
    (repo / ".serverless").mkdir()
    (repo / ".serverless" / "cloudformation-template-update-stack.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "R": {
                        "Type": "AWS::IAM::Policy",
                        "Properties": {
                            "PolicyDocument": {
                                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
                            }
                        },
                    }
                }
            }
        )
    )
    shutil.copy(POLICIES / "clean.json", repo / "policy.json")
    code, out, err = run(capsys, "lint", str(repo))
    assert (code, out) == (0, "")
    assert "in 1 input" in err  # the policy; the chart and the empty file were skipped
    # A template that does not parse is still reported: it is ours, and unchecked.
    (repo / "template.yaml").write_text("Resources:\n  Role: [unclosed\n")
    code, out, _ = run(capsys, "lint", str(repo))
    assert code == 2 and "template.yaml:" in out and " LP401 " in out
