"""One event delivered by two trails into one bucket is counted once (eventID)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from least_priv.trail import codes, observe
from least_priv.trail.dedup import SeenEvents, file_sets, trail_root
from least_priv.trail.engine import Input, plan_batches

from .conftest import ACCOUNT, BUILDER, ROLE, layout_path, write_trail

SINCE, UNTIL = "2026-03-01", "2026-03-05"
ORG = "o-a1b2c3d4e5"


def _reads(day: str, hour: int) -> list[dict[str, Any]]:
    """Ten config reads of the report exporter in one delivery file."""
    return [
        BUILDER.record(
            f"{day}T{hour:02d}:{minute:02d}:07Z",
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": "/report-exporter/config", "withDecryption": True},
        )
        for minute in range(10)
    ]


def _org_path(root: Path, day: str, name: str) -> Path:
    y, m, d = day.split("-")
    return Path(root, "AWSLogs", ORG, ACCOUNT, "CloudTrail", "eu-west-1", y, m, d, name)


@pytest.fixture
def two_trails(tmp_path: Path) -> Path:
    for day in ("2026-03-02", "2026-03-03"):
        for hour in range(6):
            stamp = f"{day.replace('-', '')}T{hour:02d}05Z"
            name = f"{ACCOUNT}_CloudTrail_eu-west-1_{stamp}_{hour:04x}.json.gz"
            records = _reads(day, hour)
            write_trail(layout_path(tmp_path, day, name), records)
            write_trail(_org_path(tmp_path, day, name.replace(".json", "-org.json")), records)
    return tmp_path


@pytest.mark.parametrize("jobs", [1, 2])
def test_org_and_account_trail_in_one_bucket_count_once(two_trails: Path, jobs: int) -> None:
    obs = observe(
        [str(two_trails)], role_arn=ROLE, progress=False, jobs=jobs, since=SINCE, until=UNTIL
    )
    (perm,) = obs.permissions
    assert perm.action == "ssm:GetParameter"
    assert perm.provenance[0].count == 120  # 2 days x 6 files x 10 reads, not 240
    assert obs.stats.files == 24 and obs.stats.matched == 120 and obs.stats.duplicates == 120
    (note,) = [f for f in obs.findings if f.code == codes.DUPLICATE_EVENTS]
    assert note.message.startswith("120 records of the role were delivered more than once")


def test_a_copy_delivered_after_midnight_is_still_one_event(tmp_path: Path) -> None:
    """The account trail delivers 23:58's calls on day D, the organisation trail at 00:03
    on D+1: the previous day's IDs are still remembered."""
    records = _reads("2026-03-02", 23)
    write_trail(layout_path(tmp_path, "2026-03-02", "a.json.gz"), records)
    write_trail(_org_path(tmp_path, "2026-03-03", "b.json.gz"), records)
    obs = observe([str(tmp_path)], role_arn=ROLE, progress=False, jobs=1, since=SINCE, until=UNTIL)
    assert obs.permissions[0].provenance[0].count == 10
    assert obs.stats.duplicates == 10


def test_distinct_events_and_records_without_id_all_count(tmp_path: Path) -> None:
    records = _reads("2026-03-02", 4)
    for rec in records[:3]:
        del rec["eventID"]  # hand-made records may lack one: never merged
    write_trail(layout_path(tmp_path, "2026-03-02", "a.json.gz"), records)
    write_trail(layout_path(tmp_path, "2026-03-02", "b.json.gz"), records[:3])
    obs = observe([str(tmp_path)], role_arn=ROLE, progress=False, jobs=1, since=SINCE, until=UNTIL)
    assert obs.permissions[0].provenance[0].count == 13
    assert obs.stats.duplicates == 0
    assert codes.DUPLICATE_EVENTS not in {f.code for f in obs.findings}


def test_file_sets_keep_two_trails_of_one_account_together() -> None:
    base = "s3://acme-trails/AWSLogs"
    org = f"{base}/{ORG}/{ACCOUNT}/CloudTrail/eu-west-1"
    own = f"{base}/{ACCOUNT}/CloudTrail/eu-west-1"
    other = f"{base}/{ORG}/210987654321/CloudTrail/eu-west-1"
    items = [
        Input(f"{org}/2026/03/03/x.json.gz"),
        Input(f"{own}/2026/03/02/y.json.gz"),
        Input(f"{org}/2026/03/02/z.json.gz"),
        Input(f"{other}/2026/03/02/w.json.gz"),
        Input("/tmp/export.jsonl"),
    ]
    together, free = file_sets(items)
    assert [[i.label.rsplit("/", 4)[-4:] for i in group] for group in together] == [
        [["2026", "03", "02", "y.json.gz"], ["2026", "03", "02", "z.json.gz"],
         ["2026", "03", "03", "x.json.gz"]]
    ]  # fmt: skip
    assert [i.label for i in free] == ["/tmp/export.jsonl", f"{other}/2026/03/02/w.json.gz"]
    assert trail_root(f"{org}/2026/03/03/x.json.gz") == f"{base}/{ORG}/"
    # the set is one batch, the free files are cut as before
    assert plan_batches(items, 2)[0] == together[0]


def test_seen_events_forget_all_but_the_previous_day_and_stay_bounded() -> None:
    seen = SeenEvents(limit=3)
    seen.start_file(dt.date(2026, 3, 1))
    assert seen.first_time("a") and not seen.first_time("a")
    seen.start_file(dt.date(2026, 3, 2))
    assert not seen.first_time("a")  # the previous day is kept
    assert seen.first_time("b")
    seen.start_file(dt.date(2026, 3, 3))
    assert seen.first_time("a")  # two days back: forgotten
    assert len(seen) == 2
    seen.first_time("c")
    seen.first_time("d")  # over the limit: everything older is dropped
    assert len(seen) <= 3
    seen.start_file(None)  # a file outside the layout starts afresh
    assert len(seen) == 0 and seen.first_time(None) and seen.first_time(None)
