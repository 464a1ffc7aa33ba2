"""The catalog: botocore operation → IAM actions, resources, bindings; IAM action metadata.

``get_catalog()`` returns a process-wide instance. Files are read on first use, one client
or prefix at a time, so a lookup for ``s3`` never reads ``ec2``'s data.
"""

from __future__ import annotations

import difflib
import fnmatch
from functools import cache
from typing import Any

from least_priv.catalog import store
from least_priv.catalog.records import (
    ActionInfo,
    HelperCall,
    HelperInfo,
    OperationInfo,
    ResourceType,
)
from least_priv.model import CallSite, Condition, Finding, ParamBinding, Requirement


def requirement_of(row: dict[str, Any]) -> Requirement:
    """The ``Requirement`` a generated row stands for (selectors left out)."""
    rtype = row.get("t")
    return Requirement(
        action=row["a"],
        resource_type=rtype,
        arn_template=_arn_template(row["a"].split(":", 1)[0], rtype) if rtype else None,
        bindings=tuple(ParamBinding(p, t) for p, t in row.get("b", ())),
        conditions=tuple(Condition(op, key, tuple(values)) for op, key, values in row.get("c", ())),
        kind=row.get("k", "required"),
        reason=row.get("r", ""),
    )


def _arn_template(prefix: str, rtype: str) -> str | None:
    data = store.prefix(prefix)
    resource = data["resources"].get(rtype) if data else None
    return str(resource["arn"]) if resource else None


