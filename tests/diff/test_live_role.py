"""Reading live roles through the IAM API, against moto in server mode on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from least_priv import aws
from least_priv.attached import from_files, from_role
from least_priv.cli import main
from least_priv.diff import diff_permissions

from .helpers import FIX, orders_required

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _doc(name: str) -> str:
    return (FIX / "policies" / name).read_text()


def _make_role(iam: Any, suffix: str) -> tuple[str, str]:
    """orders-fn role: inline deny-free data policy, a managed policy with 2 versions, boundary.

    Version 1 of the managed policy grants SQS; version 2 (made default) does not, so a
    reader that took the wrong version would miss the boundary/managed interplay.
    """
    name = f"orders-fn-{suffix}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Path="/service/")
    deny = json.loads(_doc("deny-delete.json"))
    data_only = {**deny, "Statement": [s for s in deny["Statement"] if s["Sid"] != "Events"]}
    iam.put_role_policy(
        RoleName=name, PolicyName="orders-data", PolicyDocument=json.dumps(data_only)
    )
    events_v1 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    }
    events_v2 = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Events",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:123456789012:orders-events",
            }
        ],
    }
    managed = iam.create_policy(
        PolicyName=f"orders-events-{suffix}", PolicyDocument=json.dumps(events_v1)
    )["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=managed, PolicyDocument=json.dumps(events_v2), SetAsDefault=True
    )
    iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    boundary = iam.create_policy(
        PolicyName=f"lambda-boundary-{suffix}", PolicyDocument=_doc("boundary-no-sqs.json")
    )["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
    return name, managed


@pytest.fixture
def iam(moto_server: str) -> Any:
    return aws.client("iam", endpoint_url=moto_server)


def test_live_role_reads_inline_managed_default_version_and_boundary(
    iam: Any, moto_server: str
) -> None:
    name, managed = _make_role(iam, uuid.uuid4().hex[:8])
    attached = from_role(name, endpoint_url=moto_server)
    assert attached.findings == ()
    origins = sorted((p.source.origin, p.source.name) for p in attached.identity)
    assert origins == [("inline", "orders-data"), ("managed", managed.rsplit("/", 1)[-1])]
    [managed_doc] = [p for p in attached.identity if p.source.origin == "managed"]
    assert managed_doc.statements[0].actions == ("sqs:SendMessage",)  # v2, the default
    assert managed_doc.source.location.path.endswith("#v2")
    assert attached.boundary is not None and len(attached.boundary) == 1

    result = diff_permissions(orders_required(), attached.policy_set(), label=attached.label)
    assert sorted((m.action, str(m.decision)) for m in result.missing) == [
        ("dynamodb:DeleteItem", "denied"),
        ("sqs:SendMessage", "not-allowed"),  # granted by v2, outside the boundary
    ]
    assert attached.label.startswith("role arn:aws:iam::")


def test_role_arn_and_cli_with_endpoint(
    iam: Any, moto_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name, _ = _make_role(iam, uuid.uuid4().hex[:8])
    arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    assert ":role/service/" in arn
    code = main(
        [
            "diff",
            "--required",
            str(FIX / "orders" / "required.json"),
            "--role-arn",
            arn,
            "--endpoint-url",
            moto_server,
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 2
    assert {m["action"] for m in data["missing"]} == {"dynamodb:DeleteItem", "sqs:SendMessage"}


def test_missing_role_is_a_finding_not_a_crash(moto_server: str) -> None:
    attached = from_role("no-such-role", endpoint_url=moto_server)
    [finding] = attached.findings
    assert finding.code == "LP621"
    assert "NoSuchEntity" in finding.message
    result = diff_permissions(orders_required(), attached.policy_set(), label=attached.label)
    assert len(result.missing) == len(orders_required())


def test_authorization_details_output_reads_like_the_live_role(
    iam: Any, moto_server: str, tmp_path: Path
) -> None:
    name, _ = _make_role(iam, uuid.uuid4().hex[:8])
    details = iam.get_account_authorization_details(
        Filter=["Role", "LocalManagedPolicy", "AWSManagedPolicy"]
    )
    details.pop("ResponseMetadata", None)
    dump = tmp_path / "details.json"
    dump.write_text(json.dumps(details, default=str))
    offline = from_files([str(dump)], role=name)
    live = from_role(name, endpoint_url=moto_server)
    required = orders_required()
    off = diff_permissions(required, offline.policy_set())
    on = diff_permissions(required, live.policy_set())
    assert offline.findings == ()
    assert [(m.action, m.decision) for m in off.missing] == [
        (m.action, m.decision) for m in on.missing
    ]
    # Several roles in one dump: the role must be named.
    several = from_files([str(dump)])
    if len(details["RoleDetailList"]) > 1:
        assert [f.code for f in several.findings] == ["LP622"]


def test_a_reader_without_iam_read_rights_gets_findings_and_no_false_allows(
    iam: Any, moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller may list the role's policies but not read them (moto enforcing IAM)."""
    from evaluate.moto_auth import enforcing

    name, managed = _make_role(iam, uuid.uuid4().hex[:8])
    reader = f"reader-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=reader)
    listing_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:GetRole", "iam:List*"], "Resource": "*"}],
    }
    iam.put_user_policy(UserName=reader, PolicyName="list", PolicyDocument=json.dumps(listing_only))
    key = iam.create_access_key(UserName=reader)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    with enforcing(moto_server):
        attached = from_role(name, endpoint_url=moto_server)
    messages = [f.message for f in attached.findings]
    assert [f.code for f in attached.findings] == ["LP621"] * 3
    assert any("inline policy orders-data" in m and "AccessDenied" in m for m in messages)
    assert any(managed in m for m in messages)
    result = diff_permissions(orders_required(), attached.policy_set(), label=attached.label)
    # Nothing could be read, so nothing is called allowed and nothing is called missing.
    assert result.missing == ()
    assert len(result.conditional) == len(orders_required())
    [why] = [r for r in result.conditional[0].reasons if "permissions boundary" in r]
    assert "not available offline" in why and "LP621" in why


def test_unknown_profile_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    attached = from_role("orders-fn", profile="does-not-exist")
    [finding] = attached.findings
    assert finding.code == "LP621" and "does-not-exist" in finding.message


def test_role_arn_of_another_account_is_not_read_by_name(iam: Any, moto_server: str) -> None:
    name, _ = _make_role(iam, uuid.uuid4().hex[:8])
    elsewhere = f"arn:aws:iam::210987654321:role/service/{name}"
    attached = from_role(elsewhere, endpoint_url=moto_server)
    assert [f.code for f in attached.findings] == ["LP622"]
    assert attached.identity == ()
