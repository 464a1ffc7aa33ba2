"""Every policy format read back by the real parser of its ecosystem.

JSON with ``json``; SAM/CloudFormation YAML with CloudFormation short-form tags through
least-priv's own template reader (``infra.positions``) and then *cfn-lint* on the template
the output is meant for; serverless.yml with a plain YAML loader (no tags allowed there);
Terraform HCL with python-hcl2. What the parser returns must be the same policy.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from least_priv.api import FunctionPolicy, GenerateOptions, GenerateResult, generate
from least_priv.infra.parts import ACCOUNT, PARTITION, REGION
from least_priv.infra.positions import parse_text
from least_priv.model import (
    Condition,
    Location,
    Permission,
    PolicyDocument,
    Provenance,
    TemplateRef,
)
from least_priv.policy import build_documents
from least_priv.policy.template import template_key
from least_priv.render import render_policy

ROOT = Path(__file__).resolve().parents[2]
SAM = ROOT / "fixtures" / "policy" / "sam-invoices"


@cache
def invoices() -> GenerateResult:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return generate(
            GenerateOptions(
                template="fixtures/policy/sam-invoices/template.yaml",
                function="InvoiceProcessorFunction",
            )
        )
    finally:
        os.chdir(cwd)


def template_data() -> dict[str, Any]:
    doc = parse_text((SAM / "template.yaml").read_text(), "template.yaml")
    assert isinstance(doc.data, dict)
    return copy.deepcopy(doc.data)


def cfn_lint(data: dict[str, Any]) -> list[str]:
    return [str(m) for m in lint(json.dumps(data), config=ManualArgs(regions=["eu-west-1"]))]


def grants(documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for document in documents:
        for st in document["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            out |= {(a, json.dumps(r, sort_keys=True)) for a in actions for r in resources}
    return out


def test_json_is_the_policy_document() -> None:
    result = invoices()
    parsed = json.loads(render_policy(result, "json"))
    assert parsed == result.functions[0].documents[0].to_json()
    assert parsed["Version"] == "2012-10-17"


def test_sam_policies_block_parses_and_passes_cfn_lint_in_its_template() -> None:
    text = render_policy(invoices(), "sam")
    assert "!GetAtt InvoicesTable.Arn" in text  # short form, as people write it
    block = parse_text(text, "policies.yaml").data
    assert isinstance(block, dict)
    policies = block["Policies"]
    resources = {r for _, r in grants(policies)}
    assert json.dumps({"Fn::GetAtt": ["InvoicesTable", "Arn"]}) in resources
    assert json.dumps({"Fn::GetAtt": ["IncomingInvoicesQueue", "Arn"]}) in resources
    assert any("${ArchiveBucket}/invoices/" in r for r in resources)
    data = template_data()
    data["Resources"]["InvoiceProcessorFunction"]["Properties"]["Policies"] = policies
    assert cfn_lint(data) == []
    # cfn-lint validates little inside SAM's transform, so check the documents the way the
    # transform places them too: inline policies of the function's role.
    assert cfn_lint(with_role(template_data(), policies)) == []


def with_role(data: dict[str, Any], documents: list[Any]) -> dict[str, Any]:
    data["Resources"]["CheckedRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {"PolicyName": f"Policy{i}", "PolicyDocument": d} for i, d in enumerate(documents)
            ],
        },
    }
    return data


def test_cfn_lint_does_fail_on_a_broken_reference() -> None:
    # The check above can fail: a policy naming a resource the template lacks is an error.
    broken = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": {"Fn::GetAtt": ["NoSuchBucket", "Arn"]},
            }
        ],
    }
    data = with_role(template_data(), [broken])
    assert cfn_lint(data) != []


def test_cfn_role_parses_and_passes_cfn_lint_in_its_template() -> None:
    fragment = parse_text(render_policy(invoices(), "cfn"), "role.yaml").data
    assert isinstance(fragment, dict)
    role = fragment["Resources"]["InvoiceProcessorFunctionRole"]
    assert role["Type"] == "AWS::IAM::Role"
    policies = role["Properties"]["Policies"]
    assert [p["PolicyName"] for p in policies] == ["InvoiceProcessorFunctionPolicy"]
    data = template_data()
    data["Resources"].update(fragment["Resources"])
    data["Resources"]["InvoiceProcessorFunction"]["Properties"]["Role"] = {
        "Fn::GetAtt": ["InvoiceProcessorFunctionRole", "Arn"]
    }
    assert cfn_lint(data) == []


def test_sam_and_cfn_grant_the_same_as_serverless() -> None:
    sam = parse_text(render_policy(invoices(), "sam"), "p.yaml").data
    assert isinstance(sam, dict)
    sls = yaml.safe_load(render_policy(invoices(), "serverless"))  # no tags: plain YAML
    statements = sls["provider"]["iam"]["role"]["statements"]
    sam_grants = {a for a, _ in grants(sam["Policies"])}
    sls_grants = {a for a, _ in grants([{"Statement": statements}])}
    assert sam_grants == sls_grants
    table = next(s for s in statements if s["Action"] == "dynamodb:PutItem")
    assert table["Resource"] == {"Fn::GetAtt": ["InvoicesTable", "Arn"]}
    archive = next(s for s in statements if s["Action"] == "s3:PutObject")
    joined = archive["Resource"][0]["Fn::Join"]
    assert joined[0] == "" and {"Ref": "ArchiveBucket"} in joined[1]
    assert "${" not in json.dumps(statements)  # serverless would read ${...} as its own variable


def _terraform_result() -> GenerateResult:
    # A function whose environment came from a Terraform plan: references are addresses.
    table = TemplateRef("aws_dynamodb_table.jobs", "arn", "aws_dynamodb_table", "jobs")
    bucket = TemplateRef("aws_s3_bucket.results", "bucket", "aws_s3_bucket", None)
    where = Location("handler.py", 3)
    perms = [
        Permission(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:*:*:table/jobs",
            (),
            (Provenance("code", where),),
            (table,),
        ),
        Permission(
            "s3:PutObject",
            "arn:*:s3:::*/results/*",
            (),
            (Provenance("code", where),),
            ("arn:", PARTITION, ":s3:::", bucket, "/results/*"),
        ),
        Permission(
            "kms:Decrypt",
            "arn:*:kms:*:*:key/*",
            (Condition("StringLike", "kms:ViaService", ("s3.*.amazonaws.com",)),),
            (Provenance("config", where),),
            ("arn:", PARTITION, ":kms:", REGION, ":", ACCOUNT, ":key/*"),
        ),
        Permission("xray:PutTraceSegments", "*", (), (Provenance("config", where),), ("*",)),
    ]
    json_docs = build_documents(perms, where).documents
    keyed = build_documents(perms, where, key=template_key).documents
    parts = tuple(sorted({(template_key(p), p.resource_parts) for p in perms}))
    policy = FunctionPolicy("jobs-worker", tuple(perms), json_docs, (), keyed, parts)
    return GenerateResult((policy,), ())


def unquote(value: Any) -> Any:
    """python-hcl2 8 keeps string quotes and block labels quoted; strip them."""
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def test_terraform_parses_with_python_hcl2_and_keeps_references() -> None:
    parsed = unquote(hcl2.loads(render_policy(_terraform_result(), "terraform")))
    blocks = {k: v for block in parsed["data"] for k, v in block.items()}
    assert set(blocks) == {
        "aws_iam_policy_document",
        "aws_partition",
        "aws_region",
        "aws_caller_identity",
    }
    statements = blocks["aws_iam_policy_document"]["jobs_worker"]["statement"]
    by_action = {tuple(st["actions"]): st for st in statements}
    assert by_action[("dynamodb:GetItem",)]["resources"] == ["${aws_dynamodb_table.jobs.arn}"]
    assert by_action[("s3:PutObject",)]["resources"] == [
        "arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.results.bucket}/results/*"
    ]
    kms = by_action[("kms:Decrypt",)]
    assert kms["condition"] == [
        {"test": "StringLike", "variable": "kms:ViaService", "values": ["s3.*.amazonaws.com"]}
    ]
    assert by_action[("xray:PutTraceSegments",)]["resources"] == ["*"]


def test_terraform_escapes_literal_template_sequences() -> None:
    where = Location("h.py", 1)
    perm = Permission(
        "s3:GetObject",
        "arn:aws:s3:::b/${x}",
        (),
        (Provenance("code", where),),
        ("arn:aws:s3:::b/${x}",),
    )
    docs = build_documents([perm], where).documents
    policy = FunctionPolicy("f", (perm,), docs, (), docs, ())
    text = render_policy(GenerateResult((policy,), ()), "terraform")
    assert "$${x}" in text
    statements = unquote(hcl2.loads(text))["data"][0]["aws_iam_policy_document"]["f"]["statement"]
    assert statements[0]["resources"] == ["arn:aws:s3:::b/$${x}"]


@pytest.mark.parametrize("fmt", ["json", "sam", "cfn", "terraform", "serverless", "text"])
def test_every_format_renders_an_empty_policy(fmt: str) -> None:
    empty = FunctionPolicy("idle", (), (PolicyDocument(()),), (), (PolicyDocument(()),), ())
    text = render_policy(GenerateResult((empty,), ()), fmt)
    assert text.endswith("\n")
    if fmt == "terraform":
        hcl2.loads(text)
    elif fmt in ("sam", "cfn", "serverless"):
        assert parse_text(text, "x.yaml").findings == ()


def test_terraform_fixture_output_parses_and_references_planned_resources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    case = ROOT / "fixtures" / "policy" / "terraform-renders"
    result = generate(
        GenerateOptions(
            paths=(str((case / "src").relative_to(ROOT)),),
            template=str((case / "plan.json").relative_to(ROOT)),
            function="aws_lambda_function.renderer",
        )
    )
    parsed = unquote(hcl2.loads(render_policy(result, "terraform")))
    blocks = {k: v for block in parsed["data"] for k, v in block.items()}
    statements = blocks["aws_iam_policy_document"]["renderer"]["statement"]
    resources = {r for st in statements for r in st["resources"]}
    assert {
        "${aws_dynamodb_table.jobs.arn}",
        "${aws_sqs_queue.jobs.arn}",
        "${aws_sqs_queue.done.arn}",
        "${aws_kms_key.queues.arn}",
        "arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.results.bucket}"
        "/renders/*.png",
    } <= resources


def _ledger_checks(tmp_path: Path, count: int) -> Path:
    """A reconciliation job reading ``count`` named ledger tables, one function each."""
    src = tmp_path / "src"
    src.mkdir()
    functions = "".join(
        f"\n\ndef check_{i:03d}():\n"
        f"    return dynamodb.get_item(TableName='tenant-{i:03d}-ledger-entries', Key={{}})\n"
        for i in range(count)
    )
    (src / "jobs.py").write_text("import boto3\n\ndynamodb = boto3.client('dynamodb')" + functions)
    return src


def test_split_policy_in_template_formats(tmp_path: Path) -> None:
    src = _ledger_checks(tmp_path, 400)
    result = generate(GenerateOptions(paths=(str(src),), split=True))
    (policy,) = result.functions
    assert len(policy.documents) > 2
    assert {"LP321", "LP322"} <= {f.code for f in result.findings}
    # Too large to be inline: the cfn format attaches managed policies to the role.
    fragment = parse_text(render_policy(result, "cfn"), "role.yaml").data
    assert isinstance(fragment, dict)
    resources = fragment["Resources"]
    managed = [r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    assert len(managed) == len(policy.documents)
    assert all(r["Properties"]["Roles"] == [{"Ref": "LambdaFunctionRole"}] for r in managed)
    assert "Policies" not in resources["LambdaFunctionRole"]["Properties"]
    assert cfn_lint({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}) == []
    sam = parse_text(render_policy(result, "sam"), "p.yaml").data
    assert isinstance(sam, dict) and len(sam["Policies"]) == len(policy.documents)
    tf = unquote(hcl2.loads(render_policy(result, "terraform")))
    names = {
        n
        for block in tf["data"]
        for kind, v in block.items()
        if kind == "aws_iam_policy_document"
        for n in v
    }
    assert names == {f"lambda_{i}" for i in range(1, len(policy.documents) + 1)}
    granted = {r for _, r in grants([d.to_json() for d in policy.documents])}
    assert len(granted) == 400


def test_several_functions_are_keyed_in_every_format(tmp_path: Path) -> None:
    quickstart = ROOT / "fixtures" / "quickstart"
    template = tmp_path / "template.yaml"
    template.write_text(
        (quickstart / "template.yaml")
        .read_text()
        .replace("CodeUri: src/", f"CodeUri: {quickstart / 'src'}")
        .replace(
            "  OrdersTable:",
            "  ReaderFunction:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            f"      CodeUri: {quickstart / 'src'}\n"
            "      Handler: orders/repository.OrderRepository\n"
            "      Environment:\n"
            "        Variables:\n"
            "          TABLE_NAME: !Ref OrdersTable\n\n"
            "  OrdersTable:",
        )
    )
    result = generate(GenerateOptions(template=str(template)))
    assert result.keyed and [f.name for f in result.functions] == [
        "OrdersFunction",
        "ReaderFunction",
    ]
    assert set(json.loads(render_policy(result, "json"))) == {"OrdersFunction", "ReaderFunction"}
    sam = parse_text(render_policy(result, "sam"), "p.yaml").data
    assert isinstance(sam, dict) and set(sam) == {"OrdersFunction", "ReaderFunction"}
    cfn = parse_text(render_policy(result, "cfn"), "r.yaml").data
    assert isinstance(cfn, dict)
    assert set(cfn["Resources"]) == {"OrdersFunctionRole", "ReaderFunctionRole"}
    sls = yaml.safe_load(render_policy(result, "serverless"))
    assert set(sls["functions"]) == {"OrdersFunction", "ReaderFunction"}
    tf = unquote(hcl2.loads(render_policy(result, "terraform")))
    names = {
        n
        for block in tf["data"]
        for k, v in block.items()
        if k == "aws_iam_policy_document"
        for n in v
    }
    assert names == {"orders_function", "reader_function"}


def test_terraform_module_resources_are_written_by_value() -> None:
    inner = TemplateRef(
        "module.ingest.aws_kinesis_stream.this[0]",
        "arn",
        "aws_kinesis_stream",
        "arn:aws:kinesis:us-east-1:123456789012:stream/telemetry",
    )
    where = Location("h.py", 1)
    perm = Permission(
        "kinesis:PutRecords", inner.known or "", (), (Provenance("code", where),), (inner,)
    )
    docs = build_documents([perm], where).documents
    keyed = build_documents([perm], where, key=template_key).documents
    policy = FunctionPolicy("f", (perm,), docs, (), keyed, ((template_key(perm), (inner,)),))
    text = render_policy(GenerateResult((policy,), ()), "terraform")
    assert "module.ingest" not in text
    assert '"arn:aws:kinesis:us-east-1:123456789012:stream/telemetry"' in text
