"""``least_priv.api.generate``: the whole pipeline on realistic projects.

Inputs are the quickstart (SAM template, handler and a repository module) and the invoice
pipeline fixture; expected policies are their golden files (tests/policy/test_fixtures.py)
— here each behaviour of the pipeline is pinned on its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from least_priv.api import GenerateOptions, UsageError, generate
from least_priv.model import Severity
from least_priv.render import render_policy

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "fixtures" / "quickstart"
INVOICES = ROOT / "fixtures" / "policy" / "sam-invoices"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def grants(result_documents: list[dict[str, object]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for document in result_documents:
        for st in document["Statement"]:  # type: ignore[attr-defined]
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            out |= {(a, r) for a in actions for r in resources}
    return out


def documents(result: object) -> list[dict[str, object]]:
    return [d.to_json() for fp in result.functions for d in fp.documents]  # type: ignore[attr-defined]


def test_template_binds_env_vars_to_template_resources() -> None:
    result = generate(GenerateOptions(template="fixtures/quickstart/template.yaml"))
    assert result.keyed and [f.name for f in result.functions] == ["OrdersFunction"]
    got = grants(documents(result))
    assert ("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders") in got
    assert ("s3:PutObject", "arn:*:s3:::acme-order-receipts/receipts/*.json") in got
    assert ("sqs:SendMessage", "arn:*:sqs:*:*:order-events") in got
    # Configuration-implied: logs always, X-Ray because Globals set Tracing: Active.
    assert ("xray:PutTraceSegments", "*") in got
    sources = {p.source for perm in result.functions[0].permissions for p in perm.provenance}
    assert sources == {"code", "config"}


def test_bare_code_path_has_only_code_permissions_and_reports_unset_env() -> None:
    result = generate(
        GenerateOptions(paths=("fixtures/quickstart/src",), handler="app.lambda_handler")
    )
    assert not result.keyed and result.functions[0].name == ""
    got = grants(documents(result))
    assert {a for a, _ in got} == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "s3:PutObject",
        "sqs:SendMessage",
    }
    # Unknown environment: typed wildcards, never a bare "*" for these actions.
    assert ("dynamodb:GetItem", "arn:*:dynamodb:*:*:table/*") in got
    assert ("sqs:SendMessage", "arn:*:sqs:*:*:*") in got
    assert all(r != "*" for _, r in got)
    unset = {
        re.search(r"environment variable (\w+)", f.message).group(1)  # type: ignore[union-attr]
        for f in result.findings
        if f.code == "LP301"
    }
    assert unset == {"TABLE_NAME", "RECEIPTS_BUCKET", "EVENTS_QUEUE_URL"}


def test_env_option_scopes_a_bare_code_path() -> None:
    result = generate(
        GenerateOptions(
            paths=("fixtures/quickstart/src",),
            handler="app.lambda_handler",
            env=(
                ("TABLE_NAME", "orders"),
                ("RECEIPTS_BUCKET", "acme-order-receipts"),
                (
                    "EVENTS_QUEUE_URL",
                    "https://sqs.eu-west-1.amazonaws.com/123456789012/order-events",
                ),
            ),
            account="123456789012",
            region="eu-west-1",
        )
    )
    got = grants(documents(result))
    assert ("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders") in got
    assert ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:order-events") in got
    assert [f.code for f in result.findings if f.code.startswith("LP30")] == []


def test_env_option_overrides_the_template() -> None:
    result = generate(
        GenerateOptions(
            template="fixtures/quickstart/template.yaml",
            env=(("TABLE_NAME", "orders-staging"),),
        )
    )
    assert ("dynamodb:GetItem", "arn:*:dynamodb:*:*:table/orders-staging") in grants(
        documents(result)
    )


def test_region_gives_partition_and_partition_alone_stays_open_elsewhere() -> None:
    china = generate(
        GenerateOptions(
            template="fixtures/quickstart/template.yaml",
            region="cn-north-1",
            account="111122223333",
        )
    )
    assert ("dynamodb:GetItem", "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/orders") in (
        grants(documents(china))
    )
    gov = generate(
        GenerateOptions(template="fixtures/quickstart/template.yaml", partition="aws-us-gov")
    )
    assert ("dynamodb:GetItem", "arn:aws-us-gov:dynamodb:*:*:table/orders") in grants(
        documents(gov)
    )


def test_invoice_pipeline_implies_what_its_configuration_needs() -> None:
    result = generate(
        GenerateOptions(
            template=str(INVOICES.relative_to(ROOT) / "template.yaml"),
            region="eu-west-1",
            account="123456789012",
        )
    )
    (policy,) = result.functions
    by_action: dict[str, set[str]] = {}
    for perm in policy.permissions:
        by_action.setdefault(perm.action, set()).add(perm.resource)
    acct = "eu-west-1:123456789012"
    assert by_action["sqs:ReceiveMessage"] == {f"arn:aws:sqs:{acct}:incoming-invoices-prod"}
    assert by_action["sqs:SendMessage"] == {f"arn:aws:sqs:{acct}:invoice-processor-dlq-prod"}
    assert (
        f"arn:aws:ec2:{acct}:subnet/subnet-0a1b2c3d4e5f60718"
        in by_action["ec2:CreateNetworkInterface"]
    )
    assert by_action["logs:PutLogEvents"] == {
        f"arn:aws:logs:{acct}:log-group:/aws/lambda/invoice-processor-prod:log-stream:*"
    }
    # KMS: the env-var key (no condition) and the archive bucket's key through S3 only.
    kms = [p for p in policy.permissions if p.action == "kms:GenerateDataKey"]
    assert [c.key for p in kms for c in p.conditions] == ["kms:ViaService"]
    assert kms[0].conditions[0].values == ("s3.eu-west-1.amazonaws.com",)
    decrypt = {p.conditions for p in policy.permissions if p.action == "kms:Decrypt"}
    assert () in decrypt and len(decrypt) == 2
    # The partner bucket cannot be known: typed wildcard plus a finding at the call.
    unscoped = [f for f in result.findings if f.code == "LP300"]
    assert {f.location.path for f in unscoped} == {
        "fixtures/policy/sam-invoices/src/invoices/archive.py"
    }
    assert by_action["s3:ListBucket"] == {"arn:aws:s3:::*"}


def test_compact_only_where_the_wildcard_is_exact() -> None:
    plain = generate(GenerateOptions(template="fixtures/policy/sam-invoices/template.yaml"))
    compact = generate(
        GenerateOptions(template="fixtures/policy/sam-invoices/template.yaml", compact=True)
    )
    assert plain.functions[0].permissions == compact.functions[0].permissions
    plain_actions = {a for _, a in _statement_actions(plain)}
    compact_actions = {a for _, a in _statement_actions(compact)}
    from least_priv.catalog import get_catalog

    expanded = {x for a in compact_actions for x in (get_catalog().expand(a) if "*" in a else [a])}
    assert {a.lower() for a in expanded} == {a.lower() for a in plain_actions}


def _statement_actions(result: object) -> set[tuple[str, str]]:
    return {
        (st.sid, a)
        for fp in result.functions  # type: ignore[attr-defined]
        for d in fp.documents
        for st in d.statements
        for a in st.actions
    }


def test_output_is_byte_identical_across_runs() -> None:
    options = GenerateOptions(template="fixtures/policy/sam-invoices/template.yaml")
    texts = {render_policy(generate(options), fmt) for fmt in ("json",) for _ in range(3)}
    assert len(texts) == 1
    assert json.loads(texts.pop())


def test_function_without_local_code_gets_configuration_permissions_and_a_finding(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Worker:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      FunctionName: nightly-worker\n"
        "      CodeUri: s3://artifacts/worker.zip\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
    )
    result = generate(GenerateOptions(template=str(template), region="us-east-1"))
    (policy,) = result.functions
    assert {p.action for p in policy.permissions} == {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    assert "LP340" in {f.code for f in result.findings}


_TRAIL = GenerateOptions(
    paths=("fixtures/trail/merge-dynamic/src",),
    handler="app.handler",
    cloudtrail=("fixtures/trail/merge-dynamic/trail",),
    role_arn="arn:aws:iam::123456789012:role/report-exporter-role",
    since="2026-03-01",
    until="2026-03-03",
)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (GenerateOptions(), "PATH"),
        (GenerateOptions(paths=("no/such/dir",)), "no such file"),
        (GenerateOptions(paths=("fixtures/quickstart/src",), function="X"), "--template"),
        (
            GenerateOptions(template="fixtures/quickstart/template.yaml", function="Nope"),
            "OrdersFunction",
        ),
        (GenerateOptions(paths=("fixtures/quickstart/src",), cloudtrail=("trail/",)), "--role-arn"),
        (GenerateOptions(paths=("fixtures/quickstart/src",), merge="both"), "--merge"),
        # CloudTrail options that cannot work are usage errors, not tracebacks.
        (replace(_TRAIL, since="last tuesday"), "ISO date"),
        (replace(_TRAIL, until="2026-13-40"), "ISO date"),
        (replace(_TRAIL, role_arn="report-exporter-role"), "ARN"),
        (GenerateOptions(paths=("fixtures/quickstart/src",), stage="dev"), "--template"),
        (
            GenerateOptions(template=str(INVOICES / "template.yaml"), parameters=(("", "x"),)),
            "KEY=VALUE",
        ),
    ],
)
def test_usage_errors(options: GenerateOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("-", r"\-")):
        generate(options)


def test_generated_policies_pass_the_projects_own_lint() -> None:
    # What least-priv writes must not be what least-priv lint warns about: no Resource "*"
    # on a resource-level action, PassRole with its condition, no unknown actions.
    from least_priv.lint import lint_text

    for template in (
        "fixtures/quickstart/template.yaml",
        "fixtures/policy/sam-invoices/template.yaml",
        "fixtures/policy/cfn-json-reports/template.json",
    ):
        result = generate(GenerateOptions(template=template, region="eu-west-1"))
        for policy in result.functions:
            for document in policy.documents:
                linted = lint_text(json.dumps(document.to_json()), f"{policy.name}.json")
                serious = [f for f in linted.findings if f.severity >= Severity.WARNING]
                assert serious == [], (template, serious)


def test_extra_paths_are_layers_for_a_bare_code_path() -> None:
    case = "fixtures/functions/layer-shared-client"
    alone = generate(GenerateOptions(paths=(f"{case}/src",), handler="app.handler"))
    with_layer = generate(
        GenerateOptions(
            paths=(f"{case}/src", f"{case}/layers/common/python"),
            handler="app.handler",
            env=(("CATALOG_BUCKET", "acme-catalog"),),
        )
    )
    assert alone.functions[0].permissions == ()
    got = grants(documents(with_layer))
    assert ("s3:PutObject", "arn:*:s3:::acme-catalog/snapshots/current.json") in got


def test_handler_option_overrides_the_templates_handler(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text(
        "import boto3\n\n"
        "sqs = boto3.client('sqs')\n"
        "sns = boto3.client('sns')\n\n"
        "def enqueue(event, context):\n"
        "    sqs.send_message(\n"
        "        QueueUrl='https://sqs.eu-west-1.amazonaws.com/1/jobs', MessageBody='x'\n"
        "    )\n\n"
        "def announce(event, context):\n"
        "    sns.publish(TopicArn='arn:aws:sns:eu-west-1:1:news', Message='x')\n"
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: src/\n"
        "      Handler: app.enqueue\n"
        "      Runtime: python3.12\n"
    )

    def code_actions(**extra: str) -> set[str]:
        result = generate(GenerateOptions(template=str(template), **extra))  # type: ignore[arg-type]
        return {
            p.action
            for p in result.functions[0].permissions
            if any(v.source == "code" for v in p.provenance)
        }

    assert code_actions() == {"sqs:SendMessage"}
    assert code_actions(handler="app.announce") == {"sns:Publish"}


def test_star_on_a_resource_level_action_is_reported_only_for_a_catalog_gap() -> None:
    from least_priv.api import _catalog_gap
    from least_priv.catalog import get_catalog
    from least_priv.model import CallSite, Location

    catalog = get_catalog()
    here = Location("app.py", 3)
    # Publishing an SMS has no topic: '*' is the catalog's deliberate choice.
    assert not _catalog_gap(catalog, CallSite(here, "sns", "Publish"), "sns:Publish")
    # No catalog row gives the action an ARN: a gap, reported as LP307.
    assert _catalog_gap(catalog, CallSite(here, "s3", "NotAnOperation"), "s3:GetObject")
    # An action without resource types is '*' by nature.
    assert not _catalog_gap(catalog, CallSite(here, "sqs", "ListQueues"), "sqs:ListQueues")


CROSS_REGION = ROOT / "fixtures" / "functions" / "cross-region-replica"


@pytest.mark.parametrize("cached", [False, True])
def test_client_pinned_to_another_region_is_granted_there(cached: bool, tmp_path: Path) -> None:
    # boto3.resource("dynamodb", region_name="eu-west-1"): the DR table lives in eu-west-1
    # whatever region the function runs in; the function's region there is AccessDenied.
    options = GenerateOptions(
        template=str(CROSS_REGION / "template.yaml"),
        region="us-east-1",
        account="123456789012",
        cache=cached,
        cache_dir=str(tmp_path / "cache"),
    )
    for _ in range(2 if cached else 1):  # the second run reads the analysis from the cache
        got = grants(documents(generate(options)))
        assert (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-dr",
        ) in got
        assert (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dr",
        ) not in got
        assert (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders-primary",
        ) in got
        assert ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:orders-dr-events") in got


def test_template_parameters_override_their_defaults() -> None:
    # sam-invoices names every resource after its Stage parameter (Default: prod).
    options = GenerateOptions(
        template=str(INVOICES / "template.yaml"), region="eu-west-1", account="123456789012"
    )
    default = grants(documents(generate(options)))
    staging = grants(documents(generate(replace(options, parameters=(("Stage", "staging"),)))))
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices-{}"
    assert ("dynamodb:PutItem", table.format("prod")) in default
    assert ("dynamodb:PutItem", table.format("staging")) in staging
    assert not any("-prod" in resource for _, resource in staging)


def test_serverless_stage_names_the_resources() -> None:
    serverless = ROOT / "fixtures" / "policy" / "serverless-payments" / "serverless.yml"
    options = GenerateOptions(template=str(serverless))
    dev = grants(documents(generate(replace(options, stage="dev"))))
    assert any(r.endswith(":table/payments-dev-ledger") for _, r in dev)
    assert not any("-prod-" in r for _, r in dev)
    # Without --stage the file's own default (${opt:stage, 'prod'}) applies.
    assert any(
        r.endswith(":table/payments-prod-ledger") for _, r in grants(documents(generate(options)))
    )


def test_catalog_findings_are_reported_at_the_call() -> None:
    result = generate(
        GenerateOptions(paths=("fixtures/policy/catalog-notes/src",), handler="app.handler")
    )
    app = "fixtures/policy/catalog-notes/src/app.py"
    found = {(f.code, str(f.location)): f for f in result.findings}
    unresolved = found[("LP703", f"{app}:19:4")]
    assert "batch:* granted" in unresolved.message and unresolved.severity is Severity.WARNING
    undecided = found[("LP705", f"{app}:15:14")]
    assert "bedrock:InvokeModel" in undecided.message
    assert not any(code == "LP306" for code, _ in found)  # the catalog already said why
    actions = {a for a, _ in grants(documents(result))}
    assert {"batch:*", "bedrock:InvokeModel"} <= actions


def test_dr_region_from_a_template_parameter_follows_the_parameter() -> None:
    # DR_REGION: !Ref DrRegion feeds boto3.Session(region_name=...): the replica's ARN is in
    # the parameter's region; template formats keep ${DrRegion} so any value deploys right.
    options = GenerateOptions(
        template="fixtures/policy/sam-dr-region/template.yaml",
        region="us-east-1",
        account="123456789012",
    )
    table = "arn:aws:dynamodb:{}:123456789012:table/orders"
    default = generate(options)
    assert ("dynamodb:PutItem", table.format("eu-west-1")) in grants(documents(default))
    moved = grants(
        documents(generate(replace(options, parameters=(("DrRegion", "ap-southeast-2"),))))
    )
    assert ("dynamodb:PutItem", table.format("ap-southeast-2")) in moved
    assert ("dynamodb:PutItem", table.format("us-east-1")) not in moved
    assert "${DrRegion}" in render_policy(default, "cfn")
    # config=Config(region_name=DR_REGION): the configuration's region counts as well.
    audit = "arn:aws:dynamodb:{}:123456789012:table/orders-dr-audit"
    assert ("dynamodb:PutItem", audit.format("eu-west-1")) in grants(documents(default))
    assert ("dynamodb:PutItem", audit.format("ap-southeast-2")) in moved
    # The home client (!Ref AWS::Region) is the function's own; the event's region is open.
    assert ("dynamodb:DescribeTable", table.format("*")) in grants(documents(default))
    (unknown,) = [f for f in default.findings if f.code == "LP308"]
    assert str(unknown.location) == "fixtures/policy/sam-dr-region/src/copy.py:33:8"
