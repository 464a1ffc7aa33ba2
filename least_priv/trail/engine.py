"""The embedded engine: scan many CloudTrail files in parallel into one :class:`Tally`.

Files are independent, so the engine hands batches of them to worker processes (one per
core) and folds the tallies they return; each worker streams its files one at a time and
keeps only counts, so memory stays flat whatever the number or size of the files.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from least_priv.trail import codes
from least_priv.trail.aggregate import Tally
from least_priv.trail.decode import FileStats, scan
from least_priv.trail.dedup import SeenEvents, file_sets
from least_priv.trail.identity import Matcher
from least_priv.trail.layout import parse_key
from least_priv.trail.mapping import EventMapper
from least_priv.trail.window import Window
from least_priv.workers import default_jobs

# Below this many files the cost of starting workers exceeds the gain.
PARALLEL_MIN_FILES = 8
_SPOOL = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Input:
    """One file to scan: a local path or an ``s3://bucket/key`` URL."""

    label: str
    size: int = 0


@dataclass(frozen=True, slots=True)
class ScanSpec:
    """What every worker needs to filter and fetch (picklable)."""

    role_arn: str
    window: Window
    session_name: str | None = None
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


class Worker:
    """What scanning needs, built once per process: matcher, mapper (with its caches) and,
    on first use, an S3 client. ``observe`` also uses one for live (non-file) records."""

    def __init__(self, spec: ScanSpec, catalog: Any | None = None) -> None:
        self.spec = spec
        self.matcher = Matcher.build(spec.role_arn, spec.window, spec.session_name)
        self.mapper = EventMapper(catalog)
        self._s3: Any = None

    def open(self, item: Input) -> IO[bytes]:
        """A binary stream of the input (a local file, or an S3 object spooled)."""
        if not item.label.startswith("s3://"):
            return open(item.label, "rb")
        if self._s3 is None:
            from least_priv import aws

            self._s3 = aws.client(
                "s3",
                profile=self.spec.profile,
                region=self.spec.region,
                endpoint_url=self.spec.endpoint_url,
            )
        bucket, _, key = item.label[5:].partition("/")
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        # botocore's body cannot seek or peek; spool it (in memory up to 64 MiB).
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
        for chunk in iter(lambda: body.read(1024 * 1024), b""):
            spool.write(chunk)
        spool.seek(0)
        return spool

    def scan_batch(self, batch: Sequence[Input]) -> Tally:
        """Scan several inputs into one tally (what a worker process returns).

        An event delivered twice within the batch (two trails, one bucket) counts once.
        """
        tally = Tally()
        seen = SeenEvents()
        for item in batch:
            self.scan_one(item, tally, seen)
        return tally

    def scan_one(self, item: Input, tally: Tally, seen: SeenEvents | None = None) -> None:
        """Scan one input into ``tally``; an unreadable one becomes a finding.

        ``seen`` holds the eventIDs already counted in this file set (see
        :mod:`least_priv.trail.dedup`); a record among them is skipped.
        """
        seen = seen if seen is not None else SeenEvents()
        key = parse_key(item.label)
        seen.start_file(key.day if key is not None else None)
        stats = FileStats()
        try:
            handle = self.open(item)
        except OSError as exc:
            stats.files += 1
            stats.findings.append(codes.finding(item.label, codes.UNREADABLE, str(exc)))
            tally.stats.add(stats)
            return
        except Exception as exc:  # a botocore error from a live S3 read
            from least_priv import aws

            stats.files += 1
            stats.findings.append(
                codes.finding(item.label, codes.LIVE_SOURCE_FAILED, aws.error_text(exc))
            )
            tally.stats.add(stats)
            return
        with handle:
            for record in scan(item.label, handle, self.matcher, stats):
                if not seen.first_time(record.eventID):
                    stats.matched -= record.count
                    stats.duplicates += record.count
                    continue
                tally.add_record(record, self.mapper)
        tally.stats.add(stats)
        if stats.malformed:
            tally.stats.findings.append(
                codes.finding(
                    item.label,
                    codes.MALFORMED_RECORDS,
                    f"{stats.malformed} records lack eventTime, eventSource, eventName or "
                    "userIdentity (or have fields of the wrong type) and were skipped",
                )
            )


_STATE: Worker | None = None


def _init_worker(spec: ScanSpec) -> None:
    global _STATE
    _STATE = Worker(spec)


def _run_batch(batch: Sequence[Input]) -> Tally:
    assert _STATE is not None, "worker not initialised"
    return _STATE.scan_batch(batch)


def plan_batches(inputs: Sequence[Input], workers: int) -> list[list[Input]]:
    """The inputs cut into batches, one worker each.

    A file set that may hold the same events twice (one account and region written by
    two trails) is one batch, so its duplicates meet in one worker; those come first, as
    they are the longest. The other files are cut into enough batches that every core
    stays busy to the end, few enough to keep the per-batch pickling negligible.
    """
    together, free = file_sets(inputs)
    size = max(1, len(free) // (max(1, workers) * 16))
    return together + [list(free[i : i + size]) for i in range(0, len(free), size)]


def scan_inputs(
    inputs: Sequence[Input],
    spec: ScanSpec,
    *,
    jobs: int | None = None,
    on_progress: Callable[[FileStats], None] | None = None,
    catalog: Any | None = None,
) -> Tally:
    """Scan every input and fold the results; ``jobs`` worker processes (default: cores)."""
    workers = jobs if jobs is not None else default_jobs()
    total = Tally()
    batches = plan_batches(inputs, workers)
    if workers <= 1 or len(inputs) < PARALLEL_MIN_FILES:
        worker = Worker(spec, catalog)
        for batch in batches:
            seen = SeenEvents()
            for item in batch:
                worker.scan_one(item, total, seen)
                if on_progress is not None:
                    on_progress(total.stats)
        return total
    # fork: workers inherit the loaded catalog, and callers' scripts need no __main__ guard
    # (spawn/forkserver re-import the caller's main module). Workers take no locks another
    # thread of the caller could hold: they only read files and S3 and count.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(workers, initializer=_init_worker, initargs=(spec,)) as pool:
        for tally in pool.imap_unordered(_run_batch, batches):
            total.fold(tally)
            if on_progress is not None:
                on_progress(total.stats)
    return total
