"""observe() findings for what cannot be granted as is, on a hand-written trail file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from least_priv.model import Severity
from least_priv.trail import codes, observe

from .conftest import ROLE, layout_path, write_trail

T = "2026-03-02T02:00:0{}Z"


def test_unmapped_console_internal_and_unresolved(
    tmp_path: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    records = [
        make_record(T.format(1), "newservice.amazonaws.com", "DoSomething", {"thing": "x"}),
        make_record(T.format(2), "sts.amazonaws.com", "GetCallerIdentity", None),
        make_record(T.format(3), "ssm.amazonaws.com", "GetParameter", None),
        make_record("2026-04-01T00:00:00Z", "ssm.amazonaws.com", "GetParameter", None),
    ]
    write_trail(layout_path(tmp_path, "2026-03-02", "a.json.gz"), records)
    # A file outside the layout (an export) is always read, whatever its dates.
    write_trail(tmp_path / "extra.json", [records[3]], gz=False)
    obs = observe(
        [str(tmp_path)], role_arn=ROLE, since="2026-03-01", until="2026-03-31", progress=False
    )
    by_code = {f.code: f for f in obs.findings}
    assert set(by_code) == {
        codes.UNMAPPED_EVENT,
        codes.CONSOLE_INTERNAL,
        codes.UNRESOLVED_RESOURCE,
        codes.OUTSIDE_WINDOW,
    }
    assert (
        "newservice.amazonaws.com DoSomething (seen 1 time)"
        in by_code[codes.UNMAPPED_EVENT].message
    )
    assert by_code[codes.CONSOLE_INTERNAL].severity is Severity.NOTE
    assert "parameter/*" in by_code[codes.UNRESOLVED_RESOURCE].message
    assert "2 records of the role are outside" in by_code[codes.OUTSIDE_WINDOW].message
    # The typed wildcard is granted, never dropped.
    assert [(p.action, p.resource) for p in obs.permissions] == [
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/*")
    ]


def test_output_is_the_same_whatever_the_file_order(
    tmp_path: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    for i, day in enumerate(["2026-03-01", "2026-03-02", "2026-03-03"]):
        rec = make_record(
            f"{day}T02:00:00Z",
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": f"/report-exporter/{i % 2}"},
        )
        write_trail(layout_path(tmp_path, day, f"{9 - i}.json.gz"), [rec])
    first = observe(
        [str(tmp_path)],
        role_arn=ROLE,
        since="2026-03-01",
        until="2026-03-03",
        progress=False,
        jobs=1,
    )
    # Renaming a file changes the order it is read in, not the result.
    folder = layout_path(tmp_path, "2026-03-02", "x").parent
    (folder / "8.json.gz").rename(folder / "0.json.gz")
    second = observe(
        [str(tmp_path)],
        role_arn=ROLE,
        since="2026-03-01",
        until="2026-03-03",
        progress=False,
        jobs=1,
    )
    assert first.permissions == second.permissions
    assert [p.provenance for p in first.permissions] == [p.provenance for p in second.permissions]
    assert [p.provenance[0].count for p in first.permissions] == [2, 1]


def test_overlapping_sources_are_read_once(
    tmp_path: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    rec = make_record(T.format(1), "ssm.amazonaws.com", "GetParameter", {"name": "/r/x"})
    path = write_trail(layout_path(tmp_path, "2026-03-02", "a.json.gz"), [rec])
    obs = observe(
        [str(tmp_path), str(path.parent), str(path)],
        role_arn=ROLE,
        since="2026-03-01",
        until="2026-03-31",
        progress=False,
    )
    assert obs.stats.files == 1
    assert [p.provenance[0].count for p in obs.permissions] == [1]
