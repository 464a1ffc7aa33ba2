"""SAM policies against AWS's own SAM translator (aws-sam-translator) as the oracle.

Two checks: every SAM policy template in our table expands to the statements the
translator's published template data defines; and for the SAM fixture, the role SAM
generates for each function without ``Role`` (managed policies it attaches, policy
templates it expands, the dead-letter policy it adds) matches what ``role_policies`` says.
The translator needs packaged code URIs and a region; the test gives it both.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import samtranslator  # type: ignore[import-untyped]

from least_priv.infra import load_template, parse_text
from least_priv.infra.cfn_eval import Evaluator
from least_priv.infra.sam_policies import expand, template_names, template_parameters

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "infra" / "sam-orders"
_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


def _translator_templates() -> dict[str, Any]:
    data = Path(samtranslator.__file__).parent / "policy_templates_data" / "policy_templates.json"
    templates: dict[str, Any] = json.loads(data.read_text())["Templates"]
    return templates


def _render_definition(node: Any) -> Any:
    """The translator's definition with each ``{"Ref": Param}`` as ``<Param>``, Fn::Sub
    applied and pseudo parameters left as ``${AWS::...}``."""
    if isinstance(node, dict) and len(node) == 1:
        key, arg = next(iter(node.items()))
        if key == "Ref" and isinstance(arg, str):
            return f"<{arg}>" if not arg.startswith("AWS::") else "${" + arg + "}"
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            values = {name: _render_definition(value) for name, value in variables.items()}

            def substitute(match: re.Match[str]) -> str:
                name = match.group(1)
                return str(
                    values.get(name, "<" + name + ">" if "::" not in name else match.group(0))
                )

            return _SUB_VAR.sub(substitute, text)
    if isinstance(node, dict):
        return {key: _render_definition(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_render_definition(item) for item in node]
    return node


def _normal(statements: Any) -> list[str]:
    """Statements compared by content: Action/Resource as sorted lists, order ignored."""
    out = []
    for statement in statements if isinstance(statements, list) else [statements]:
        item = dict(statement)
        for key in ("Action", "Resource", "NotAction", "NotResource"):
            if key in item:
                value = item[key]
                item[key] = sorted(value if isinstance(value, list) else [value])
        out.append(json.dumps(item, sort_keys=True))
    return sorted(out)


@pytest.mark.parametrize("name", template_names())
def test_policy_template_matches_translator_data(name: str) -> None:
    published = _translator_templates()
    assert name in published, f"{name} is not a SAM policy template"
    parameters = template_parameters(name) or []
    assert sorted(parameters) == sorted(published[name].get("Parameters", {}))
    ours = expand(name, {p: f"<{p}>" for p in parameters})
    theirs = _render_definition(published[name]["Definition"]["Statement"])
    assert _normal(ours) == _normal(theirs)


def test_table_covers_the_templates_lambda_code_uses() -> None:
    wanted = {
        "DynamoDBCrudPolicy",
        "DynamoDBReadPolicy",
        "DynamoDBWritePolicy",
        "S3ReadPolicy",
        "S3WritePolicy",
        "S3CrudPolicy",
        "SQSSendMessagePolicy",
        "SQSPollerPolicy",
        "SNSPublishMessagePolicy",
        "LambdaInvokePolicy",
        "StepFunctionsExecutionPolicy",
        "EventBridgePutEventsPolicy",
        "KinesisStreamReadPolicy",
        "KinesisCrudPolicy",
        "KMSDecryptPolicy",
        "KMSEncryptPolicy",
        "SSMParameterReadPolicy",
        "SSMParameterWithSlashPrefixReadPolicy",
        "AWSSecretsManagerGetSecretValuePolicy",
        "SESCrudPolicy",
        "SESSendBouncePolicy",
        "CloudWatchPutMetricPolicy",
        "AthenaQueryPolicy",
    }
    assert wanted <= set(template_names())


def _translated(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from samtranslator.translator.transform import transform  # type: ignore[import-untyped]

    class NoManagedPolicies:
        """The translator asks IAM for managed policy names; offline there are none."""

        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    data = copy.deepcopy(load_template(FIXTURE / "template.yaml").document.data)  # type: ignore[union-attr]
    for resource in data["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = "s3://deploy-bucket/artifact.zip"
    translated: dict[str, Any] = transform(data, {}, NoManagedPolicies())
    return translated


def test_sam_generated_roles_match_role_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    translated = _translated(monkeypatch)
    ours = load_template(FIXTURE / "template.yaml")
    checked = 0
    for function in ours.functions:
        role_id = f"{function.name}Role"
        role = translated["Resources"].get(role_id)
        if role is None:
            continue  # the function names its own Role; SAM generates nothing
        checked += 1
        doc = parse_text(json.dumps(translated), "translated.json")
        ev = Evaluator(doc)
        props = role["Properties"]
        expected_managed = {
            re.sub(r"^arn:aws:", "arn:${AWS::Partition}:", ev.text(arn, ()) or "")
            for arn in props.get("ManagedPolicyArns", [])
        }
        expected_statements = _normal(
            [
                statement
                for policy in props.get("Policies", [])
                for statement in ev.document(policy["PolicyDocument"], ())["Statement"]
            ]
        )
        declared = ours.role_policies(function.name)
        managed = {
            re.sub(r"^arn:aws:", "arn:${AWS::Partition}:", p.arn or "")
            for p in declared
            if p.origin == "managed-arn"
        }
        statements = _normal(
            [s for p in declared if p.expandable for s in p.document.get("Statement", [])]
        )
        assert managed == expected_managed, function.name
        assert statements == expected_statements, function.name
    assert checked == 2  # ApiFunction and WorkerFunction
