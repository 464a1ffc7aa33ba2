"""``least-priv diff`` end to end on the fixtures: reports (golden files) and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from least_priv.cli import main

from .helpers import FIX, ROOT

EXPECTED = FIX / "orders" / "expected"
REQUIRED = "fixtures/diff/orders/required.json"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in reports are printed as given; relative paths keep the golden files portable.
    monkeypatch.chdir(ROOT)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    return code, capsys.readouterr().out


def _against(
    capsys: pytest.CaptureFixture[str], policy: str, *extra: str, fmt: str = "json"
) -> tuple[int, str]:
    """``diff --required REQUIRED --policy POLICY`` in ``fmt``."""
    return _run(capsys, "--required", REQUIRED, "--policy", policy, *extra, "--format", fmt)


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_sam_role_report_in_every_format(
    capsys: pytest.CaptureFixture[str],
    golden,
    fmt: str,
    suffix: str,  # type: ignore[no-untyped-def]
) -> None:
    code, out = _against(capsys, "fixtures/diff/orders/role-expanded.json", fmt=fmt)
    assert code == 2
    golden(EXPECTED / f"role-expanded.{suffix}", out)


def test_json_report_names_action_resource_and_origin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _against(capsys, "fixtures/diff/policies/deny-delete.json")
    data = json.loads(out)
    assert code == 2
    assert set(data) >= {"missing", "excess", "conditional"}
    [missing] = data["missing"]
    assert missing["action"] == "dynamodb:DeleteItem"
    assert missing["decision"] == "denied"
    assert missing["statements"] == [
        "file policy deny-delete.json, statement 5 (Sid NoDeletesInProduction)"
    ]
    assert missing["call_sites"] == ["fixtures/diff/orders/required.json:4:4"]
    for entry in data["excess"]:
        assert entry["action"] and entry["resource"] and entry["statement"]


def test_boundary_file_blocks_sqs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _against(
        capsys,
        "fixtures/diff/policies/role-wide.json",
        "--boundary",
        "fixtures/diff/policies/boundary-no-sqs.json",
    )
    assert code == 2
    assert [m["action"] for m in json.loads(out)["missing"]] == ["sqs:SendMessage"]


def test_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    exact = ["--required", REQUIRED, "--policy", REQUIRED]
    assert _run(capsys, *exact)[0] == 0
    assert _run(capsys, *exact, "--fail-on-excess")[0] == 0
    wide = ["--required", REQUIRED, "--policy", "fixtures/diff/policies/notaction-poweruser.json"]
    assert _run(capsys, *wide)[0] == 0
    assert _run(capsys, *wide, "--fail-on-excess")[0] == 1


def test_no_role_source_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--required", REQUIRED]) == 2
    assert "--role-name" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("malformed.json", "LP610"),
        ("version-2008.json", "LP611"),
        ("statement-dict.json", "LP612"),
        ("typo-actions.json", "LP613"),
    ],
)
def test_bad_policy_files_become_findings(
    capsys: pytest.CaptureFixture[str], name: str, code: str
) -> None:
    exit_code, out = _against(capsys, f"fixtures/diff/bad/{name}")
    data = json.loads(out)
    codes = {f["code"] for f in data["findings"]}
    assert code in codes
    # Nothing is dropped silently: what the bad file fails to grant shows up as missing.
    assert exit_code == 2 and data["missing"]


def test_malformed_json_finding_points_at_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out = _against(capsys, "fixtures/diff/bad/malformed.json")
    [bad] = [f for f in json.loads(out)["findings"] if f["code"] == "LP610"]
    assert bad["path"] == "fixtures/diff/bad/malformed.json"
    assert bad["line"] >= 7


def test_unreadable_required_file_is_a_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "required.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [')
    code, out = _run(capsys, "--required", str(broken), "--policy", REQUIRED, "--format", "json")
    assert code == 2
    assert [f["code"] for f in json.loads(out)["findings"]] == ["LP624"]


@pytest.mark.parametrize(
    "document",
    [
        [1, 2, 3],
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]},
        {"Version": "2012-10-17", "Statement": "s3:GetObject"},
    ],
    ids=["list-of-numbers", "action-not-a-string", "statement-a-string"],
)
def test_required_document_that_cannot_be_read_never_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: object
) -> None:
    required = tmp_path / "required.json"
    required.write_text(json.dumps(document))
    code, out = _run(capsys, "--required", str(required), "--policy", REQUIRED)
    # Read as "no need at all", the role would have covered everything.
    assert code == 2
    assert "incomplete" in out and "exactly what the code needs" not in out
    assert ": LP624 " in out


@pytest.mark.parametrize("content", [None, "[1, 2]", '{"Version": "2012-10-17", "Statement": ['])
def test_a_boundary_file_that_cannot_be_read_is_unknown_and_fails_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None
) -> None:
    boundary = tmp_path / "boundary.json"
    if content is not None:
        boundary.write_text(content)
    code, out = _against(
        capsys, "fixtures/diff/policies/role-wide.json", "--boundary", str(boundary)
    )
    data = json.loads(out)
    # Read as a boundary that allows nothing, every need was "outside its permissions
    # boundary": nine false missing permissions. It is unknown instead, and the run fails
    # because an input was not read.
    assert data["missing"] == []
    assert data["conditional"]
    assert any(f["code"] == "LP610" for f in data["findings"])
    assert code == 2


def test_authorization_details_file_picks_the_role(capsys: pytest.CaptureFixture[str]) -> None:
    details = "fixtures/diff/iam/authorization-details.json"
    code, out = _against(capsys, details, "--role-name", "orders-fn-role")
    data = json.loads(out)
    assert code == 2
    assert [(m["action"], m["decision"]) for m in data["missing"]] == [
        ("dynamodb:DeleteItem", "denied"),
        ("sqs:SendMessage", "not-allowed"),
    ]
    [lp620] = [f for f in data["findings"] if f["code"] == "LP620"]
    assert "AWSLambdaBasicExecutionRole" in lp620["message"]
    assert lp620["line"] > 1
    # Two roles in the file and none named: reported, and nothing is called allowed.
    code, out = _against(capsys, details)
    data = json.loads(out)
    assert "LP622" in {f["code"] for f in data["findings"]}
    assert len(data["missing"]) == 9


def test_typos_are_reported_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out = _against(capsys, "fixtures/diff/bad/typo-actions.json")
    data = json.loads(out)
    typos = sorted(f["message"].split(": ", 1)[1] for f in data["findings"] if f["code"] == "LP614")
    assert typos == [
        "dynamodbb:GetItem grants nothing (unknown service prefix 'dynamodbb')",
        "s3:GetObjet grants nothing (did you mean s3:GetObject?)",
    ]
    columns = sorted(f["column"] for f in data["findings"] if f["code"] == "LP614")
    assert len(set(columns)) == 2  # each on its own entry of the Action list
    # The typo grants nothing: GetObject is missing; the correct PutItem is granted.
    missing = {m["action"] for m in data["missing"]}
    assert "s3:GetObject" in missing and "dynamodb:PutItem" not in missing


def test_shaping_options_are_generates_own() -> None:
    from least_priv.cli.diff import SHAPING_OPTIONS, diff
    from least_priv.cli.generate import generate

    shared = [p for p in diff.params if p.name in SHAPING_OPTIONS]
    assert sorted(p.name or "" for p in shared) == sorted(SHAPING_OPTIONS)
    assert all(any(p is q for q in generate.params) for p in shared)


def test_sarif_for_code_scanning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _against(capsys, "fixtures/diff/policies/deny-delete.json", fmt="sarif")
    assert code == 2
    results = json.loads(out)["runs"][0]["results"]
    missing = [r for r in results if r["ruleId"] == "LP601"]
    assert len(missing) == 1 and "dynamodb:DeleteItem" in missing[0]["message"]["text"]
    assert {r["ruleId"] for r in results} >= {"LP601", "LP602"}


def test_required_accepts_every_shape_generate_writes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = json.loads((ROOT / REQUIRED).read_text())
    half = len(document["Statement"]) // 2
    split = [
        {"Version": "2012-10-17", "Statement": document["Statement"][:half]},
        {"Version": "2012-10-17", "Statement": document["Statement"][half:]},
    ]
    shapes = {
        "split.json": split,
        "keyed.json": {"OrdersFunction": document, "ReportsFunction": split},
    }
    for name, data in shapes.items():
        (tmp_path / name).write_text(json.dumps(data, indent=2))
    deny = "fixtures/diff/policies/deny-delete.json"

    def missing(*args: str) -> list[str]:
        code, out = _run(capsys, *args, "--policy", deny, "--format", "json")
        data = json.loads(out)
        assert code == (2 if data["missing"] else 0), data["findings"]
        return [m["action"] for m in data["missing"]]

    assert missing("--required", str(tmp_path / "split.json")) == ["dynamodb:DeleteItem"]
    keyed = str(tmp_path / "keyed.json")
    assert missing("--required", keyed, "--function", "ReportsFunction") == ["dynamodb:DeleteItem"]
    # Two functions and none chosen: reported, and the run fails rather than passing empty.
    code, out = _run(capsys, "--required", keyed, "--policy", deny, "--format", "json")
    assert code == 2
    [finding] = json.loads(out)["findings"]
    assert finding["code"] == "LP624" and "OrdersFunction, ReportsFunction" in finding["message"]


def test_required_from_generate_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    generated = tmp_path / "policy.json"
    code = main(
        [
            "generate",
            "fixtures/diff/orders/src",
            "--handler",
            "app.lambda_handler",
            "--env",
            "ORDERS_TABLE=Orders",
            "--env",
            "EVENTS_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/123456789012/orders-events",
            "--region",
            "us-east-1",
            "--account",
            "123456789012",
        ]
    )
    generated.write_text(capsys.readouterr().out)
    assert code == 0
    code, out = _run(
        capsys,
        "--required",
        str(generated),
        "--policy",
        "fixtures/diff/policies/deny-delete.json",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert [m["action"] for m in data["missing"]] == ["dynamodb:DeleteItem"]


@pytest.mark.parametrize(
    "policy",
    [
        "fixtures/diff/orders/role-expanded.json",
        "fixtures/diff/policies/deny-delete.json",
        "fixtures/diff/policies/notaction-poweruser.json",
        "fixtures/diff/policies/guardrails.json",
        "fixtures/diff/bad/typo-actions.json",
    ],
)
def test_json_report_follows_its_schema(capsys: pytest.CaptureFixture[str], policy: str) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "report.schema.json").read_text())
    _code, out = _against(capsys, policy)
    jsonschema.validate(json.loads(out), schema)
