"""Decode one CloudTrail input stream into the records made by the role.

Handles every file shape the tool accepts, compressed or not:

- ``{"Records": [...]}`` as CloudTrail delivers it (``.json.gz`` or ``.json``);
- ``{"Events": [...]}`` from ``aws cloudtrail lookup-events``;
- JSON lines (CloudTrail Lake exports, ``jq -c '.Records[]'``), a JSON array of records;
- ``aws cloudtrail get-query-results`` output of a CloudTrail Lake query;
- CSV with a header (Lake/Athena exports; see :mod:`least_priv.trail.tabular`).

Files up to :data:`WHOLE_LIMIT` decompressed bytes are read whole: a file without the role
name is skipped unparsed, the others are split into raw records in one msgspec call and
only records that can name the role are decoded. Bigger inputs are cut into batches of
about :data:`BATCH` bytes at record boundaries (:func:`_streamed`), so memory does not grow
with the file. A damaged file yields every record before the damage plus a finding; it
never stops the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

import msgspec
from isal import isal_zlib

from least_priv.model import Finding, Severity
from least_priv.trail import codes
from least_priv.trail.identity import Matcher
from least_priv.trail.records import (
    IssuerFile,
    IssuerOnly,
    LookupEvent,
    LookupFile,
    RawTrailFile,
    Record,
)
from least_priv.trail.tabular import iter_csv_records, iter_lake_records

# Real CloudTrail files stay far below this; bigger inputs (exports, concatenations) are
# streamed so that memory is bounded by a few batches, not by the file.
WHOLE_LIMIT = 16 * 1024 * 1024
CHUNK = 4 * 1024 * 1024
BATCH = 4 * 1024 * 1024
MAX_RECORD = 16 * 1024 * 1024

_RECORD_DECODER = msgspec.json.Decoder(Record)
_RAW_FILE_DECODER = msgspec.json.Decoder(RawTrailFile)
_ISSUER_FILE_DECODER = msgspec.json.Decoder(IssuerFile)
_ISSUER_DECODER = msgspec.json.Decoder(IssuerOnly)
_LOOKUP_DECODER = msgspec.json.Decoder(LookupFile)
_LIST_DECODER = msgspec.json.Decoder(list[Record])
# A record boundary inside ``[...]`` is ``}`` then ``,`` then ``{`` (or ``]``). Nested
# objects and braces inside strings make false candidates; those fail to decode (they
# leave a bracket or a string open) and the splitter moves on to the next one.
_BOUNDARY = re.compile(rb"\}\s*(?:,\s*(?=\{)|\])")
_ARRAY_START = re.compile(rb'^\s*\{\s*"(Records|Events)"\s*:\s*\[\s*')
# ``aws cloudtrail get-query-results`` (Lake) may list QueryStatus/QueryStatistics first.
_LAKE_START = re.compile(rb'^\s*\{[^\[]*"QueryResultRows"\s*:')


@dataclass(slots=True)
class FileStats:
    """Counters and findings of one scan; merged across files and workers."""

    files: int = 0
    bytes: int = 0
    records: int = 0
    matched: int = 0
    outside_window: int = 0
    malformed: int = 0
    prefiltered_files: int = 0
    duplicates: int = 0  # records of the role already counted (same eventID)
    findings: list[Finding] = field(default_factory=list)

    def add(self, other: FileStats) -> None:
        """Fold another scan's counters and findings into this one."""
        self.files += other.files
        self.bytes += other.bytes
        self.records += other.records
        self.matched += other.matched
        self.outside_window += other.outside_window
        self.malformed += other.malformed
        self.prefiltered_files += other.prefiltered_files
        self.duplicates += other.duplicates
        self.findings.extend(other.findings)


class _Invalid(Exception):
    """A document that is not valid JSON as a whole; its complete records may still be."""


class _Damaged(Exception):
    """Decompression failed part-way; what was read before stays usable."""


