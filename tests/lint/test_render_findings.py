"""Rendering findings: text lines, JSON, SARIF validated against the OASIS schema, GitHub."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from least_priv.lint.codes import FindingCode, code_info, register_codes
from least_priv.model import Finding, Location, Severity
from least_priv.render.findings import (
    FINGERPRINT_KEY,
    artifact_uri,
    fingerprints,
    render_findings,
)

register_codes(
    FindingCode(
        code="LP999",
        name="test-only-wildcard",
        summary="A code registered by the renderer tests.",
        help="What: a test code. Why: to see rule metadata in SARIF. Fix: none.",
        severity=Severity.ERROR,
        tags=("security",),
    )
)

FINDINGS = [
    Finding(
        Location("template.yaml", 14, 8), "LP999", 'Action "*" grants every action', Severity.ERROR
    ),
    Finding(Location("policies/app policy.json", 3, 4), "LP999", "Resource '*' with s3:PutObject"),
    Finding(
        Location("src/app.py", 27, 11),
        "LP869",
        "s3:GetObject is needed here but not granted",
        Severity.ERROR,
    ),
    Finding(Location("serverless.yml"), "LP898", "unknown tag !Foo, line 1: 50%", Severity.NOTE),
]


def test_text_is_one_sorted_line_per_finding_with_one_based_columns() -> None:
    assert render_findings(FINDINGS, "text").splitlines() == [
        "policies/app policy.json:3:5: LP999 Resource '*' with s3:PutObject",
        "serverless.yml: LP898 unknown tag !Foo, line 1: 50%",
        "src/app.py:27:12: LP869 s3:GetObject is needed here but not granted",
        'template.yaml:14:9: LP999 Action "*" grants every action',
    ]


def test_same_findings_in_any_order_render_the_same_bytes() -> None:
    for fmt in ("text", "json", "sarif", "github"):
        forward = render_findings(FINDINGS, fmt)
        assert render_findings(list(reversed(FINDINGS)) + FINDINGS[:1], fmt) == forward


def test_json_has_findings_fingerprints_and_counts() -> None:
    report = json.loads(render_findings(FINDINGS, "json"))
    assert report["summary"] == {"error": 2, "warning": 1, "note": 1}
    first = report["findings"][0]
    assert first["path"] == "policies/app policy.json"
    assert (first["line"], first["column"], first["severity"]) == (3, 5, "warning")
    assert first["rule"] == "test-only-wildcard"
    file_level = report["findings"][1]
    assert file_level["line"] is None and file_level["column"] is None


def test_sarif_validates_and_carries_rule_metadata(
    validate_sarif: Callable[[str], dict[str, Any]],
) -> None:
    log = validate_sarif(render_findings(FINDINGS, "sarif"))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["LP869", "LP898", "LP999"]
    test_rule = rules[2]
    assert test_rule["name"] == "TestOnlyWildcard"
    assert "Why: to see rule metadata" in test_rule["help"]["text"]
    assert test_rule["defaultConfiguration"]["level"] == "error"
    assert test_rule["properties"]["security-severity"] == "8.0"
    # An unregistered code still gets a generic description.
    assert rules[0]["shortDescription"]["text"] == "A least-priv finding (LP869)."
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert FINGERPRINT_KEY in result["partialFingerprints"]
    spaced = run["results"][0]["locations"][0]["physicalLocation"]
    assert spaced["artifactLocation"] == {
        "uri": "policies/app%20policy.json",
        "uriBaseId": "%SRCROOT%",
    }
    assert spaced["region"] == {"startLine": 3, "startColumn": 5}
    assert "region" not in run["results"][1]["locations"][0]["physicalLocation"]


def test_empty_sarif_is_still_a_valid_log(validate_sarif: Callable[[str], dict[str, Any]]) -> None:
    log = validate_sarif(render_findings([], "sarif"))
    assert log["runs"][0]["results"] == []
    assert render_findings([], "text") == ""


def test_fingerprints_ignore_moved_lines_but_tell_twins_apart() -> None:
    before = Finding(Location("t.yaml", 10, 4), "LP999", "Resource '*'")
    after = Finding(Location("./t.yaml", 42, 4), "LP999", "Resource '*'")
    assert fingerprints([before])[before] == fingerprints([after])[after]
    twin = Finding(Location("t.yaml", 50, 4), "LP999", "Resource '*'")
    prints = fingerprints([before, twin])
    assert prints[before].endswith(":1") and prints[twin].endswith(":2")
    assert prints[before].split(":")[0] == prints[twin].split(":")[0]
    other = Finding(Location("t.yaml", 10, 4), "LP999", "Resource 'arn:aws:s3:::b/*'")
    assert fingerprints([other])[other] != prints[before]


def test_github_commands_escape_properties_and_message() -> None:
    lines = render_findings(FINDINGS, "github").splitlines()
    assert lines[0] == (
        "::warning file=policies/app policy.json,line=3,col=5,"
        "title=LP999 test-only-wildcard::Resource '*' with s3:PutObject"
    )
    assert (
        lines[1]
        == "::notice file=serverless.yml,title=LP898 lp898::unknown tag !Foo, line 1: 50%25"
    )
    weird = Finding(Location("a,b:c.json", 1, 0), "LP999", "two\nlines", Severity.ERROR)
    assert render_findings([weird], "github") == (
        "::error file=a%2Cb%3Ac.json,line=1,col=1,title=LP999 test-only-wildcard::two%0Alines\n"
    )


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("template.yaml", "template.yaml"),
        ("./infra/template.yaml", "infra/template.yaml"),
        ("infra\\template.yaml", "infra/template.yaml"),
        ("/home/ci/repo/t.yaml", "file:///home/ci/repo/t.yaml"),
        ("C:\\repo\\t.yaml", "file:///C:/repo/t.yaml"),
        ("docs/100% sure#1.json", "docs/100%25%20sure%231.json"),
    ],
)
def test_artifact_uris(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_registering_a_code_twice_differently_is_a_bug() -> None:
    same = code_info("LP999")
    register_codes(same)
    with pytest.raises(ValueError, match="registered twice"):
        register_codes(FindingCode("LP999", "other", "Another meaning."))
    with pytest.raises(ValueError, match="form LP123"):
        register_codes(FindingCode("X1", "bad", "Bad code."))


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown findings format"):
        render_findings(FINDINGS, "xml")
