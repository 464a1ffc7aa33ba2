"""The GitHub Action and the pre-commit hooks run the real CLI the way CI would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from least_priv.cli import main

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return data


def _run_step(
    tmp_path: Path, **inputs: str
) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    """Run the action's "Run least-priv" step in bash with the given inputs."""
    action = _action()
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}
    for key, expr in step["env"].items():
        name = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr)
        assert name, f"unexpected expression {expr}"
        env[key] = values[name[1]]
    output = tmp_path / "github_output"
    output.write_text("")
    env["GITHUB_OUTPUT"] = str(output)
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return outputs, proc


def test_every_input_the_action_uses_is_declared() -> None:
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used <= set(_action()["inputs"])


def test_action_lint_step_writes_sarif_annotations_and_exit_code(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    outputs, proc = _run_step(
        tmp_path, paths="fixtures/lint/policies/ci-deployer.json", **{"sarif-file": str(sarif)}
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"
    assert json.loads(sarif.read_text())["runs"][0]["results"]
    assert "::error file=fixtures/lint/policies/ci-deployer.json,line=" in proc.stdout


def test_action_check_step_needs_a_template(tmp_path: Path) -> None:
    _, proc = _run_step(tmp_path, command="check", **{"sarif-file": str(tmp_path / "x.sarif")})
    assert proc.returncode == 2 and "check needs the template input" in proc.stdout


def test_action_clean_run_with_extra_args(tmp_path: Path) -> None:
    outputs, proc = _run_step(
        tmp_path,
        paths="fixtures/lint/policies/clean.json fixtures/lint/policies/ci-deployer.json",
        args="--select LP124",
        annotate="false",
        **{"fail-on": "error", "sarif-file": str(tmp_path / "y.sarif")},
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "0"  # only the duplicate-Sid warning is selected
    # Without annotations the findings are text lines; the SARIF is written all the same.
    assert proc.stdout.startswith("fixtures/lint/policies/ci-deployer.json:31:14: LP124 ")
    assert json.loads((tmp_path / "y.sarif").read_text())["runs"][0]["results"]


@pytest.mark.parametrize("hook", yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()))
def test_pre_commit_hook_entries_are_valid_commands(
    hook: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = hook["entry"].split()
    assert argv[0] == "least-priv"
    assert hook["language"] == "python"
    if hook["id"] == "least-priv-lint":
        # pre-commit passes every changed file matching `files`, policies or not.
        files = [
            "fixtures/lint/policies/clean.json",
            "pyproject.toml",
            "fixtures/lint/sarif/sarif-schema-2.1.0.json",
        ]
        files = [f for f in files if re.search(hook["files"], f)]
        assert len(files) == 2
        code = main([*argv[1:], *(str(ROOT / f) for f in files)])
        capsys.readouterr()
        assert code == 0
    else:
        # pre-commit runs it once, with the user's args; here the check fixture's template.
        assert hook["pass_filenames"] is False
        template = str(ROOT / "fixtures/lint/check-app/template.yaml")
        code = main([*argv[1:], "--template", template, "--region", "eu-west-1"])
        out = capsys.readouterr().out
        assert code == 1 and ": LP601 " in out  # the app's missing dynamodb:PutItem
