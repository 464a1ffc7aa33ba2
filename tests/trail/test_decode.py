"""Every input shape, and bad input: each problem is a finding and the run goes on."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.trail import codes, decode
from least_priv.trail.decode import FileStats, scan
from least_priv.trail.identity import Matcher
from least_priv.trail.records import Record
from least_priv.trail.window import Window

from .conftest import ROLE

MATCHER = Matcher.build(ROLE, Window.parse("2026-03-01", "2026-03-03"))
T = "2026-03-02T02:00:02Z"


def _scan(data: bytes, label: str = "input.json") -> tuple[list[Record], FileStats]:
    stats = FileStats()
    records = list(scan(label, io.BytesIO(data), MATCHER, stats))
    return records, stats


def _codes(stats: FileStats) -> list[str]:
    return sorted(f.code for f in stats.findings)


@pytest.fixture
def mixed(make_record: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """Two records of the role, one of another role, one outside the window."""
    return [
        make_record(T, "ssm.amazonaws.com", "GetParameter", {"name": "/report-exporter/config"}),
        make_record(
            T,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": "billing"},
            role="arn:aws:iam::123456789012:role/billing-sync-role",
            session="billing-sync",
        ),
        make_record("2026-02-01T00:00:00Z", "ssm.amazonaws.com", "GetParameter", None),
        make_record(T, "states.amazonaws.com", "StartExecution", {"name": "x"}),
    ]


def test_delivered_gzip_file(mixed: list[dict[str, Any]]) -> None:
    data = gzip.compress(json.dumps({"Records": mixed}).encode())
    records, stats = _scan(data, "x.json.gz")
    assert [r.eventName for r in records] == ["GetParameter", "StartExecution"]
    assert (stats.records, stats.matched, stats.outside_window) == (4, 2, 1)
    assert stats.findings == []


def test_files_without_the_role_are_skipped_unparsed(mixed: list[dict[str, Any]]) -> None:
    others = [mixed[1]] * 3
    records, stats = _scan(json.dumps({"Records": others}).encode())
    assert records == [] and stats.prefiltered_files == 1 and stats.records == 0


def test_lookup_events_output(mixed: list[dict[str, Any]]) -> None:
    events = [
        {
            "EventId": r["eventID"],
            "EventName": r["eventName"],
            "Username": "report-exporter",
            "CloudTrailEvent": json.dumps(r),
        }
        for r in mixed
    ]
    records, _ = _scan(json.dumps({"Events": events}, indent=4).encode())
    assert [r.eventName for r in records] == ["GetParameter", "StartExecution"]


def test_json_lines_and_json_array(mixed: list[dict[str, Any]]) -> None:
    lines = "\n".join(json.dumps(r) for r in mixed).encode() + b"\n"
    assert [r.eventName for r in _scan(lines, "x.jsonl")[0]] == ["GetParameter", "StartExecution"]
    array = json.dumps(mixed).encode()
    assert len(_scan(array)[0]) == 2


def test_csv_export_with_aggregated_rows() -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "eventsource",
            "eventname",
            "awsregion",
            "recipientaccountid",
            "errorcode",
            "issuer_arn",
            "requestparameters",
            "count",
            "first_seen",
            "last_seen",
        ]
    )
    writer.writerow(
        [
            "ssm.amazonaws.com",
            "GetParameter",
            "eu-west-1",
            "123456789012",
            "",
            ROLE,
            '{"name": "/report-exporter/config"}',
            "42",
            "2026-03-01T02:00:02Z",
            "2026-03-03T02:00:02Z",
        ]
    )
    records, stats = _scan(out.getvalue().encode(), "athena.csv")
    assert len(records) == 1
    assert records[0].count == 42 and records[0].parameters() == {"name": "/report-exporter/config"}
    assert stats.matched == 42


def test_truncated_gzip_keeps_the_records_before_the_damage(mixed: list[dict[str, Any]]) -> None:
    many = [mixed[0]] * 300 + [mixed[3]] * 300
    data = gzip.compress(json.dumps({"Records": many}).encode())
    records, stats = _scan(data[: len(data) * 2 // 3], "cut.json.gz")
    assert _codes(stats) == [codes.CORRUPT_COMPRESSION]
    assert 0 < len(records) < 600
    assert "complete records before the damage" in stats.findings[0].message


def test_truncated_plain_json_is_salvaged(mixed: list[dict[str, Any]]) -> None:
    data = json.dumps({"Records": [mixed[0]] * 10}).encode()
    records, stats = _scan(data[: len(data) - 200])
    assert _codes(stats) == [codes.NOT_CLOUDTRAIL]
    assert len(records) == 9


def test_not_json_at_all() -> None:
    records, stats = _scan(b"\x00\x01binary garbage that is not a trail", "notes.json")
    assert records == [] and _codes(stats) == [codes.NOT_CLOUDTRAIL]
    records, stats = _scan(b"<html><body>403 Forbidden</body></html>", "page.json")
    assert _codes(stats) == [codes.NOT_CLOUDTRAIL]


def test_records_with_missing_or_mistyped_fields_are_counted(
    mixed: list[dict[str, Any]],
) -> None:
    no_source = dict(mixed[0])
    del no_source["eventSource"]
    wrong_type = dict(mixed[0], eventTime=1772416802)
    data = json.dumps({"Records": [no_source, wrong_type, mixed[3]]}).encode()
    records, stats = _scan(data)
    assert [r.eventName for r in records] == ["StartExecution"]
    assert stats.malformed == 2


def test_jsonl_with_a_bad_line_reads_the_others(mixed: list[dict[str, Any]]) -> None:
    data = (json.dumps(mixed[0]) + "\n{broken\n" + json.dumps(mixed[3]) + "\n").encode()
    records, stats = _scan(data, "x.jsonl")
    assert len(records) == 2
    assert _codes(stats) == [codes.NOT_CLOUDTRAIL] and stats.findings[0].location.line == 2


def test_big_files_are_streamed_with_flat_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mixed: list[dict[str, Any]]
) -> None:
    """Above the whole-file limit, memory is bounded by chunk size, not file size.

    The limit is lowered to 256 KiB so a ~12 MiB file stands for a 1 GB one.
    """
    monkeypatch.setattr(decode, "WHOLE_LIMIT", 256 * 1024)
    monkeypatch.setattr(decode, "CHUNK", 64 * 1024)
    monkeypatch.setattr(decode, "BATCH", 64 * 1024)
    # Records with nested objects and a policy document in a string: false boundaries.
    tricky = dict(
        mixed[0],
        requestParameters={
            "name": "/report-exporter/config",
            "policy": '{"Statement":[{"Effect":"Allow"},{"Effect":"Deny"}]}',
        },
    )
    path = tmp_path / "huge.json.gz"
    count = 6000
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'{"Records":[')
        for i in range(count):
            out.write((b"," if i else b"") + json.dumps(tricky if i % 2 else mixed[1]).encode())
        out.write(b"]}")
    tracemalloc.start()
    stats = FileStats()
    with path.open("rb") as handle:
        matched = sum(1 for _ in scan(str(path), handle, MATCHER, stats))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert matched == count // 2 and stats.records == count
    assert _codes(stats) == [codes.LARGE_INPUT]
    assert stats.bytes > 8 * 2**20
    assert peak < 3 * 2**20, f"peak {peak} bytes"


_TRICKY = st.text(alphabet='{}[],:"\\ ab/\u00e9\n', max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(_TRICKY, min_size=1, max_size=12),
    indent=st.sampled_from([None, 1]),
    batch=st.sampled_from([50, 700, 5000]),
)
def test_streaming_split_equals_whole_decode(
    monkeypatch: pytest.MonkeyPatch,
    make_record: Callable[..., dict[str, Any]],
    values: list[str],
    indent: int | None,
    batch: int,
) -> None:
    """Braces, brackets, quotes and escapes inside strings never fool the record splitter,
    whether batches hold many records, one, or less than one."""
    monkeypatch.setattr(decode, "WHOLE_LIMIT", 64)
    monkeypatch.setattr(decode, "CHUNK", 97)
    monkeypatch.setattr(decode, "BATCH", batch)
    records = [
        make_record(
            T,
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": f"/p/{i}", "note": v, "nested": [{"a": v}, {"b": [v]}]},
        )
        for i, v in enumerate(values)
    ]
    data = json.dumps({"Records": records}, indent=indent).encode()
    stats = FileStats()
    got = list(scan("x.json", io.BytesIO(data), MATCHER, stats))
    assert [r.parameters()["note"] for r in got] == values
    assert [f.code for f in stats.findings] == [codes.LARGE_INPUT]


def test_streaming_survives_a_record_of_the_wrong_shape(
    monkeypatch: pytest.MonkeyPatch, mixed: list[dict[str, Any]]
) -> None:
    """A mistyped record in a big file is counted; the records after it are still read."""
    monkeypatch.setattr(decode, "WHOLE_LIMIT", 1024)
    monkeypatch.setattr(decode, "CHUNK", 512)
    monkeypatch.setattr(decode, "BATCH", 2048)
    wrong = dict(mixed[0], eventTime=1772416802)
    records = [mixed[0], wrong, mixed[3], mixed[1], mixed[1], mixed[3]]
    records, stats = _scan(json.dumps({"Records": records}).encode())
    assert [r.eventName for r in records] == ["GetParameter", "StartExecution", "StartExecution"]
    assert stats.malformed == 1 and stats.records == 6


def test_cloudtrail_lake_query_results() -> None:
    """``aws cloudtrail get-query-results``: rows of one-key cells, named by the query."""
    rows = [
        [
            {"eventTime": "2026-03-02 02:00:02.000"},
            {"eventSource": "ssm.amazonaws.com"},
            {"eventName": "GetParameter"},
            {"awsRegion": "eu-west-1"},
            {"recipientAccountId": "123456789012"},
            {"issuer_arn": ROLE},
            {"requestParameters": '{"name":"/report-exporter/config","withDecryption":true}'},
        ],
        [
            {"eventTime": "2026-03-02 02:00:04.000"},
            {"eventSource": "states.amazonaws.com"},
            {"eventName": "StartExecution"},
            {"awsRegion": "eu-west-1"},
            {"recipientAccountId": "123456789012"},
            {"issuer_arn": "arn:aws:iam::123456789012:role/billing-sync-role"},
            {"requestParameters": None},
        ],
    ]
    doc = {
        "QueryStatus": "FINISHED",
        "QueryStatistics": {"ResultsCount": 2, "TotalResultsCount": 2, "BytesScanned": 17842},
        "QueryResultRows": rows,
    }
    records, stats = _scan(json.dumps(doc, indent=4).encode(), "lake.json")
    assert [(r.eventName, r.parameters()["name"]) for r in records] == [
        ("GetParameter", "/report-exporter/config")
    ]
    assert stats.records == 2 and stats.findings == []
    bad, bad_stats = _scan(json.dumps({"QueryResultRows": [[{"x": 1}]]}).encode(), "lake.json")
    assert bad == [] and _codes(bad_stats) == [codes.NOT_CLOUDTRAIL]
