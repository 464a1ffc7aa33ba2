"""``--report FILE``: the run as JSON, for tools and reviews.

Per function: its policy documents, every permission with conditions and provenance, and its
findings; then every finding of the run. Keys and lists are sorted; no timestamps.
"""

from __future__ import annotations

import json

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.model import Finding, Permission, Provenance
from least_priv.render.findings import render_findings


def render_report(result: GenerateResult) -> str:
    """The JSON report text (ends with a newline)."""
    payload = {
        "functions": [_function(p) for p in result.functions],
        "findings": _findings(result.findings),
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _function(policy: FunctionPolicy) -> dict[str, object]:
    return {
        "name": policy.name,
        "documents": [d.to_json() for d in policy.documents],
        "permissions": [_permission(p) for p in policy.permissions],
        "findings": _findings(policy.findings),
        **({"cloudtrail_report": policy.cloudtrail_report} if policy.cloudtrail_report else {}),
    }


def _permission(perm: Permission) -> dict[str, object]:
    return {
        "action": perm.action,
        "resource": perm.resource,
        "conditions": [
            {"operator": c.operator, "key": c.key, "values": list(c.values)}
            for c in perm.conditions
        ],
        "provenance": [_provenance(p) for p in perm.provenance],
    }


def _provenance(provenance: Provenance) -> dict[str, object]:
    out: dict[str, object] = {"source": provenance.source, "detail": provenance.detail}
    if provenance.location is not None:
        out["path"] = provenance.location.path
        out["line"] = provenance.location.line
        out["column"] = provenance.location.column
    if provenance.source == "observed":
        out["count"] = provenance.count
        out["first_seen"] = provenance.first_seen
        out["last_seen"] = provenance.last_seen
    return out


def _findings(findings: tuple[Finding, ...]) -> object:
    # The same shape as `--findings-format json` everywhere else in the tool.
    return json.loads(render_findings(findings, "json"))["findings"]