class Catalog:
    """Answers questions about AWS operations and IAM actions from ``service_maps/``."""

    # -- clients and operations --------------------------------------------------------------

    def clients(self) -> list[str]:
        """Every boto3 client name, sorted."""
        return sorted(store.index()["clients"])

    def has_client(self, client: str) -> bool:
        """True when boto3 has a client of that name."""
        return client in store.index()["clients"]

    def prefix(self, client: str) -> str | None:
        """The IAM service prefix of a client (``cloudwatch`` → ``cloudwatch``)."""
        row = store.index()["clients"].get(client)
        return str(row["prefix"]) if row else None

    def client_for_event_source(self, event_source: str) -> str | None:
        """The client a CloudTrail ``eventSource`` belongs to (``monitoring.amazonaws.com``)."""
        found = store.index()["event_sources"].get(event_source.lower())
        return str(found) if found else None

    def clients_for_event_source(self, event_source: str) -> list[str]:
        """Every client a CloudTrail ``eventSource`` may stand for, the preferred one first.

        Several clients share an endpoint (``bedrock.amazonaws.com``: bedrock,
        bedrock-runtime, bedrock-agent ...); an event name belongs to one of them.
        """
        host = event_source.lower()
        index = store.index()
        every = index.get("event_source_clients", {}).get(host)
        if every:
            return list(every)
        found = index["event_sources"].get(host)
        return [str(found)] if found else []

    def operations(self, client: str) -> list[str]:
        """Every operation name of a client, sorted (empty for an unknown client)."""
        data = store.client(client)
        return sorted(data["operations"]) if data else []

    def operation_for_method(self, client: str, method: str) -> str | None:
        """The operation behind a client method name (``list_objects_v2``)."""
        return _methods(client).get(method)

    def operation(self, client: str, operation: str) -> OperationInfo | None:
        """Everything known about one operation, or None when the client has no such one."""
        return _operation(client, operation)

    def paginator_operation(self, client: str, name: str) -> str | None:
        """The operation a paginator drives; ``name`` may be snake or CamelCase."""
        data = store.client(client)
        if data is None:
            return None
        if name in data["paginators"]:
            return name
        op = _methods(client).get(name)
        return op if op in data["paginators"] else None

    def waiter_operation(self, client: str, name: str) -> str | None:
        """The operation a waiter polls; ``name`` may be snake or CamelCase."""
        data = store.client(client)
        if data is None:
            return None
        waiters: dict[str, str] = data["waiters"]
        if name in waiters:
            return waiters[name]
        for snake, op in waiters.items():
            if snake.replace("_", "") == name.lower():
                return op
        return None

    def paginators(self, client: str) -> list[str]:
        """Operation names that have a paginator."""
        data = store.client(client)
        return list(data["paginators"]) if data else []

    def waiters(self, client: str) -> dict[str, str]:
        """Waiter (snake name) → operation it polls."""
        data = store.client(client)
        return dict(data["waiters"]) if data else {}

    def resource_model(self, client: str) -> dict[str, Any] | None:
        """boto3's resource model (``resources-1.json`` content) for the client, if any."""
        return store.resource_model(client)

    # -- helpers -------------------------------------------------------------------------------

    def helper(self, client: str, name: str) -> HelperInfo | None:
        """An injected helper by method name (``upload_file``, ``Bucket.copy``)."""
        return _helper(client, name)

    def helpers(self, client: str) -> list[str]:
        """Names of the helpers a client has."""
        return sorted(store.index()["helpers"].get(client, {}))

    def expand_helper(self, call: CallSite) -> list[CallSite]:
        """The operation calls an injected-helper call stands for (``kind=HELPER``/``PRESIGN``).

        ``call.operation`` is the helper name and ``call.args`` its arguments by name (the
        analysis maps positional ones with ``HelperInfo.arguments``). Returns one CallSite per
        operation the helper may perform, with request parameters taken from the helper's
        arguments; an empty list when the helper or presigned method is unknown (the caller
        reports that as a finding).
        """
        from least_priv.catalog.helpers import expand

        return expand(self, call)

    # -- requirements ----------------------------------------------------------------------------

    def requirements(self, call: CallSite, *, kms_encrypted: bool = False) -> list[Requirement]:
        """What one call needs: request-content rules applied, never less than it may use.

        ``kms_encrypted=True`` adds the KMS permissions needed when the resource the call
        touches is encrypted with a customer managed key (the template knows, the call
        does not); KMS keys named in the request itself are always included.
        """
        from least_priv.catalog.requirements import requirements_for

        return requirements_for(self, call, kms_encrypted=kms_encrypted)

    def findings(self, call: CallSite) -> list[Finding]:
        """LP7xx findings for a call: unknown client/operation, unresolved operation (granted
        ``prefix:*``), a helper whose operation is unknown, request content that could not
        be decided (every possibility granted). See ``least_priv.catalog.codes``."""
        from least_priv.catalog.codes import findings_for

        return findings_for(self, call)

    # -- actions ---------------------------------------------------------------------------------

    def action(self, action: str) -> ActionInfo | None:
        """IAM action metadata (case-insensitive ``prefix:Name``)."""
        prefix, sep, name = action.partition(":")
        if not sep:
            return None
        return _action(prefix.lower(), name.lower())

    def prefixes(self) -> list[str]:
        """Every IAM service prefix, sorted."""
        return list(store.index()["prefixes"])

    def actions(self, prefix: str) -> list[str]:
        """Every action of a prefix as ``prefix:Name``, sorted."""
        data = store.prefix(prefix.lower())
        if data is None:
            return []
        return sorted(f"{data['prefix']}:{name}" for name in data["actions"])

    def expand(self, pattern: str) -> list[str]:
        """Actions matching an IAM action pattern (``s3:Get*``, ``*:List*``), case-insensitive."""
        prefix_pattern, sep, name_pattern = pattern.lower().partition(":")
        if not sep:
            if prefix_pattern != "*":
                return []
            name_pattern = "*"
        out: list[str] = []
        for prefix in self.prefixes():
            if not fnmatch.fnmatchcase(prefix, prefix_pattern):
                continue
            out.extend(
                a
                for a in self.actions(prefix)
                if fnmatch.fnmatchcase(a.split(":", 1)[1].lower(), name_pattern)
            )
        return sorted(out)

    def resource_type(self, prefix: str, name: str) -> ResourceType | None:
        """A resource type of a prefix (``s3``, ``object``)."""
        data = store.prefix(prefix.lower())
        if data is None or name not in data["resources"]:
            return None
        row = data["resources"][name]
        return ResourceType(name, row["arn"], tuple(row.get("c", ())))

    def operations_for_action(
        self, action: str, *, kinds: tuple[str, ...] | None = None
    ) -> list[tuple[str, str]]:
        """(client, operation) pairs whose requirements name the action, sorted.

        ``kinds`` limits them by ``Requirement.kind``: ``("required", "conditional")`` for
        the operations the action authorises, ``("dependent", "side-effect")`` for those
        that need it on top of their own action. Default: all.
        """
        info = self.action(action)
        if info is None:
            return []
        rows = store.action_index().get(info.action, [])
        return sorted({(c, o) for c, o, k in rows if kinds is None or k in kinds})

    # -- summary and suggestions -----------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Sources, versions, data dates and counts (``_meta.json``)."""
        return dict(store.meta())

    def unresolved(self) -> list[str]:
        """``client.Operation`` entries the catalog cannot map (committed unresolved.txt)."""
        return list(store.unresolved())

    def closest_clients(self, client: str, n: int = 3) -> list[str]:
        """Client names closest to a misspelled one."""
        return difflib.get_close_matches(client, self.clients(), n=n, cutoff=0.5)

    def closest_methods(self, client: str, method: str, n: int = 3) -> list[str]:
        """Method names of a client closest to a misspelled one."""
        return difflib.get_close_matches(method, sorted(_methods(client)), n=n, cutoff=0.5)

    def closest_actions(self, action: str, n: int = 3) -> list[str]:
        """Action names closest to a misspelled ``prefix:Name``."""
        prefix, _, _ = action.partition(":")
        pool = self.actions(prefix) or [f"{p}:" for p in self.prefixes()]
        lowered = {a.lower(): a for a in pool}
        found = difflib.get_close_matches(action.lower(), list(lowered), n=n, cutoff=0.5)
        return [lowered[f] for f in found]


