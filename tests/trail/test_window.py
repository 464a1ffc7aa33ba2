"""The observation window: parsing, containment, and the delivery folders to read."""

from __future__ import annotations

import datetime as dt

import pytest

from least_priv.trail.window import Window, WindowError


def test_bare_until_date_includes_the_whole_day() -> None:
    window = Window.parse("2026-03-01", "2026-03-03")
    assert window == Window("2026-03-01T00:00:00Z", "2026-03-04T00:00:00Z")
    assert window.contains("2026-03-03T23:59:59Z")
    assert not window.contains("2026-03-04T00:00:00Z")
    assert not window.contains("2026-02-28T23:59:59Z")


def test_default_is_the_last_ninety_days() -> None:
    now = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
    window = Window.parse(None, None, now=now)
    assert window == Window("2025-12-31T12:00:00Z", "2026-03-31T12:00:00Z")


def test_times_with_offsets_are_normalised_to_utc() -> None:
    window = Window.parse("2026-03-01T02:00:00+02:00", "2026-03-01T03:00:00Z")
    assert window.since == "2026-03-01T00:00:00Z"
    # Export formats (Athena, Lake) write fractions or a space; they still compare right.
    assert window.contains("2026-03-01 00:30:00.123")
    assert not window.contains("2026-03-01T03:00:00.000Z")


def test_delivery_days_include_the_day_after_the_window() -> None:
    days = Window.parse("2026-03-01", "2026-03-03").delivery_days()
    assert [d.isoformat() for d in days] == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
    ]


def test_a_window_ending_mid_day_still_reads_the_next_folder() -> None:
    """Delivery is usually minutes late, but not guaranteed: the next day is always read."""
    days = Window.parse("2026-03-01T00:00:00Z", "2026-03-01T12:00:00Z").delivery_days()
    assert days == [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]


@pytest.mark.parametrize(
    ("since", "until"), [("yesterday", None), ("2026-03-05", "2026-03-01"), ("2026-13-01", None)]
)
def test_bad_windows_are_usage_errors(since: str, until: str | None) -> None:
    with pytest.raises(WindowError):
        Window.parse(since, until)
