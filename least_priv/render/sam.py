"""AWS SAM output: the ``Policies:`` block of an ``AWS::Serverless::Function``.

SAM accepts policy documents in ``Policies`` as they are; resources reference the template
(``!GetAtt OrdersTable.Arn``) so the policy follows the resources it names. Paste the block
under the function's ``Properties`` (or, for several functions, each function's block).
"""

from __future__ import annotations

from least_priv.api import GenerateResult
from least_priv.render import logical_name
from least_priv.render.cfn import dump_yaml, template_documents


def render_sam(result: GenerateResult) -> str:
    """``Policies:`` for one function; ``<Function>: {Policies: ...}`` for several."""
    if result.keyed:
        return dump_yaml(
            {logical_name(p.name): {"Policies": template_documents(p)} for p in result.functions}
        )
    if not result.functions:
        return dump_yaml({"Policies": []})
    return dump_yaml({"Policies": template_documents(result.functions[0])})
