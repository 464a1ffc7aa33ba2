"""``athena://WORKGROUP/DATABASE.TABLE``: let Athena scan an organisation's trail.

The tool writes one aggregate query (partition-pruned by day, region and account,
filtered by role, grouped to distinct call/resource/error with counts and first/last
seen), runs it, and maps the few result rows like records. Terabytes stay in S3.

The SQL sticks to what Athena (Trino) and DuckDB both run, so tests execute the very same
text on DuckDB over the records (``tests/trail/test_athena.py``); the one difference,
``json_extract_scalar``, is a DuckDB macro in the test.

URL options (query string): ``output=s3://bucket/prefix/`` (query results location when
the workgroup has none), ``partitions=timestamp,region,account`` (the table's partition
columns; ``timestamp`` is the ``yyyy/MM/dd`` string of AWS's partition-projection DDL,
``none`` for an unpartitioned table).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import msgspec

from least_priv.model import Finding
from least_priv.trail import codes
from least_priv.trail.engine import ScanSpec
from least_priv.trail.errors import TrailUsageError
from least_priv.trail.identity import parse_role
from least_priv.trail.layout import GLOBAL_REGION
from least_priv.trail.records import Record
from least_priv.trail.tabular import record_from_row

# requestParameters keys (CloudTrail spelling) that name the resource of common calls;
# ``key`` is reduced to its folder in SQL, like mapping.collapse_object_key does locally.
RESOURCE_KEYS = (
    "bucketName",
    "key",
    "tableName",
    "functionName",
    "queueUrl",
    "topicArn",
    "targetArn",
    "secretId",
    "name",
    "keyId",
    "streamName",
    "deliveryStreamName",
    "logGroupName",
    "stateMachineArn",
    "roleArn",
    "eventBusName",
    "modelId",
)
RESOURCE_SLOTS = 3
KNOWN_PARTITIONS = ("timestamp", "region", "account")


class AthenaUrlError(TrailUsageError):
    """An ``athena://`` source that does not name a workgroup and a table."""


@dataclass(frozen=True, slots=True)
class AthenaTarget:
    """Where the query runs: workgroup, database, table, output location, partitions."""

    workgroup: str
    database: str
    table: str
    output: str | None = None
    partitions: tuple[str, ...] = ("timestamp",)

    @staticmethod
    def parse(url: str) -> AthenaTarget:
        """Read ``athena://WORKGROUP/DATABASE.TABLE[?output=...&partitions=...]``."""
        parsed = urlparse(url)
        database, _, table = parsed.path.lstrip("/").partition(".")
        if parsed.scheme != "athena" or not parsed.netloc or not database or not table:
            raise AthenaUrlError(f"expected athena://WORKGROUP/DATABASE.TABLE, got {url!r}")
        query = parse_qs(parsed.query)
        parts_text = query.get("partitions", ["timestamp"])[0]
        partitions = () if parts_text == "none" else tuple(p for p in parts_text.split(",") if p)
        unknown = [p for p in partitions if p not in KNOWN_PARTITIONS]
        if unknown:
            raise AthenaUrlError(f"unknown partition columns {unknown}; known: {KNOWN_PARTITIONS}")
        return AthenaTarget(
            parsed.netloc, database, table, query.get("output", [None])[0], partitions
        )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def object_key_sql(value: str) -> str:
    """``mapping.collapse_object_key`` in SQL: the folder, ``*``, then the extension."""
    return (
        f"regexp_replace({value}, '[^/]*$', '') || '*' || "
        f"COALESCE(regexp_extract({value}, '\\.[A-Za-z0-9]{{1,10}}$'), '')"
    )


