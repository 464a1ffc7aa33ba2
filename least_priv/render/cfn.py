"""CloudFormation output: an execution role with the policy, in YAML with short-form tags.

Also home of what the SAM renderer shares with it: statements whose resources reference the
template (``!GetAtt OrdersTable.Arn``, ``!Ref Topic``, ``!Sub "arn:${AWS::Partition}:s3:::
${Bucket}/*"``) and a YAML dumper that writes CloudFormation's short-form tags.

The role gets the policy inline while all documents together fit IAM's 10,240-character
inline limit; beyond that each document becomes an ``AWS::IAM::ManagedPolicy`` attached to
the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.model import Part, PolicyDocument, Statement, TemplateRef, Unknown, join_parts
from least_priv.policy import INLINE_TOTAL_LIMIT, size
from least_priv.policy.refs import is_terraform
from least_priv.policy.template import single_reference, sub_reference, sub_text
from least_priv.render import logical_name


@dataclass(frozen=True, slots=True)
class Tagged:
    """A scalar with a CloudFormation short-form tag (``!Ref``, ``!GetAtt``, ``!Sub``)."""

    tag: str
    value: str


_TAGS = frozenset({"!Ref", "!GetAtt", "!Sub"})


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # Repeated statements must be written out, not as YAML anchors.
        return True

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every scalar with an explicit tag; CloudFormation users write
        # `!GetAtt Table.Arn` plain, and plain is valid whenever the text allows it.
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.tag in _TAGS and not event.style:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            allowed = (
                self.analysis.allow_flow_plain
                if self.flow_level
                else self.analysis.allow_block_plain
            )
            if allowed and not self.analysis.empty and not self.analysis.multiline:
                return ""
        return str(super().choose_scalar_style())


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(Tagged, _represent_tagged)


def dump_yaml(data: object) -> str:
    """YAML text with tags, keys in the order given, no anchors, long lines unbroken."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=10_000)


def cfn_parts(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """Parts CloudFormation can express: Terraform references fall back to their value."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, TemplateRef) and is_terraform(part):
            out.append(part.known if part.known else Unknown())
        else:
            out.append(part)
    return join_parts(out)


def cfn_resource(parts: tuple[Part, ...]) -> object:
    """One Resource entry: a plain ARN, ``!GetAtt``/``!Ref``, or ``!Sub`` text."""
    parts = cfn_parts(parts)
    if not any(isinstance(p, TemplateRef) for p in parts):
        return sub_text(parts, sub_reference)
    ref = single_reference(parts)
    if ref is not None:
        if ref.attribute:
            return Tagged("!GetAtt", f"{ref.logical_id}.{ref.attribute}")
        return Tagged("!Ref", ref.logical_id)
    return Tagged("!Sub", sub_text(parts, sub_reference))


def statement_dict(statement: Statement, resource: Callable[[str], object]) -> dict[str, object]:
    """A statement as IAM's JSON mapping, with resources converted by ``resource(key)``."""
    listed = PolicyDocument((statement,)).to_json()["Statement"]
    assert isinstance(listed, list)
    item: dict[str, object] = dict(listed[0])
    resources = [resource(r) for r in statement.resources]
    item["Resource"] = resources if len(resources) > 1 else resources[0]
    return item


def template_documents(
    policy: FunctionPolicy, resource: Callable[[tuple[Part, ...]], object] | None = None
) -> list[dict[str, object]]:
    """The function's documents with template references, as CloudFormation mappings."""
    convert = resource or cfn_resource

    def one(key: str) -> object:
        return convert(policy.resource_parts(key))

    return [
        {
            "Version": doc.version,
            "Statement": [statement_dict(st, one) for st in doc.statements],
        }
        for doc in policy.template_documents
    ]


_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def render_cfn(result: GenerateResult) -> str:
    """A CloudFormation template fragment with one execution role per function."""
    resources: dict[str, object] = {}
    for policy in result.functions:
        resources.update(role_resources(policy))
    return dump_yaml({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})


def role_resources(policy: FunctionPolicy) -> dict[str, object]:
    """``<Fn>Role`` with the policy inline, or with ``<Fn>Policy<N>`` managed policies."""
    base = logical_name(policy.name, "LambdaFunction")
    role_id = f"{base}Role"
    documents = template_documents(policy)
    inline = sum(size(d) for d in policy.documents) <= INLINE_TOTAL_LIMIT
    role: dict[str, object] = {"AssumeRolePolicyDocument": _TRUST}
    out: dict[str, object] = {role_id: {"Type": "AWS::IAM::Role", "Properties": role}}
    names = _policy_names(base, len(documents))
    if inline:
        role["Policies"] = [
            {"PolicyName": name, "PolicyDocument": doc}
            for name, doc in zip(names, documents, strict=True)
        ]
        return out
    for name, doc in zip(names, documents, strict=True):
        out[name] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": doc, "Roles": [Tagged("!Ref", role_id)]},
        }
    return out


def _policy_names(base: str, count: int) -> list[str]:
    if count == 1:
        return [f"{base}Policy"]
    return [f"{base}Policy{i}" for i in range(1, count + 1)]
