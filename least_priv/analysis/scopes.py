"""The definitions of a module: functions, classes, and the names each function binds.

Built once per module from its IR, before any evaluation: the interpreter looks functions
and methods up here, and uses each function's local names to tell locals from globals the
way Python does (a name assigned anywhere in a function is local to it, unless declared
``global``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from least_priv.analysis.lower import IR


@dataclass
class FunctionDef:
    """A ``def`` of the program with what the interpreter needs to know about it."""

    module: str
    qualname: str
    node: dict[str, Any]
    locals: frozenset[str]
    globals: frozenset[str]
    kind: str  # "function" | "method" | "staticmethod" | "classmethod" | "property"
    is_nested: bool


@dataclass
class ClassDef:
    """A ``class`` of the program."""

    module: str
    qualname: str
    node: dict[str, Any]
    methods: dict[str, str]  # method name -> qualname
    fields: list[str]  # annotated class-body names, in order (dataclass fields)
    is_dataclass: bool


def assigned_names(body: Iterable[IR], out: set[str], globals_: set[str]) -> None:
    """Names a function body binds (its locals), not descending into nested scopes."""
    for stmt in body:
        tag = stmt[0]
        if tag in ("assign",):
            for target in stmt[1]:
                _target_names(target, out)
            _walrus_names(stmt[2], out)
        elif tag in ("augassign", "annassign"):
            _target_names(stmt[1], out)
        elif tag == "expr":
            _walrus_names(stmt[1], out)
        elif tag == "for":
            _target_names(stmt[1], out)
            assigned_names(stmt[3], out, globals_)
            assigned_names(stmt[4], out, globals_)
        elif tag in ("if", "while"):
            _walrus_names(stmt[1], out)
            assigned_names(stmt[2], out, globals_)
            assigned_names(stmt[3], out, globals_)
        elif tag == "try":
            assigned_names(stmt[1], out, globals_)
            for _type, name, handler_body in stmt[2]:
                if name:
                    out.add(name)
                assigned_names(handler_body, out, globals_)
            assigned_names(stmt[3], out, globals_)
            assigned_names(stmt[4], out, globals_)
        elif tag == "with":
            for _ctx, target in stmt[1]:
                if target is not None:
                    _target_names(target, out)
            assigned_names(stmt[2], out, globals_)
        elif tag == "match":
            for _guard, case_body in stmt[2]:
                assigned_names(case_body, out, globals_)
        elif tag in ("def", "class"):
            out.add(stmt[1]["name"])
        elif tag == "import":
            for dotted, asname in stmt[1]:
                out.add(asname or dotted.split(".")[0])
        elif tag == "from" and stmt[3] != "*":
            for name, asname in stmt[3]:
                out.add(asname or name)
        elif tag == "global":
            globals_.update(stmt[1])


def target_names(target: IR) -> list[str]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``)."""
    out: set[str] = set()
    _target_names(target, out)
    return sorted(out)


def _target_names(target: IR, out: set[str]) -> None:
    if target[0] == "name":
        out.add(target[1])
    elif target[0] == "list":
        for item in target[1]:
            _target_names(item[1] if item[0] == "star" else item, out)
    elif target[0] == "other":
        for item in target[1]:
            _target_names(item, out)


def _walrus_names(expr: Any, out: set[str]) -> None:
    if isinstance(expr, list) and expr:
        if expr[0] == "walrus":
            _target_names(expr[1], out)
        if expr[0] in ("lambda", "comp"):
            return
        for item in expr[1:]:
            if isinstance(item, list):
                _walrus_names(item, out)


def decorator_name(expr: IR) -> str:
    """The last name of a decorator expression (``functools.cached_property`` → that name)."""
    if expr[0] == "call":
        expr = expr[1]
    if expr[0] == "name":
        return str(expr[1])
    if expr[0] == "attr":
        return str(expr[2])
    return ""


def index_definitions(
    module: str,
    body: Iterable[IR],
    functions: dict[tuple[str, str], list[FunctionDef]],
    classes: dict[tuple[str, str], ClassDef],
    prefix: str = "",
    owner: ClassDef | None = None,
) -> None:
    """Record every ``def`` and ``class`` of a module body (also nested and conditional)."""
    for stmt in body:
        tag = stmt[0]
        if tag == "def":
            node = stmt[1]
            qualname = prefix + node["name"]
            local: set[str] = {p[0] for p in node["params"]}
            declared: set[str] = set()
            assigned_names(node["body"], local, declared)
            kind = "function"
            if owner is not None:
                names = {decorator_name(d) for d in node["decos"]}
                kind = "method"
                if "staticmethod" in names:
                    kind = "staticmethod"
                elif "classmethod" in names:
                    kind = "classmethod"
                elif names & {"property", "cached_property"}:
                    kind = "property"
                owner.methods[node["name"]] = qualname
            definition = FunctionDef(
                module,
                qualname,
                node,
                frozenset(local - declared),
                frozenset(declared),
                kind,
                bool(prefix) and owner is None,
            )
            functions.setdefault((module, qualname), []).append(definition)
            index_definitions(module, node["body"], functions, classes, qualname + ".", None)
        elif tag == "class":
            node = stmt[1]
            qualname = prefix + node["name"]
            is_dataclass = any(decorator_name(d) == "dataclass" for d in node["decos"])
            cdef = ClassDef(module, qualname, node, {}, [], is_dataclass)
            for inner in node["body"]:
                if inner[0] == "annassign" and inner[1][0] == "name":
                    cdef.fields.append(inner[1][1])
            classes[(module, qualname)] = cdef
            index_definitions(module, node["body"], functions, classes, qualname + ".", cdef)
        elif tag in ("if", "while"):
            index_definitions(module, stmt[2], functions, classes, prefix, owner)
            index_definitions(module, stmt[3], functions, classes, prefix, owner)
        elif tag == "for":
            index_definitions(module, stmt[3], functions, classes, prefix, owner)
            index_definitions(module, stmt[4], functions, classes, prefix, owner)
        elif tag == "try":
            index_definitions(module, stmt[1], functions, classes, prefix, owner)
            for handler in stmt[2]:
                index_definitions(module, handler[2], functions, classes, prefix, owner)
            index_definitions(module, stmt[3], functions, classes, prefix, owner)
            index_definitions(module, stmt[4], functions, classes, prefix, owner)
        elif tag == "with":
            index_definitions(module, stmt[2], functions, classes, prefix, owner)
        elif tag == "match":
            for case in stmt[2]:
                index_definitions(module, case[1], functions, classes, prefix, owner)