def build_sql(
    target: AthenaTarget,
    spec: ScanSpec,
    *,
    days: list[str],
    account: str | None = None,
    region: str | None = None,
) -> str:
    """The aggregate query for the role in the window (deterministic text)."""
    role_account, role_name, session = parse_role(spec.role_arn)
    session = spec.session_name or session
    issuer = "useridentity.sessioncontext.sessionissuer.arn"
    columns = [
        "eventsource",
        "eventname",
        "awsregion",
        "recipientaccountid",
        "errorcode",
        f"{issuer} AS issuer_arn",
    ]
    if session:
        columns.append("useridentity.arn AS identity_arn")
    for i in range(1, RESOURCE_SLOTS + 1):
        columns.append(
            f"CASE WHEN cardinality(resources) >= {i} THEN resources[{i}].arn END AS resource_{i}"
        )
    for key in RESOURCE_KEYS:
        value = f"json_extract_scalar(requestparameters, '$.{key}')"
        if key == "key":
            value = object_key_sql(value)
        columns.append(f"{value} AS p_{key.lower()}")
    grouped = len(columns)
    columns += [
        # An event delivered by two trails (organisation + account) is one event.
        "COUNT(DISTINCT eventid) + COUNT(*) - COUNT(eventid) AS event_count",
        "MIN(eventtime) AS first_seen",
        "MAX(eventtime) AS last_seen",
    ]
    where: list[str] = []
    if "timestamp" in target.partitions:
        where.append(f'"timestamp" BETWEEN {_quote(days[0])} AND {_quote(days[-1])}')
    if "region" in target.partitions and region:
        regions = sorted({region, GLOBAL_REGION})
        where.append("region IN (" + ", ".join(_quote(r) for r in regions) + ")")
    if "account" in target.partitions:
        where.append(f"account = {_quote(account or role_account)}")
    where += [
        f"eventtime >= {_quote(spec.window.since)}",
        f"eventtime < {_quote(spec.window.until)}",
        # The role's path is unknown and IAM role names ignore case: match any path in any
        # case, then check exactly on the rows.
        f"lower({issuer}) LIKE {_quote(f'arn:%:iam::{role_account}:role/%{role_name}'.lower())}",
    ]
    if session:
        where.append(f"useridentity.arn LIKE {_quote('%/' + session)}")
    table = f"{_ident(target.database)}.{_ident(target.table)}"
    lines = [
        f"-- least-priv: observed usage of {spec.role_arn}",
        f"-- window [{spec.window.since}, {spec.window.until})",
        "SELECT " + ",\n       ".join(columns),
        f"FROM {table}",
        "WHERE " + "\n  AND ".join(where),
        "GROUP BY " + ", ".join(str(i) for i in range(1, grouped + 1)),
        "ORDER BY " + ", ".join(str(i) for i in range(1, grouped + 1)),
    ]
    return "\n".join(lines)


def row_to_record(row: dict[str, str | None]) -> Record:
    """One result row of :func:`build_sql` as an aggregated record."""
    params = {key: row[f"p_{key.lower()}"] for key in RESOURCE_KEYS if row.get(f"p_{key.lower()}")}
    resources = " ".join(
        str(row[f"resource_{i}"]) for i in range(1, RESOURCE_SLOTS + 1) if row.get(f"resource_{i}")
    )
    fields = {
        "eventSource": row.get("eventsource"),
        "eventName": row.get("eventname"),
        "awsRegion": row.get("awsregion"),
        "recipientAccountId": row.get("recipientaccountid"),
        "errorCode": row.get("errorcode"),
        "issuer": row.get("issuer_arn"),
        "identityArn": row.get("identity_arn"),
        "requestParameters": msgspec.json.encode(params).decode() if params else "",
        "resources": resources,
        "count": str(row.get("event_count") or "1"),
        "first_seen": row.get("first_seen"),
        "last_seen": row.get("last_seen"),
    }
    return record_from_row({k: v or "" for k, v in fields.items()})


def run_query(
    client: Any, target: AthenaTarget, sql: str, *, poll: float = 0.5, timeout: float = 1800.0
) -> Iterator[dict[str, str | None]]:
    """Run ``sql`` and yield result rows as dicts (header row consumed).

    Raises ``RuntimeError`` when the query fails or times out (the caller reports it).
    """
    kwargs: dict[str, Any] = {
        "QueryString": sql,
        "WorkGroup": target.workgroup,
        "QueryExecutionContext": {"Database": target.database},
    }
    if target.output:
        kwargs["ResultConfiguration"] = {"OutputLocation": target.output}
    query_id = client.start_query_execution(**kwargs)["QueryExecutionId"]
    deadline = time.monotonic() + timeout
    while True:
        status = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            break
        if state in ("FAILED", "CANCELLED"):
            raise RuntimeError(
                f"Athena query {query_id} {state}: {status.get('StateChangeReason', '')}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"Athena query {query_id} still {state} after {timeout:.0f}s")
        time.sleep(poll)
        poll = min(poll * 1.5, 5.0)
    header: list[str] | None = None
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        for row in page["ResultSet"]["Rows"]:
            values = [cell.get("VarCharValue") for cell in row["Data"]]
            if header is None:
                header = [str(v or "").lower() for v in values]
                continue
            yield dict(zip(header, values, strict=False))


def athena_records(
    url: str,
    spec: ScanSpec,
    findings: list[Finding],
    *,
    days: list[str],
    account: str | None,
    client: Any | None = None,
) -> Iterator[Record]:
    """Records (aggregated rows) from Athena for the role in the window."""
    try:
        target = AthenaTarget.parse(url)
    except AthenaUrlError as exc:
        findings.append(codes.finding(url, codes.UNREADABLE, str(exc)))
        return
    sql = build_sql(target, spec, days=days, account=account, region=spec.region)
    from least_priv import aws

    try:
        if client is None:
            client = aws.client(
                "athena", profile=spec.profile, region=spec.region, endpoint_url=spec.endpoint_url
            )
        rows = list(run_query(client, target, sql))
    except Exception as exc:  # botocore errors and failed queries: one finding
        findings.append(codes.finding(url, codes.LIVE_SOURCE_FAILED, aws.error_text(exc)))
        return
    for row in rows:
        yield row_to_record(row)
