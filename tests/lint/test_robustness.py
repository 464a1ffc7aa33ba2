"""Bad input never crashes the linter: arbitrary JSON where policies and templates go."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.lint.engine import lint_text
from least_priv.model import Finding

KEYS = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Sid",
        "Principal",
        "Fn::If",
        "Ref",
        "Fn::Sub",
        "Policies",
        "PolicyDocument",
        "Type",
        "Properties",
        "Metadata",
        "least-priv",
        "ignore",
        "LP104",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "*",
            "Allow",
            "Deny",
            "s3:Get*",
            "iam:PassRole",
            "arn:aws:s3:::b/*",
            "2012-10-17",
            "AWS::IAM::Role",
            "AWS::NoValue",
            "",
            "s3",
            "x:y:z",
        ]
    ),
    st.text(max_size=12),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=25,
)


def _lint(data: Any, path: str, input_type: str | None = None) -> list[Finding]:
    """Lint ``data``; whatever it is, the result is a sorted list of well-formed findings."""
    findings = list(lint_text(json.dumps(data), path, input_type=input_type).findings)
    assert findings == sorted(set(findings))
    for f in findings:
        assert f.location.path == path and f.location.line >= 0
        assert re.fullmatch(r"LP\d{3}", f.code) and f.message
    return findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_as_a_policy(data: Any) -> None:
    findings = _lint(data, "policy.json", "policy")
    assert all(f.location.path == "policy.json" for f in findings)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["Role", "Fn", "Pol"]), JSON, max_size=3))
def test_any_resources_in_a_template(resources: dict[str, Any]) -> None:
    template = {
        "Resources": {
            name: {
                "Type": "AWS::IAM::Role",
                "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": body}]},
            }
            for name, body in resources.items()
        }
    }
    _lint(template, "template.json")
    _lint({"Resources": resources}, "template.json")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_statements_in_serverless_and_plans(data: Any) -> None:
    _lint({"service": "s", "provider": {"iam": {"role": {"statements": data}}}}, "serverless.yml")
    plan_policy = json.dumps(data)
    resource = {
        "address": "aws_iam_policy.p",
        "mode": "managed",
        "type": "aws_iam_policy",
        "values": {"policy": plan_policy},
    }
    _lint(
        {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}},
        "plan.json",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON, JSON)
def test_any_authorization_details_and_attachments(inline: Any, attached: Any) -> None:
    role = {
        "RoleName": "r",
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": inline}],
        "AttachedManagedPolicies": attached,
    }
    _lint({"RoleDetailList": [role], "Policies": attached}, "details.json")
    _lint(
        {
            "Resources": {
                "R": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": attached}}
            }
        },
        "t.json",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_resource_changes_in_a_plan(change: Any) -> None:
    # `terraform show -json` of a plan lists changes beside the planned values; a change
    # that is not shaped as Terraform writes it is skipped, never raised on.
    entry = {"type": "aws_iam_policy", "address": "aws_iam_policy.p", "change": change}
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": []}},
        "resource_changes": [change, entry],
    }
    _lint(plan, "plan.json")
