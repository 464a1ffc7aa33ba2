"""Plain records and text for catalog lookups (shared by the CLI and by Python callers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from least_priv.model import CallKind, CallSite, Location, Requirement, Value

if TYPE_CHECKING:
    from least_priv.catalog.catalog import Catalog
    from least_priv.catalog.records import ActionInfo, HelperInfo, OperationInfo


def _requirement_record(req: Requirement) -> dict[str, Any]:
    out: dict[str, Any] = {"action": req.action}
    if req.resource_type:
        out["resource_type"] = req.resource_type
        out["arn"] = req.arn_template
    else:
        out["arn"] = "*"
    if req.bindings:
        out["bindings"] = {b.param: b.transform for b in req.bindings}
    if req.conditions:
        out["conditions"] = [
            {"operator": c.operator, "key": c.key, "values": list(c.values)} for c in req.conditions
        ]
    if req.reason:
        out["reason"] = req.reason
    return out


def operation_record(cat: Catalog, info: OperationInfo) -> dict[str, Any]:
    """JSON-able description of an operation: actions by kind, ARN templates, bindings."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for req in info.requirements:
        by_kind.setdefault(req.kind, []).append(_requirement_record(req))
    record: dict[str, Any] = {
        "client": info.client,
        "operation": info.operation,
        "method": info.method,
        "prefix": info.prefix,
        "http_method": info.http_method,
        "actions": list(info.actions),
        "conditional": sorted({r.action for r in info.requirements if r.kind == "conditional"}),
        "dependent": sorted({r.action for r in info.requirements if r.kind == "dependent"}),
        "side_effects": sorted({r.action for r in info.requirements if r.kind == "side-effect"}),
        "requirements": by_kind,
        "bindings": {b.param: b.transform for b in info.bindings},
        "inputs": list(info.inputs),
        "permissionless": info.permissionless,
        "unresolved": info.unresolved,
        "source": info.source,
    }
    if info.rule:
        record["rule"] = info.rule
    pag = cat.paginator_operation(info.client, info.operation)
    record["paginator"] = pag is not None
    record["waiters"] = sorted(
        w for w, op in cat.waiters(info.client).items() if op == info.operation
    )
    return record


def helper_record(cat: Catalog, info: HelperInfo) -> dict[str, Any]:
    """JSON-able description of an injected helper: arguments, operations, actions."""
    # What a call passing only the helper's required arguments needs.
    bare = CallSite(
        Location("<lookup>"),
        info.client,
        info.name,
        tuple((a, Value.unknown()) for a in info.arguments[:1] + info.identifiers),
        CallKind.HELPER,
    )
    actions = {r.action for r in cat.requirements(bare) if r.kind == "required"}
    return {
        "client": info.client,
        "helper": info.name,
        "arguments": list(info.arguments),
        "identifiers": list(info.identifiers),
        "operations": list(info.operations),
        "calls": [
            {"operation": c.operation, "params": dict(c.params), "why": c.why} for c in info.calls
        ],
        "actions": sorted(actions),
    }


def action_record(cat: Catalog, info: ActionInfo) -> dict[str, Any]:
    """JSON-able description of an IAM action and the operations that need it."""
    return {
        "action": info.action,
        "access_level": info.access_level,
        "resource_types": [
            {
                "name": rt.name,
                "arn": rt.arn,
                "required": required,
                "condition_keys": list(rt.condition_keys),
            }
            for rt, required in info.resource_types
        ],
        "condition_keys": list(info.condition_keys),
        "dependent_actions": list(info.dependent_actions),
        "operations": [
            f"{c}.{o}"
            for c, o in cat.operations_for_action(info.action, kinds=("required", "conditional"))
        ],
        "also_needed_by": [
            f"{c}.{o}"
            for c, o in cat.operations_for_action(info.action, kinds=("dependent", "side-effect"))
        ],
    }


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return "-"
        if all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return "\n" + "\n".join("    " + _value_text(v).strip() for v in value)
    if isinstance(value, dict):
        if not value:
            return "-"
        return "\n" + "\n".join(f"    {k}: {_value_text(v).strip()}" for k, v in value.items())
    if value is None:
        return "-"
    return str(value)


