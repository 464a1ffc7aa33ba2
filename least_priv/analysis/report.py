"""A readable, JSON-able description of an analysis result (golden files, debugging)."""

from __future__ import annotations

import os
from typing import Any

from least_priv.analysis.analyzer import AnalysisResult
from least_priv.model import CallSite, EnvRef, Finding, TemplateRef, Unknown, Value


def render_value(value: Value) -> str:
    """A compact text form: ``uploads/*/x``, ``${TABLE}``, ``${TABLE:-orders}``, ``{k: v}``;
    template references (pseudo parameters) as ``{AWS::Region}``."""
    if value.mapping is not None:
        inner = ", ".join(f"{render_value(k)}: {render_value(v)}" for k, v in value.mapping)
        return "{" + inner + "}"
    if value.sequence is not None:
        return "[" + ", ".join(render_value(v) for v in value.sequence) + "]"
    if value.text == "":
        return '""'
    out: list[str] = []
    for part in value.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, EnvRef):
            out.append(
                f"${{{part.name}}}" if part.default is None else f"${{{part.name}:-{part.default}}}"
            )
        elif isinstance(part, TemplateRef):
            out.append(f"{{{part.logical_id}}}")
        elif isinstance(part, Unknown):
            out.append("*")
    return "".join(out) or "*"


def render_call(call: CallSite, root: str = "") -> str:
    """``app.py:12 s3.GetObject(Bucket=b, Key=uploads/*) [client get_object] in app.handler``
    (``@eu-west-1`` after the arguments when the client is pinned to a region)."""
    args = ", ".join(f"{k}={render_value(v)}" for k, v in call.args)
    path = os.path.relpath(call.location.path, root) if root else call.location.path
    region = "" if call.region is None else f" @{render_value(call.region)}"
    return (
        f"{path}:{call.location.line} {call.service}.{call.operation}({args}){region} "
        f"[{call.kind.value} {call.via}] in {call.function}"
    )


def render_finding(finding: Finding, root: str = "") -> str:
    """``app.py:3 LP211 message``."""
    path = os.path.relpath(finding.location.path, root) if root else finding.location.path
    return f"{path}:{finding.location.line} {finding.code} {finding.message}"


def describe(result: AnalysisResult, root: str = "") -> dict[str, Any]:
    """Calls, findings and reachable functions as plain data, paths relative to ``root``."""
    return {
        "calls": [render_call(c, root) for c in result.calls],
        "findings": [render_finding(f, root) for f in result.findings],
        "reachable": list(result.reachable),
    }
