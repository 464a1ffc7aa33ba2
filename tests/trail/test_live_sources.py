"""s3:// against moto in server mode; LookupEvents with botocore's Stubber."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from least_priv.trail import codes, observe
from least_priv.trail.engine import ScanSpec
from least_priv.trail.layout import LayoutFilter
from least_priv.trail.sources.lookup import lookup_records
from least_priv.trail.sources.s3 import s3_inputs
from least_priv.trail.window import Window

from .conftest import MERGE_DYNAMIC

ROLE = "arn:aws:iam::123456789012:role/report-exporter-role"
TRAIL = MERGE_DYNAMIC / "trail"
WINDOW = {"since": "2026-03-01", "until": "2026-03-03"}


@pytest.fixture(scope="module")
def bucket(moto_server: str) -> str:
    """An organisation trail bucket: the fixture trail under o-<id>/, plus noise."""
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    name = "acme-org-cloudtrail"
    s3.create_bucket(Bucket=name)
    for path in sorted(TRAIL.rglob("*")):
        if path.is_file():
            rel = path.relative_to(TRAIL).as_posix().replace("AWSLogs/", "AWSLogs/o-a1b2c3d4e5/")
            s3.put_object(Bucket=name, Key=f"org/{rel}", Body=path.read_bytes())
    # Another region and another account: listed only when asked for.
    sample = next(TRAIL.rglob("*20260301T0205Z*")).read_bytes()
    s3.put_object(
        Bucket=name,
        Key="org/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/eu-central-1/2026/03/01/a.json.gz",
        Body=sample,
    )
    s3.put_object(
        Bucket=name,
        Key="org/AWSLogs/o-a1b2c3d4e5/210987654321/CloudTrail/eu-west-1/2026/03/01/b.json.gz",
        Body=sample,
    )
    return name


def _spec(moto_server: str) -> ScanSpec:
    return ScanSpec(ROLE, Window.parse(**WINDOW), endpoint_url=moto_server)


def test_listing_reads_only_the_window_region_and_account(bucket: str, moto_server: str) -> None:
    window = Window.parse(**WINDOW)
    layout = LayoutFilter(frozenset(window.delivery_days()), "123456789012", "eu-west-1")
    inputs, findings = s3_inputs(f"s3://{bucket}/org", layout, _spec(moto_server))
    assert findings == []
    days = sorted({i.label.split("/eu-west-1/")[1][:10] for i in inputs})
    assert days == ["2026/03/01", "2026/03/02", "2026/03/03", "2026/03/04"]
    assert all("/123456789012/CloudTrail/eu-west-1/" in i.label for i in inputs)
    assert len(inputs) == 5


def test_s3_observation_equals_the_local_one(bucket: str, moto_server: str) -> None:
    remote = observe(
        [f"s3://{bucket}/org/"],
        role_arn=ROLE,
        endpoint_url=moto_server,
        region="eu-west-1",
        progress=False,
        **WINDOW,
    )
    local = observe([str(TRAIL)], role_arn=ROLE, progress=False, **WINDOW)
    assert remote.permissions == local.permissions
    assert [p.provenance for p in remote.permissions] == [p.provenance for p in local.permissions]
    assert remote.denied == local.denied
    assert remote.stats.files == 5


def test_missing_bucket_is_a_finding(moto_server: str) -> None:
    obs = observe(
        ["s3://no-such-bucket-here/AWSLogs/"],
        role_arn=ROLE,
        endpoint_url=moto_server,
        progress=False,
        **WINDOW,
    )
    assert {f.code for f in obs.findings} == {codes.LIVE_SOURCE_FAILED, codes.NO_MATCH}
    assert any("NoSuchBucket" in f.message for f in obs.findings)


def _lookup_page(records: list[dict[str, object]]) -> dict[str, object]:
    return {
        "Events": [
            {
                "EventId": r["eventID"],
                "EventName": r["eventName"],
                "EventTime": dt.datetime.fromisoformat(str(r["eventTime"]).replace("Z", "+00:00")),
                "EventSource": r["eventSource"],
                "Username": "report-exporter",
                "CloudTrailEvent": json.dumps(r),
            }
            for r in records
        ]
    }


def _fixture_records() -> list[dict[str, object]]:
    import gzip

    out: list[dict[str, object]] = []
    for path in sorted((TRAIL / "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data
            out.extend(json.loads(data)["Records"])
    return out


def test_lookup_events_pages_with_the_session_as_username() -> None:
    client = boto3.client(
        "cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    records = _fixture_records()
    expected = {
        "StartTime": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        "EndTime": dt.datetime(2026, 3, 4, tzinfo=dt.UTC),
        "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "report-exporter"}],
    }
    with Stubber(client) as stub:
        stub.add_response(
            "lookup_events", {**_lookup_page(records[:6]), "NextToken": "page-2"}, expected
        )
        stub.add_response(
            "lookup_events", _lookup_page(records[6:]), {**expected, "NextToken": "page-2"}
        )
        spec = ScanSpec(ROLE, Window.parse(**WINDOW), session_name="report-exporter")
        findings: list[object] = []
        got = list(lookup_records(spec, findings, client))  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    assert len(got) == len(records) and findings == []


def test_lookup_events_error_is_a_finding() -> None:
    client = boto3.client(
        "cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("lookup_events", "AccessDeniedException", "not allowed")
        findings: list[object] = []
        got = list(lookup_records(_spec_plain(), findings, client))  # type: ignore[arg-type]
    assert got == []
    assert [f.code for f in findings] == [codes.LIVE_SOURCE_FAILED]  # type: ignore[attr-defined]


def _spec_plain() -> ScanSpec:
    return ScanSpec(ROLE, Window.parse(**WINDOW))


def test_local_path_that_does_not_exist(tmp_path: Path) -> None:
    obs = observe([str(tmp_path / "nowhere")], role_arn=ROLE, progress=False, **WINDOW)
    assert codes.UNREADABLE in {f.code for f in obs.findings}