def record_text(record: dict[str, Any]) -> str:
    """A record as ``key: value`` lines, nested values indented."""
    width = max(len(k) for k in record)
    return "\n".join(f"{k.ljust(width)}  {_value_text(v)}" for k, v in record.items()) + "\n"


def _join(items: list[str]) -> str:
    return ", ".join(items) if items else "-"


def operation_text(record: dict[str, Any]) -> str:
    """An operation record as a readable block: summary, then one entry per requirement."""
    lines = [
        f"{record['client']}.{record['method']} → {record['operation']} ({record['http_method']})",
        f"  prefix        {record['prefix']}",
        f"  actions       {_join(record['actions'])}",
        f"  conditional   {_join(record['conditional'])}",
        f"  dependent     {_join(record['dependent'])}",
        f"  side effects  {_join(record['side_effects'])}",
    ]
    if record["permissionless"]:
        lines.append(f"  no permission {record['permissionless']}")
    if record["unresolved"]:
        lines.append("  UNRESOLVED    no IAM action known; requirements() grants the prefix's *")
    if record.get("rule"):
        lines.append(f"  rule          {record['rule']} (decided by request content)")
    if record["source"] != record["permissionless"]:
        lines.append(f"  source        {record['source'] or '-'}")
    paginator = "yes" if record["paginator"] else "no"
    lines.append(f"  paginator     {paginator}; waiters: {_join(record['waiters'])}")
    entries = [(kind, req) for kind, reqs in record["requirements"].items() for req in reqs]
    if entries:
        lines.append("requirements")
    for kind, req in entries:
        resource = f"{req['resource_type']}  {req['arn']}" if "resource_type" in req else "*"
        lines.append(f"  {kind:<12}{req['action']}  on {resource}")
        if "bindings" in req:
            lines.append("      " + ", ".join(f"{p} → {t}" for p, t in req["bindings"].items()))
        for cond in req.get("conditions", []):
            lines.append(f"      if {cond['operator']} {cond['key']} {_join(cond['values'])}")
        if "reason" in req:
            lines.append(f"      ({req['reason']})")
    lines.append(f"inputs  {_join(record['inputs'])}")
    return "\n".join(lines) + "\n"


def action_text(record: dict[str, Any]) -> str:
    """An action record as a readable block."""
    lines = [f"{record['action']} ({record['access_level']})", "resource types"]
    for rt in record["resource_types"]:
        star = "*" if rt["required"] else " "
        lines.append(f"  {rt['name']}{star}  {rt['arn']}")
        if rt["condition_keys"]:
            lines.append(f"      condition keys: {_join(rt['condition_keys'])}")
    if not record["resource_types"]:
        lines.append('  none (the action takes "Resource": "*")')
    lines.append(f"condition keys     {_join(record['condition_keys'])}")
    lines.append(f"dependent actions  {_join(record['dependent_actions'])}")
    lines.append(f"operations         {_join(record['operations'])}")
    lines.append(f"also needed by     {_join(record['also_needed_by'])}")
    return "\n".join(lines) + "\n"


def helper_text(record: dict[str, Any]) -> str:
    """A helper record as a readable block, one line per operation it may perform."""
    args = ", ".join(record["arguments"])
    lines = [f"{record['client']}.{record['helper']}({args})"]
    if record["identifiers"]:
        lines.append(f"  identifiers  {_join(record['identifiers'])} (from the resource)")
    lines.append(f"  actions      {_join(record['actions'])}")
    lines.append("calls")
    for call in record["calls"]:
        params = ", ".join(f"{k} ← {v}" for k, v in call["params"].items())
        lines.append(f"  {call['operation']:<24}{params}")
        if call["why"]:
            lines.append(f"      ({call['why']})")
    return "\n".join(lines) + "\n"


def info_text(data: dict[str, Any]) -> str:
    """``catalog info`` as text, with the coverage percentage."""
    total = int(data.get("operations", 0)) or 1
    covered = int(data.get("mapped", 0)) + int(data.get("permissionless", 0))
    lines = [
        record_text(data).rstrip("\n"),
        f"coverage    {covered / total:.2%} mapped or permissionless",
    ]
    return "\n".join(lines) + "\n"
