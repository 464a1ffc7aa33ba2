"""The three merge modes on a function whose code has a dynamic call.

fixtures/trail/merge-dynamic: ``notify()`` builds a client from the event and calls a
method named by it, so the analysis cannot see ``states:StartExecution`` and
``secretsmanager:GetSecretValue``; CloudTrail can. ``s3:PutObject`` and
``logs:PutLogEvents`` are not logged by default; ``ssm:PutParameter`` only runs on
rotation and never did in the window. Expected outputs sit beside the fixture.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from least_priv.model import Location, Permission, Provenance
from least_priv.trail import MergeMode, codes, merge, observe
from least_priv.trail.report import merge_report_markdown, permission_json

from .conftest import MERGE_DYNAMIC

ROLE = "arn:aws:iam::123456789012:role/report-exporter-role"  # path left out on purpose


def _location(text: str) -> Location:
    path, line, column = text.rsplit(":", 2)
    return Location(path, int(line), int(column))


def code_permissions() -> list[Permission]:
    """The permissions the code analysis yields for src/app.py (with file:line)."""
    data = json.loads((MERGE_DYNAMIC / "code_permissions.json").read_text())
    return [
        Permission(
            item["action"],
            item["resource"],
            provenance=tuple(
                Provenance(
                    p["source"],
                    location=_location(p["location"]) if "location" in p else None,
                    detail=p.get("detail", ""),
                )
                for p in item["provenance"]
            ),
        )
        for item in data
    ]


@pytest.fixture(scope="module")
def observation():  # type: ignore[no-untyped-def]
    return observe(
        [str(MERGE_DYNAMIC / "trail")],
        role_arn=ROLE,
        session_name="report-exporter",
        since="2026-03-01",
        until="2026-03-03",
        progress=False,
    )


def _relative(data: Any) -> Any:
    """Fixture paths relative to the repository, so goldens do not depend on checkout."""
    text = json.dumps(data)
    return json.loads(text.replace(str(MERGE_DYNAMIC.parent.parent.parent) + "/", ""))


def test_observation_reads_only_the_window(observation) -> None:  # type: ignore[no-untyped-def]
    # 3 daily files + the late file in 2026/03/04 + the mixed file; not 2026/02/20, no digest.
    assert observation.stats.files == 5
    # The 23:58 event of 2026-03-03 is only in the 2026/03/04 folder.
    config = [p for p in observation.permissions if p.action == "ssm:GetParameter"]
    assert config[0].provenance[0].count == 4
    assert config[0].provenance[0].last_seen == "2026-03-03T23:58:40Z"
    assert [p.resource for p in observation.denied] == [
        "arn:aws:ssm:eu-west-1:123456789012:parameter/report-exporter/legacy-config"
    ]


@pytest.mark.parametrize("mode", ["union", "intersect"])
def test_policy_modes(mode: str, observation, golden) -> None:  # type: ignore[no-untyped-def]
    result = merge(code_permissions(), observation, mode)
    data = {
        "permissions": [permission_json(p) for p in result.permissions],
        "findings": [f"{f.code} {f.location}: {f.message}" for f in result.findings],
    }
    golden(MERGE_DYNAMIC / f"expected-{mode}.json", _relative(data))


def test_union_adds_the_dynamic_calls_and_keeps_every_code_permission(observation) -> None:  # type: ignore[no-untyped-def]
    result = merge(code_permissions(), observation, MergeMode.UNION)
    actions = {p.action for p in result.permissions}
    assert {"states:StartExecution", "secretsmanager:GetSecretValue"} <= actions
    assert {p.action for p in code_permissions()} <= actions
    # Denied calls are never granted.
    assert not any("legacy-config" in p.resource for p in result.permissions)
    # Observed log streams fold into the code's log-stream/* permission.
    streams = [p for p in result.permissions if p.action == "logs:CreateLogStream"]
    assert len(streams) == 1 and {pr.source for pr in streams[0].provenance} == {
        "config",
        "observed",
    }


def test_intersect_keeps_unobservable_but_drops_unused(observation) -> None:  # type: ignore[no-untyped-def]
    result = merge(code_permissions(), observation, MergeMode.INTERSECT)
    actions = sorted(p.action for p in result.permissions)
    assert actions == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",  # not a management event: kept, with LP543
        "s3:PutObject",  # data event: kept, with LP543
        "ssm:GetParameter",
    ]
    kept = sorted(
        f.message.split()[1] for f in result.findings if f.code == codes.KEPT_UNOBSERVABLE
    )
    assert kept == ["logs:PutLogEvents", "s3:PutObject"]


def test_report_mode_tables(observation, golden) -> None:  # type: ignore[no-untyped-def]
    result = merge(code_permissions(), observation, "report")
    assert [p.action for p in result.permissions] == sorted(p.action for p in code_permissions())
    assert [p.action for p in result.observed_not_in_code] == [
        "secretsmanager:GetSecretValue",
        "states:StartExecution",
    ]
    assert [p.action for p in result.unused_in_window] == [
        "logs:CreateLogGroup",
        "ssm:PutParameter",
    ]
    assert sorted(u.permission.action for u in result.unobservable) == [
        "logs:PutLogEvents",
        "s3:PutObject",
    ]
    golden(MERGE_DYNAMIC / "expected-report.md", merge_report_markdown(result))


def test_merge_is_deterministic(observation) -> None:  # type: ignore[no-untyped-def]
    perms = code_permissions()
    first = merge(perms, observation, "union")
    second = merge(list(reversed(perms)), observation, "union")
    assert first.permissions == second.permissions
    assert [p.provenance for p in first.permissions] == [p.provenance for p in second.permissions]


def test_unknown_mode_is_an_error(observation) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        merge(code_permissions(), observation, "everything")


def test_action_wildcards_in_code_cover_observed_actions(observation) -> None:  # type: ignore[no-untyped-def]
    broad = Permission(
        "ssm:Get*",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/report-exporter/*",
        provenance=(Provenance("code", location=Location("src/app.py", 21, 15)),),
    )
    result = merge([broad], observation, "union")
    assert "ssm:GetParameter" not in {p.action for p in result.permissions}
    (merged,) = [p for p in result.permissions if p.action == "ssm:Get*"]
    assert {p.source for p in merged.provenance} == {"code", "observed"}


def test_intersect_narrows_action_patterns_to_the_observed_action(observation) -> None:  # type: ignore[no-untyped-def]
    broad = Permission(
        "ssm:Get*",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/report-exporter/*",
        provenance=(Provenance("code", location=Location("src/app.py", 21, 15)),),
    )
    result = merge([broad], observation, "intersect")
    assert [(p.action, p.resource) for p in result.permissions] == [
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/report-exporter/config")
    ]


def test_a_logged_data_event_makes_the_permission_observed(
    tmp_path,
    make_record,  # type: ignore[no-untyped-def]
) -> None:
    """With S3 data events on, PutObject is seen: it leaves the unobservable table."""
    import shutil

    from .conftest import layout_path, write_trail

    trail = tmp_path / "trail"
    shutil.copytree(MERGE_DYNAMIC / "trail", trail)
    put = make_record(
        "2026-03-02T02:00:03Z",
        "s3.amazonaws.com",
        "PutObject",
        {
            "bucketName": "acme-report-exports",
            "key": "exports/daily-2026-03-02.json",
            "Host": "acme-report-exports.s3.eu-west-1.amazonaws.com",
        },
        category="Data",
        read_only=False,
        resources=[
            {
                "type": "AWS::S3::Object",
                "ARN": "arn:aws:s3:::acme-report-exports/exports/daily-2026-03-02.json",
            },
            {
                "accountId": "123456789012",
                "type": "AWS::S3::Bucket",
                "ARN": "arn:aws:s3:::acme-report-exports",
            },
        ],
    )
    write_trail(layout_path(trail, "2026-03-02", "data-events.json.gz"), [put])
    obs = observe(
        [str(trail)], role_arn=ROLE, since="2026-03-01", until="2026-03-03", progress=False
    )
    result = merge(code_permissions(), obs, "report")
    assert [u.permission.action for u in result.unobservable] == ["logs:PutLogEvents"]
    (put_perm,) = [p for p in result.permissions if p.action == "s3:PutObject"]
    assert {p.source for p in put_perm.provenance} == {"code", "observed"}
