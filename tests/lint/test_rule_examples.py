"""Every rule's documented VALID/INVALID examples, run through the real engine and catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from least_priv.lint.engine import lint_text, selected_rules
from least_priv.lint.rule import RULES, Rule, example_document

ALL_RULES = selected_rules()


def _cases(kind: str) -> list[object]:
    return [
        pytest.param(rule, i, id=f"{rule.code}-{rule.name}-{i}")
        for rule in ALL_RULES
        for i in range(len(getattr(rule, kind)))
    ]


def _codes_for(rule: Rule, example: dict[str, object]) -> list[str]:
    document = example_document(example)
    text = json.dumps(document, indent=2)
    # Attachment rules' examples are templates; the others are policies.
    kind = None if "Resources" in document else "policy"
    result = lint_text(text, f"{rule.code}.json", input_type=kind)
    return [f.code for f in result.findings]


@pytest.mark.parametrize(("rule", "index"), _cases("invalid"))
def test_invalid_example_is_flagged(rule: Rule, index: int) -> None:
    assert rule.code in _codes_for(rule, rule.invalid[index])


@pytest.mark.parametrize(("rule", "index"), _cases("valid"))
def test_valid_example_is_not_flagged(rule: Rule, index: int) -> None:
    assert rule.code not in _codes_for(rule, rule.valid[index])


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule: Rule) -> None:
    for part in ("**What**", "**Why**", "**Example**", "**Fix**"):
        assert part in rule.doc, f"{rule.code} doc lacks {part}"
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary.endswith(".")


def test_codes_are_unique_and_in_the_lint_range() -> None:
    assert len(RULES) == len({r.name for r in ALL_RULES})
    assert all(code.startswith("LP1") and len(code) == 5 for code in RULES)


def test_docs_list_every_rule_with_its_severity() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text()
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.severity} | `{rule.name}` |" in docs, rule.code
