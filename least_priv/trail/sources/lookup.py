"""``lookup-events``: the LookupEvents API (management events of one region, 90 days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import msgspec

from least_priv.model import Finding
from least_priv.trail import codes
from least_priv.trail.engine import ScanSpec
from least_priv.trail.identity import parse_role
from least_priv.trail.records import Record

SOURCE = "lookup-events"
_DECODER = msgspec.json.Decoder(Record)


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def lookup_records(
    spec: ScanSpec, findings: list[Finding], client: Any | None = None
) -> Iterator[Record]:
    """Records from LookupEvents in the window.

    LookupEvents filters on one attribute; the role's session name is the ``Username`` of
    its events, so a session name (Lambda: the function name) narrows the call server
    side. The role itself is checked on every record by the caller.
    """
    if client is None:
        from least_priv import aws

        client = aws.client(
            "cloudtrail", profile=spec.profile, region=spec.region, endpoint_url=spec.endpoint_url
        )
    session = spec.session_name or parse_role(spec.role_arn)[2]
    kwargs: dict[str, Any] = {
        "StartTime": _moment(spec.window.since),
        "EndTime": _moment(spec.window.until),
    }
    if session:
        kwargs["LookupAttributes"] = [{"AttributeKey": "Username", "AttributeValue": session}]
    bad = 0
    try:
        for page in client.get_paginator("lookup_events").paginate(**kwargs):
            for event in page.get("Events", []):
                try:
                    yield _DECODER.decode(event.get("CloudTrailEvent") or "")
                except msgspec.DecodeError:
                    bad += 1
    except Exception as exc:  # botocore errors: one finding, the run goes on
        from least_priv import aws

        findings.append(codes.finding(SOURCE, codes.LIVE_SOURCE_FAILED, aws.error_text(exc)))
    if bad:
        findings.append(
            codes.finding(SOURCE, codes.MALFORMED_RECORDS, f"{bad} events had no readable record")
        )
