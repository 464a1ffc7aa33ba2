"""athena://: the generated SQL, run on DuckDB over the same records, and the request shape
against moto's Athena (whose results are the DuckDB rows)."""

from __future__ import annotations

import gzip
import json
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from least_priv.trail import observe
from least_priv.trail.aggregate import Tally
from least_priv.trail.engine import ScanSpec
from least_priv.trail.identity import Matcher
from least_priv.trail.mapping import EventMapper, collapse_object_key
from least_priv.trail.sources.athena import (
    AthenaTarget,
    AthenaUrlError,
    build_sql,
    object_key_sql,
    row_to_record,
)
from least_priv.trail.window import Window

from .conftest import MERGE_DYNAMIC

ROLE = "arn:aws:iam::123456789012:role/report-exporter-role"
TRAIL = MERGE_DYNAMIC / "trail"
WINDOW = Window.parse("2026-03-01", "2026-03-03")
DAYS = [f"{d:%Y/%m/%d}" for d in WINDOW.delivery_days()]
URL = "athena://primary/cloudtrail_db.trail?partitions=timestamp,region,account"

# The columns of AWS's documented CloudTrail table (lower case, requestparameters as text).
SCHEMA = {
    "eventversion": "VARCHAR",
    "useridentity": "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR,"
    " sessioncontext STRUCT(sessionissuer STRUCT(type VARCHAR, principalid VARCHAR,"
    " arn VARCHAR, accountid VARCHAR, username VARCHAR)))",
    "eventtime": "VARCHAR",
    "eventid": "VARCHAR",
    "eventsource": "VARCHAR",
    "eventname": "VARCHAR",
    "awsregion": "VARCHAR",
    "errorcode": "VARCHAR",
    "errormessage": "VARCHAR",
    "requestparameters": "VARCHAR",
    "resources": "STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]",
    "recipientaccountid": "VARCHAR",
    "region": "VARCHAR",
    "account": "VARCHAR",
    "timestamp": "VARCHAR",
}


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


def _athena_rows() -> list[dict[str, Any]]:
    """The fixture trail as rows of the Athena table, partition columns from the path."""
    rows = []
    for path in sorted(TRAIL.rglob("*.json*")):
        if "CloudTrail-Digest" in str(path):
            continue
        data = path.read_bytes()
        records = json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)["Records"]
        parts = path.relative_to(TRAIL).parts  # AWSLogs/acct/CloudTrail/region/Y/M/D/file
        for rec in records:
            row = {k: _lower(v) for k, v in ((k.lower(), v) for k, v in rec.items())}
            row["requestparameters"] = json.dumps(rec.get("requestParameters"))
            row.update(region=parts[3], account=parts[1], timestamp="/".join(parts[4:7]))
            rows.append({k: row.get(k) for k in SCHEMA})
    return rows


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path: Path = tmp_path_factory.mktemp("athena") / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _athena_rows()))
    con = duckdb.connect()
    # The one dialect difference: Trino's json_extract_scalar is json_extract_string here.
    con.execute("CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)")
    con.execute("CREATE SCHEMA cloudtrail_db")
    columns = ", ".join(f"'{k}': '{v}'" for k, v in SCHEMA.items())
    con.execute(
        f"CREATE TABLE cloudtrail_db.trail AS SELECT * FROM read_json('{path}', "
        f"format='newline_delimited', columns={{{columns}}})"
    )
    return con


def _sql(**kwargs: Any) -> str:
    spec = ScanSpec(ROLE, WINDOW, kwargs.pop("session_name", "report-exporter"))
    return build_sql(AthenaTarget.parse(URL), spec, days=DAYS, region="eu-west-1", **kwargs)


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _tally(rows: list[dict[str, Any]]) -> Tally:
    tally = Tally()
    mapper = EventMapper()
    matcher = Matcher.build(ROLE, WINDOW)
    for row in rows:
        record = row_to_record({k: None if v is None else str(v) for k, v in row.items()})
        if matcher.is_session(record):
            tally.add_record(record, mapper)
    return tally


def test_sql_is_partition_pruned_and_filtered_by_role() -> None:
    sql = _sql()
    assert "\"timestamp\" BETWEEN '2026/03/01' AND '2026/03/04'" in sql
    assert "region IN ('eu-west-1', 'us-east-1')" in sql
    assert "account = '123456789012'" in sql
    assert "lower(useridentity.sessioncontext.sessionissuer.arn) LIKE " in sql
    assert "LIKE 'arn:%:iam::123456789012:role/%report-exporter-role'" in sql
    assert "LIKE '%/report-exporter'" in sql
    assert sql == _sql(), "same input, same SQL"


