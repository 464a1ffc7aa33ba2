"""Serverless Framework output: IAM role statements for ``serverless.yml``.

One function: ``provider.iam.role.statements``. Several: each function's
``iamRoleStatements`` (the per-function role convention of the widely used
serverless-iam-roles-per-function plugin), so each keeps its own least privilege.

References use CloudFormation's long form (``Fn::GetAtt``, ``Ref``, ``Fn::Join``) rather than
``Fn::Sub``: ``${...}`` is the Serverless Framework's own variable syntax in serverless.yml.
"""

from __future__ import annotations

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.model import Part, TemplateRef
from least_priv.policy.template import single_reference, sub_reference, sub_text
from least_priv.render.cfn import cfn_parts, dump_yaml, statement_dict


def serverless_resource(parts: tuple[Part, ...]) -> object:
    """One Resource entry in long-form intrinsics."""
    parts = cfn_parts(parts)
    if not any(isinstance(p, TemplateRef) for p in parts):
        return sub_text(parts, sub_reference)
    ref = single_reference(parts)
    if ref is not None:
        return _intrinsic(ref)
    pieces: list[object] = []
    text: list[Part] = []
    for part in parts:
        if isinstance(part, TemplateRef):
            if text:
                pieces.append(sub_text(text, sub_reference))
                text = []
            pieces.append(_intrinsic(part))
        else:
            text.append(part)
    if text:
        pieces.append(sub_text(text, sub_reference))
    return {"Fn::Join": ["", pieces]}


def _intrinsic(ref: TemplateRef) -> object:
    if ref.attribute:
        return {"Fn::GetAtt": [ref.logical_id, ref.attribute]}
    return {"Ref": ref.logical_id}


def _statements(policy: FunctionPolicy) -> list[dict[str, object]]:
    def one(key: str) -> object:
        return serverless_resource(policy.resource_parts(key))

    return [statement_dict(st, one) for doc in policy.template_documents for st in doc.statements]


def render_serverless(result: GenerateResult) -> str:
    """The statements as a serverless.yml fragment."""
    if result.keyed:
        return dump_yaml(
            {"functions": {p.name: {"iamRoleStatements": _statements(p)} for p in result.functions}}
        )
    statements = _statements(result.functions[0]) if result.functions else []
    return dump_yaml({"provider": {"iam": {"role": {"statements": statements}}}})
