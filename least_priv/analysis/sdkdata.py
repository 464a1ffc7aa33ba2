"""The analysis' window on the service catalog, memoised for the interpreter's hot path.

Everything AWS-specific the visitor needs (method → operation, paginators, waiters, helpers,
boto3 resource models) comes from ``least_priv.catalog``; this module only caches answers and
derives small views of the resource models (identifier → request parameter).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from least_priv.model import CallSite

if TYPE_CHECKING:
    from least_priv.catalog import Catalog, HelperInfo


@functools.cache
def catalog() -> Catalog:
    """The shared catalog (imported lazily: the CLI must start without it)."""
    from least_priv.catalog import get_catalog

    return get_catalog()


@functools.cache
def has_client(service: str) -> bool:
    """True when boto3 has a client of that name."""
    return catalog().has_client(service)


@functools.cache
def operation_for_method(service: str, method: str) -> str | None:
    """The operation behind ``client.method``, or None."""
    return catalog().operation_for_method(service, method)


@functools.cache
def operation_info_exists(service: str, operation: str) -> bool:
    """True when the service has an operation of that (botocore) name."""
    return catalog().operation(service, operation) is not None


@functools.cache
def paginator_operation(service: str, name: str) -> str | None:
    """The operation a paginator pages through."""
    return catalog().paginator_operation(service, name)


@functools.cache
def waiter_operation(service: str, name: str) -> str | None:
    """The operation a waiter polls."""
    return catalog().waiter_operation(service, name)


@functools.cache
def helper(service: str, name: str) -> HelperInfo | None:
    """An injected helper (``upload_file``, ``Bucket.copy``, ``Table.batch_writer``)."""
    return catalog().helper(service, name)


def expand_helper(call: CallSite) -> list[CallSite]:
    """The operations a helper or presign call stands for."""
    return catalog().expand_helper(call)


@functools.cache
def resource_model(service: str) -> dict[str, Any] | None:
    """boto3's resources-1.json for the service, or None."""
    return catalog().resource_model(service)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.cache
def snake(name: str) -> str:
    """boto3's snake_case of a model name (``GetItem`` → ``get_item``)."""
    return _CAMEL.sub("_", name).lower()


@functools.cache
def resource_index(service: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Per resource type ("" = the service resource): snake name → (kind, definition).

    Kinds are ``action``, ``has`` (sub-resource or reference), ``collection``, ``waiter``,
    ``batch`` and ``identifier``; the definition is the model's entry.
    """
    model = resource_model(service)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if not model:
        return out
    shapes: dict[str, Any] = {"": model.get("service", {}), **model.get("resources", {})}
    for rtype, definition in shapes.items():
        entries: dict[str, dict[str, Any]] = {}
        for ident in definition.get("identifiers", ()):
            entries[snake(ident["name"])] = {"kind": "identifier", "name": ident["name"]}
        for name, action in definition.get("actions", {}).items():
            entries[snake(name)] = {"kind": "action", "def": action, "name": name}
        for name, sub in definition.get("has", {}).items():
            entries[name] = {"kind": "has", "def": sub, "name": name}
        for name, coll in definition.get("hasMany", {}).items():
            entries[snake(name)] = {"kind": "collection", "def": coll, "name": name}
        for name, waiter in definition.get("waiters", {}).items():
            entries["wait_until_" + snake(name)] = {"kind": "waiter", "def": waiter, "name": name}
        out[rtype] = entries
    # boto3 exposes every resource type on the service resource, built from its identifiers
    # in order (boto3/resources/model.py, ResourceModel._get_has_definition): s3.Object(b, k).
    service_entries = out.setdefault("", {})
    for rtype, definition in model.get("resources", {}).items():
        if rtype in service_entries:
            continue
        identifiers = [
            {"target": ident["name"], "source": "input"}
            for ident in definition.get("identifiers", ())
        ]
        spec = {"resource": {"type": rtype, "identifiers": identifiers}}
        service_entries[rtype] = {"kind": "has", "def": spec, "name": rtype}
    return out


def resource_definition(service: str, rtype: str) -> dict[str, Any]:
    """The model entry of a resource type ({} when unknown)."""
    model = resource_model(service) or {}
    if rtype == "":
        return dict(model.get("service", {}))
    return dict(model.get("resources", {}).get(rtype, {}))


@functools.cache
def identifier_params(service: str, rtype: str) -> dict[str, str]:
    """Resource identifier → the request parameter the model fills from it (Name → TableName)."""
    definition = resource_definition(service, rtype)
    out: dict[str, str] = {}
    requests = [definition.get("load", {}).get("request", {})]
    requests += [a.get("request", {}) for a in definition.get("actions", {}).values()]
    for request in requests:
        for param in request.get("params", ()):
            if param.get("source") == "identifier":
                target = re.split(r"[.\[]", param["target"], maxsplit=1)[0]
                out.setdefault(param["name"], target)
    return out


#: Operation-like names too common in ordinary Python to flag on an untraceable object.
_GENERIC_NAMES = frozenset(
    {
        "get",
        "put",
        "delete",
        "update",
        "list",
        "search",
        "copy",
        "close",
        "run",
        "execute",
        "send",
        "read",
        "write",
        "open",
        "connect",
        "post",
        "head",
        "patch",
        "options",
        "request",
        "cancel",
        "describe",
        "validate",
    }
)


@functools.cache
def operation_method_names() -> frozenset[str]:
    """Every client method name that performs an operation needing a permission.

    Read from the catalog's action index (one file) rather than every client file, so the
    check for "looks like an AWS call" costs one load, and only when it is needed.
    """
    from least_priv.catalog import store

    names: set[str] = set()
    for entries in store.action_index().values():
        for entry in entries:
            names.add(snake(entry[1]))
    return frozenset(names - _GENERIC_NAMES)
