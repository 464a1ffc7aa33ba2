"""Every fixture template against its golden files (``pytest --update-golden`` rewrites).

Each fixture directory under ``fixtures/infra/`` holds a realistic project (template + code)
and, beside it, what the reader must produce: the Function records, the declared role
policies, the resources (names, encryption keys) and the findings with their lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from least_priv.infra import load_template
from least_priv.infra.summary import template_to_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "infra"

# fixture directory -> the path load_template is given (relative to the directory)
CASES = {
    "sam-orders": "template.yaml",
    "serverless-orders": "serverless.yml",
    "terraform-orders": "plan.json",
    "cfn-ingest": "template.json",
    "cdk-orders": "cdk.out",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_matches_golden(
    case: str, golden: Callable[[Path, object], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = FIXTURES / case
    monkeypatch.chdir(directory)  # relative input → relative, machine-independent paths
    template = load_template(CASES[case])
    summary = template_to_json(template)
    golden(directory / "expected_functions.json", summary["functions"])
    golden(directory / "expected_policies.json", summary["role_policies"])
    golden(directory / "expected_resources.json", summary["resources"])
    golden(directory / "expected_findings.txt", "".join(f + "\n" for f in summary["findings"]))
    # Output is deterministic: a second read gives the same bytes.
    again = template_to_json(load_template(CASES[case]))
    assert json.dumps(again, sort_keys=True) == json.dumps(summary, sort_keys=True)
