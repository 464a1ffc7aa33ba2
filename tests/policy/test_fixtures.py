"""Golden outputs of every policy format for each fixture project.

Each case under fixtures/policy (plus fixtures/quickstart) is generated once and rendered in
every format; the texts must equal the files in the case's ``expected/`` directory. A change
is reviewed as a diff after ``pytest --update-golden``. Run from the repository root, so
locations in findings are the relative paths a user sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache

import pytest

from least_priv.api import GenerateResult
from least_priv.render import render_policy
from least_priv.render.explain import render_explain
from least_priv.render.findings import render_findings
from policy.cases import CASES, ROOT, Case

OUTPUTS: dict[str, Callable[[GenerateResult], str]] = {
    "policy.json": lambda r: render_policy(r, "json"),
    "sam.yaml": lambda r: render_policy(r, "sam"),
    "cfn.yaml": lambda r: render_policy(r, "cfn"),
    "terraform.tf": lambda r: render_policy(r, "terraform"),
    "serverless.yml": lambda r: render_policy(r, "serverless"),
    "text.txt": lambda r: render_policy(r, "text"),
    "explain.txt": render_explain,
    "findings.txt": lambda r: render_findings(r.findings, "text"),
}


@cache
def result(case: Case) -> GenerateResult:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return case.run()
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_output(case: Case, output: str, golden) -> None:  # type: ignore[no-untyped-def]
    (case.directory / "expected").mkdir(exist_ok=True)
    golden(case.directory / "expected" / output, OUTPUTS[output](result(case)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_input_same_bytes(case: Case) -> None:
    first = render_policy(result(case), "json")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        again = render_policy(case.run(), "json")
    finally:
        os.chdir(cwd)
    assert first == again
