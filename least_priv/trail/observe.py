"""``observe()``: CloudTrail sources → the permissions a role used, with provenance."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from least_priv.model import Finding, Permission, Provenance, Severity
from least_priv.trail import codes
from least_priv.trail.aggregate import Seen, Tally
from least_priv.trail.decode import FileStats
from least_priv.trail.dedup import SeenEvents
from least_priv.trail.engine import Input, ScanSpec, Worker, scan_inputs
from least_priv.trail.layout import LayoutFilter
from least_priv.trail.progress import Progress
from least_priv.trail.records import Record
from least_priv.trail.sources.athena import athena_records
from least_priv.trail.sources.local import local_inputs
from least_priv.trail.sources.lookup import SOURCE as LOOKUP_SOURCE
from least_priv.trail.sources.lookup import lookup_records
from least_priv.trail.sources.s3 import s3_inputs
from least_priv.trail.window import Window


@dataclass(frozen=True, slots=True)
class ObservationStats:
    """What was read: files, decompressed bytes, records, and records of the role."""

    files: int
    bytes: int
    records: int
    matched: int
    outside_window: int
    malformed: int
    prefiltered_files: int
    duplicates: int = 0  # records of the role delivered again (same eventID), counted once


@dataclass(frozen=True, slots=True)
class Observation:
    """The role's observed usage.

    ``permissions``: what the role used successfully (provenance ``observed`` with count
    and first/last seen). ``denied``: AccessDenied evidence of permissions it lacks, kept
    apart and never granted. ``findings``: LP5xx, sorted.
    """

    role_arn: str
    window: Window
    permissions: tuple[Permission, ...]
    denied: tuple[Permission, ...]
    findings: tuple[Finding, ...]
    stats: ObservationStats
    sources: tuple[str, ...] = ()


def times(count: int) -> str:
    """``1 time`` / ``3 times``."""
    return f"{count} time" if count == 1 else f"{count} times"


def _provenance(seen: Seen, detail: str) -> tuple[Provenance, ...]:
    return (
        Provenance(
            "observed", detail=detail, count=seen.count, first_seen=seen.first, last_seen=seen.last
        ),
    )


def _permissions(
    table: dict[tuple[str, str], Seen], detail: Callable[[tuple[str, str]], str]
) -> tuple[Permission, ...]:
    return tuple(
        Permission(action, resource, provenance=_provenance(seen, detail((action, resource))))
        for (action, resource), seen in sorted(table.items())
    )


def _findings(tally: Tally, where: str, window: Window) -> list[Finding]:
    out = list(tally.stats.findings)
    stats = tally.stats
    if stats.outside_window:
        out.append(
            codes.finding(
                where,
                codes.OUTSIDE_WINDOW,
                f"{stats.outside_window} records of the role are outside "
                f"[{window.since}, {window.until}) and were ignored",
                Severity.NOTE,
            )
        )
    if stats.duplicates:
        out.append(
            codes.finding(
                where,
                codes.DUPLICATE_EVENTS,
                f"{stats.duplicates} records of the role were delivered more than once "
                "(same eventID, e.g. an organisation trail and an account trail in one "
                "bucket) and were counted once",
            )
        )
    if not stats.matched:
        out.append(
            codes.finding(
                where,
                codes.NO_MATCH,
                f"no record of the role in the window among {stats.records} records read "
                f"from {stats.files} files",
            )
        )
    for (action, resource), seen in sorted(tally.denied.items()):
        events = ", ".join(sorted(tally.denied_events.get((action, resource), ())))
        out.append(
            codes.finding(
                where,
                codes.ACCESS_DENIED,
                f"{action} on {resource} was denied {times(seen.count)} "
                f"({seen.first} .. {seen.last}; {events}): a permission the role lacks",
            )
        )
    for (source, name), seen in sorted(tally.unmapped.items()):
        out.append(
            codes.finding(
                where,
                codes.UNMAPPED_EVENT,
                f"{source} {name} (seen {times(seen.count)}) maps to no IAM action; not granted",
            )
        )
    for (source, name, reason), seen in sorted(tally.no_permission.items()):
        out.append(
            codes.finding(
                where,
                codes.CONSOLE_INTERNAL,
                f"{source} {name} (seen {times(seen.count)}): {reason}",
                Severity.NOTE,
            )
        )
    by_action: dict[str, list[str]] = {}
    for action, resource in sorted(tally.unresolved):
        by_action.setdefault(action, []).append(resource)
    for action, resources in by_action.items():
        out.append(
            codes.finding(
                where,
                codes.UNRESOLVED_RESOURCE,
                f"{action}: the records do not name the resource; granted on "
                + ", ".join(resources),
                Severity.NOTE,
            )
        )
    return out


def _plan(
    sources: Sequence[str],
    spec: ScanSpec,
    layout: LayoutFilter,
    account: str | None,
    findings: list[Finding],
) -> tuple[list[Input], list[Iterable[Record]]]:
    """Files to scan (local and S3), and record streams of live sources (lazy)."""
    inputs: list[Input] = []
    live: list[Iterable[Record]] = []
    days = [f"{d:%Y/%m/%d}" for d in sorted(layout.days)]
    for source in sources:
        if source == LOOKUP_SOURCE:
            live.append(lookup_records(spec, findings))
            continue
        if source.startswith("athena://"):
            live.append(athena_records(source, spec, findings, days=days, account=account))
            continue
        if source.startswith("s3://"):
            found, problems = s3_inputs(source, layout, spec)
        else:
            found, problems = local_inputs(source, layout)
        inputs.extend(found)
        findings.extend(problems)
    # A folder and a file inside it, or the same bucket twice: read each file once, or
    # every count would double.
    unique: dict[str, Input] = {}
    for item in inputs:
        key = item.label if item.label.startswith("s3://") else os.path.realpath(item.label)
        unique.setdefault(key, item)
    return list(unique.values()), live


def observe(
    sources: Sequence[str],
    *,
    role_arn: str,
    since: str | None = None,
    until: str | None = None,
    session_name: str | None = None,
    region: str | None = None,
    account: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    now: dt.datetime | None = None,
    catalog: Any | None = None,
) -> Observation:
    """Read CloudTrail ``sources`` and return what ``role_arn`` used in the window.

    A source is a local file or folder, ``s3://bucket/prefix``, ``lookup-events`` or
    ``athena://WORKGROUP/DATABASE.TABLE``. ``since``/``until`` are ISO dates or times
    (default: the last 90 days). ``region``/``account`` prune the S3 layout (us-east-1 is
    always kept: global services log there). Bad input becomes findings; only bugs raise.
    Raises :class:`~least_priv.trail.TrailUsageError` for an unusable ``role_arn`` or
    window (usage errors).
    """
    window = Window.parse(since, until, now=now)
    spec = ScanSpec(role_arn, window, session_name, profile, region, endpoint_url)
    worker = Worker(spec, catalog)  # validates the role ARN before any I/O
    # Calls made with the role's credentials are always logged in the role's own account
    # (cross-account resource events are copies), so other accounts' folders can be skipped.
    layout_account = account or worker.matcher.account
    layout = LayoutFilter(frozenset(window.delivery_days()), layout_account, region)
    tally = Tally()
    inputs, live = _plan(sources, spec, layout, account, tally.stats.findings)
    bar = Progress(len(inputs)) if progress else None

    def report(stats: FileStats) -> None:
        """Progress callback of the engine."""
        if bar is not None:
            bar.update(stats.files, stats.records, stats.matched)

    tally.fold(scan_inputs(inputs, spec, jobs=jobs, on_progress=report, catalog=catalog))
    if bar is not None:
        bar.close()
    for records in live:
        seen = SeenEvents()
        for record in records:
            tally.stats.records += 1
            if (
                record.is_complete()
                and worker.matcher.is_session(record)
                and window.contains(record.eventTime or "")
            ):
                if not seen.first_time(record.eventID):
                    tally.stats.duplicates += record.count
                    continue
                tally.stats.matched += record.count
                tally.add_record(record, worker.mapper)
    where = sources[0] if len(sources) == 1 else "cloudtrail"
    stats = tally.stats
    return Observation(
        role_arn=role_arn,
        window=window,
        permissions=_permissions(
            tally.used, lambda key: ", ".join(sorted(tally.used_events.get(key, ())))
        ),
        denied=_permissions(
            tally.denied,
            lambda key: "denied: " + ", ".join(sorted(tally.denied_events.get(key, ()))),
        ),
        findings=tuple(sorted(set(_findings(tally, where, window)))),
        stats=ObservationStats(
            stats.files,
            stats.bytes,
            stats.records,
            stats.matched,
            stats.outside_window,
            stats.malformed,
            stats.prefiltered_files,
            stats.duplicates,
        ),
        sources=tuple(sources),
    )
