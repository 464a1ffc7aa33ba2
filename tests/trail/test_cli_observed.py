"""``least-priv observed`` end to end through ``least_priv.cli.main``."""

from __future__ import annotations

import json

import pytest

from least_priv.cli import main

from .conftest import MERGE_DYNAMIC

TRAIL = str(MERGE_DYNAMIC / "trail")
ARGS = [
    "observed",
    "--cloudtrail",
    TRAIL,
    "--role-arn",
    "arn:aws:iam::123456789012:role/report-exporter-role",
    "--since",
    "2026-03-01",
    "--until",
    "2026-03-03",
]


def test_policy_output_is_valid_iam_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr()
    policy = json.loads(out.out)
    assert policy["Version"] == "2012-10-17"
    actions = {
        a
        for st in policy["Statement"]
        for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "states:StartExecution",
    }
    # The denied legacy parameter is reported, never granted.
    assert "legacy-config" not in out.out
    assert "LP520" in out.err


def test_strict_turns_the_access_denied_warning_into_exit_1() -> None:
    assert main([*ARGS, "--strict"]) == 1


def test_json_and_table_are_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for fmt in ("json", "json", "table"):
        assert main([*ARGS, "--format", fmt]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["stats"]["matched"] == 14
    assert [p["action"] for p in data["denied"]] == ["ssm:GetParameter"]
    assert "Denied (missing permissions, not granted):" in outputs[2]


def test_print_sql_for_athena(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "observed",
            "--cloudtrail",
            "athena://primary/cloudtrail_db.trail",
            "--role-arn",
            "arn:aws:iam::123456789012:role/report-exporter-role",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-03",
            "--print-sql",
        ]
    )
    assert code == 0
    sql = capsys.readouterr().out
    assert sql.startswith("-- least-priv: observed usage of")
    assert 'FROM "cloudtrail_db"."trail"' in sql and sql.rstrip().endswith(";")


@pytest.mark.parametrize(
    "extra",
    [
        ["--role-arn", "report-exporter-role"],
        ["--since", "last tuesday"],
    ],
)
def test_usage_errors_exit_2(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = list(ARGS)
    flag = extra[0]
    args[args.index(flag) + 1] = extra[1]
    assert main(args) == 2
    assert "Error" in capsys.readouterr().err


def test_unreadable_source_exits_1(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    args = list(ARGS)
    args[args.index(TRAIL)] = str(tmp_path / "missing")
    assert main(args) == 1
    assert "LP501" in capsys.readouterr().err


def test_print_sql_with_a_bad_athena_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["observed", "--cloudtrail", "athena://primary/no-table", "--role-arn"]
    args += ["arn:aws:iam::123456789012:role/report-exporter-role", "--print-sql"]
    assert main(args) == 2
    assert "athena://WORKGROUP/DATABASE.TABLE" in capsys.readouterr().err
