"""Tabular exports (CSV from Lake or Athena, Lake's get-query-results JSON) as records.

The header names the columns; names are matched case-insensitively, with the spellings
Lake and Athena use (``eventSource`` / ``eventsource``, nested ``userIdentity...`` paths
flattened with dots). Rows already aggregated by a query carry ``count``, ``first_seen``
and ``last_seen``; raw rows count once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping

import msgspec

from least_priv.model import Finding
from least_priv.trail import codes
from least_priv.trail.records import Identity, Issuer, Record, SessionContext, TrailResource

_ALIASES: dict[str, tuple[str, ...]] = {
    "eventTime": ("eventtime", "event_time"),
    "eventSource": ("eventsource", "event_source"),
    "eventName": ("eventname", "event_name"),
    "eventType": ("eventtype", "event_type"),
    "awsRegion": ("awsregion", "aws_region", "region"),
    "recipientAccountId": ("recipientaccountid", "recipient_account_id", "account"),
    "errorCode": ("errorcode", "error_code"),
    "errorMessage": ("errormessage", "error_message"),
    "issuer": (
        "useridentity.sessioncontext.sessionissuer.arn",
        "sessionissuer.arn",
        "sessionissuerarn",
        "issuer_arn",
        "role_arn",
    ),
    "identityArn": ("useridentity.arn", "useridentity_arn", "principal_arn"),
    "requestParameters": ("requestparameters", "request_parameters"),
    "resources": ("resources", "resource_arns"),
    "count": ("count", "n", "event_count"),
    "first_seen": ("first_seen", "firstseen"),
    "last_seen": ("last_seen", "lastseen"),
}
_REQUIRED = ("eventSource", "eventName", "issuer")


def _columns(header: list[str]) -> dict[str, int]:
    lowered = {name.strip().lower(): i for i, name in enumerate(header)}
    out: dict[str, int] = {}
    for field, spellings in _ALIASES.items():
        for spelling in spellings:
            if spelling in lowered:
                out[field] = lowered[spelling]
                break
    return out


def _resources(text: str) -> list[TrailResource] | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("["):
        try:
            items = msgspec.json.decode(text)
        except msgspec.DecodeError:
            return None
        return [
            TrailResource(ARN=item.get("ARN") or item.get("arn"), type=item.get("type"))
            for item in items
            if isinstance(item, dict)
        ]
    return [TrailResource(ARN=arn) for arn in text.split() if arn.startswith("arn:")]


def record_from_row(row: Mapping[str, str]) -> Record:
    """A record from a row keyed by the field names of ``_ALIASES`` (missing → empty)."""
    issuer = row.get("issuer") or ""
    ident_arn = row.get("identityArn") or ""
    identity = Identity(
        type="AssumedRole" if issuer else None,
        arn=ident_arn or None,
        sessionContext=SessionContext(Issuer(issuer)) if issuer else None,
    )
    params = (row.get("requestParameters") or "").strip()
    count_text = (row.get("count") or "").strip()
    first = row.get("first_seen") or None
    last = row.get("last_seen") or None
    return Record(
        eventTime=row.get("eventTime") or first or last,
        eventSource=row.get("eventSource") or None,
        eventName=row.get("eventName") or None,
        eventType=row.get("eventType") or None,
        awsRegion=row.get("awsRegion") or None,
        recipientAccountId=row.get("recipientAccountId") or None,
        errorCode=row.get("errorCode") or None,
        errorMessage=row.get("errorMessage") or None,
        userIdentity=identity,
        requestParameters=msgspec.Raw(params.encode() if params else b"null"),
        resources=_resources(row.get("resources") or ""),
        count=int(count_text) if count_text.isdigit() else 1,
        first_seen=first,
        last_seen=last,
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


def iter_lake_records(label: str, data: bytes, findings: list[Finding]) -> Iterator[Record]:
    """Records of ``aws cloudtrail get-query-results`` output (CloudTrail Lake).

    Each row is a list of one-key objects, ``[{"eventSource": "s3.amazonaws.com"}, ...]``,
    keyed by the column names of the query (matched like CSV headers).
    """
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        findings.append(codes.finding(label, codes.NOT_CLOUDTRAIL, f"invalid JSON ({exc})"))
        return
    rows = document.get("QueryResultRows") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        findings.append(codes.finding(label, codes.NOT_CLOUDTRAIL, "no QueryResultRows list"))
        return
    reported = False
    for row in rows:
        cells: dict[str, object] = {}
        for cell in row if isinstance(row, list) else ():
            if isinstance(cell, dict):
                cells.update(cell)
        columns = _columns(list(cells))
        if any(name not in columns for name in _REQUIRED):
            if not reported:
                findings.append(_missing_columns(label, columns))
                reported = True
            continue
        names = list(cells)
        yield record_from_row({field: _text(cells[names[i]]) for field, i in columns.items()})


def _missing_columns(label: str, columns: dict[str, int]) -> Finding:
    missing = [name for name in _REQUIRED if name not in columns]
    return codes.finding(
        label,
        codes.NOT_CLOUDTRAIL,
        "not a CloudTrail export with eventsource, eventname and the session issuer ARN "
        "columns (missing: " + ", ".join(missing) + ")",
    )


def iter_csv_records(label: str, data: bytes, findings: list[Finding]) -> Iterator[Record]:
    """Records of a CSV export; a header without the needed columns is one finding."""
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    columns = _columns(header or [])
    if any(name not in columns for name in _REQUIRED):
        findings.append(_missing_columns(label, columns))
        return
    for row in reader:
        if not row:
            continue
        values = {field: row[i] if i < len(row) else "" for field, i in columns.items()}
        yield record_from_row(values)