def test_duckdb_result_equals_the_embedded_engine(duck: duckdb.DuckDBPyConnection) -> None:
    rows = _run(duck, _sql())
    tally = _tally(rows)
    local = observe(
        [str(TRAIL)],
        role_arn=ROLE,
        session_name="report-exporter",
        since="2026-03-01",
        until="2026-03-03",
        progress=False,
    )
    used = {(p.action, p.resource): p.provenance[0] for p in local.permissions}
    assert {k: (v.count, v.first, v.last) for k, v in tally.used.items()} == {
        k: (v.count, v.first_seen, v.last_seen) for k, v in used.items()
    }
    assert set(tally.denied) == {(p.action, p.resource) for p in local.denied}
    # Aggregated: one row per distinct call, not one per event.
    assert len(rows) < local.stats.matched


def test_other_roles_and_old_partitions_are_not_returned(duck: duckdb.DuckDBPyConnection) -> None:
    rows = _run(duck, _sql(session_name=None))
    assert {r["issuer_arn"] for r in rows} == {
        "arn:aws:iam::123456789012:role/service-role/report-exporter-role"
    }
    assert min(r["first_seen"] for r in rows) >= "2026-03-01"


def test_an_event_in_two_trails_counts_once_and_the_role_name_ignores_case(
    duck: duckdb.DuckDBPyConnection,
) -> None:
    """A table over a bucket written by an organisation and an account trail holds every
    event twice (same eventid); --role-arn may spell the role in another case."""
    duck.execute(
        "CREATE OR REPLACE TABLE cloudtrail_db.both AS "
        "SELECT * FROM cloudtrail_db.trail UNION ALL SELECT * FROM cloudtrail_db.trail"
    )
    target = AthenaTarget.parse(URL.replace("cloudtrail_db.trail", "cloudtrail_db.both"))
    spec = ScanSpec(ROLE.replace("report-exporter-role", "Report-Exporter-ROLE"), WINDOW)
    doubled = _run(duck, build_sql(target, spec, days=DAYS, region="eu-west-1"))
    single = _run(duck, _sql(session_name=None))
    assert sorted(doubled, key=str) == sorted(single, key=str)


def test_bad_urls() -> None:
    for url in ("athena://primary/no_table", "athena:///db.t", "athena://wg/db.t?partitions=year"):
        with pytest.raises(AthenaUrlError):
            AthenaTarget.parse(url)


def test_moto_athena_round_trip(duck: duckdb.DuckDBPyConnection, moto_server: str) -> None:
    """The tool starts the query with the right shape and reads moto's (DuckDB) rows."""
    rows = _run(duck, _sql())
    header = list(rows[0])
    result_rows = [{"Data": [{"VarCharValue": h} for h in header]}] + [
        {"Data": [{"VarCharValue": str(r[h])} if r[h] is not None else {} for h in header]}
        for r in rows
    ]
    request = urllib.request.Request(
        f"{moto_server}/moto-api/static/athena/query-results",
        data=json.dumps(
            {
                "account_id": "123456789012",
                "region": "eu-west-1",
                "results": [{"rows": result_rows, "column_info": []}],
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        status = response.status
    assert status == 201
    obs = observe(
        [URL + "&output=s3://acme-athena-results/least-priv/"],
        role_arn=ROLE,
        session_name="report-exporter",
        since="2026-03-01",
        until="2026-03-03",
        region="eu-west-1",
        endpoint_url=moto_server,
        progress=False,
    )
    assert [f for f in obs.findings if f.code == "LP530"] == []
    athena = boto3.client("athena", endpoint_url=moto_server, region_name="eu-west-1")
    (query_id,) = athena.list_query_executions()["QueryExecutionIds"][-1:]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Query"] == _sql()
    assert execution["QueryExecutionContext"]["Database"] == "cloudtrail_db"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith(
        "s3://acme-athena-results/least-priv/"
    )
    assert {p.action for p in obs.permissions} == {
        "logs:CreateLogStream",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "states:StartExecution",
    }
    assert [p.action for p in obs.denied] == ["ssm:GetParameter"]


def test_object_keys_collapse_the_same_in_sql(duck: duckdb.DuckDBPyConnection) -> None:
    keys = ["in/2023/a.jpg", "top.json", "a/b/", "a.b/c", "x/archive.tar.gz", "noext"]
    sql = "SELECT " + ", ".join(object_key_sql(f"'{k}'") for k in keys)
    (row,) = duck.execute(sql).fetchall()
    assert list(row) == [collapse_object_key(k) for k in keys]
