"""Request-content rules: actions that depend on what the request carries.

A rule lists every action it may add (the generator writes one ``conditional`` requirement
row per action) and a ``decide`` function that looks at a ``CallSite``'s arguments and
returns the actions this call needs, or None when the arguments do not tell — the catalog
then keeps every row (the union) and says so in the reason, so nothing is under-granted.

``bindings`` narrows, per action, which request parameters locate its resource (the Put
item of a transaction names the table PutItem needs, not the Delete item's table).
``replaces`` names the always-required action a needed one stands in for on those same
parameters (IAM authorises a copy from a source version by s3:GetObjectVersion alone).

Sources: DynamoDB Developer Guide, "Using IAM with DynamoDB transactions" and "IAM security
policies with PartiQL for DynamoDB"; S3 API Reference, DeleteObjects ("Permissions").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from least_priv.model import CallSite, Value

Decide = Callable[[CallSite], "frozenset[str] | None"]


@dataclass(frozen=True)
class Rule:
    """A request-content rule: the actions it may add and how to pick them for a call."""

    actions: tuple[str, ...]
    reason: str
    decide: Decide
    bindings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    replaces: dict[str, str] = field(default_factory=dict)


def _items(value: Value | None) -> tuple[Value, ...] | None:
    """The elements of a list argument, or None when the list itself is not known.

    An empty list counts as not known: the service rejects empty lists, so one seen in the
    code is a list filled later (``items = []; items.append(...)``) that the analysis saw
    before it was filled.
    """
    if value is None or not value.sequence:
        return None
    return value.sequence


# ---------------------------------------------------------------------------------------------
# DynamoDB TransactWriteItems: one action per item kind
# ---------------------------------------------------------------------------------------------

_TRANSACT_WRITE = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


def _decide_transact_write(call: CallSite) -> frozenset[str] | None:
    items = _items(call.arg("TransactItems"))
    if items is None:
        return None
    needed: set[str] = set()
    for item in items:
        if item.mapping is None:
            return None  # an element built elsewhere: any kind is possible
        kinds = [k.text for k, _ in item.mapping]
        known = [_TRANSACT_WRITE[k] for k in kinds if k in _TRANSACT_WRITE]
        if any(k is None for k in kinds) or not known:
            return None  # a computed key, or an item that names no kind the analysis saw
        needed.update(known)
    return frozenset(needed)


# ---------------------------------------------------------------------------------------------
# DynamoDB PartiQL: the statement's verb picks the action
# ---------------------------------------------------------------------------------------------

_VERB = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|EXISTS)\b", re.IGNORECASE)
_PARTIQL = {
    "SELECT": "dynamodb:PartiQLSelect",
    "EXISTS": "dynamodb:PartiQLSelect",
    "INSERT": "dynamodb:PartiQLInsert",
    "UPDATE": "dynamodb:PartiQLUpdate",
    "DELETE": "dynamodb:PartiQLDelete",
}


def partiql_verb_action(statement: str) -> str | None:
    """The PartiQL action a statement needs (``SELECT ...`` → dynamodb:PartiQLSelect)."""
    match = _VERB.match(statement)
    return _PARTIQL[match.group(1).upper()] if match else None


def _statements(call: CallSite) -> list[Value] | None:
    direct = call.arg("Statement")
    if direct is not None:
        return [direct]
    for name in ("Statements", "TransactStatements"):
        items = _items(call.arg(name))
        if items is not None:
            out: list[Value] = []
            for item in items:
                stmt = item.get("Statement")
                if stmt is None:
                    return None
                out.append(stmt)
            return out
        if call.arg(name) is not None:
            return None
    return None


def _decide_partiql(call: CallSite) -> frozenset[str] | None:
    statements = _statements(call)
    if statements is None:
        return None
    needed: set[str] = set()
    for stmt in statements:
        # Only the leading verb matters; an f-string with a known head is enough.
        head = stmt.parts[0] if stmt.parts and isinstance(stmt.parts[0], str) else ""
        action = partiql_verb_action(head)
        if action is None:
            return None
        needed.add(action)
    return frozenset(needed)


# ---------------------------------------------------------------------------------------------
# S3 DeleteObjects: DeleteObjectVersion when any object names a VersionId
# ---------------------------------------------------------------------------------------------


def _decide_delete_objects(call: CallSite) -> frozenset[str] | None:
    delete = call.arg("Delete")
    if delete is None:
        return frozenset()
    objects = _items(delete.get("Objects"))
    if objects is None:
        return None
    for obj in objects:
        if obj.mapping is None:
            return None
        keys = [k.text for k, _ in obj.mapping]
        if None in keys:
            return None
        if "VersionId" in keys:
            return frozenset({"s3:DeleteObjectVersion"})
    return frozenset()


def _decide_copy_source_version(call: CallSite) -> frozenset[str] | None:
    # CopySource "bucket/key?versionId=..." or {"Bucket", "Key", "VersionId"} copies a
    # specific version, which needs s3:GetObjectVersion on the source.
    source = call.arg("CopySource")
    if source is None:
        return frozenset()
    if source.mapping is not None:
        keys = [k.text for k, _ in source.mapping]
        if None in keys:
            return None
        return frozenset({"s3:GetObjectVersion"}) if "VersionId" in keys else frozenset()
    known = "".join(p for p in source.parts if isinstance(p, str))
    if "versionId=" in known:
        return frozenset({"s3:GetObjectVersion"})
    # A wholly literal source without versionId copies the current version; a partly
    # unknown one might carry "?versionId=" in its unknown part.
    return frozenset() if source.is_literal else None


def _decide_transact_get(call: CallSite) -> frozenset[str] | None:
    # GetItem is always required; nothing conditional beyond it.
    return frozenset()


RULES: dict[str, Rule] = {
    "dynamodb_transact_write": Rule(
        actions=tuple(sorted(_TRANSACT_WRITE.values())),
        reason="TransactWriteItems needs one action per item kind (Put/Update/Delete/"
        "ConditionCheck)",
        decide=_decide_transact_write,
        bindings={
            action: (f"TransactItems[].{kind}.TableName",)
            for kind, action in _TRANSACT_WRITE.items()
        },
    ),
    "dynamodb_transact_get": Rule(
        actions=(),
        reason="TransactGetItems needs GetItem on every table it reads",
        decide=_decide_transact_get,
    ),
    "dynamodb_partiql": Rule(
        actions=tuple(sorted(set(_PARTIQL.values()))),
        reason="PartiQL statements need the action of their SQL verb",
        decide=_decide_partiql,
    ),
    "s3_copy_source_version": Rule(
        actions=("s3:GetObjectVersion",),
        reason="a CopySource naming a versionId needs s3:GetObjectVersion on the source",
        decide=_decide_copy_source_version,
        bindings={"s3:GetObjectVersion": ("CopySource",)},
        replaces={"s3:GetObjectVersion": "s3:GetObject"},
    ),
    "s3_delete_objects": Rule(
        actions=("s3:DeleteObjectVersion",),
        reason="DeleteObjects needs s3:DeleteObjectVersion when an object names a VersionId",
        decide=_decide_delete_objects,
    ),
}