class _Gunzip:
    """Incremental gzip decompression (ISA-L) that keeps everything before damage.

    ``gzip.GzipFile`` raises on a truncated stream and loses the data of the failing read;
    a decompress object hands out what it could decode, so a cut file still yields its
    complete records. Concatenated members (allowed by gzip) are followed.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._inflate = isal_zlib.decompressobj(wbits=31)
        self._pending = b""
        self._in_member = False
        self.damage = ""

    def read(self, size: int) -> bytes:
        """Up to about ``size`` decompressed bytes; ``b""`` at the end or after damage."""
        out: list[bytes] = []
        have = 0
        while have < size and not self.damage:
            data = self._pending or self._raw.read(CHUNK // 4)
            self._pending = b""
            if not data:
                if self._in_member:
                    self.damage = "compressed stream ended before its end marker"
                break
            self._in_member = True
            try:
                # Bounded output: a highly compressed member (or a gzip bomb) cannot
                # inflate past what was asked for.
                piece = self._inflate.decompress(data, size - have)
            except Exception as exc:  # IsalError: corrupt deflate data
                self.damage = str(exc) or "corrupt deflate data"
                break
            self._pending = self._inflate.unconsumed_tail
            out.append(piece)
            have += len(piece)
            if self._inflate.eof:
                rest = self._inflate.unused_data
                self._inflate = isal_zlib.decompressobj(wbits=31)
                self._in_member = False
                if rest.lstrip(b"\x00"):
                    self._pending = rest + self._pending
        return b"".join(out)

    def close(self) -> None:
        """Close the underlying file."""
        self._raw.close()


def _open(raw: IO[bytes]) -> tuple[IO[bytes], bool]:
    """The decompressed stream of a binary file object (peekable or seekable)."""
    peek = getattr(raw, "peek", None)
    if peek is not None:
        magic = bytes(peek(2)[:2])
    else:
        magic = raw.read(2)
        raw.seek(0)
    if magic == b"\x1f\x8b":
        return _Gunzip(raw), True  # type: ignore[return-value]
    return raw, False


def _read(stream: IO[bytes], size: int) -> bytes:
    try:
        data = stream.read(size)
    except OSError as exc:
        raise _Damaged(str(exc) or type(exc).__name__) from exc
    damage = getattr(stream, "damage", "")
    if damage and not data:
        raise _Damaged(damage)
    return data


def scan(label: str, raw: IO[bytes], matcher: Matcher, stats: FileStats) -> Iterator[Record]:
    """Yield the records of ``raw`` made by the role in the window; count the rest.

    ``label`` names the input in findings (a path or an ``s3://`` URL).
    """
    stats.files += 1
    try:
        stream, compressed = _open(raw)
    except OSError as exc:
        stats.findings.append(codes.finding(label, codes.UNREADABLE, f"cannot read: {exc}"))
        return
    pieces: list[bytes] = []
    size = 0
    damage = ""
    eof = False
    try:
        while size <= WHOLE_LIMIT:
            chunk = _read(stream, CHUNK)
            if not chunk:
                eof = True
                break
            pieces.append(chunk)
            size += len(chunk)
    except _Damaged as exc:
        damage, eof = str(exc), True
    stats.bytes += size
    if eof and not damage:
        yield from _whole(label, b"".join(pieces), matcher, stats)
        return
    if not eof:
        stats.findings.append(
            codes.finding(
                label,
                codes.LARGE_INPUT,
                f"more than {WHOLE_LIMIT / 2**20:g} MiB decompressed: read in batches",
                Severity.NOTE,
            )
        )
    before = stats.records
    tail = _Tail(None if eof else stream, stats, pieces)
    yield from _streamed(label, tail, matcher, stats)
    if tail.damage:
        damage = tail.damage
    if damage:
        kind = "compressed stream" if compressed else "file"
        stats.findings.append(
            codes.finding(
                label,
                codes.CORRUPT_COMPRESSION,
                f"{kind} is truncated or corrupt ({damage}); kept the "
                f"{stats.records - before} complete records before the damage",
            )
        )


@dataclass(slots=True)
class _Tail:
    """The input not decoded yet: chunks already read, then the rest of the stream."""

    stream: IO[bytes] | None
    stats: FileStats
    pending: list[bytes] = field(default_factory=list)
    damage: str = ""

    def more(self) -> bytes:
        """The next chunk; ``b""`` at the end or once damage was met (kept in ``damage``)."""
        if self.pending:
            return self.pending.pop(0)
        if self.stream is None or self.damage:
            return b""
        try:
            chunk = _read(self.stream, CHUNK)
        except _Damaged as exc:
            self.damage = str(exc)
            return b""
        self.stats.bytes += len(chunk)
        return chunk


def _accept(record: Record, matcher: Matcher, stats: FileStats) -> bool:
    stats.records += 1
    if not record.is_complete():
        stats.malformed += 1
        return False
    if not matcher.is_session(record):
        return False
    if not matcher.window.contains(record.eventTime or ""):
        stats.outside_window += record.count
        return False
    stats.matched += record.count
    return True


def _accept_all(records: list[Record], matcher: Matcher, stats: FileStats) -> Iterator[Record]:
    """:func:`_accept` over a decoded file, with the role test first (the hot loop).

    Most records of a trail are other principals'; they cost one attribute walk and one
    dict lookup here. Records that are not the role's are still checked for the fields
    every record must have, so malformed input is counted wherever it is.
    """
    stats.records += len(records)
    known = matcher.issuers
    is_role = matcher.is_role
    session = matcher.session_name
    window = matcher.window
    for record in records:
        ident = record.userIdentity
        if not (record.eventTime and record.eventSource and record.eventName and ident):
            stats.malformed += 1
            continue
        context = ident.sessionContext
        issuer = context.sessionIssuer if context is not None else None
        if issuer is None:
            continue
        arn = issuer.arn or ""
        mine = known.get(arn)
        if not (is_role(arn) if mine is None else mine):
            continue
        if session and record.session_name != session:
            continue
        if not window.contains(record.eventTime):
            stats.outside_window += record.count
            continue
        stats.matched += record.count
        yield record


def _not_cloudtrail(label: str, why: str) -> Finding:
    return codes.finding(label, codes.NOT_CLOUDTRAIL, f"not CloudTrail records: {why}")


def _whole(label: str, data: bytes, matcher: Matcher, stats: FileStats) -> Iterator[Record]:
    head = data[:256].lstrip()
    if not head:
        return  # an empty file holds no records; CloudTrail never writes one, exports may
    shape = _ARRAY_START.match(data[:256])
    if head[:1] == b"{" and shape is not None:
        if not matcher.may_match(data):
            stats.prefiltered_files += 1
            return
        try:
            document = _decode_document(label, data, shape.group(1), matcher, stats)
        except _Invalid as exc:
            before = stats.records
            yield from _streamed(label, _Tail(None, stats, [data]), matcher, stats)
            stats.findings.append(
                codes.finding(
                    label,
                    codes.NOT_CLOUDTRAIL,
                    f"invalid JSON ({exc}); kept the {stats.records - before} complete "
                    "records before the error",
                )
            )
            return
        records: Iterable[Record] = document
    elif head[:1] == b"{" and _LAKE_START.match(data[:256]):
        records = iter_lake_records(label, data, stats.findings)
    elif head[:1] in (b"{", b"["):
        records = _decode_lines_or_list(label, data, stats)
    else:
        records = iter_csv_records(label, data, stats.findings)
    if isinstance(records, list):
        yield from _accept_all(records, matcher, stats)
        return
    for record in records:
        if _accept(record, matcher, stats):
            yield record


def _decode_document(
    label: str, data: bytes, kind: bytes, matcher: Matcher, stats: FileStats
) -> list[Record]:
    """The records of a whole ``{"Records": [...]}`` or ``{"Events": [...]}`` document.

    Delivered files are split into raw records (a structural parse, no objects built) and
    only records that can name the role are decoded; the others are just counted.
    """
    try:
        if kind == b"Events":
            return _lookup_records(_LOOKUP_DECODER.decode(data), stats)
        raws = _RAW_FILE_DECODER.decode(data).Records
    except msgspec.ValidationError as exc:
        what = "lookup-events output of an unknown shape" if kind == b"Events" else "'Records'"
        stats.findings.append(_not_cloudtrail(label, f"{what} is not a list of records ({exc})"))
        return []
    except msgspec.DecodeError as exc:
        raise _Invalid(str(exc)) from exc
    try:
        # One more structural pass that builds only the issuer of each record, in order.
        issuers = [item.issuer_arn for item in _ISSUER_FILE_DECODER.decode(data).Records]
    except (msgspec.DecodeError, msgspec.ValidationError):
        issuers = None  # some record is odd: judge them one by one
    return _candidates(raws, matcher, stats, issuers)


def _issuer(raw: msgspec.Raw) -> str | None:
    """The issuer ARN of one raw record; None when the record does not decode as one."""
    try:
        return _ISSUER_DECODER.decode(raw).issuer_arn
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _candidates(
    raws: list[msgspec.Raw],
    matcher: Matcher,
    stats: FileStats,
    issuers: list[str] | None = None,
) -> list[Record]:
    """Decode the raw records the role may have made; count the others.

    The test is the role test itself (account and name, case-insensitive) on the issuer
    alone, cached per issuer ARN; a record whose issuer cannot be read is decoded in full
    (and counted as malformed there if it is).
    """
    known = matcher.issuers
    is_role = matcher.is_role
    arns: list[str] | list[str | None] = (
        issuers
        if issuers is not None and len(issuers) == len(raws)
        else [_issuer(raw) for raw in raws]
    )
    hits = []
    for raw, arn in zip(raws, arns, strict=True):
        if arn is None:
            hits.append(raw)
            continue
        mine = known.get(arn)
        if is_role(arn) if mine is None else mine:
            hits.append(raw)
    stats.records += len(raws) - len(hits)
    return _decode_each(hits, stats)


def _lookup_records(doc: LookupFile, stats: FileStats) -> list[Record]:
    out: list[Record] = []
    for event in doc.Events:
        try:
            out.append(_RECORD_DECODER.decode(event.CloudTrailEvent or ""))
        except msgspec.DecodeError:
            stats.records += 1
            stats.malformed += 1
    return out


def _decode_lines_or_list(label: str, data: bytes, stats: FileStats) -> list[Record]:
    if data.lstrip()[:1] == b"[":
        try:
            return _LIST_DECODER.decode(data)
        except msgspec.DecodeError as exc:
            stats.findings.append(_not_cloudtrail(label, f"invalid JSON array ({exc})"))
            return []
    out: list[Record] = []
    bad_lines: list[int] = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(_RECORD_DECODER.decode(line))
        except msgspec.DecodeError:
            bad_lines.append(number)
    if bad_lines:
        if not out:
            stats.findings.append(_not_cloudtrail(label, "no line is a JSON record"))
        else:
            stats.findings.append(
                codes.finding(
                    label,
                    codes.NOT_CLOUDTRAIL,
                    f"{len(bad_lines)} lines are not JSON records (first at line "
                    f"{bad_lines[0]}); the other {len(out)} were read",
                    line=bad_lines[0],
                )
            )
    return out


def _streamed(label: str, tail: _Tail, matcher: Matcher, stats: FileStats) -> Iterator[Record]:
    """Decode a big or damaged input batch by batch, memory bounded by a few batches.

    A batch ends at a candidate record boundary (``}`` then ``,{`` or ``]``) and is decoded
    as one JSON array; a candidate inside a string or a nested object leaves the array
    unbalanced, fails to decode, and the previous candidate is tried. A record bigger than
    a batch is found candidate by candidate.
    """
    data = tail.more()
    shape = _ARRAY_START.match(data[:256])
    if shape is None:
        yield from _streamed_lines(label, data, tail, matcher, stats)
        return
    lookup = shape.group(1) == b"Events"
    data = data[shape.end() :]
    start = 0
    eof = False
    while True:
        while not eof and len(data) - start < 2 * BATCH:
            more = tail.more()
            if not more:
                eof = True
                break
            data = data[start:] + more
            start = 0
        if not data[start:].strip():
            return
        candidates = list(_BOUNDARY.finditer(data, start, min(len(data), start + BATCH)))
        found = None
        for match in reversed(candidates[-4:]):
            records = _batch(data[start : match.start() + 1], lookup, matcher, stats)
            if records is not None:
                found = match, records
                break
        if found is None:
            # One record bigger than a batch, or a batch of false candidates only.
            scan_from = start
            while found is None:
                next_match = _BOUNDARY.search(data, scan_from)
                if next_match is None:
                    if len(data) - start > MAX_RECORD:
                        stats.findings.append(
                            codes.finding(
                                label,
                                codes.OVERSIZED_RECORD,
                                f"a record exceeds {MAX_RECORD // 2**20} MiB; the rest of "
                                "the file was not read",
                            )
                        )
                        return
                    more = b"" if eof else tail.more()
                    if not more:
                        return  # a partial last record: the damage is reported by the caller
                    data = data[start:] + more
                    scan_from -= start
                    start = 0
                    continue
                scan_from = next_match.end()
                records = _batch(data[start : next_match.start() + 1], lookup, matcher, stats)
                if records is not None:
                    found = next_match, records
        match, records = found
        yield from _accept_all(records, matcher, stats)
        start = match.end()
        if data[match.start() : match.end()].rstrip().endswith(b"]"):
            return


_RAW_LIST_DECODER = msgspec.json.Decoder(list[msgspec.Raw])
_LOOKUP_LIST_DECODER = msgspec.json.Decoder(list[LookupEvent])


def _batch(body: bytes, lookup: bool, matcher: Matcher, stats: FileStats) -> list[Record] | None:
    """The records of ``body`` (array elements without brackets), None if it is cut short.

    Only text that is not whole JSON means "not a boundary"; a whole element of the wrong
    shape is a real (malformed) record, counted, so it can never glue later records to it.
    Batches that cannot hold the role are only checked and counted.
    """
    wrapped = b"[" + body + b"]"
    try:
        if not lookup:
            raws = _RAW_LIST_DECODER.decode(wrapped)
            return _candidates(raws, matcher, stats)
        events = _LOOKUP_LIST_DECODER.decode(wrapped)
        texts = [event.CloudTrailEvent or "" for event in events]
    except msgspec.ValidationError:
        # A lookup item of the wrong shape: decode one by one to keep the others.
        try:
            raws = _RAW_LIST_DECODER.decode(wrapped)
        except msgspec.DecodeError:
            return None
        items = [_lookup_text(raw) for raw in raws]
        texts = [t for t in items if t is not None]
        stats.records += len(items) - len(texts)
        stats.malformed += len(items) - len(texts)
    except msgspec.DecodeError:
        return None
    return _decode_each(texts, stats)


def _lookup_text(raw: msgspec.Raw) -> str | None:
    try:
        event: LookupEvent = msgspec.json.decode(raw, type=LookupEvent)
    except msgspec.DecodeError:
        return None
    return event.CloudTrailEvent


def _decode_each(items: Sequence[msgspec.Raw | str], stats: FileStats) -> list[Record]:
    out: list[Record] = []
    for item in items:
        try:
            out.append(_RECORD_DECODER.decode(item))
        except msgspec.DecodeError:
            stats.records += 1
            stats.malformed += 1
    return out


def _streamed_lines(
    label: str, first: bytes, tail: _Tail, matcher: Matcher, stats: FileStats
) -> Iterator[Record]:
    pending = first
    bad = 0
    while True:
        more = tail.more()
        lines = (pending + more).split(b"\n")
        pending = lines.pop() if more else b""
        for line in lines:
            if not line.strip():
                continue
            try:
                record = _RECORD_DECODER.decode(line)
            except msgspec.DecodeError:
                bad += 1
                continue
            if _accept(record, matcher, stats):
                yield record
        if not more:
            break
        if len(pending) > MAX_RECORD:
            stats.findings.append(
                codes.finding(label, codes.OVERSIZED_RECORD, "a line exceeds the record limit")
            )
            return
    if bad:
        stats.findings.append(
            codes.finding(label, codes.NOT_CLOUDTRAIL, f"{bad} lines are not JSON records")
        )
