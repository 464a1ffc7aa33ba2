"""Abstract values the interpreter tracks, and the string algebra over ``model.Value``.

An expression evaluates to a small set of atoms (``Atoms``): the alternatives it may hold.
Atoms are frozen and hashable so that function results can be memoised per calling context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias

from least_priv.model import EnvRef, Part, Unknown, Value, join_parts


@dataclass(frozen=True, slots=True)
class Str:
    """A string (or number rendered as one), possibly with unknown parts."""

    value: Value


@dataclass(frozen=True, slots=True)
class Const:
    """``None``, ``True``, ``False`` or a number."""

    text: str


#: Items a dict or list value keeps before it is summarised (see ``DictA``/``ListA``).
MAX_ITEMS = 24
#: Nesting of dict/list values kept (request payloads such as TransactItems nest ~6 deep);
#: deeper structure becomes unknown.
MAX_NESTING = 8


@dataclass(frozen=True, slots=True)
class DictA:
    """A dict literal: keys and values as atom sets, in source order.

    Items with the same literal key are merged (their values united) and the size and
    nesting are bounded, so values built in loops or across rounds stay small; the hash is
    computed once because these values are hashed constantly (memo keys, atom sets).
    """

    items: tuple[tuple[Atoms, Atoms], ...]
    depth: int = field(default=0, compare=False)
    _hash: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        items = _merge_dict_items(self.items)
        depth = 1 + max((_nesting(v) for _, v in items), default=0)
        if depth > MAX_NESTING:
            items = tuple((k, _truncate(v, MAX_NESTING - 1)) for k, v in items)
            depth = MAX_NESTING
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "depth", depth)
        object.__setattr__(self, "_hash", hash(items))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class ListA:
    """A list/tuple/set literal (bounded like ``DictA``)."""

    items: tuple[Atoms, ...]
    depth: int = field(default=0, compare=False)
    _hash: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        items = self.items
        if len(items) > MAX_ITEMS:
            items = (union(*items),)
        depth = 1 + max((_nesting(v) for v in items), default=0)
        if depth > MAX_NESTING:
            items = tuple(_truncate(v, MAX_NESTING - 1) for v in items)
            depth = MAX_NESTING
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "depth", depth)
        object.__setattr__(self, "_hash", hash(items))

    def __hash__(self) -> int:
        return self._hash


def _nesting(atoms: Atoms) -> int:
    return max((a.depth for a in atoms if isinstance(a, DictA | ListA)), default=0)


def _truncate(atoms: Atoms, levels: int) -> Atoms:
    """``atoms`` with dict/list structure kept ``levels`` deep and unknown below."""
    if _nesting(atoms) <= levels:
        return atoms
    out: set[Atom] = set()
    for atom in atoms:
        if isinstance(atom, DictA):
            if levels <= 0:
                out.add(Unk("deeply nested value"))
            else:
                out.add(DictA(tuple((k, _truncate(v, levels - 1)) for k, v in atom.items)))
        elif isinstance(atom, ListA):
            if levels <= 0:
                out.add(Unk("deeply nested value"))
            else:
                out.add(ListA(tuple(_truncate(v, levels - 1) for v in atom.items)))
        else:
            out.add(atom)
    return frozenset(out)


def _merge_dict_items(
    items: tuple[tuple[Atoms, Atoms], ...],
) -> tuple[tuple[Atoms, Atoms], ...]:
    by_key: dict[object, tuple[Atoms, Atoms]] = {}
    for key, value in items:
        ident: object = key
        if len(key) == 1:
            (only,) = key
            if isinstance(only, Str) and only.value.text:
                ident = only.value.text
        known = by_key.get(ident)
        by_key[ident] = (key, value if known is None else union(known[1], value))
    merged = tuple(by_key.values())
    if len(merged) > MAX_ITEMS:
        head, rest = merged[: MAX_ITEMS - 1], merged[MAX_ITEMS - 1 :]
        folded_key = frozenset({Str(Value.unknown("one of many keys"))})
        merged = (*head, (folded_key, union(*(v for _, v in rest))))
    return merged


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value from outside the function's code (a third-party or stdlib object).

    ``dotted`` is the import path it came from (``"json.loads()"``), or a description in
    angle brackets for objects the SDK returns (``"<batch writer>"``, ``"<response of
    s3.get_object>"``); calls on it are not AWS calls unless they look like one (then they
    are reported, never guessed).
    """

    dotted: str


