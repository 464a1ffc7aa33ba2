"""The time window of an observation, and the delivery-date folders it must read.

CloudTrail timestamps are ISO-8601 UTC strings (``2023-07-10T12:15:03Z``); they compare
correctly as strings once normalised to that exact shape, which keeps the hot filter a
plain string comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from least_priv.trail.errors import TrailUsageError

DEFAULT_DAYS = 90
# CloudTrail delivers a file within about 5 to 15 minutes of its events, but does not
# guarantee it, and names the folder by delivery time: events of day D can sit in day D+1's
# folder. The folder after the last event's day is always read; the window check on each
# record drops what is outside.
DELIVERY_LAG = dt.timedelta(days=1)


class WindowError(TrailUsageError):
    """A ``--since``/``--until`` value that is not a date or a date-time."""


def _parse(text: str, *, end: bool) -> dt.datetime:
    value = text.strip()
    try:
        if len(value) == 10:  # a bare date: whole days, ``until`` inclusive
            day = dt.date.fromisoformat(value)
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            return moment + dt.timedelta(days=1) if end else moment
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise WindowError(f"not an ISO date or date-time: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time window ``[since, until)`` as normalised ISO strings."""

    since: str
    until: str

    @staticmethod
    def parse(since: str | None, until: str | None, *, now: dt.datetime | None = None) -> Window:
        """Build a window; defaults: ``until`` = now, ``since`` = ``until`` - 90 days.

        A bare date for ``until`` includes that whole day.
        """
        end = _parse(until, end=True) if until else (now or dt.datetime.now(dt.UTC))
        start = _parse(since, end=False) if since else end - dt.timedelta(days=DEFAULT_DAYS)
        if start > end:
            raise WindowError(f"--since ({_iso(start)}) is after --until ({_iso(end)})")
        return Window(_iso(start), _iso(end))

    def contains(self, event_time: str) -> bool:
        """True when an event time (CloudTrail's ISO form) falls in the window."""
        return self.since <= _normalise(event_time) < self.until

    def delivery_days(self) -> list[dt.date]:
        """Every delivery-date folder that can hold events of the window (D+1 included)."""
        first = dt.date.fromisoformat(self.since[:10])
        end = dt.datetime.fromisoformat(self.until.replace("Z", "+00:00"))
        # ``until`` is exclusive: the last event is just before it.
        last = (end - dt.timedelta(seconds=1)).date() + DELIVERY_LAG
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _normalise(event_time: str) -> str:
    # CloudTrail writes ``...Z`` with whole seconds; Lake/Athena exports may carry a space,
    # fractions or ``+00:00``. Only the odd shapes pay for parsing.
    if len(event_time) == 20 and event_time[10] == "T" and event_time[19] == "Z":
        return event_time
    try:
        return _iso(_parse(event_time.replace(" ", "T"), end=False))
    except WindowError:
        return ""
