"""Inline suppressions: each spelling works, needs a reason, and unused ones are reported."""

from __future__ import annotations

import json

from least_priv.lint.engine import lint_text

ROLE_YAML = """\
Resources:
  AppRole:
    Type: AWS::IAM::Role
{metadata}    Properties:
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
{comment_above}            - Effect: Allow
              Action: logs:CreateLogGroup
              Resource: "*"{comment_inline}
"""


def _yaml(metadata: str = "", comment_above: str = "", comment_inline: str = "") -> str:
    return ROLE_YAML.format(
        metadata=metadata, comment_above=comment_above, comment_inline=comment_inline
    )


def _codes(text: str, path: str = "template.yaml") -> list[tuple[int, str]]:
    result = lint_text(text, path)
    return [(f.location.line, f.code) for f in result.findings]


def test_unsuppressed_finding_is_reported() -> None:
    assert (13, "LP104") in _codes(_yaml())


def test_metadata_with_reason_suppresses_the_resource() -> None:
    meta = (
        "    Metadata:\n      least-priv:\n        ignore:\n"
        "          LP104: Lambda creates the log group on first invocation\n"
    )
    result = lint_text(_yaml(metadata=meta), "template.yaml")
    assert not [f for f in result.findings if f.code == "LP104"]
    [(finding, suppression)] = result.suppressed
    assert finding.code == "LP104"
    assert suppression.reason == "Lambda creates the log group on first invocation"


def test_metadata_without_reason_is_an_error_and_does_not_suppress() -> None:
    meta = "    Metadata:\n      least-priv:\n        ignore:\n          LP104: ''\n"
    found = _codes(_yaml(metadata=meta))
    assert (7, "LP190") in found
    assert (17, "LP104") in found


def test_comment_above_the_statement_suppresses_it() -> None:
    above = "            # least-priv: ignore LP104 -- log group is created by Lambda\n"
    found = _codes(_yaml(comment_above=above))
    assert not [c for _, c in found if c in ("LP104", "LP191")]


def test_trailing_comment_suppresses_its_line_only_with_a_reason() -> None:
    found = _codes(_yaml(comment_inline="  # least-priv: ignore LP104 -- created by Lambda"))
    assert not [c for _, c in found if c == "LP104"]
    found = _codes(_yaml(comment_inline="  # least-priv: ignore LP104"))
    assert (13, "LP190") in found and (13, "LP104") in found


def test_comment_for_another_code_does_not_suppress_and_is_unused() -> None:
    found = _codes(_yaml(comment_inline="  # least-priv: ignore LP101 -- not this one"))
    assert (13, "LP104") in found
    assert (13, "LP191") in found


def test_sid_convention_needs_because() -> None:
    def policy(sid: str) -> str:
        statement = {"Sid": sid, "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)

    ok = lint_text(policy("DecryptLeastPrivIgnoreLP104BecauseKeysAreRotatedByAlias"), "p.json")
    assert [f.code for f in ok.findings] == []
    assert ok.suppressed[0][1].reason == "keys are rotated by alias"
    bad = lint_text(policy("DecryptLeastPrivIgnoreLP104"), "p.json")
    assert sorted(f.code for f in bad.findings) == ["LP104", "LP190"]


def test_suppressions_only_apply_to_their_own_file() -> None:
    above = "            # least-priv: ignore LP104 -- log group is created by Lambda\n"
    text = _yaml(comment_above=above)
    assert lint_text(text, "a.yaml").suppressed[0][0].location.path == "a.yaml"


def test_suppression_of_a_deselected_code_is_not_unused() -> None:
    inline = "  # least-priv: ignore LP104 -- created by Lambda"
    # LP104 is not looked for: its suppression is neither applied nor "unused".
    result = lint_text(_yaml(comment_inline=inline), "template.yaml", ignore=["LP104"])
    assert [f.code for f in result.findings] == []
    result = lint_text(_yaml(comment_inline=inline), "template.yaml", select=["LP191"])
    assert [f.code for f in result.findings] == []