@dataclass(frozen=True, slots=True)
class Unk:
    """A value the analysis cannot trace (a parameter with no caller, a computed lookup)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ModuleA:
    """One of the function's own modules."""

    name: str


@dataclass(frozen=True, order=True, slots=True)
class FuncA:
    """A function of the function's own code, by (module, qualified name).

    ``context`` tells closures apart: the calling context of the function whose body
    defined this one (0 for module-level functions and methods).
    """

    module: str
    qualname: str
    context: int = 0


@dataclass(frozen=True, slots=True)
class LambdaA:
    """A lambda expression of a module."""

    module: str
    index: int  # unique within the module
    context: int = 0


@dataclass(frozen=True, slots=True)
class ClassA:
    """A class of the function's own code."""

    module: str
    qualname: str


@dataclass(frozen=True, slots=True)
class InstA:
    """An instance of one of the function's own classes.

    ``site`` is where it was made (module, call-site number, calling context), so
    ``Repo("orders")`` and ``Repo("users")`` keep their own attributes; None for the
    instance a method evaluated on its own (no caller in the code) works on.
    """

    cls: ClassA
    site: tuple[str, int, int] | None = None


@dataclass(frozen=True, slots=True)
class BoundA:
    """A method bound to its receiver."""

    func: FuncA
    receiver: InstA | ClassA


@dataclass(frozen=True, slots=True)
class SuperA:
    """``super()`` inside a method of ``cls`` called on ``receiver``."""

    cls: ClassA
    receiver: InstA


@dataclass(frozen=True, slots=True)
class Origin:
    """How an SDK object was made: with the role's credentials or others, for which region.

    ``foreign``: credentials were passed explicitly (an assumed role, access keys), so its
    calls are another identity's. ``region``: ``region_name=`` when the code sets one.
    Everything made from the object (resources, paginators, ``meta.client``) inherits it.
    """

    foreign: bool = False
    region: Value | None = None


HOME = Origin()


@dataclass(frozen=True, slots=True)
class SessionA:
    """A boto3/aioboto3/botocore/aiobotocore session."""

    flavour: str  # "boto3" | "botocore"
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class ClientA:
    """A low-level client; ``service`` is None when the service name is not known."""

    service: str | None
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class ServiceResourceA:
    """``boto3.resource(service)``."""

    service: str | None
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class ResourceA:
    """A boto3 resource instance (``Table``, ``Bucket``, ``Object``...) with identifiers."""

    service: str
    rtype: str
    identifiers: tuple[tuple[str, Value], ...]
    via: str
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class CollectionA:
    """A resource collection (``bucket.objects``), with the parent's identifiers."""

    service: str
    owner: str  # resource type owning the collection ("" for the service resource)
    name: str  # collection name as in the model ("Objects")
    identifiers: tuple[tuple[str, Value], ...]
    params: tuple[tuple[str, Value], ...]
    via: str
    managed: bool = True  # the bare manager (``bucket.objects``), not yet ``.all()``
    line: int = 0
    column: int = 0
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class PaginatorA:
    """``client.get_paginator(name)``; ``name`` None when computed."""

    service: str
    name: str | None
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class WaiterA:
    """``client.get_waiter(name)``; ``name`` None when computed."""

    service: str
    name: str | None
    origin: Origin = HOME


@dataclass(frozen=True, slots=True)
class DynamicAttrA:
    """``getattr(client, <computed>)``: a method of a known client whose name is unknown."""

    service: str | None
    tried: str


@dataclass(frozen=True, slots=True)
class PartialA:
    """``functools.partial(func, *args, **kwargs)``."""

    func: Atoms
    args: tuple[Atoms, ...]
    kwargs: tuple[tuple[str | None, Atoms], ...]


@dataclass(frozen=True, slots=True)
class SdkMethodA:
    """A method of an SDK object taken as a value (``put = table.put_item``)."""

    owner: Atom
    name: str


@dataclass(frozen=True, slots=True)
class LibraryA:
    """An object of a library that calls AWS for the caller (Powertools provider...)."""

    kind: str
    args: tuple[tuple[str, Value], ...] = ()


Atom: TypeAlias = (
    Str
    | Const
    | DictA
    | ListA
    | Opaque
    | Unk
    | ModuleA
    | FuncA
    | LambdaA
    | ClassA
    | InstA
    | BoundA
    | SuperA
    | SessionA
    | ClientA
    | ServiceResourceA
    | ResourceA
    | CollectionA
    | PaginatorA
    | WaiterA
    | DynamicAttrA
    | PartialA
    | SdkMethodA
    | LibraryA
)
Atoms: TypeAlias = frozenset[Atom]

