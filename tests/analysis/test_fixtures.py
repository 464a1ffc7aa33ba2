"""Realistic multi-module projects under fixtures/analysis/, with golden expected calls.

Each project has ``case.json`` (``paths`` relative to the project, ``handlers``: Lambda
handler strings, ``null`` for "every function") and ``expected.json`` with the calls,
findings and reachable functions per handler, paths relative to the project. Rewrite with
``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from least_priv.analysis import analyze
from least_priv.analysis.report import describe

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if (p / "case.json").exists())


def _run(project: Path) -> dict[str, object]:
    case = json.loads((project / "case.json").read_text())
    paths = [str(project / p) for p in case["paths"]]
    out: dict[str, object] = {}
    for handler in case["handlers"]:
        out[handler or "(every function)"] = describe(analyze(paths, handler), str(project))
    return out


@pytest.mark.parametrize("name", PROJECTS)
def test_project_matches_golden(name: str, golden) -> None:  # type: ignore[no-untyped-def]
    golden(FIXTURES / name / "expected.json", _run(FIXTURES / name))


def test_there_are_projects() -> None:
    assert len(PROJECTS) >= 4


def test_output_is_deterministic() -> None:
    project = FIXTURES / "orders-api"
    first = json.dumps(_run(project), sort_keys=True)
    assert json.dumps(_run(project), sort_keys=True) == first


def test_output_does_not_depend_on_hash_randomisation() -> None:
    # Sets of alternatives are iterated in hash order; the output must not show it.
    script = (
        "import json, sys\n"
        "from least_priv.analysis import analyze\n"
        "from least_priv.analysis.report import describe\n"
        "root = sys.argv[1]\n"
        "result = analyze([root + '/src'], 'orders.app.lambda_handler')\n"
        "print(json.dumps(describe(result, root), sort_keys=True))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(FIXTURES / "orders-api")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
