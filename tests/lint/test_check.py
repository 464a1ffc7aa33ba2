"""``least-priv check``: code against the role a template declares, on a real-looking app.

The app stores orders with ``put_item`` but its role only reads the table (missing → error at
the call site), and grants ``sns:Publish`` the code never uses (excess → warning at the
statement). The role's log statement on ``*`` is a lint finding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from least_priv.cli import main

ROOT = Path(__file__).resolve().parents[2]
APP = "fixtures/lint/check-app"
TEMPLATE = f"{APP}/template.yaml"
PINNED = ("--region", "eu-west-1", "--account", "111122223333", "--partition", "aws")


pytestmark = pytest.mark.usefixtures("at_repo_root")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["check", "--template", TEMPLATE, *PINNED, *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def _at(lines: list[str], prefix: str, code: str) -> list[str]:
    return [line for line in lines if line.startswith(prefix) and f": {code} " in line]


def test_missing_permission_is_an_error_at_the_call_site(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines, err = run(capsys)
    assert code == 1
    [missing] = _at(lines, f"{APP}/src/app.py:18:", "LP601")
    assert "dynamodb:PutItem" in missing
    assert "in 1 function" in err


def test_excess_grant_is_a_warning_at_the_template_statement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, lines, _ = run(capsys)
    # Line 60 is `Action: sns:Publish` of the PublishEvents statement.
    [excess] = _at(lines, f"{TEMPLATE}:60:", "LP602")
    assert "sns:Publish" in excess
    # The template's own policies are linted in the same run...
    assert _at(lines, f"{TEMPLATE}:69:", "LP104")
    # ...unless asked not to.
    _, lines, _ = run(capsys, "--no-lint")
    assert not _at(lines, TEMPLATE, "LP104") and _at(lines, f"{TEMPLATE}:60:", "LP602")


def test_fail_on_and_sarif(
    capsys: pytest.CaptureFixture[str], validate_sarif: Callable[[str], dict[str, Any]]
) -> None:
    assert run(capsys, "--fail-on", "never")[0] == 0
    code = main(["check", "--template", TEMPLATE, *PINNED, "--format", "sarif"])
    log = validate_sarif(capsys.readouterr().out)
    assert code == 1
    ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {"LP601", "LP602", "LP104"} <= ids


def test_unknown_function_and_missing_template_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "--function", "Nope")[0] == 2
    assert main(["check"]) == 2


def _copy_app(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "app"
    shutil.copytree(ROOT / APP, target)
    return target


def _check_lines(capsys: pytest.CaptureFixture[str], template: Path) -> tuple[list[str], str]:
    main(["check", "--template", str(template), *PINNED])
    out, err = capsys.readouterr()
    return out.splitlines(), err


def test_check_findings_honour_suppressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _copy_app(tmp_path)
    template = app / "template.yaml"
    text = template.read_text()
    # The excess sns:Publish, accepted in the template next to its statement...
    text = text.replace(
        "              - Sid: PublishEvents\n",
        "              # least-priv: ignore LP602 -- the next release publishes order events\n"
        "              - Sid: PublishEvents\n",
    )
    # ...and the log statement accepted for the whole role through Metadata.
    text = text.replace(
        "  IntakeRole:\n    Type: AWS::IAM::Role\n",
        "  IntakeRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      least-priv:\n"
        "        ignore:\n          LP104: Lambda names its log streams at run time\n",
    )
    template.write_text(text)
    code = app / "src" / "app.py"
    code.write_text(
        code.read_text().replace(
            "    TABLE.put_item(",
            "    # least-priv: ignore LP601 -- granted by the table's resource policy\n"
            "    TABLE.put_item(",
        )
    )
    lines, err = _check_lines(capsys, template)
    assert not [line for line in lines if "sns:Publish" in line]
    assert not [line for line in lines if ": LP104 " in line]
    assert not [line for line in lines if "dynamodb:PutItem" in line]
    assert "3 suppressed" in err
    assert not [line for line in lines if ": LP191 " in line]


def test_no_lint_leaves_lint_suppressions_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    app = _copy_app(tmp_path)
    template = app / "template.yaml"
    comment = "  # least-priv: ignore LP104 -- streams named at run time"
    text = template.read_text().replace(
        '                Resource: "*"\n', f'                Resource: "*"{comment}\n'
    )
    template.write_text(text)
    # A fresh interpreter: the lint rules must be known even though none of them runs.
    argv = [sys.executable, "-m", "least_priv", "check", "--template", str(template), *PINNED]
    out = subprocess.run([*argv, "--no-lint"], capture_output=True, text=True, check=False)
    assert ": LP601 " in out.stdout
    assert ": LP191 " not in out.stdout and ": LP104 " not in out.stdout


def test_excess_accepted_by_the_statement_sid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _copy_app(tmp_path)
    template = app / "template.yaml"
    sid = "PublishEventsLeastPrivIgnoreLP602BecauseTheNextReleasePublishesEvents"
    template.write_text(template.read_text().replace("Sid: PublishEvents", f"Sid: {sid}"))
    lines, err = _check_lines(capsys, template)
    assert not [line for line in lines if "sns:Publish" in line]
    # The other statements' excess is not covered by this statement's Sid.
    assert [line for line in lines if ": LP602 " in line and "Sid ReadOrders" in line]
    assert "1 suppressed" in err


def test_reasonless_suppression_in_the_code_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _copy_app(tmp_path)
    code = app / "src" / "app.py"
    code.write_text(
        code.read_text().replace(
            "    TABLE.put_item(", "    # least-priv: ignore LP601\n    TABLE.put_item("
        )
    )
    lines, _ = _check_lines(capsys, app / "template.yaml")
    assert [line for line in lines if "app.py:18:" in line and ": LP190 " in line]
    assert [line for line in lines if "app.py:19:" in line and "dynamodb:PutItem" in line]
