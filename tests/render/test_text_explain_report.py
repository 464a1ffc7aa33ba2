"""The human formats (text, --explain) and the JSON report on a hand-built result that has
code, configuration and CloudTrail provenance, a condition and a finding."""

from __future__ import annotations

import json

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.model import (
    Condition,
    Finding,
    Location,
    Permission,
    Provenance,
    Severity,
    TemplateRef,
)
from least_priv.policy import build_documents
from least_priv.policy.template import template_key
from least_priv.render import render_policy
from least_priv.render.explain import render_explain
from least_priv.render.report import render_report

CODE = Provenance("code", Location("src/app.py", 14, 4), "sqs.SendMessage via send_message")
CONFIG = Provenance("config", Location("template.yaml", 9, 2), "Tracing: Active sends traces")
SEEN = Provenance(
    "observed", None, "CloudTrail", 12, "2026-03-01T02:00:04Z", "2026-03-03T02:00:04Z"
)
QUEUE = TemplateRef("Jobs", "Arn", "AWS::SQS::Queue", None)


def result() -> GenerateResult:
    where = Location("template.yaml", 9, 2)
    perms = (
        Permission("sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:*", (), (CODE, SEEN), (QUEUE,)),
        Permission(
            "kms:GenerateDataKey",
            "arn:aws:kms:eu-west-1:1:key/*",
            (Condition("StringEquals", "kms:ViaService", ("sqs.eu-west-1.amazonaws.com",)),),
            (CONFIG,),
            ("arn:aws:kms:eu-west-1:1:key/*",),
        ),
        Permission("xray:PutTraceSegments", "*", (), (CONFIG,), ("*",)),
    )
    docs = build_documents(perms, where).documents
    keyed = build_documents(perms, where, key=template_key).documents
    parts = tuple(sorted((template_key(p), p.resource_parts) for p in perms))
    finding = Finding(
        Location("src/app.py", 14, 4), "LP303", "Jobs is named at deploy time", Severity.NOTE
    )
    policy = FunctionPolicy("Worker", perms, docs, (finding,), keyed, parts)
    return GenerateResult((policy,), (finding,), keyed=True)


def test_text_summarises_statements_sources_and_findings() -> None:
    text = render_policy(result(), "text")
    assert text.startswith("Worker: 3 permissions in 3 statements (1 document, ")
    assert "from code 1, config 2, observed 1" in text
    assert "if StringEquals kms:ViaService sqs.eu-west-1.amazonaws.com" in text
    assert text.rstrip().endswith("findings: 1 note (details on stderr)")


def test_explain_lists_every_reason_with_its_place() -> None:
    text = render_explain(result())
    block = text.split("sqs:SendMessage on arn:aws:sqs:eu-west-1:1:*")[1].split("\n  kms")[0]
    assert "= ${Jobs.Arn} in template formats" in block
    assert "code     src/app.py:14:4  sqs.SendMessage via send_message" in block
    assert (
        "observed -  CloudTrail  (12 calls, 2026-03-01T02:00:04Z .. 2026-03-03T02:00:04Z)" in block
    )


def test_report_is_sorted_json_with_provenance_and_findings() -> None:
    report = json.loads(render_report(result()))
    (function,) = report["functions"]
    send = next(p for p in function["permissions"] if p["action"] == "sqs:SendMessage")
    assert [p["source"] for p in send["provenance"]] == ["code", "observed"]
    assert send["provenance"][1]["count"] == 12
    assert function["findings"][0]["code"] == "LP303"
    assert report["findings"] == function["findings"]
    assert render_report(result()) == render_report(result())
