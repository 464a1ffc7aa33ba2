"""``check`` on a SAM function without an explicit Role, on ``fixtures/lint/check-sam``.

SAM gives such a function a role with the AWS managed policy AWSLambdaBasicExecutionRole;
the template also attaches a customer managed policy by ARN and names its queue after the
stack (``${AWS::StackName}-updates``). The code updates an item the role does not grant
(DynamoDBReadPolicy has no UpdateItem).

Offline, the managed policies are unknown, so that need is conditional (LP603), never
assumed; the gate says which policy decides it and how to turn it into a hard answer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from least_priv.cli import main

ROOT = Path(__file__).resolve().parents[2]
APP = "fixtures/lint/check-sam"
TEMPLATE = f"{APP}/template.yaml"
PINNED = ("--region", "eu-west-1", "--account", "111122223333")
BASIC_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
AUDIT_ARN = "arn:aws:iam::111122223333:policy/shipments-audit"
DOCUMENTS = (
    "--managed-policy",
    f"{BASIC_ARN}=fixtures/diff/policies/AWSLambdaBasicExecutionRole.json",
    "--managed-policy",
    f"shipments-audit={APP}/policies/shipments-audit.json",
)

pytestmark = pytest.mark.usefixtures("at_repo_root")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", "--template", TEMPLATE, *PINNED, "--format", "json", *argv])
    data = json.loads(capsys.readouterr().out)
    findings: list[dict[str, Any]] = data["findings"] if isinstance(data, dict) else data
    return code, findings


def _codes(findings: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["code"] == code]


def _line(f: dict[str, Any]) -> tuple[str, int]:
    return f["path"], f["line"]


def test_undecidable_need_names_the_managed_policy_and_the_remedy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, findings = run(capsys)
    assert code == 0  # conditional is a warning: the default gate passes...
    [update] = [f for f in _codes(findings, "LP603") if "dynamodb:UpdateItem" in f["message"]]
    assert _line(update) == (f"{APP}/src/app.py", 19)
    message = update["message"]
    # Both policies named, with the options that settle them, in one sentence.
    assert "depends on the managed policies " in message
    for arn in (BASIC_ARN, AUDIT_ARN):
        assert arn in message
        assert f"--managed-policy {arn}=FILE" in message
    assert "definite answer" in message
    assert "(added by SAM)" in message
    assert "unreadable-managed" not in message


def test_fail_on_conditional_makes_the_gate_fail(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(capsys, "--fail-on-conditional")
    assert code == 1


def test_remedy_names_a_key_the_user_can_write(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--template", TEMPLATE, "--format", "json"])  # no --account
    findings = json.loads(capsys.readouterr().out)["findings"]
    [update] = [f for f in _codes(findings, "LP603") if "dynamodb:UpdateItem" in f["message"]]
    # arn:aws:iam::*:policy/shipments-audit is not something to type: the name is.
    assert "--managed-policy shipments-audit=FILE" in update["message"]
    assert f"--managed-policy {BASIC_ARN}=FILE" in update["message"]


def test_fail_on_conditional_counts_only_what_remains(capsys: pytest.CaptureFixture[str]) -> None:
    # With every managed document given nothing is conditional: the flag has nothing to fail
    # on, and the missing permission is an error of its own.
    code, findings = run(capsys, *DOCUMENTS, "--fail-on-conditional", "--fail-on", "never")
    assert not _codes(findings, "LP603")
    assert code == 0
    # Conditional needs accepted with --ignore do not fail the gate either.
    code, _ = run(capsys, "--fail-on-conditional", "--ignore", "LP603")
    assert code == 0


def test_managed_documents_turn_the_need_into_a_hard_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, findings = run(capsys, *DOCUMENTS)
    assert code == 1
    [missing] = _codes(findings, "LP601")
    assert "dynamodb:UpdateItem" in missing["message"]
    assert _line(missing) == (f"{APP}/src/app.py", 19)
    assert not _codes(findings, "LP620") and not _codes(findings, "LP603")


def test_one_finding_per_unexpandable_managed_policy(capsys: pytest.CaptureFixture[str]) -> None:
    _, findings = run(capsys)
    # infra's LP431 and diff's LP620 said the same thing about the same line.
    assert not _codes(findings, "LP431")
    lp620 = _codes(findings, "LP620")
    assert sorted(_line(f) for f in lp620) == [(TEMPLATE, 28), (TEMPLATE, 44)]
    [audit] = [f for f in lp620 if _line(f) == (TEMPLATE, 44)]
    # The ARN as the account resolves it, not ${AWS::AccountId}.
    assert AUDIT_ARN in audit["message"]


def test_stack_name_placeholder_covers_the_codes_queue(capsys: pytest.CaptureFixture[str]) -> None:
    _, findings = run(capsys, *DOCUMENTS)
    queue = [f for f in findings if "sqs:" in f["message"] and f["code"].startswith("LP6")]
    # SQSSendMessagePolicy names ${AWS::StackName}-updates, the code's queue is *-updates;
    # SAM's dead-letter statement names ${FailedUpdatesQueue.Arn}, the code's DLQ is
    # arn:aws:sqs:eu-west-1:111122223333:*. The same deployed queues: neither a partial
    # cover (LP603) nor an excess grant (LP602).
    assert queue == []


def test_template_arns_use_the_region_and_account_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, findings = run(capsys, *DOCUMENTS)
    read = [f for f in _codes(findings, "LP602") if "DynamoDBReadPolicy" in f["message"]]
    assert read  # Query, Scan, ... the code never needs
    # The table ARN is the code's own: no "grants arn:aws:dynamodb:*:*:table/..." excess.
    assert not [f for f in read if "dynamodb:*:*" in f["message"]]
    assert not [f for f in read if "table/shipments-prod`;" in f["message"]]


def test_a_policy_entry_of_the_wrong_shape_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, findings = _check_variant(
        tmp_path, capsys, "      Policies:\n", "      Policies:\n        - 42\n"
    )
    # infra (LP433, what the comparison read) and lint (LP198) see the same entry: one finding.
    at_entry = [f for f in findings if f["line"] == 40 and f["code"] in ("LP198", "LP433")]
    assert [f["code"] for f in at_entry] == ["LP433"]


def _check_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> tuple[int, list[dict[str, Any]]]:
    app = tmp_path / "check-sam"
    shutil.copytree(ROOT / APP, app)
    template = app / "template.yaml"
    text = template.read_text()
    assert old in text
    template.write_text(text.replace(old, new, 1))
    code = main(["check", "--template", str(template), *PINNED, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_a_role_outside_the_template_is_unknown_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    role = "arn:aws:iam::111122223333:role/shipments-tracker"
    code, findings = _check_variant(
        tmp_path, capsys, "      Policies:\n", f"      Role: {role}\n      Policies:\n"
    )
    # Read as a role without policies, every need would be a false LP601 and exit 1.
    assert not _codes(findings, "LP601") and code == 0
    [update] = [f for f in _codes(findings, "LP603") if "dynamodb:UpdateItem" in f["message"]]
    assert "defined outside the template" in update["message"]
    assert f"--role-arn {role}" in update["message"]
    assert len(_codes(findings, "LP432")) == 1 and not _codes(findings, "LP620")


def test_unknown_policy_template_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, findings = _check_variant(
        tmp_path,
        capsys,
        "        - DynamoDBReadPolicy:\n",
        "        - ShipmentsTrackerPolicy: {}\n        - DynamoDBReadPolicy:\n",
    )
    [unknown] = _codes(findings, "LP430")
    assert not [f for f in _codes(findings, "LP620") if f["line"] == unknown["line"]]
    [update] = [f for f in _codes(findings, "LP603") if "dynamodb:UpdateItem" in f["message"]]
    assert "ShipmentsTrackerPolicy" in update["message"]


def test_a_malformed_statement_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, findings = _check_variant(
        tmp_path,
        capsys,
        "      Policies:\n",
        "      Policies:\n        - Statement:\n            - 5\n",
    )
    # infra (LP433), the evaluator's reading (LP613) and lint (LP120) all saw statement 5.
    at_statement = [f["code"] for f in findings if f["line"] == 41]
    assert at_statement == ["LP433"]


@pytest.mark.parametrize(
    "document",
    [[1, 2, 3], {"Version": "2012-10-17", "Statement": []}, {"Statement": [{"Effect": "Allow"}]}],
    ids=["not-an-object", "no-statement", "statement-without-action"],
)
def test_a_managed_document_that_is_no_policy_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: object
) -> None:
    # Accepted, it would stand for "grants nothing" and turn unknowns into false LP601s.
    path = tmp_path / "basic.json"
    path.write_text(json.dumps(document))
    code = main(["check", "--template", TEMPLATE, "--managed-policy", f"{BASIC_ARN}={path}"])
    assert code == 2
    assert "--managed-policy" in capsys.readouterr().err


def test_a_managed_policy_key_that_names_nothing_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "service-role/" left out of the ARN: the document is not used, and the user is told.
    wrong = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"
    document = "fixtures/diff/policies/AWSLambdaBasicExecutionRole.json"
    main(["check", "--template", TEMPLATE, *PINNED, "--managed-policy", f"{wrong}={document}"])
    err = capsys.readouterr().err
    assert f"--managed-policy {wrong} names no managed policy" in err
    main(["check", "--template", TEMPLATE, *PINNED, *DOCUMENTS])
    assert "names no managed policy" not in capsys.readouterr().err


def test_one_unreadable_managed_policy_is_named_alone(capsys: pytest.CaptureFixture[str]) -> None:
    audit_only = ("--managed-policy", f"shipments-audit={APP}/policies/shipments-audit.json")
    _, findings = run(capsys, *audit_only)
    [update] = [f for f in _codes(findings, "LP603") if "dynamodb:UpdateItem" in f["message"]]
    assert f"depends on the managed policy {BASIC_ARN} (added by SAM)" in update["message"]
    assert f"--managed-policy {BASIC_ARN}=FILE (its document)" in update["message"]
    assert AUDIT_ARN not in update["message"]
