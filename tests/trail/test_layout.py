"""CloudTrail's S3 layout: which folders a window, account and region need."""

from __future__ import annotations

import datetime as dt

from least_priv.trail.layout import LayoutFilter, is_skipped, parse_key

KEY = (
    "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/02/"
    "123456789012_CloudTrail_eu-west-1_20260302T0205Z_a1b2c3d4e5f6a7b8.json.gz"
)
ORG_KEY = "logs/AWSLogs/o-a1b2c3d4e5/210987654321/CloudTrail/us-east-1/2026/03/04/x.json.gz"


def test_parse_key_reads_account_region_and_day() -> None:
    key = parse_key(KEY)
    assert key is not None
    assert (key.account, key.region, key.day, key.organization) == (
        "123456789012",
        "eu-west-1",
        dt.date(2026, 3, 2),
        "",
    )


def test_organisation_trails_add_the_org_id() -> None:
    key = parse_key(ORG_KEY)
    assert key is not None
    assert (key.organization, key.account, key.region) == (
        "o-a1b2c3d4e5",
        "210987654321",
        "us-east-1",
    )


def test_paths_outside_the_layout_have_no_key_and_are_always_read() -> None:
    assert parse_key("exports/lake-2026-03.jsonl") is None
    flt = LayoutFilter(frozenset({dt.date(2026, 3, 2)}))
    assert flt.wants("exports/lake-2026-03.jsonl")


def test_digest_and_insight_files_are_skipped() -> None:
    digest = "AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/03/02/x.json.gz"
    assert is_skipped(digest)
    assert is_skipped("AWSLogs/123456789012/CloudTrail-Insight/eu-west-1/2026/03/02/x.json.gz")
    assert not LayoutFilter(frozenset({dt.date(2026, 3, 2)})).wants(digest)


def test_filter_by_day_account_and_region_keeps_us_east_1() -> None:
    flt = LayoutFilter(frozenset({dt.date(2026, 3, 2)}), "123456789012", "eu-west-1")
    assert flt.wants(KEY)
    assert not flt.wants(KEY.replace("/03/02/", "/03/03/"))
    assert not flt.wants(KEY.replace("123456789012/CloudTrail", "999999999999/CloudTrail"))
    assert not flt.wants(KEY.replace("/eu-west-1/", "/eu-central-1/"))
    # IAM and STS global events land in us-east-1 whatever the function's region.
    assert flt.wants(KEY.replace("/eu-west-1/", "/us-east-1/"))
    assert flt.regions(["ap-south-1", "eu-west-1", "us-east-1"]) == ["eu-west-1", "us-east-1"]


def test_walk_pruning_by_folder() -> None:
    flt = LayoutFilter(frozenset({dt.date(2026, 3, 2)}), "123456789012", "eu-west-1")
    base = "trail/AWSLogs/123456789012/CloudTrail"
    assert flt.wants_dir("trail/AWSLogs")
    assert flt.wants_dir("trail/AWSLogs/o-a1b2c3d4e5")
    assert not flt.wants_dir("trail/AWSLogs/210987654321")
    assert not flt.wants_dir("trail/AWSLogs/123456789012/CloudTrail-Digest")
    assert flt.wants_dir(f"{base}/eu-west-1/2026/03")
    assert not flt.wants_dir(f"{base}/eu-west-1/2026/02")
    assert not flt.wants_dir(f"{base}/eu-west-1/2025")
    assert not flt.wants_dir(f"{base}/eu-central-1")
    assert flt.wants_dir(f"{base}/us-east-1/2026/03/02")
    assert not flt.wants_dir(f"{base}/us-east-1/2026/03/01")
    assert flt.wants_dir("exports/lake")
