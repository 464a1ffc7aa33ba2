"""Realistic multi-module projects under fixtures/analysis/, with golden expected calls.

Each project has ``case.json`` (``paths`` relative to the project, ``handlers``: Lambda
handler strings, ``null`` for "every function") and ``expected.json`` with the calls,
findings and reachable functions per handler, paths relative to the project. Rewrite with
``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
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
