"""On real CloudTrail records (invictus-ir dataset, fixtures/trail/invictus)."""

from __future__ import annotations

import gzip
from collections import Counter

import msgspec

from least_priv.catalog import get_catalog
from least_priv.trail import codes, observe
from least_priv.trail.mapping import EventMapper
from least_priv.trail.records import TrailFile

from .conftest import INVICTUS, INVICTUS_ACCOUNT

WINDOW = {"since": "2023-07-10", "until": "2023-07-10"}


def _records() -> list:  # type: ignore[type-arg]
    out = []
    for path in sorted(INVICTUS.glob("*.json.gz")):
        out.extend(msgspec.json.decode(gzip.decompress(path.read_bytes()), type=TrailFile).Records)
    return out


def test_every_api_call_resolves_except_console_internal_ones() -> None:
    """A naive prefix:eventName lookup resolves 243 of the 257 distinct calls; the table
    and the catalog resolve all of them, the two that need no permission saying why."""
    records = _records()
    assert len(records) == 2900
    calls = sorted({(r.eventSource, r.eventName) for r in records if r.eventType == "AwsApiCall"})
    assert len(calls) == 257
    mapper = EventMapper()
    catalog = get_catalog()
    status = Counter(mapper.resolve(s, n).status for s, n in calls)
    assert status == {"mapped": 255, "no-permission": 2}

    def naive(source: str, name: str) -> bool:
        client = catalog.client_for_event_source(source)
        prefix = catalog.prefix(client) if client else source.split(".")[0]
        return catalog.action(f"{prefix}:{name}") is not None

    assert sum(naive(s, n) for s, n in calls) == 243


def test_an_ec2_role_denied_get_password_data() -> None:
    role = f"arn:aws:iam::{INVICTUS_ACCOUNT}:role/stratus-red-team-ec2-get-password-data-role"
    obs = observe([str(INVICTUS)], role_arn=role, progress=False, **WINDOW)
    assert obs.permissions == ()
    # Each denied call names its instance (requestParameters.instanceId, bound by the
    # catalog): 29 different ids, one call each, not one unscoped instance/* tally.
    instance = f"arn:aws:ec2:us-east-1:{INVICTUS_ACCOUNT}:instance/i-"
    assert {p.action for p in obs.denied} == {"ec2:GetPasswordData"}
    assert all(p.resource.startswith(instance) and "*" not in p.resource for p in obs.denied)
    assert [p.provenance[0].count for p in obs.denied] == [1] * 29
    denied = [f for f in obs.findings if f.code == codes.ACCESS_DENIED]
    assert len(denied) == 29  # one per instance the role was refused
    assert all("Client.UnauthorizedOperation" in f.message for f in denied)
    # 50 of the 55 files never mention the role: skipped without parsing.
    assert obs.stats.prefiltered_files == 50 and obs.stats.matched == 29


def test_an_instance_role_seen_through_ssm() -> None:
    role = f"arn:aws:iam::{INVICTUS_ACCOUNT}:role/stratus-red-team-ec2-steal-credentials-role"
    obs = observe([str(INVICTUS)], role_arn=role, progress=False, **WINDOW)
    used = {(p.action, p.resource): p.provenance[0].count for p in obs.permissions}
    assert used[("ec2:DescribeInstances", "*")] == 1
    assert used[("ssm:UpdateInstanceInformation", "*")] == 4
    assert obs.stats.matched == 15
    notes = {f.code for f in obs.findings}
    assert codes.CONSOLE_INTERNAL in notes  # sts GetCallerIdentity needs no permission


def test_iam_users_are_not_roles() -> None:
    """Most of the dataset is an IAM user: no record matches a role of that name."""
    obs = observe(
        [str(INVICTUS)],
        role_arn=f"arn:aws:iam::{INVICTUS_ACCOUNT}:role/no-such-role",
        progress=False,
        **WINDOW,
    )
    assert obs.permissions == () and [f.code for f in obs.findings] == [codes.NO_MATCH]


def test_parallel_and_sequential_scans_agree() -> None:
    role = f"arn:aws:iam::{INVICTUS_ACCOUNT}:role/stratus-red-team-get-usr-data-role"
    one, two = (
        observe([str(INVICTUS)], role_arn=role, progress=False, jobs=jobs, **WINDOW)
        for jobs in (1, 2)
    )
    assert one == two
    denied = [(p.action, p.resource, p.provenance[0].count) for p in one.denied]
    assert len(denied) == 15
    assert denied[0] == (
        "ec2:DescribeInstanceAttribute",
        f"arn:aws:ec2:us-east-1:{INVICTUS_ACCOUNT}:instance/i-0963a2e8",
        1,
    )
    assert {action for action, _, _ in denied} == {"ec2:DescribeInstanceAttribute"}
    assert one.stats.files == 55
