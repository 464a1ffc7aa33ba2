"""A quick subset of the moto proof (benchmarks/prove.py) and its policy translation.

The full proof runs every eligible corpus case with minimality; here a few cases cover each
mechanism: DynamoDB (action level), S3 and SQS (resource level), post-run checks that catch
denials reported inside a response (DeleteObjects), and the tool's own policies once the
pipeline exists. Everything talks to a real moto server on 127.0.0.1 (``moto_server``).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import _moto_translate  # noqa: E402  (benchmark modules, not a package)
import accuracy  # noqa: E402
import prove  # noqa: E402

CASES = {c.name: c for c in accuracy.discover()}
SUBSET = ("api-orders-crud", "layer-shared-client", "self-client-service", "scheduled-cleanup")


def _expected(name: str) -> dict[str, Any]:
    data = json.loads((CASES[name].directory / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _spec(name: str) -> prove.ProveSpec:
    spec = prove.load_spec(CASES[name])
    assert spec is not None, f"{name} has no prove.json"
    return spec


@pytest.fixture(scope="module")
def moto(moto_server: str) -> prove.Moto:
    return prove.Moto(moto_server)


# ---------------------------------------------------------------------------------------------
# End to end on moto
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUBSET)
def test_hand_written_policy_is_sufficient(moto: prove.Moto, name: str) -> None:
    outcome = prove.run_once(CASES[name], _spec(name), moto, _expected(name))
    assert outcome == prove.Outcome("ok"), outcome.detail


def test_minimality_tells_needed_from_not_exercised(moto: prove.Moto) -> None:
    name = "api-orders-crud"
    proof = prove.prove_case(CASES[name], _spec(name), moto, _expected(name))
    assert proof.sufficient
    assert proof.actions == {
        "dynamodb:GetItem": "needed",
        "dynamodb:PutItem": "needed",
        "dynamodb:Query": "needed",
        # Lambda writes logs, not the handler: configuration permissions are never exercised.
        "logs:CreateLogGroup": "not exercised",
        "logs:CreateLogStream": "not exercised",
        "logs:PutLogEvents": "not exercised",
    }
    assert proof.services == {"dynamodb": "action", "logs": "action"}


def test_missing_action_is_denied(moto: prove.Moto) -> None:
    name = "self-client-service"
    policy = _moto_translate.without_action(_expected(name), "sqs:SendMessage")
    outcome = prove.run_once(CASES[name], _spec(name), moto, policy)
    assert outcome.status == "denied", outcome


def test_s3_resources_are_checked(moto: prove.Moto) -> None:
    name = "layer-shared-client"
    policy = copy.deepcopy(_expected(name))
    for st in policy["Statement"]:
        if st["Action"] == "s3:PutObject":
            st["Resource"] = "arn:aws:s3:::acme-catalog/elsewhere/*"
    outcome = prove.run_once(CASES[name], _spec(name), moto, policy)
    assert outcome.status == "denied", outcome


def test_silent_partial_failure_counts_as_denied(moto: prove.Moto) -> None:
    # DeleteObjects answers 200 with per-key AccessDenied; only the post-run check sees it.
    name = "scheduled-cleanup"
    policy = _moto_translate.without_action(_expected(name), "s3:DeleteObject")
    outcome = prove.run_once(CASES[name], _spec(name), moto, policy)
    assert outcome.status == "incomplete", outcome
    assert "KeyCount" in outcome.detail


def test_generated_policies_are_sufficient(moto: prove.Moto) -> None:
    pytest.importorskip("least_priv.api", reason="the generate pipeline has not landed yet")
    failures = {}
    for name in SUBSET:
        policy = prove.policy_for(CASES[name], "generated")
        outcome = prove.run_once(CASES[name], _spec(name), moto, policy)
        if outcome.status != "ok":
            failures[name] = outcome
    assert not failures


# ---------------------------------------------------------------------------------------------
# Deployment helpers and prove.json
# ---------------------------------------------------------------------------------------------


def test_declared_resources_from_each_template_kind() -> None:
    sam = prove.declared_resources(CASES["s3-thumbnail"].template)  # type: ignore[arg-type]
    assert [(d.kind, d.name) for d in sam] == [
        ("bucket", "acme-uploads-prod"),  # !Sub over the Stage parameter's default
        ("bucket", "acme-thumbnails-prod"),
    ]
    tf = prove.declared_resources(CASES["ddb-stream-audit"].template)  # type: ignore[arg-type]
    assert [(d.kind, d.name) for d in tf] == [
        ("table", "accounts"),
        ("bucket", "acme-accounts-audit"),
    ]
    cdk = prove.declared_resources(CASES["sns-fanout"].template)  # type: ignore[arg-type]
    assert [(d.kind, d.name) for d in cdk] == [
        ("topic", "shipment-updates"),
        ("queue", "shipment-updates-in"),
    ]


def test_every_prove_json_is_valid() -> None:
    eligible = [name for name, case in CASES.items() if prove.load_spec(case) is not None]
    assert len(eligible) >= 30


def test_bad_prove_json_is_reported(tmp_path: Path) -> None:
    case = accuracy.Case(name="bad", directory=tmp_path, paths=(tmp_path,))
    (tmp_path / "prove.json").write_text(json.dumps({"events": []}))
    with pytest.raises(prove.ProveError, match="events"):
        prove.load_spec(case)
    (tmp_path / "prove.json").write_text(json.dumps({"events": [{}], "setup": [{"call": "x"}]}))
    with pytest.raises(prove.ProveError, match="client"):
        prove.load_spec(case)


# ---------------------------------------------------------------------------------------------
# The translation for moto
# ---------------------------------------------------------------------------------------------

_OPS = {
    "s3:ListBucket": [("s3", "ListObjectsV2"), ("s3", "HeadBucket")],
    "cloudwatch:PutMetricData": [("cloudwatch", "PutMetricData")],
    "sqs:SendMessage": [("sqs", "SendMessage"), ("sqs", "SendMessageBatch")],
}
_SIGNING = {"s3": "s3", "cloudwatch": "monitoring", "sqs": "sqs"}


def _to_moto(policy: dict[str, Any]) -> dict[str, Any]:
    return _moto_translate.to_moto(policy, lambda a: _OPS.get(a, []), _SIGNING)


def test_translation_adds_moto_action_names() -> None:
    out = _to_moto(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "sqs:SendMessage",
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs",
                },
            ]
        }
    )
    assert out["Statement"][0]["Action"] == ["cloudwatch:PutMetricData", "monitoring:PutMetricData"]
    assert out["Statement"][1]["Action"] == ["sqs:SendMessage", "sqs:SendMessageBatch"]


def test_translation_keeps_resources_only_where_moto_checks_them() -> None:
    out = _to_moto(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "s3:ListBucket"],
                    "Resource": "arn:aws:s3:::acme.reports",
                    "Condition": {"StringLike": {"s3:prefix": "exports/*"}},
                }
            ]
        }
    )
    by_action = {a: st for st in out["Statement"] for a in st["Action"]}
    assert by_action["dynamodb:GetItem"]["Resource"] == ["*"]
    # Escaped for moto's regex; the condition (which moto would deny) is gone.
    assert by_action["s3:ListBucket"]["Resource"] == [r"arn:aws:s3:::acme\.reports"]
    assert all("Condition" not in st for st in out["Statement"])


def test_translation_patterns_match_like_iam() -> None:
    import re

    pattern = _moto_translate.moto_pattern("arn:aws:sqs:*:123456789012:jobs-??")
    regex = "^" + pattern.replace("*", ".*") + "$"  # what moto does with it
    assert re.match(regex, "arn:aws:sqs:us-east-1:123456789012:jobs-eu")
    assert not re.match(regex, "arn:aws:sqs:us-east-1:123456789012:jobs-eu1")
    assert not re.match(regex, "arn:aws:sqs:us-east-1:123456789012:jobsXeu")


def test_delete_object_is_also_granted_on_the_bucket_for_moto() -> None:
    out = _to_moto(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/x/*"}
            ]
        }
    )
    assert out["Statement"][0]["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/x/*"]


def test_without_action_drops_empty_statements() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        ],
    }
    assert _moto_translate.without_action(policy, "SQS:sendmessage")["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}
    ]


def test_get_queue_url_is_granted_on_star_for_moto() -> None:
    # moto reads an SQS request's queue from QueueUrl, which GetQueueUrl does not carry.
    out = _to_moto(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:legacy-work",
                }
            ]
        }
    )
    resources = {st["Action"][0]: st["Resource"] for st in out["Statement"]}
    assert resources == {
        "sqs:GetQueueUrl": ["*"],
        "sqs:ReceiveMessage": [
            _moto_translate.moto_pattern("arn:aws:sqs:us-east-1:123456789012:legacy-work")
        ],
    }


def test_head_and_waiter_forbidden_count_as_denied(moto: prove.Moto) -> None:
    # HEAD answers 403 without a body; a waiter wraps it: both are AccessDenied to the proof.
    name = "s3-waiter-collections"
    policy = _moto_translate.without_action(_expected(name), "s3:GetObject")
    outcome = prove.run_once(CASES[name], _spec(name), moto, policy)
    assert outcome.status == "denied", outcome


def test_translation_adds_only_the_actions_own_service() -> None:
    # iam:PassRole is implied by hundreds of operations of other services; granting their moto
    # spellings would let the proof pass calls the policy does not allow.
    out = prove.translate(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
            ],
        }
    )
    actions = sorted(a for st in out["Statement"] for a in st["Action"])
    assert "sagemaker:CreateProcessingJob" not in actions
    assert {a.split(":")[0] for a in actions} == {"iam", "cloudwatch", "monitoring"}
    assert "monitoring:PutMetricData" in actions


def test_configuration_permissions_are_labelled(moto: prove.Moto) -> None:
    pytest.importorskip("least_priv.api", reason="the generate pipeline has not landed yet")
    name = "sqs-order-consumer"
    configured = prove.configuration_actions(CASES[name])
    # The SQS event source mapping and the log group come from the template, not the code.
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "logs:PutLogEvents"} <= configured
    assert "sns:Publish" not in configured
    proof = prove.prove_case(
        CASES[name], _spec(name), moto, prove.policy_for(CASES[name], "generated"), configured
    )
    assert proof.sufficient
    assert proof.actions["sns:Publish"] == "needed"
    assert proof.actions["sqs:ReceiveMessage"] == "not exercised (configuration)"