NOTHING: Atoms = frozenset()
#: Most alternatives one expression keeps before it is widened to "unknown".
MAX_ATOMS = 12


#: Longest description kept for an untraceable value, and longest import path of an outside
#: object; past them descriptions stop growing, so values derived in cycles (``x = x.attr``)
#: reach a fixed point.
MAX_DESCRIPTION = 60
MAX_DOTTED = 160


def derived_unknown(prefix: str, base: Unk) -> Atoms:
    """``unknown(f"{prefix} {base.reason}")``, saturating instead of growing without bound."""
    if len(base.reason) >= MAX_DESCRIPTION or base.reason.startswith(prefix):
        return frozenset((base,))
    return frozenset((Unk(f"{prefix} {base.reason}"),))


def derived_opaque(base: Opaque, suffix: str) -> Atoms:
    """An outside object reached from another (``json.loads`` → ``json.loads()``), saturating."""
    segment = suffix.strip(".")
    repeated = bool(segment) and segment in base.dotted.split(".")
    if len(base.dotted) >= MAX_DOTTED or repeated or base.dotted.endswith(suffix):
        return frozenset((base,))
    return frozenset((Opaque(base.dotted + suffix),))


def one(atom: Atom) -> Atoms:
    """A singleton atom set."""
    return frozenset((atom,))


def unknown(reason: str) -> Atoms:
    """An untraceable value."""
    return frozenset((Unk(reason),))


def literal(text: str) -> Atoms:
    """A fully known string."""
    return frozenset((Str(Value.literal(text)),))


_SEVERAL = Str(Value.unknown("one of several values"))


def union(*sets: Atoms) -> Atoms:
    """The alternatives of all ``sets``, kept in a finite lattice.

    Dicts merge into one dict (values of equal keys united) and lists into one list, so
    adding a value already covered changes nothing; past ``MAX_ATOMS`` strings widen to one
    unknown string, which then absorbs further strings. Without this, a value grown in a loop
    or across rounds would never reach a fixed point.
    """
    out: set[Atom] = set()
    for s in sets:
        out |= s
    if len(out) < 2:
        return frozenset(out)
    dicts = [a for a in out if isinstance(a, DictA)]
    if len(dicts) > 1:
        out -= set(dicts)
        out.add(DictA(tuple(item for d in sorted(dicts, key=repr) for item in d.items)))
    lists = [a for a in out if isinstance(a, ListA)]
    if len(lists) > 1:
        out -= set(lists)
        out.add(ListA((union(*(i for lst in lists for i in lst.items)),)))
    strings = [a for a in out if isinstance(a, Str | Const)]
    if _SEVERAL in out or (len(out) > MAX_ATOMS and len(strings) > 1):
        out -= set(strings)
        out.add(_SEVERAL)
    return frozenset(out)


# -- strings ------------------------------------------------------------------------------


def string_parts(atoms: Atoms, reason: str) -> tuple[Part, ...]:
    """The parts of a value used inside a string: its own parts when it is one string."""
    if len(atoms) == 1:
        (atom,) = atoms
        if isinstance(atom, Str) and atom.value.is_string:
            return atom.value.parts
        if isinstance(atom, Const) and atom.text not in ("None",):
            return (atom.text,)
    return (Unknown(reason),)


#: Parts a string value keeps; a string built in a loop stops growing with an unknown tail.
MAX_PARTS = 16


def concat(pieces: list[tuple[Part, ...]]) -> Value:
    """Join string pieces into one value (adjacent literals merged, length bounded)."""
    flat: list[Part] = []
    for piece in pieces:
        flat.extend(piece)
    parts = join_parts(flat)
    if len(parts) > MAX_PARTS:
        parts = join_parts([*parts[: MAX_PARTS - 1], Unknown("long string")])
    return Value(parts)


_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGca%]")
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def percent_format(
    template: str, args: list[tuple[Part, ...]], named: dict[str, tuple[Part, ...]]
) -> Value:
    """``template % args`` with unknown pieces where the argument is unknown."""
    pieces: list[tuple[Part, ...]] = []
    pos = 0
    index = 0
    for match in _PERCENT.finditer(template):
        pieces.append((template[pos : match.start()],))
        if match.group(0) == "%%":
            pieces.append(("%",))
        elif match.group(1) is not None:
            pieces.append(named.get(match.group(1), (Unknown("format argument"),)))
        else:
            pieces.append(args[index] if index < len(args) else (Unknown("format argument"),))
            index += 1
        pos = match.end()
    pieces.append((template[pos:],))
    return concat(pieces)


