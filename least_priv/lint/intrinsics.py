"""Typed sample ARNs for resources written with intrinsic functions.

``Resource: !GetAtt Bucket.Arn`` next to ``s3:GetObject`` is the most common way to grant
nothing (the action needs ``bucket/*``). To see it, the resource-type rule needs to know
*what kind* of ARN the intrinsic evaluates to, not its exact value. The infra evaluator
(:class:`least_priv.infra.cfn_eval.Evaluator`) resolves the intrinsic into parts that keep
each reference's resource type; here each reference becomes a sample ARN of that type from
:data:`least_priv.infra.resource_types.CLOUDFORMATION`, with concrete pseudo parameters and a
placeholder name, so no ``*`` can stand for a ``/`` the real ARN does not have. Anything the
table does not describe (a parameter, an import) stays ``*``, which matches every type: the
rule then stays silent rather than guess.
"""

from __future__ import annotations

import re
from typing import Any

from least_priv.infra.cfn_eval import Evaluator
from least_priv.infra.parts import PARAMETER, is_pseudo
from least_priv.infra.positions import NodePath, ParsedDocument
from least_priv.infra.resource_types import CLOUDFORMATION
from least_priv.lint.policy import Sampler
from least_priv.model import TemplateRef

_PSEUDO_SAMPLES = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
}
_PLACEHOLDER = re.compile(r"\{(name/?|partition|region|account|\*)\}")
_FILL = {"partition": "aws", "region": "us-east-1", "account": "123456789012", "*": "x"}
SAMPLE_NAME = "sample-name"


def _sample_ref(ref: TemplateRef) -> str:
    if is_pseudo(ref):
        return _PSEUDO_SAMPLES.get(ref.logical_id, "*")
    if ref.resource_type == PARAMETER:
        # A parameter's value (its default, or what the user passed) when it is literal.
        known = ref.known
        return known if known and "*" not in known and "?" not in known else "*"
    kind = CLOUDFORMATION.get(ref.resource_type or "")
    fmt = kind.format(ref.attribute) if kind is not None else None
    if fmt is None:
        return "*"
    return _PLACEHOLDER.sub(lambda m: _FILL.get(m.group(1), SAMPLE_NAME), fmt)


def sampler(parsed: ParsedDocument, resources_base: NodePath) -> Sampler:
    """A function giving the sample ARN of an intrinsic node of ``parsed`` (or None)."""
    resources = parsed.get((*resources_base, "Resources"))
    evaluator = Evaluator(parsed, resources=resources if isinstance(resources, dict) else {})

    def sample(node: Any, path: NodePath) -> str | None:
        if not isinstance(node, dict):
            return None
        value = evaluator.value(node, path)
        if not value.is_string or not value.parts:
            return None
        out = []
        for part in value.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, TemplateRef):
                out.append(_sample_ref(part))
            else:
                out.append("*")
        return "".join(out)

    return sample
