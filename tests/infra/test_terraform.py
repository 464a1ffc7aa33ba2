"""Terraform plan reading: references, unknown-at-plan values, modules, role policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from least_priv.infra import load_template
from least_priv.infra.template import Template
from least_priv.model import TemplateRef

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "infra" / "terraform-orders"


def _resource(address: str, values: dict[str, Any], *, module: str = "") -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {
        "address": module + address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "values": values,
    }


def _plan(
    resources: list[dict[str, Any]],
    config: list[dict[str, Any]],
    unknown: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [
            {
                "address": r["address"],
                "change": {"after_unknown": (unknown or {}).get(r["address"], {})},
            }
            for r in resources
        ],
        "configuration": {"root_module": {"resources": config}},
    }


def _write(tmp_path: Path, plan: dict[str, Any]) -> Template:
    (tmp_path / "src").mkdir(exist_ok=True)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    return load_template(path)


def _fn_config(env_refs: list[str]) -> dict[str, Any]:
    return {
        "address": "aws_lambda_function.f",
        "mode": "managed",
        "type": "aws_lambda_function",
        "name": "f",
        "expressions": {
            "filename": {"constant_value": "src"},
            "environment": [{"variables": {"references": env_refs}}],
        },
    }


def test_unknown_env_values_are_matched_by_name(tmp_path: Path) -> None:
    plan = _plan(
        [
            _resource(
                "aws_lambda_function.f",
                {
                    "function_name": "f",
                    "handler": "app.main",
                    "runtime": "python3.12",
                    "filename": "src",
                    "environment": [{"variables": {"MODE": "fast"}}],
                },
            ),
            _resource("aws_sqs_queue.jobs", {"name": "jobs"}),
            _resource("aws_sns_topic.alerts", {"name": "alerts"}),
        ],
        [_fn_config(["aws_sqs_queue.jobs.url", "aws_sqs_queue.jobs", "aws_sns_topic.alerts.arn"])],
        {
            "aws_lambda_function.f": {
                "environment": [{"variables": {"JOBS_QUEUE_URL": True, "ALERTS_TOPIC": True}}]
            }
        },
    )
    template = _write(tmp_path, plan)
    (fn,) = template.functions
    env = dict(fn.env)
    assert env["JOBS_QUEUE_URL"].parts == (
        TemplateRef(
            "aws_sqs_queue.jobs", "url", "aws_sqs_queue", "https://sqs.*.amazonaws.com/*/jobs"
        ),
    )
    assert env["ALERTS_TOPIC"].parts == (
        TemplateRef("aws_sns_topic.alerts", "arn", "aws_sns_topic", "arn:*:sns:*:*:alerts"),
    )
    assert env["MODE"].text == "fast"
    assert fn.code_root == str(tmp_path / "src")  # filename is a directory here
    # Only the note that the function's role is not in the plan.
    assert [f.code for f in template.findings] == ["LP432"]
    assert "no role" in template.findings[0].message


def test_ambiguous_unknown_env_values_stay_unknown_with_a_finding(tmp_path: Path) -> None:
    plan = _plan(
        [
            _resource(
                "aws_lambda_function.f",
                {"handler": "app.main", "filename": "src", "environment": [{"variables": {}}]},
            ),
            _resource("aws_sqs_queue.a", {"name": "a"}),
            _resource("aws_sqs_queue.b", {"name": "b"}),
        ],
        [_fn_config(["aws_sqs_queue.a.url", "aws_sqs_queue.b.url"])],
        {"aws_lambda_function.f": {"environment": [{"variables": {"QUEUE": True}}]}},
    )
    template = _write(tmp_path, plan)
    (fn,) = template.functions
    assert dict(fn.env)["QUEUE"].pattern() == "*"
    (finding,) = [f for f in template.findings if f.code == "LP411"]
    assert "aws_sqs_queue.a.url" in finding.message and "aws_sqs_queue.b.url" in finding.message


def test_fixture_module_function_and_rebuilt_policy_document() -> None:
    template = load_template(FIXTURE / "plan.json")
    reports = template.function("module.reports.aws_lambda_function.this")
    assert reports is not None
    assert reports.role == "module.reports.aws_iam_role.this"
    assert template.function("orders-reports-dev") is reports  # by function_name
    # var.dlq_arn inside the module is followed to what the root passes in.
    dead_letter = dict(reports.settings)["DeadLetterConfig"].get("TargetArn")
    assert dead_letter is not None
    assert dead_letter.parts == (
        TemplateRef("aws_sqs_queue.dlq", "arn", "aws_sqs_queue", "arn:*:sqs:*:*:orders-dev-dlq"),
    )
    bucket = dict(reports.env)["BUCKET"]
    assert bucket.parts == (
        TemplateRef("aws_s3_bucket.reports", "bucket", "aws_s3_bucket", "acme-reports-dev"),
    )
    api_policy = template.role_policies("aws_lambda_function.api")[0]
    statements = {s["Sid"]: s for s in api_policy.document["Statement"]}
    assert statements["Queue"]["Resource"] == [
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-dev-queue"
    ]
    assert statements["Reports"]["Condition"] == {
        "StringEquals": {"s3:ExistingObjectTag/stage": ["dev"]}
    }
    table = template.resource("aws_dynamodb_table.orders")
    assert table is not None and table.kms_key is not None
    assert table.kms_key.parts == (TemplateRef("aws_kms_key.data", "arn", "aws_kms_key"),)
    bucket = template.resource("aws_s3_bucket.reports")
    assert bucket is not None and bucket.kms_key is not None  # from its separate SSE resource


def test_archives_that_are_not_built_here_and_bad_policy_json(tmp_path: Path) -> None:
    plan = _plan(
        [
            _resource(
                "aws_lambda_function.zip",
                {"handler": "a.b", "filename": "dist/fn.zip", "role": "arn:aws:iam::1:role/r"},
            ),
            _resource(
                "aws_lambda_function.s3",
                {"handler": "a.b", "s3_bucket": "artifacts", "role": "arn:aws:iam::1:role/r"},
            ),
            _resource("aws_iam_policy.bad", {"policy": "{not json"}),
        ],
        [],
    )
    template = _write(tmp_path, plan)
    assert [f.code_root for f in template.functions] == ["", ""]
    codes = sorted(f.code for f in template.findings)
    assert codes == ["LP414", "LP414", "LP432", "LP432", "LP433"]


def test_every_fixture_policy_is_listed_for_lint() -> None:
    template = load_template(FIXTURE / "plan.json")
    names = {p.name for p in template.policies}
    assert {"aws_iam_policy.worker", "aws_iam_role_policy.api", "xray", "reports"} <= names


def test_code_from_the_lambda_module_source_path(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.orders",
                        "resources": [
                            _resource(
                                "aws_lambda_function.this[0]",
                                {
                                    "function_name": "orders",
                                    "handler": "index.lambda_handler",
                                    "runtime": "python3.12",
                                    "filename": "builds/5f3c.zip",
                                },
                                module="module.orders.",
                            )
                        ],
                    }
                ]
            }
        },
        "configuration": {
            "root_module": {
                "module_calls": {
                    "orders": {
                        "source": "terraform-aws-modules/lambda/aws",
                        "expressions": {"source_path": {"constant_value": "src"}},
                        "module": {"resources": []},
                    }
                }
            }
        },
    }
    template = _write(tmp_path, plan)
    (fn,) = template.functions
    assert fn.name == "module.orders.aws_lambda_function.this[0]"
    assert fn.code_root == str(tmp_path / "src")
    assert template.function("module.orders.aws_lambda_function.this") is fn


def test_environment_given_to_the_lambda_module(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [_resource("aws_sqs_queue.jobs", {"name": "jobs"})],
                "child_modules": [
                    {
                        "address": "module.worker",
                        "resources": [
                            _resource(
                                "aws_lambda_function.this[0]",
                                {
                                    "handler": "index.handler",
                                    "filename": "builds/x.zip",
                                    "environment": [{"variables": {"MODE": "batch"}}],
                                },
                                module="module.worker.",
                            )
                        ],
                    }
                ],
            }
        },
        "resource_changes": [
            {
                "address": "module.worker.aws_lambda_function.this[0]",
                "change": {"after_unknown": {"environment": [{"variables": {"QUEUE_URL": True}}]}},
            }
        ],
        "configuration": {
            "root_module": {
                "module_calls": {
                    "worker": {
                        "source": "terraform-aws-modules/lambda/aws",
                        "expressions": {
                            "source_path": {"constant_value": "src"},
                            "environment_variables": {
                                "references": ["aws_sqs_queue.jobs.url", "aws_sqs_queue.jobs"]
                            },
                        },
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_lambda_function.this",
                                    "mode": "managed",
                                    "type": "aws_lambda_function",
                                    "name": "this",
                                    "expressions": {"handler": {"references": ["var.handler"]}},
                                }
                            ]
                        },
                    }
                }
            }
        },
    }
    template = _write(tmp_path, plan)
    (fn,) = template.functions
    queue = dict(fn.env)["QUEUE_URL"]
    assert queue.parts == (
        TemplateRef(
            "aws_sqs_queue.jobs", "url", "aws_sqs_queue", "https://sqs.*.amazonaws.com/*/jobs"
        ),
    )
    assert dict(fn.env)["MODE"].text == "batch"
