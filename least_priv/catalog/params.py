"""Follow a binding's parameter path into a call's arguments.

Path syntax (``ParamBinding.param``): ``A`` a request parameter, ``A.B`` member B of the dict
A, ``A.*`` every key of the dict A (``RequestItems.*`` → table names), ``A[]`` every element
of the list A (``Entries[].EventBusName``), and ``=text`` a constant: the service's default
when the request leaves the parameter out (Athena's ``primary`` workgroup, EventBridge's
``default`` bus).
"""

from __future__ import annotations

import re

from least_priv.model import CallSite, Value

CONSTANT = "="
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
    if path.startswith(CONSTANT):
        return [Value.literal(path[len(CONSTANT) :])]
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
                if not value.mapping:
                    # not known, or an empty literal the code fills later
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


def sometimes_missing(call: CallSite, path: str) -> bool:
    """True when the call may leave the path's last member out somewhere.

    Not passed at all, or a list whose known elements do not all set the member
    (``Entries=[{"EventBusName": "orders"}, {"Source": "app"}]``): the service default then
    applies to those requests. Unknown structures count as "may be missing".
    """
    steps = split_path(path)
    if len(steps) == 1:
        return call.arg(steps[0][0]) is None
    parent = ".".join(f"{n}[]" if lst else n for n, lst in steps[:-1])
    parents = values_at(call, parent)
    if not parents:
        return True
    last = steps[-1][0]
    return any(value.mapping is None or value.get(last) is None for value in parents)


def _elements(values: list[Value]) -> list[Value]:
    out: list[Value] = []
    for value in values:
        if not value.sequence:
            # Not known, or an empty literal: services reject empty lists, so the code
            # fills it later (items.append(...)) where the analysis did not follow.
            out.append(Value.unknown("list elements not known"))
        else:
            out.extend(value.sequence)
    return out
