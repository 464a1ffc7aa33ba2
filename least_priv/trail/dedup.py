"""Count each CloudTrail event once, whichever trails delivered it.

An organisation trail and an account trail writing to the same bucket deliver every event
of that account twice (``AWSLogs/o-<id>/<account>/...`` and ``AWSLogs/<account>/...``),
with the same ``eventID``. The engine keeps the IDs of the role's records it has counted,
per *file set* (the files of one account and region, in delivery-day order), and skips a
record whose ID it has already counted.

Memory stays bounded: only records of the role are remembered, only for the current and
the previous delivery day (CloudTrail delivers within minutes, so a copy lands in the same
day's folder or, around midnight, the next one), and never more than :data:`LIMIT` IDs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol, TypeVar

from least_priv.trail.layout import parse_key

# ~100 bytes per ID: 1 M IDs is about 100 MiB, far above a day of one role's calls.
LIMIT = 1_000_000
_DAY = dt.timedelta(days=1)


class SeenEvents:
    """The eventIDs already counted in one file set, for the last two delivery days."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._days: dict[dt.date | None, set[str]] = {}
        self._size = 0
        self._current: dt.date | None = None

    def __len__(self) -> int:
        return self._size

    def start_file(self, day: dt.date | None) -> None:
        """Begin a file delivered on ``day`` (None: a file outside the S3 layout).

        IDs older than the previous day are forgotten; a file outside the layout has no
        delivery day, so it is deduplicated on its own.
        """
        if day is None:
            self._forget(list(self._days))
        else:
            self._forget([d for d in self._days if d is None or d < day - _DAY])
        self._current = day

    def first_time(self, event_id: str | None) -> bool:
        """True (and remember it) unless ``event_id`` was already counted.

        A record without an ID cannot be matched with another: it always counts.
        """
        if not event_id:
            return True
        if any(event_id in ids for ids in self._days.values()):
            return False
        if self._size >= self._limit:
            # A bound, not a correctness rule: past it a duplicate may be counted twice
            # (a count, never a permission, is affected).
            self._forget(list(self._days))
        self._days.setdefault(self._current, set()).add(event_id)
        self._size += 1
        return True

    def _forget(self, days: list[dt.date | None]) -> None:
        for day in days:
            self._size -= len(self._days.pop(day, ()))


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


_T = TypeVar("_T", bound=_Labelled)


def file_sets(items: Sequence[_T]) -> tuple[list[list[_T]], list[_T]]:
    """Split scan inputs into file sets that must be read together, and free files.

    Files of one account and region that come from more than one trail (different
    prefixes, or an ``o-<id>/`` organisation folder beside the account's own) may hold
    the same events: such a set is returned whole, in delivery-day order, to be read by
    one worker. Every other file may go to any worker.
    """
    groups: dict[tuple[str, str], list[tuple[dt.date, str, _T]]] = defaultdict(list)
    free: list[_T] = []
    for item in items:
        key = parse_key(item.label)
        if key is None:
            free.append(item)
            continue
        groups[(key.account, key.region)].append((key.day, trail_root(item.label), item))
    together: list[list[_T]] = []
    for _, members in sorted(groups.items()):
        if len({root for _, root, _ in members}) > 1:
            members.sort(key=lambda m: (m[0], m[2].label))
            together.append([item for _, _, item in members])
        else:
            free.extend(item for _, _, item in members)
    return together, free


def trail_root(label: str) -> str:
    """The part of a layout path that tells trails apart: the prefix up to the account,
    including an organisation folder (``s3://b/logs/AWSLogs/o-abc/``)."""
    norm = label.replace("\\", "/")
    key = parse_key(norm)
    if key is None:
        return ""
    return norm[: norm.rfind(f"/{key.account}/CloudTrail/") + 1]