def brace_format(
    template: str, args: list[tuple[Part, ...]], named: dict[str, tuple[Part, ...]]
) -> Value:
    """``template.format(*args, **named)`` with unknown pieces where arguments are unknown."""
    pieces: list[tuple[Part, ...]] = []
    pos = 0
    auto = 0
    for match in _BRACES.finditer(template):
        pieces.append((template[pos : match.start()],))
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append((token[0],))
        else:
            field_name = (match.group(1) or "").strip()
            plain = token == "{" + (match.group(1) or "") + "}"
            head = re.split(r"[.\[]", field_name, maxsplit=1)[0]
            simple = plain and head == field_name
            found: tuple[Part, ...] | None
            if head == "":
                found = args[auto] if auto < len(args) else None
                auto += 1
            elif head.isdigit():
                found = args[int(head)] if int(head) < len(args) else None
            else:
                found = named.get(head)
            if found is None or not simple:
                found = (Unknown("format field"),)
            pieces.append(found)
        pos = match.end()
    pieces.append((template[pos:],))
    return concat(pieces)


def env_ref(name_atoms: Atoms, default: Atoms | None) -> Atoms:
    """``os.environ[...]`` / ``os.getenv(name, default)`` as an ``EnvRef`` (name known)."""
    names = [a.value.text for a in name_atoms if isinstance(a, Str)]
    if len(names) != 1 or names[0] is None:
        return frozenset((Str(Value.unknown("environment variable with a computed name")),))
    default_text: str | None = None
    if default is not None:
        texts = [a.value.text for a in default if isinstance(a, Str)]
        if len(texts) == 1 and texts[0] is not None and len(default) == 1:
            default_text = texts[0]
    return frozenset((Str(Value((EnvRef(names[0], default_text),))),))


def to_value(atoms: Atoms, reason: str = "not known statically") -> Value:
    """One request-parameter ``Value`` for an atom set (several strings → unknown)."""
    strings = [a for a in atoms if isinstance(a, Str)]
    others = [a for a in atoms if not isinstance(a, Str) and a != Const("None")]
    if len(strings) == 1 and not others:
        return strings[0].value
    if len(atoms) == 1:
        (atom,) = atoms
        if isinstance(atom, Const):
            return Value.literal(atom.text)
        if isinstance(atom, DictA):
            return Value(
                mapping=tuple((to_value(k, reason), to_value(v, reason)) for k, v in atom.items)
            )
        if isinstance(atom, ListA):
            return Value(sequence=tuple(to_value(i, reason) for i in atom.items))
        if isinstance(atom, Unk):
            return Value.unknown(atom.reason)
    if len(strings) > 1:
        return Value.unknown("one of several values")
    return Value.unknown(reason)


def alternatives(atoms: Atoms, limit: int = 8) -> list[Value]:
    """The distinct string values of an atom set, when there are a few of them; else one."""
    strings = sorted({a.value for a in atoms if isinstance(a, Str) and a.value.is_string})
    if 1 < len(strings) <= limit and all(isinstance(a, Str | Const) for a in atoms):
        return strings
    return [to_value(atoms)]


def replace_placeholder(atoms: Atoms, placeholder: str, reason: str) -> Atoms:
    """String values with every ``placeholder`` in their literal parts made unknown."""
    out: set[Atom] = set()
    for atom in atoms:
        if isinstance(atom, Str) and atom.value.is_string:
            pieces: list[tuple[Part, ...]] = []
            for part in atom.value.parts:
                if isinstance(part, str) and placeholder in part:
                    for i, text in enumerate(part.split(placeholder)):
                        if i:
                            pieces.append((Unknown(reason),))
                        pieces.append((text,))
                else:
                    pieces.append((part,))
            out.add(Str(concat(pieces)))
        else:
            out.add(atom)
    return frozenset(out)


def keyword(kwargs: list[tuple[str | None, Atoms]], name: str) -> Atoms | None:
    """The value passed as keyword ``name``, if any."""
    for key, value in kwargs:
        if key == name:
            return value
    return None


def argument(
    args: list[Atoms], kwargs: list[tuple[str | None, Atoms]], position: int, name: str
) -> Atoms | None:
    """A call argument given at ``position`` (-1: keyword only) or as keyword ``name``."""
    if 0 <= position < len(args):
        return args[position]
    return keyword(kwargs, name)