# ---------------------------------------------------------------------------------------------
# Cached builders (module level so every Catalog shares one cache)
# ---------------------------------------------------------------------------------------------


@cache
def _methods(client: str) -> dict[str, str]:
    data = store.client(client)
    if data is None:
        return {}
    return {row["m"]: name for name, row in data["operations"].items()}


@cache
def _operation(client: str, operation: str) -> OperationInfo | None:
    data = store.client(client)
    if data is None:
        return None
    row = data["operations"].get(operation)
    if row is None:
        return None
    rows = row.get("req", ())
    reqs = tuple(requirement_of(r) for r in rows)
    bindings = tuple(sorted({b for r in reqs for b in r.bindings}))
    # The generator leaves out the actions when they are those of the required rows, and
    # the source when the action is the operation's same-named one.
    actions = row["a"] if "a" in row else list(dict.fromkeys(r["a"] for r in rows if "k" not in r))
    free = row.get("free")
    source = row.get("src") or free or ("" if row.get("u") else "same-named action")
    return OperationInfo(
        client=client,
        operation=operation,
        method=row["m"],
        prefix=data["prefix"],
        actions=tuple(actions),
        permissionless=free,
        unresolved=bool(row.get("u")),
        http_method=row["h"],
        bindings=bindings,
        inputs=tuple(row["in"]),
        requirements=reqs,
        source=source,
        rule=row.get("rule"),
    )


def operation_rows(client: str, operation: str) -> list[dict[str, Any]]:
    """The raw requirement rows of an operation (with ``when``/``unless`` selectors)."""
    data = store.client(client)
    if data is None or operation not in data["operations"]:
        return []
    return list(data["operations"][operation].get("req", ()))


@cache
def _action(prefix: str, lower_name: str) -> ActionInfo | None:
    data = store.prefix(prefix)
    if data is None:
        return None
    for name, row in data["actions"].items():
        if name.lower() == lower_name:
            types = tuple(
                (
                    ResourceType(
                        rt,
                        data["resources"].get(rt, {}).get("arn", ""),
                        tuple(data["resources"].get(rt, {}).get("c", ())),
                    ),
                    bool(required),
                )
                for rt, required in row["r"]
            )
            return ActionInfo(
                action=f"{data['prefix']}:{name}",
                access_level=row["l"],
                resource_types=types,
                condition_keys=tuple(row.get("c", ())),
                dependent_actions=tuple(row.get("d", ())),
            )
    return None


@cache
def _helper(client: str, name: str) -> HelperInfo | None:
    spec = store.index()["helpers"].get(client, {}).get(name)
    if spec is None:
        if name == "generate_presigned_url" and client in store.index()["clients"]:
            return HelperInfo(
                client,
                name,
                ("ClientMethod", "Params", "ExpiresIn", "HttpMethod"),
                (),
                (),
                "botocore.signers.generate_presigned_url",
            )
        return None
    calls = tuple(
        HelperCall(op, tuple((p, path) for p, path in params), why)
        for op, params, why in spec["calls"]
    )
    return HelperInfo(
        client, name, tuple(spec["args"]), tuple(spec["ids"]), calls, spec.get("impl", "")
    )


@cache
def get_catalog() -> Catalog:
    """The process-wide catalog (cheap: nothing is read until a question is asked)."""
    return Catalog()
