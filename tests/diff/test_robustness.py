"""Bad input never crashes the diff's readers: arbitrary JSON where roles and needs go.

The readers take what users commit next to their functions: policy files, trimmed
``get-account-authorization-details`` dumps, ``generate`` output given as ``--required``, and
template roles. Whatever the shape, the result is findings and a comparison, never a
traceback.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.attached import from_files, from_template
from least_priv.diff import diff_permissions, required_from_output
from least_priv.evaluate import PolicySource
from least_priv.model import Finding, Location

from .helpers import orders_required

KEYS = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Action",
        "Resource",
        "NotAction",
        "Condition",
        "RoleDetailList",
        "RoleName",
        "RolePolicyList",
        "PolicyName",
        "PolicyDocument",
        "AttachedManagedPolicies",
        "PolicyArn",
        "PermissionsBoundary",
        "PermissionsBoundaryArn",
        "Policies",
        "Arn",
        "DefaultVersionId",
        "PolicyVersionList",
        "VersionId",
        "IsDefaultVersion",
        "Document",
        "PolicyVersion",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(
        [
            "Allow",
            "Deny",
            "*",
            "s3:GetObject",
            "dynamodb:*",
            "2012-10-17",
            "orders-fn-role",
            "v1",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:s3:::orders-bucket/*",
            "${AWS::StackName}-orders",
            "%7B%22Statement%22",
            "",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=30,
)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _well_formed(findings: tuple[Finding, ...]) -> None:
    assert list(findings) == sorted(set(findings))
    for f in findings:
        assert re.fullmatch(r"LP\d{3}", f.code) and f.message


def _compare(attached: Any) -> None:
    """The role compares against real needs: every need lands in exactly one section."""
    _well_formed(attached.all_findings())
    result = diff_permissions(orders_required(), attached.policy_set())
    decided = len(result.missing) + len(result.conditional)
    assert decided <= len(result.required)


@SETTINGS
@given(JSON, st.sampled_from([None, "orders-fn-role"]))
def test_any_json_as_a_role_file(data: Any, role: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "role.json"
        path.write_text(json.dumps(data, indent=1))
        _compare(from_files([str(path)], role=role))


@SETTINGS
@given(JSON)
def test_any_json_in_an_authorization_dump(role: Any) -> None:
    data = {"RoleDetailList": [{"RoleName": "orders-fn-role", **_as_dict(role)}], "Policies": role}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "details.json"
        path.write_text(json.dumps(data, indent=1))
        _compare(from_files([str(path)], role="orders-fn-role"))


@SETTINGS
@given(JSON)
def test_any_json_as_the_required_document(data: Any) -> None:
    source = PolicySource("required.json", "required", Location("required.json", 1, 0))
    perms, _docs, findings = required_from_output(data, source)
    _well_formed(tuple(sorted(set(findings))))
    assert all(p.action and p.resource for p in perms)


@SETTINGS
@given(JSON, JSON)
def test_any_policies_and_role_in_a_sam_function(policies: Any, role: Any) -> None:
    properties: dict[str, Any] = {"Handler": "app.handler", "Runtime": "python3.12"}
    properties["Policies"] = policies
    if role is not None:
        properties["Role"] = role
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": properties}},
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.yaml"
        path.write_text(yaml.safe_dump(template))
        _compare(from_template(str(path), "Fn", region="eu-west-1", account="111122223333"))


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"RolePolicyList": value}
