"""Build the CallSites the analysis would produce, for catalog tests."""

from __future__ import annotations

from least_priv.model import CallKind, CallSite, Location, Requirement, Value

HERE = Location("app/handler.py", 30, 8)


def call(service: str, operation: str, kind: CallKind = CallKind.CLIENT, **args: Value) -> CallSite:
    """``client.operation(**args)`` at a fixed location."""
    return CallSite(HERE, service, operation, tuple(sorted(args.items())), kind=kind)


def lit(text: str) -> Value:
    """A string literal argument."""
    return Value.literal(text)


def dict_value(**items: Value) -> Value:
    """A dict literal with string keys."""
    return Value(mapping=tuple((lit(k), v) for k, v in items.items()))


def list_value(*items: Value) -> Value:
    """A list literal."""
    return Value(sequence=items)


def actions(reqs: list[Requirement]) -> list[str]:
    """The distinct actions of some requirements, sorted."""
    return sorted({r.action for r in reqs})
