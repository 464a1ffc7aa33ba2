"""Follow a binding's parameter path into a call's arguments.

Path syntax (``ParamBinding.param``): ``A`` a request parameter, ``A.B`` member B of the dict
A, ``A.*`` every key of the dict A (``RequestItems.*`` → table names), ``A[]`` every element
of the list A (``Entries[].EventBusName``).
"""

from __future__ import annotations

import re

from least_priv.model import CallSite, Value

_STEP = re.compile(r"([^.\[\]]+|\*)(\[\])?")


def split_path(path: str) -> list[tuple[str, bool]]:
    """``"Entries[].EventBusName"`` → ``[("Entries", True), ("EventBusName", False)]``."""
    return [(m.group(1), bool(m.group(2))) for m in _STEP.finditer(path)]


def top_param(path: str) -> str:
    """The request parameter a path starts from."""
    return split_path(path)[0][0]


def values_at(call: CallSite, path: str) -> list[Value] | None:
    """The values the path reaches in ``call``; None when the call does not pass the parameter.

    Where the structure is not known (a list built elsewhere, ``**kwargs``), the result holds
    an unknown value, so a binding through it becomes a wildcard rather than nothing.
    """
    steps = split_path(path)
    first, is_list = steps[0]
    root = call.arg(first)
    if root is None:
        return None
    current = [root]
    if is_list:
        current = _elements(current)
    for name, is_list in steps[1:]:
        nxt: list[Value] = []
        for value in current:
            if name == "*":
                if value.mapping is None:
                    nxt.append(Value.unknown("dict keys not known"))
                else:
                    nxt.extend(k for k, _ in value.mapping)
                continue
            if value.mapping is None:
                nxt.append(Value.unknown(f"{name} not known"))
                continue
            member = value.get(name)
            if member is not None:
                nxt.append(member)
            elif any(k.text is None for k, _ in value.mapping):
                nxt.append(Value.unknown(f"{name} may be set by a computed key"))
        current = _elements(nxt) if is_list else nxt
    return current


def _elements(values: list[Value]) -> list[Value]:
    out: list[Value] = []
    for value in values:
        if value.sequence is None:
            out.append(Value.unknown("list elements not known"))
        else:
            out.extend(value.sequence)
    return out
