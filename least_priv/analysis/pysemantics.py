"""Python semantics on plain values: string building, ``or``, dict and str methods.

Pure functions over atom sets, used by the interpreter; nothing here knows about AWS.
"""

from __future__ import annotations

from typing import Any

from least_priv.analysis.values import (
    Atom,
    Atoms,
    DictA,
    ListA,
    Str,
    Unk,
    brace_format,
    concat,
    literal,
    one,
    percent_format,
    string_parts,
    union,
    unknown,
)
from least_priv.model import EnvRef, Value

_CASE_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title"})


def dict_lookup(atom: DictA, index: Atoms) -> Atoms:
    """The values a dict may hold under ``index`` (every value when the key is unknown)."""
    keys = {a.value.text for a in index if isinstance(a, Str)}
    out: set[Atom] = set()
    for key_atoms, value in atom.items:
        key_texts = {a.value.text for a in key_atoms if isinstance(a, Str)}
        if not keys or None in keys or key_texts & keys or None in key_texts:
            out.update(value)
    return frozenset(out)


def binary(op: str, left: Atoms, right: Atoms) -> Atoms:
    """``+`` and ``%`` on strings (the rest is unknown)."""
    if op == "+":
        lists = [a for a in left if isinstance(a, ListA)]
        if lists:
            others = [b for b in right if isinstance(b, ListA)]
            return frozenset(ListA(a.items + b.items) for a in lists for b in others) or left
        if any(isinstance(a, Str) for a in left) or any(isinstance(b, Str) for b in right):
            return one(Str(concat([string_parts(left, "operand"), string_parts(right, "operand")])))
        return unknown("arithmetic")
    if op == "%":
        templates = [a.value.text for a in left if isinstance(a, Str)]
        if len(templates) == 1 and templates[0] is not None:
            args: list[tuple[Any, ...]] = []
            named: dict[str, tuple[Any, ...]] = {}
            only = next(iter(right)) if len(right) == 1 else None
            if isinstance(only, ListA):
                args = [string_parts(i, "format argument") for i in only.items]
            elif isinstance(only, DictA):
                for k, v in only.items:
                    texts = [a.value.text for a in k if isinstance(a, Str)]
                    if len(texts) == 1 and texts[0] is not None:
                        named[texts[0]] = string_parts(v, "format argument")
            else:
                args = [string_parts(right, "format argument")]
            return one(Str(percent_format(templates[0], args, named)))
        return unknown("arithmetic")
    return unknown("arithmetic")


def boolean(op: str, values: list[Atoms]) -> Atoms:
    """``a or b`` / ``a and b``: any operand may be the result.

    ``os.environ.get("X") or "default"`` keeps the default on the environment reference.
    """
    if op == "or" and len(values) == 2:
        first, second = values
        env = [a for a in first if isinstance(a, Str) and _bare_env(a.value)]
        texts = [a.value.text for a in second if isinstance(a, Str)]
        if len(env) == 1 and len(first) == 1 and len(texts) == 1 and texts[0] is not None:
            ref = env[0].value.parts[0]
            assert isinstance(ref, EnvRef)
            return one(Str(Value((EnvRef(ref.name, texts[0]),))))
    return union(*values)


def string_method(
    atom: Str, name: str, args: list[Atoms], kwargs: list[tuple[str | None, Atoms]]
) -> Atoms:
    """``"...".format(...)``, ``sep.join(...)``, case changes of known strings."""
    text = atom.value.text
    if name == "format" and text is not None:
        pos = [string_parts(a, "format argument") for a in args]
        named = {k: string_parts(v, "format argument") for k, v in kwargs if k is not None}
        return one(Str(brace_format(text, pos, named)))
    if name == "join" and args and text is not None:
        lists = [a for a in args[0] if isinstance(a, ListA)]
        if len(lists) == 1 and len(args[0]) == 1:
            pieces: list[tuple[Any, ...]] = []
            for i, item in enumerate(lists[0].items):
                if i:
                    pieces.append((text,))
                pieces.append(string_parts(item, "joined item"))
            return one(Str(concat(pieces)))
        return one(Str(Value.unknown("joined string")))
    if text is not None and not args and name in _CASE_METHODS:
        return literal(getattr(text, name)())
    if text is not None and name == "replace" and len(args) >= 2:
        old = [a.value.text for a in args[0] if isinstance(a, Str)]
        new = [a.value.text for a in args[1] if isinstance(a, Str)]
        if len(old) == 1 and len(new) == 1 and old[0] is not None and new[0] is not None:
            return literal(text.replace(old[0], new[0]))
    return one(Str(Value.unknown(f"result of str.{name}()")))


def dict_method(atom: DictA, name: str, args: list[Atoms]) -> Atoms:
    """``d.get(key, default)``, ``d.values()`` ... on a dict literal."""
    if name in ("get", "pop", "setdefault") and args:
        found = dict_lookup(atom, args[0]) or unknown("missing key")
        if len(args) > 1:
            found = union(frozenset(a for a in found if not isinstance(a, Unk)), args[1])
        return found
    if name == "values":
        return one(ListA(tuple(v for _, v in atom.items)))
    if name == "keys":
        return one(ListA(tuple(k for k, _ in atom.items)))
    if name == "items":
        return one(ListA(tuple(union(k, v) for k, v in atom.items)))
    if name == "copy":
        return one(atom)
    return unknown(f"dict.{name}()")


def _bare_env(value: Value) -> bool:
    return (
        len(value.parts) == 1
        and isinstance(value.parts[0], EnvRef)
        and value.parts[0].default is None
    )
