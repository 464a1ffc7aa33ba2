"""``--explain``: for each permission, why it is in the policy.

Every permission lists its provenance: the call sites that need it (file:line and the call
as written), the configuration settings that imply it, and CloudTrail observations (count,
first and last seen) when they were merged.
"""

from __future__ import annotations

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.model import Provenance
from least_priv.policy.arn import has_reference
from least_priv.policy.template import template_key


def render_explain(result: GenerateResult) -> str:
    """A plain-text explanation, one block per function, permissions in policy order."""
    blocks = [_function(p) for p in result.functions]
    return "\n".join(blocks) if blocks else "no function to explain\n"


def _function(policy: FunctionPolicy) -> str:
    lines = [f"{policy.name or 'policy'}: why each permission is there"]
    for perm in policy.permissions:
        condition = "".join(
            f" if {c.operator} {c.key}={','.join(c.values)}" for c in perm.conditions
        )
        lines.append(f"  {perm.action} on {perm.resource}{condition}")
        if has_reference(perm.resource_parts):
            # The JSON form may say '*' for a name the template only knows at deploy time.
            lines.append(f"      = {template_key(perm)} in template formats")
        for provenance in perm.provenance:
            lines.append(f"      {_reason(provenance)}")
    if not policy.permissions:
        lines.append("  (no permission needed)")
    return "\n".join(lines) + "\n"


def _reason(provenance: Provenance) -> str:
    where = str(provenance.location) if provenance.location is not None else "-"
    text = f"{provenance.source:<8} {where}"
    if provenance.detail:
        text += f"  {provenance.detail}"
    if provenance.source == "observed":
        text += f"  ({provenance.count} calls, {provenance.first_seen} .. {provenance.last_seen})"
    return text
