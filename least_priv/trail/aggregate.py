"""Counts of what the role did, folded per (action, resource): small, mergeable, picklable.

Each worker builds one :class:`Tally` per file batch and the parent merges them; merging
is commutative, so the result does not depend on which worker finished first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from least_priv.trail.decode import FileStats
from least_priv.trail.mapping import EventMapper
from least_priv.trail.records import Record


@dataclass(slots=True)
class Seen:
    """How often and when something was seen."""

    count: int = 0
    first: str = ""
    last: str = ""

    def add(self, count: int, first: str, last: str) -> None:
        """Count ``count`` more sightings between ``first`` and ``last``."""
        self.count += count
        if first and (not self.first or first < self.first):
            self.first = first
        if last and last > self.last:
            self.last = last

    def fold(self, other: Seen) -> None:
        """Fold another tally of the same thing into this one."""
        self.add(other.count, other.first, other.last)


@dataclass(slots=True)
class Tally:
    """Everything one scan learned: uses, denials, events without a mapping, counters."""

    used: dict[tuple[str, str], Seen] = field(default_factory=dict)
    denied: dict[tuple[str, str], Seen] = field(default_factory=dict)
    # (action, resource) pairs whose resource is a typed wildcard
    unresolved: set[tuple[str, str]] = field(default_factory=set)
    unmapped: dict[tuple[str, str], Seen] = field(default_factory=dict)
    no_permission: dict[tuple[str, str, str], Seen] = field(default_factory=dict)
    # the events behind each use and denial ("s3.amazonaws.com GetObject"), for provenance
    used_events: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    denied_events: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    stats: FileStats = field(default_factory=FileStats)

    def add_record(self, record: Record, mapper: EventMapper) -> None:
        """Map one matched record and count what it exercised."""
        first = record.first_seen or record.eventTime or ""
        last = record.last_seen or record.eventTime or ""
        source, name = record.eventSource or "", record.eventName or ""
        resolution = mapper.resolve(source, name)
        any_use = False
        for use in mapper.uses(record):
            any_use = True
            key = (use.action, use.resource)
            target = self.denied if use.denied else self.used
            target.setdefault(key, Seen()).add(record.count, first, last)
            if use.denied:
                self.denied_events.setdefault(key, set()).add(
                    f"{source} {name} ({record.errorCode})"
                )
                continue
            self.used_events.setdefault(key, set()).add(f"{source} {name}")
            if not use.resolved:
                self.unresolved.add(key)
        if any_use:
            return
        if resolution.status == "no-permission":
            nkey = (source, name, resolution.reason)
            self.no_permission.setdefault(nkey, Seen()).add(record.count, first, last)
        else:
            self.unmapped.setdefault((source, name), Seen()).add(record.count, first, last)

    def fold(self, other: Tally) -> None:
        """Merge another tally into this one."""
        for mine, theirs in (
            (self.used, other.used),
            (self.denied, other.denied),
            (self.unmapped, other.unmapped),
        ):
            for key, seen in theirs.items():
                mine.setdefault(key, Seen()).fold(seen)
        for nkey, seen in other.no_permission.items():
            self.no_permission.setdefault(nkey, Seen()).fold(seen)
        for mine_events, their_events in (
            (self.used_events, other.used_events),
            (self.denied_events, other.denied_events),
        ):
            for ekey, events in their_events.items():
                mine_events.setdefault(ekey, set()).update(events)
        self.unresolved |= other.unresolved
        self.stats.add(other.stats)
