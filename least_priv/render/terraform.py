"""Terraform output: ``data "aws_iam_policy_document"`` blocks in HCL.

Resources planned by the same configuration are referenced by address
(``aws_dynamodb_table.orders.arn``, ``"arn:${data.aws_partition.current.partition}:s3:::
${aws_s3_bucket.uploads.bucket}/*"``); an unknown partition, region or account uses the
``aws_partition``/``aws_region``/``aws_caller_identity`` data sources, which are declared
when used. Attach with ``aws_iam_role_policy`` or ``aws_iam_policy`` from
``data.aws_iam_policy_document.<name>.json``.
"""

from __future__ import annotations

import json
import re

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.infra.parts import ACCOUNT, PARTITION, REGION
from least_priv.model import Condition, Part, Statement, TemplateRef
from least_priv.policy.refs import is_terraform
from least_priv.policy.template import sub_text

_PSEUDO = {
    PARTITION: ("aws_partition", "data.aws_partition.current.partition"),
    REGION: ("aws_region", "data.aws_region.current.name"),
    ACCOUNT: ("aws_caller_identity", "data.aws_caller_identity.current.account_id"),
}


def tf_name(name: str, fallback: str = "lambda") -> str:
    """A Terraform identifier (``orders_api``) from a function name.

    A Terraform address (``module.api.aws_lambda_function.this[0]``) gives its last name.
    """
    if "." in name:
        name = re.sub(r"\[[^\]]*\]$", "", name).rsplit(".", 1)[-1]
    text = re.sub(r"[^A-Za-z0-9_]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)).lower()
    text = text.strip("_") or fallback
    return text if not text[0].isdigit() else f"{fallback}_{text}"


class _Writer:
    """Renders parts as HCL and remembers which pseudo-parameter data sources were used."""

    def __init__(self) -> None:
        self.data_sources: set[str] = set()

    def expression(self, parts: tuple[Part, ...]) -> str:
        """A bare reference when the resource is one, else a string with interpolations."""
        if len(parts) == 1 and isinstance(parts[0], TemplateRef):
            ref = self.reference(parts[0])
            if ref is not None:
                return ref
        text = sub_text(parts, self._interpolation, _escape)
        return '"' + text + '"'

    def _interpolation(self, ref: TemplateRef) -> str:
        expression = self.reference(ref)
        if expression is not None:
            return "${" + expression + "}"
        return _escape(ref.known or "*")  # a CloudFormation resource: its value, if known

    def reference(self, ref: TemplateRef) -> str | None:
        """The HCL expression of a reference; None when it is not a Terraform one."""
        if ref in _PSEUDO:
            source, expression = _PSEUDO[ref]
            self.data_sources.add(source)
            return expression
        if not is_terraform(ref) or ref.logical_id.startswith("module."):
            # A resource inside a module is reachable only through the module's outputs:
            # its value is written instead.
            return None
        return f"{ref.logical_id}.{ref.attribute or 'id'}"


def _escape(text: str) -> str:
    # JSON string escapes are valid HCL escapes; template sequences must be doubled.
    body = json.dumps(text)[1:-1]
    return body.replace("${", "$${").replace("%{", "%%{")


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _statement(st: Statement, policy: FunctionPolicy, writer: _Writer) -> list[str]:
    lines = ["  statement {"]
    if st.sid:
        lines.append(f"    sid       = {json.dumps(st.sid)}")
    lines.append(f"    effect    = {json.dumps(st.effect)}")
    lines.append(f"    actions   = {_list([json.dumps(a) for a in st.actions])}")
    resources = [writer.expression(policy.resource_parts(r)) for r in st.resources]
    lines.append(f"    resources = {_list(resources)}")
    for condition in st.conditions:
        lines.extend(_condition(condition))
    lines.append("  }")
    return lines


def _condition(condition: Condition) -> list[str]:
    return [
        "",
        "    condition {",
        f"      test     = {json.dumps(condition.operator)}",
        f"      variable = {json.dumps(condition.key)}",
        f"      values   = {_list([_string(v) for v in condition.values])}",
        "    }",
    ]


def _string(text: str) -> str:
    return '"' + _escape(text) + '"'


def render_terraform(result: GenerateResult) -> str:
    """HCL: one ``aws_iam_policy_document`` per function (and per document after --split)."""
    writer = _Writer()
    blocks: list[str] = []
    for policy in result.functions:
        base = tf_name(policy.name)
        documents = policy.template_documents
        for index, document in enumerate(documents, start=1):
            name = base if len(documents) == 1 else f"{base}_{index}"
            lines = [f'data "aws_iam_policy_document" "{name}" {{']
            for number, st in enumerate(document.statements):
                if number:
                    lines.append("")
                lines.extend(_statement(st, policy, writer))
            lines.append("}")
            blocks.append("\n".join(lines))
    header = [f'data "{source}" "current" {{}}' for source in sorted(writer.data_sources)]
    parts = (["\n".join(header)] if header else []) + blocks
    return "\n\n".join(parts) + "\n"
