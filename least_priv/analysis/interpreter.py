"""An abstract interpreter over the IR: which value every name holds, which calls run.

It executes the function's own code symbolically, never for real: each expression yields a
set of alternatives (``values.Atoms``). Functions are evaluated per calling context (the
atoms of their arguments), memoised, so constants and clients passed down from callers reach
the calls inside. Module globals and object attributes live in stores shared by all
contexts; the whole evaluation is repeated until those stores stop growing (lazily
initialised singletons, attributes set in one method and used in another), and the calls of
the last, stable round are the result.

AWS semantics (clients, resources, Powertools) live in ``sdk.SdkSemantics``; this module is
plain Python semantics.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from least_priv.analysis import codes
from least_priv.analysis.lower import IR
from least_priv.analysis.program import ModuleIR
from least_priv.analysis.pysemantics import binary, boolean, dict_lookup, dict_method, string_method
from least_priv.analysis.scopes import ClassDef, FunctionDef, index_definitions, target_names
from least_priv.analysis.sdk import Loc, SdkSemantics, known_text
from least_priv.analysis.values import (
    NOTHING,
    Atom,
    Atoms,
    BoundA,
    ClassA,
    Const,
    DictA,
    FuncA,
    InstA,
    LambdaA,
    ListA,
    ModuleA,
    Opaque,
    PartialA,
    Str,
    SuperA,
    Unk,
    concat,
    derived_opaque,
    derived_unknown,
    env_ref,
    keyword,
    literal,
    one,
    string_parts,
    union,
    unknown,
)
from least_priv.model import CallSite, Finding, Location, Unknown, Value

#: How deep a chain of calls is followed with argument knowledge.
MAX_DEPTH = 40
#: Calling contexts kept per function before further calls are merged into one.
MAX_CONTEXTS = 24
#: Functions a dispatch by computed name may pick before it is reported instead of followed.
MAX_DISPATCH = 16
#: Rounds of the whole evaluation before giving up on a fixed point.
MAX_ROUNDS = 6

_PASSTHROUGH_DECORATORS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.wraps",
        "functools.cached_property",
        "builtins.staticmethod",
        "builtins.classmethod",
        "builtins.property",
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "typing.overload",
        "abc.abstractmethod",
    }
)
#: Methods that add to a list, set or dict in place.
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update"})
#: Decorator method names that register a function for a framework to call later
#: (Powertools event handler routes, Chalice, FastAPI-style routers).
ROUTE_DECORATORS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "route",
        "resolver",
        "batch_resolver",
        "async_batch_resolver",
        "lambda_function",
        "on_s3_event",
        "on_sqs_message",
        "on_sns_message",
        "on_cw_event",
        "schedule",
        "on_ws_connect",
        "on_ws_disconnect",
        "on_ws_message",
        "websocket",
        "exception_handler",
        "not_found",
        "middleware",
        "use",
        "task",
        "handler",
        "register",
    }
)


@dataclass
class Frame:
    """One activation: a module body, a class body, or a function call in one context."""

    module: str
    function: str  # "module.qualname" for provenance; "module.<module>" for module code
    prefix: str  # qualname prefix of defs made here
    locals: dict[str, Atoms] | None  # None: names are module globals
    local_names: frozenset[str] = frozenset()
    global_names: frozenset[str] = frozenset()
    parent: Frame | None = None
    cls: ClassA | None = None  # class whose body runs (class frame) or owning a method
    receiver: Atom | None = None
    returns: set[Atom] = field(default_factory=set)
    yielded: set[Atom] = field(default_factory=set)  # a generator's elements
    branch: int = 0
    context: int = 0


def _location(expr: IR) -> IR:
    # The node itself: its line and column are only computed if a call or finding needs them.
    return expr


class Interpreter(SdkSemantics):
    """Evaluates a program's modules from its roots and collects the AWS calls they make."""

    def __init__(self, load: Any, env: Mapping[str, str] | None = None) -> None:
        self._load = load  # name -> ModuleIR | None
        self.env: Mapping[str, str] = dict(env or {})
        self.modules: dict[str, ModuleIR] = {}
        self.functions: dict[tuple[str, str], list[FunctionDef]] = {}
        self.classes: dict[tuple[str, str], ClassDef] = {}
        self.globals: dict[tuple[str, str], Atoms] = {}
        self.attrs: dict[tuple[ClassA | InstA, str], Atoms] = {}
        self.star_imports: dict[str, list[str]] = {}
        self.contexts: dict[Any, int] = {}
        self.closures: dict[tuple[str, str, int], Frame] = {}
        self.lambdas: dict[LambdaA, tuple[IR, Frame]] = {}
        self.changed = False
        self._new_round()

    # -- rounds ---------------------------------------------------------------------------------

    def _new_round(self) -> None:
        self.memo: dict[Any, Atoms] = {}
        self.active: set[Any] = set()
        self.context_counts: dict[FuncA, int] = {}
        self.calls: set[CallSite] = set()
        self.findings: set[Finding] = set()
        self.reported: dict[tuple[str, Location], Finding] = {}
        self.deferred_unknown_methods: list[str] | None = None
        self.edges: set[tuple[str, str]] = set()
        self.modules_run: set[str] = set()
        self.callbacks: list[FuncA] = []
        self.mros: dict[ClassA, list[ClassA]] = {}
        self.read_keys: set[object] = set()
        self.depth = 0
        self.changed = False

    def run_round(self, modules: Iterable[str], roots: Iterable[FuncA]) -> bool:
        """One evaluation from scratch; True when the shared stores grew (repeat needed)."""
        self._new_round()
        for name in modules:
            self._guarded(name, functools.partial(self.run_module, name))
        for root in roots:
            self._guarded(root.module, functools.partial(self.call_root, root))
        done: set[FuncA] = set()
        while True:
            pending = [c for c in self.callbacks if c not in done]
            if not pending:
                break
            for callback in pending:
                done.add(callback)
                self._guarded(callback.module, functools.partial(self.call_root, callback))
        return self.changed

    def _guarded(self, module: str, work: Callable[[], object]) -> None:
        """Run one entry point; pathologically deep code is a finding, not a crash."""
        depth = self.depth
        try:
            work()
        except RecursionError:
            self.depth = depth
            self.active.clear()
            self.findings.add(
                codes.finding(
                    codes.ANALYSIS_LIMIT,
                    self.path_of(module),
                    0,
                    0,
                    "code nested or recursing too deeply to follow; the analysis of this entry "
                    "point stopped there and its later calls may be missing",
                )
            )

    def call_root(self, func: FuncA) -> None:
        """Evaluate a function nobody in the code calls, with unknown arguments."""
        root = Frame(func.module, f"{func.module}.<root>", "", {})
        bound = (
            self.global_value(func.module, func.qualname) if "." not in func.qualname else NOTHING
        )
        wrappers = [a for a in bound if isinstance(a, FuncA | BoundA | LambdaA) and a != func]
        if wrappers:
            # A decorated entry point: Lambda calls what the decorator returned.
            event = [unknown("Lambda event"), unknown("Lambda context")]
            for atom in sorted(wrappers, key=repr):
                self.call_atom(atom, event, [], root, (0, 0))
            if func not in bound:
                return
        if not self.functions.get((func.module, func.qualname)):
            # A handler bound by assignment (``handler = App()``, ``handler = make()``).
            event = [unknown("Lambda event"), unknown("Lambda context")]
            for value in self.global_value(func.module, func.qualname):
                self.call_atom(value, event, [], root, (0, 0))
            return
        for definition in self.functions.get((func.module, func.qualname), ()):
            receiver: Atom | None = None
            if definition.kind in ("method", "property"):
                owner = definition.qualname.rsplit(".", 1)[0]
                receiver = InstA(ClassA(func.module, owner))
            elif definition.kind == "classmethod":
                receiver = ClassA(func.module, definition.qualname.rsplit(".", 1)[0])
            self.call_function(func, [], [], receiver, root, (0, 0), root_call=True)

    # -- program structure ------------------------------------------------------------------

    def module(self, name: str) -> ModuleIR | None:
        """The module's IR, loading and indexing it on first use."""
        known = self.modules.get(name)
        if known is not None:
            return known
        loaded: ModuleIR | None = self._load(name)
        if loaded is None:
            return None
        self.modules[name] = loaded
        index_definitions(loaded.name, loaded.body, self.functions, self.classes)
        return loaded

    def top_functions(self) -> list[FuncA]:
        """Every function and method that is not nested in another function, sorted."""
        return sorted(
            FuncA(m, q)
            for (m, q), defs in self.functions.items()
            if m in self.modules and not any(d.is_nested for d in defs)
        )

    def run_module(self, name: str) -> bool:
        """Run a module's top-level code once per round (parents first); False if not ours."""
        if name in self.modules_run:
            return True
        ir = self.module(name)
        if ir is None:
            return False
        self.modules_run.add(name)
        if "." in name:
            self.run_module(name.rsplit(".", 1)[0])
        frame = Frame(name, f"{name}.<module>", "", None)
        self.run_body(ir.body, frame)
        return True

    # -- stores -----------------------------------------------------------------------------

    def store_global(self, module: str, name: str, atoms: Atoms) -> None:
        """Add alternatives to a module global (a global's value is all it is ever set to)."""
        key = (module, name)
        old = self.globals.get(key, NOTHING)
        new = union(old, atoms)
        if new != old:
            self.globals[key] = new
            # Another round is needed only if someone read the old value this round.
            if key in self.read_keys:
                self.changed = True

    def store_attr(self, cls: ClassA | InstA, name: str, atoms: Atoms) -> None:
        """Add alternatives to an attribute shared by a class and all its instances."""
        key = (cls, name)
        old = self.attrs.get(key, NOTHING)
        new = union(old, atoms)
        if new != old:
            self.attrs[key] = new
            if key in self.read_keys:
                self.changed = True

    def _read_attr(self, key: tuple[ClassA | InstA, str]) -> Atoms:
        self.read_keys.add(key)
        return self.attrs.get(key, NOTHING)

    def global_value(self, module: str, name: str, seen: frozenset[str] = frozenset()) -> Atoms:
        """A module global, following ``from x import *`` and sub-modules."""
        self.read_keys.add((module, name))
        value = self.globals.get((module, name))
        if value:
            return value
        submodule = f"{module}.{name}"
        if self.module(submodule) is not None:
            self.run_module(submodule)
            return one(ModuleA(submodule))
        for star in self.star_imports.get(module, ()):
            if star not in seen:
                found = self.global_value(star, name, seen | {module})
                if found:
                    return found
        return NOTHING

    # -- statements -------------------------------------------------------------------------

    def run_body(self, body: Iterable[IR], frame: Frame) -> None:
        """Execute statements in order."""
        for stmt in body:
            self.statement(stmt, frame)

    def statement(self, stmt: IR, f: Frame) -> None:
        """Execute one statement."""
        tag = stmt[0]
        if tag == "expr":
            self.expr(stmt[1], f)
        elif tag == "assign":
            value = self.expr(stmt[2], f)
            for target in stmt[1]:
                self.assign(target, value, f)
        elif tag == "return":
            if stmt[1] is not None:
                f.returns.update(self.expr(stmt[1], f))
            else:
                f.returns.add(Const("None"))
        elif tag == "if" or tag == "while":
            self.expr(stmt[1], f)
            f.branch += 1
            self.run_body(stmt[2], f)
            self.run_body(stmt[3], f)
            f.branch -= 1
        elif tag == "for":
            items = self.iterate(self.expr(stmt[2], f), f)
            # Inside the body the target is the element, not what the name held before
            # (bound before the branch count rises: strong at the top level of a function).
            self.assign(stmt[1], items, f)
            f.branch += 1
            self.run_body(stmt[3], f)
            self.run_body(stmt[4], f)
            f.branch -= 1
        elif tag == "with":
            for ctx, target in stmt[1]:
                entered = self.enter(self.expr(ctx, f), f)
                if target is not None:
                    self.assign(target, entered, f)
            self.run_body(stmt[2], f)
        elif tag == "try":
            f.branch += 1
            self.run_body(stmt[1], f)
            for type_expr, name, body in stmt[2]:
                if type_expr is not None:
                    self.expr(type_expr, f)
                if name:
                    self.assign(["name", name], unknown("exception"), f)
                self.run_body(body, f)
            self.run_body(stmt[3], f)
            f.branch -= 1
            self.run_body(stmt[4], f)
        elif tag == "augassign":
            current = self.expr(stmt[1], f)
            added = self.expr(stmt[2], f)
            self.assign(stmt[1], binary("+", current, added), f)
        elif tag == "annassign":
            if stmt[2] is not None:
                self.assign(stmt[1], self.expr(stmt[2], f), f)
        elif tag == "def":
            self.define_function(stmt[1], f)
        elif tag == "class":
            self.define_class(stmt[1], f)
        elif tag == "import":
            for dotted, asname in stmt[1]:
                if asname:
                    self.assign(["name", asname], self.import_module(dotted, f), f)
                else:
                    self.import_module(dotted, f)
                    top = dotted.split(".")[0]
                    self.assign(["name", top], self.import_module(top, f), f)
        elif tag == "from":
            self.import_from(stmt[1], stmt[2], stmt[3], f)
        elif tag == "match":
            self.expr(stmt[1], f)
            f.branch += 1
            for guard, body in stmt[2]:
                if guard is not None:
                    self.expr(guard, f)
                self.run_body(body, f)
            f.branch -= 1

    def define_function(self, node: dict[str, Any], f: Frame) -> None:
        """A ``def``: bind the name, apply decorators, note closures and route callbacks."""
        qualname = f.prefix + node["name"]
        func = FuncA(f.module, qualname, f.context if f.locals is not None else 0)
        if f.locals is not None and f.cls is None:
            self.closures[(f.module, qualname, func.context)] = f
        value: Atoms = one(func)
        for deco in reversed(node["decos"]):
            value = self.decorate(func, value, deco, f)
        self.assign(["name", node["name"]], value, f)

    def decorate(self, func: FuncA, value: Atoms, deco: IR, f: Frame) -> Atoms:
        """Apply one decorator; unknown decorators keep the function callable by its name."""
        if (deco[0] == "call" and deco[1][0] == "attr") or deco[0] == "attr":
            head = deco[1] if deco[0] == "call" else deco
            if head[2] in ROUTE_DECORATORS:
                receiver = self.expr(head[1], f)
                if not any(isinstance(a, ModuleA | ClassA) for a in receiver):
                    self.callbacks.append(func)
        decorators = self.expr(deco, f)
        result: set[Atom] = set()
        for atom in decorators:
            if isinstance(atom, Opaque) and atom.dotted in _PASSTHROUGH_DECORATORS:
                continue
            if isinstance(atom, FuncA | LambdaA | BoundA):
                wrapped = self.call_atom(atom, [value], [], f, (0, 0))
                result.update(a for a in wrapped if isinstance(a, FuncA | BoundA | LambdaA))
        return frozenset(result) if result else value

    def define_class(self, node: dict[str, Any], f: Frame) -> None:
        """A ``class``: run its body in a class frame, its names becoming class attributes."""
        qualname = f.prefix + node["name"]
        cls = ClassA(f.module, qualname)
        for base in node["bases"]:
            self.expr(base, f)
        for deco in node["decos"]:
            self.expr(deco, f)
        frame = Frame(f.module, f.function, qualname + ".", {}, parent=f, cls=cls)
        frame.context = f.context
        self.run_body(node["body"], frame)
        assert frame.locals is not None
        for name, atoms in frame.locals.items():
            self.store_attr(cls, name, atoms)
        self.assign(["name", node["name"]], one(cls), f)

    # -- imports ----------------------------------------------------------------------------

    def resolve_module(self, dotted: str, f: Frame) -> str | None:
        """Our module for an absolute import, also trying the importing file's directories.

        Lambda puts only the code root on ``sys.path``; code written for ``src/app.handler``
        often imports siblings as top-level names anyway, so both spellings resolve.
        """
        if self.module(dotted) is not None:
            return dotted
        package = f.module.rsplit(".", 1)[0] if "." in f.module else ""
        while package:
            candidate = f"{package}.{dotted}"
            if self.module(candidate) is not None:
                return candidate
            package = package.rsplit(".", 1)[0] if "." in package else ""
        return None

    def import_module(self, dotted: str, f: Frame) -> Atoms:
        """``import dotted``: our module (run) or an outside one (opaque)."""
        name = self.resolve_module(dotted, f)
        if name is None:
            return one(Opaque(dotted))
        self.run_module(name)
        return one(ModuleA(name))

    def import_from(self, module: str, level: int, names: Any, f: Frame) -> None:
        """``from module import names`` (relative when ``level`` > 0)."""
        if level:
            ir = self.modules.get(f.module)
            package = f.module if ir is not None and ir.is_package else f.module.rpartition(".")[0]
            for _ in range(level - 1):
                package = package.rpartition(".")[0]
            base: str | None = f"{package}.{module}".strip(".") if module else package
            if base is not None and self.module(base) is None and base:
                base = base if any(k.startswith(base + ".") for k in self._known()) else None
        else:
            base = self.resolve_module(module, f)
        if base is None or (not base and not names):
            for name, asname in names if names != "*" else ():
                self.assign(["name", asname or name], one(Opaque(f"{module}.{name}")), f)
            return
        if self.module(base) is not None:
            self.run_module(base)
        if names == "*":
            self.star_imports.setdefault(f.module, [])
            if base not in self.star_imports[f.module]:
                self.star_imports[f.module].append(base)
            return
        for name, asname in names:
            full = f"{base}.{name}" if base else name
            if self.module(full) is not None:
                self.run_module(full)
                value: Atoms = one(ModuleA(full))
            else:
                value = self.global_value(base, name) or unknown(f"{name} from {base}")
            self.assign(["name", asname or name], value, f)

    def _known(self) -> list[str]:
        return list(self.modules)

    # -- names and assignment ---------------------------------------------------------------

    def lookup(self, name: str, f: Frame) -> Atoms:
        """The alternatives a name holds here (locals, enclosing functions, globals)."""
        frame: Frame | None = f
        while frame is not None:
            if name in frame.global_names:
                break
            if frame.locals is not None:
                if name in frame.locals:
                    return frame.locals[name]
                if name in frame.local_names:
                    return NOTHING
            elif frame.locals is None:
                break
            frame = frame.parent
        value = self.global_value(f.module, name)
        if value:
            return value
        return one(Opaque(f"builtins.{name}"))

    def assign(self, target: IR, value: Atoms, f: Frame) -> None:
        """Bind ``value`` to an assignment target."""
        tag = target[0]
        if tag == "name":
            name = target[1]
            if f.locals is None or name in f.global_names:
                self.store_global(f.module, name, value)
            elif f.branch:
                f.locals[name] = union(f.locals.get(name, NOTHING), value)
            else:
                f.locals[name] = value
        elif tag == "attr":
            obj = self.expr(target[1], f)
            for atom in obj:
                if isinstance(atom, InstA | ClassA):
                    self.store_attr(atom, target[2], value)
                elif isinstance(atom, ModuleA):
                    self.store_global(atom.name, target[2], value)
        elif tag == "list":
            only = next(iter(value)) if len(value) == 1 else None
            plain = all(item[0] != "star" for item in target[1])
            if isinstance(only, ListA) and plain and len(only.items) == len(target[1]):
                # a, b = x, y: each name gets its own value.
                for item, part in zip(target[1], only.items, strict=True):
                    self.assign(item, part, f)
                return
            items = self.iterate(value, f)
            for item in target[1]:
                self.assign(item[1] if item[0] == "star" else item, items, f)
        elif tag == "sub":
            self._assign_item(target, value, f)
        elif tag == "other":
            for item in target[1]:
                self.assign(item, unknown("unpacked"), f)

    def _assign_item(self, target: IR, value: Atoms, f: Frame) -> None:
        """``d[key] = value`` on a dict held by a name or attribute: remember the key."""
        holder = target[1]
        key = self.expr(target[2], f) if target[2] is not None else unknown("slice")
        current = self.expr(holder, f)
        grown: set[Atom] = set()
        for atom in current:
            if isinstance(atom, DictA):
                grown.add(DictA((*atom.items, (key, value))))
        if grown:
            self._rebind(holder, union(current, frozenset(grown)), f)

    def _rebind(self, holder: IR, value: Atoms, f: Frame) -> None:
        """Give a mutated container's new value to the name or attribute holding it."""
        if holder[0] == "name" and f.locals is not None and holder[1] not in f.local_names:
            # Mutating a global container from a function does not make the name local.
            self.store_global(f.module, holder[1], value)
        elif holder[0] in ("name", "attr"):
            self.assign(holder, value, f)

    def _mutate(self, holder: IR, method: str, args: list[Atoms], f: Frame) -> None:
        """``items.append(x)``, ``extend``, ``insert``, ``add``, ``update``: remember x."""
        if not args or holder[0] not in ("name", "attr"):
            return
        current = self.expr(holder, f)
        grown: set[Atom] = set()
        for atom in current:
            # A grown list is summarised as "some of these elements" (one item holding the
            # union): its length is unknown anyway, and a list that grew by one at every
            # evaluation would never let the rounds settle.
            if isinstance(atom, ListA) and method in ("append", "add", "insert"):
                grown.add(ListA((union(*atom.items, args[-1]),)))
            elif isinstance(atom, ListA) and method == "extend":
                grown.add(ListA((union(*atom.items, self.iterate(args[0], f)),)))
            elif isinstance(atom, DictA) and method == "update":
                grown.update(
                    DictA((*atom.items, *d.items)) for d in args[0] if isinstance(d, DictA)
                )
        if grown:
            self._rebind(holder, union(current, frozenset(grown)), f)

    # -- expressions ------------------------------------------------------------------------

    def expr(self, e: IR, f: Frame) -> Atoms:
        """Evaluate an expression to its alternatives (running the calls inside it)."""
        tag = e[0]
        if tag == "name":
            return self.lookup(e[1], f)
        if tag == "attr":
            return self.attribute(self.expr(e[1], f), e[2], f, _location(e))
        if tag == "call":
            return self.call_expr(e, f)
        if tag == "str":
            return literal(e[1])
        if tag == "const" or tag == "num":
            return one(Const(e[1]))
        if tag == "fstr":
            pieces: list[tuple[Any, ...]] = []
            for part in e[1]:
                if isinstance(part, str):
                    pieces.append((part,))
                else:
                    atoms = self.expr(part[1], f)
                    pieces.append(
                        string_parts(atoms, "f-string field") if part[2] else (Unknown("format"),)
                    )
            return one(Str(concat(pieces)))
        if tag == "bin":
            left = self.expr(e[2], f)
            right = self.expr(e[3], f)
            return binary(e[1], left, right)
        if tag == "bool":
            values = [self.expr(v, f) for v in e[2]]
            return boolean(e[1], values)
        if tag == "sub":
            obj = self.expr(e[1], f)
            index = self.expr(e[2], f) if e[2] is not None else unknown("slice")
            return self.subscript(obj, index, f)
        if tag == "slice":
            sliced = self.expr(e[1], f)
            for bound in e[2]:
                self.expr(bound, f)
            # A slice of a list holds some of its elements; of a string, an unknown piece.
            kept = frozenset(a for a in sliced if isinstance(a, ListA))
            return kept if kept and len(kept) == len(sliced) else unknown("slice")
        if tag == "dict":
            items: list[tuple[Atoms, Atoms]] = []
            for key, val in e[1]:
                value = self.expr(val, f)
                if key is None:
                    for atom in value:
                        if isinstance(atom, DictA):
                            items.extend(atom.items)
                else:
                    items.append((self.expr(key, f), value))
            return one(DictA(tuple(items)))
        if tag == "list":
            elements: list[Atoms] = []
            for item in e[1]:
                if item[0] == "star":
                    inner = self.expr(item[1], f)
                    lists = [a for a in inner if isinstance(a, ListA)]
                    for lst in lists:
                        elements.extend(lst.items)
                    if not lists:
                        elements.append(self.iterate(inner, f))
                else:
                    elements.append(self.expr(item, f))
            return one(ListA(tuple(elements)))
        if tag == "ifexp":
            self.expr(e[1], f)
            return union(self.expr(e[2], f), self.expr(e[3], f))
        if tag == "await":
            return self.expr(e[1], f)
        if tag == "lambda":
            lam = LambdaA(f.module, e[3], f.context)
            self.lambdas[lam] = (e, f)
            return one(lam)
        if tag == "yield":
            f.yielded.update(self.expr(e[1], f) if e[1] is not None else one(Const("None")))
            return unknown("value sent to a generator")
        if tag == "yieldfrom":
            f.yielded.update(self.iterate(self.expr(e[1], f), f))
            return unknown("value returned by a sub-generator")
        if tag == "walrus":
            value = self.expr(e[2], f)
            self.assign(e[1], value, f)
            return value
        if tag == "comp" or tag == "dcomp":
            # A comprehension's variables are its own: bound for it, then the function's
            # names of the same spelling get their values back.
            saved: dict[str, Atoms | None] = {}
            for target, iterable, conditions in e[-1]:
                drawn = self.iterate(self.expr(iterable, f), f)
                if f.locals is None:
                    self.assign(target, drawn, f)
                else:
                    for name in target_names(target):
                        saved.setdefault(name, f.locals.get(name))
                        f.locals[name] = drawn
                for condition in conditions:
                    self.expr(condition, f)
            element = self.expr(e[1], f)
            value = self.expr(e[2], f) if tag == "dcomp" else NOTHING
            if f.locals is not None:
                for name, before in saved.items():
                    if before is None:
                        f.locals.pop(name, None)
                    else:
                        f.locals[name] = before
            if tag == "dcomp":
                # {name: boto3.client(name) for name in NAMES}: a dict, keys kept.
                return one(DictA(((element, value),)))
            return one(ListA((element,)))
        if tag == "star":
            return self.expr(e[1], f)
        for sub in e[1]:
            if isinstance(sub, list):
                self.expr(sub, f)
        return unknown("expression")

    def subscript(self, obj: Atoms, index: Atoms, f: Frame) -> Atoms:
        """``obj[index]`` for dicts, lists, ``os.environ`` and what SDK objects support."""
        out: set[Atom] = set()
        missing = False
        for atom in obj:
            if isinstance(atom, DictA):
                found = dict_lookup(atom, index)
                out.update(found)
                missing = missing or not found
            elif isinstance(atom, ListA):
                for item in atom.items:
                    out.update(item)
            elif isinstance(atom, Opaque) and atom.dotted == "os.environ":
                out.update(env_ref(index, None))
            else:
                out.update(self.sdk_subscript(atom, index, f))
        if missing and not out:
            return unknown("missing key")
        return frozenset(out) if out else unknown("subscript")

    def iterate(self, atoms: Atoms, f: Frame) -> Atoms:
        """The elements produced by iterating over ``atoms``."""
        out: set[Atom] = set()
        for atom in atoms:
            if isinstance(atom, ListA):
                for item in atom.items:
                    out.update(item)
            elif isinstance(atom, DictA):
                for key, _value in atom.items:
                    out.update(key)
            else:
                out.update(self.sdk_iterate(atom, f))
        return frozenset(out) if out else unknown("element")

    def enter(self, atoms: Atoms, f: Frame) -> Atoms:
        """The value bound by ``with x as y`` (``__enter__`` of our classes, else x).

        A generator here is a ``@contextmanager`` factory: what it yields is bound.
        """
        out: set[Atom] = set()
        for atom in atoms:
            if isinstance(atom, ListA):
                out.update(self.iterate(one(atom), f))
            elif isinstance(atom, InstA):
                for method in ("__enter__", "__aenter__"):
                    found = self.find_method(atom.cls, method)
                    if found is not None:
                        out.update(self.call_function(found, [], [], atom, f, (0, 0)))
                        break
                else:
                    out.add(atom)
            else:
                out.add(atom)
        return frozenset(out)

    # -- attributes -------------------------------------------------------------------------

    def attribute(self, obj: Atoms, name: str, f: Frame, loc: Loc) -> Atoms:
        """``obj.name`` for every alternative of ``obj``."""
        out: set[Atom] = set()
        for atom in obj:
            out.update(self.attribute_of(atom, name, f, loc))
        return frozenset(out)

    def attribute_of(self, atom: Atom, name: str, f: Frame, loc: Loc) -> Atoms:
        """``atom.name``."""
        if isinstance(atom, ModuleA):
            return self.global_value(atom.name, name) or unknown(f"{atom.name}.{name}")
        if isinstance(atom, Opaque):
            return derived_opaque(atom, f".{name}")
        if isinstance(atom, InstA):
            return self.instance_attribute(atom, atom.cls, name, f)
        if isinstance(atom, ClassA):
            return self.class_attribute(atom, name, f)
        if isinstance(atom, SuperA):
            for base in self.bases(atom.cls):
                found = self.instance_attribute(atom.receiver, base, name, f)
                if found:
                    return found
            return unknown(f"super().{name}")
        if isinstance(atom, Const) and atom.text == "None":
            return NOTHING
        if isinstance(atom, DictA):
            # Dicts have no attributes: this is a SimpleNamespace built from keywords.
            return self.subscript(one(atom), literal(name), f)
        if isinstance(atom, Str) and name == "value":
            # Strings have no .value: this is a member of a str Enum (Tables.ORDERS.value).
            return one(atom)
        sdk = self.sdk_attribute(atom, name, f, loc)
        if sdk is not None:
            return sdk
        if isinstance(atom, Unk):
            return derived_unknown(f"attribute {name} of", atom)
        return unknown(f"attribute {name}")

    def bases(self, cls: ClassA) -> list[ClassA]:
        """The base classes of ``cls`` that are our classes, in MRO-like order (DFS)."""
        cdef = self.classes.get((cls.module, cls.qualname))
        if cdef is None:
            return []
        frame = Frame(cls.module, f"{cls.module}.<module>", "", None)
        out: list[ClassA] = []
        for base in cdef.node["bases"]:
            for atom in sorted(self.expr(base, frame), key=repr):
                if isinstance(atom, ClassA) and atom != cls and atom not in out:
                    out.append(atom)
                    out.extend(b for b in self.bases(atom) if b not in out and b != cls)
        return out

    def mro(self, cls: ClassA) -> list[ClassA]:
        """``cls`` followed by its bases (computed once per round: attribute lookups ask
        for it constantly, and base expressions only change when the stores do, which
        starts another round)."""
        known = self.mros.get(cls)
        if known is None:
            known = [cls, *self.bases(cls)]
            self.mros[cls] = known
        return known

    def find_method(self, cls: ClassA, name: str) -> FuncA | None:
        """The method ``name`` as ``cls`` resolves it."""
        for klass in self.mro(cls):
            cdef = self.classes.get((klass.module, klass.qualname))
            if cdef is not None and name in cdef.methods:
                return FuncA(klass.module, cdef.methods[name])
        return None

    def _method_kind(self, func: FuncA) -> str:
        defs = self.functions.get((func.module, func.qualname), [])
        return defs[0].kind if defs else "method"

    def instance_attribute(self, inst: InstA, cls: ClassA, name: str, f: Frame) -> Atoms:
        """``self.name``: stored attribute values and/or a bound method."""
        out: set[Atom] = set()
        # The instance's own attributes, those set on the instance a method evaluated on
        # its own works on (framework-made objects), then class attributes.
        out.update(self._read_attr((inst, name)))
        if inst.site is not None:
            out.update(self._read_attr((InstA(inst.cls), name)))
        for klass in self.mro(cls):
            out.update(self._read_attr((klass, name)))
        method = self.find_method(cls, name)
        if method is not None:
            kind = self._method_kind(method)
            if kind == "property":
                out.update(self.call_function(method, [], [], inst, f, (0, 0)))
            elif kind == "staticmethod":
                out.add(method)
            elif kind == "classmethod":
                out.add(BoundA(method, inst.cls))
            else:
                out.add(BoundA(method, inst))
            out -= {
                a for a in out if isinstance(a, FuncA) and a == method and kind != "staticmethod"
            }
        return frozenset(out) if out else unknown(f"attribute {name} of {cls.qualname}")

    def class_attribute(self, cls: ClassA, name: str, f: Frame) -> Atoms:
        """``Class.name``."""
        out: set[Atom] = set()
        for klass in self.mro(cls):
            out.update(self._read_attr((klass, name)))
        method = self.find_method(cls, name)
        if method is not None and self._method_kind(method) == "classmethod":
            # The class body stored the plain function too; through the class it is bound.
            out.discard(method)
            out.add(BoundA(method, cls))
        elif method is not None:
            out.add(method)
        return frozenset(out) if out else unknown(f"attribute {name} of {cls.qualname}")

    # -- calls ------------------------------------------------------------------------------

    def call_expr(self, e: IR, f: Frame) -> Atoms:
        """Evaluate a call expression."""
        func_ir, args_ir, kwargs_ir = e[1], e[2], e[3]
        loc = _location(e)
        if func_ir[0] == "attr":
            receiver = self.expr(func_ir[1], f)
            args, kwargs = self.arguments(args_ir, kwargs_ir, f)
            if func_ir[2] in _MUTATORS:
                self._mutate(func_ir[1], func_ir[2], args, f)
            out: set[Atom] = set()
            if len(receiver) < 2:
                for atom in receiver:
                    out.update(self.call_method(atom, func_ir[2], args, kwargs, f, loc))
                return frozenset(out)
            # Several possible receivers (clients of two services in one dict): a method
            # that only some of them have is not a finding when another one performs it.
            calls_before = len(self.calls)
            self.deferred_unknown_methods = []
            try:
                for atom in sorted(receiver, key=repr):
                    out.update(self.call_method(atom, func_ir[2], args, kwargs, f, loc))
            finally:
                deferred, self.deferred_unknown_methods = self.deferred_unknown_methods, None
            if len(self.calls) == calls_before:
                for message in deferred or ():
                    self.report(codes.UNKNOWN_METHOD, f, loc, message)
            return frozenset(out)
        callee = self.expr(func_ir, f)
        args, kwargs = self.arguments(args_ir, kwargs_ir, f)
        out = set()
        for atom in callee:
            out.update(self.call_atom(atom, args, kwargs, f, loc))
        return frozenset(out)

    def arguments(
        self, args_ir: list[IR], kwargs_ir: list[IR], f: Frame
    ) -> tuple[list[Atoms], list[tuple[str | None, Atoms]]]:
        """Positional arguments (``*`` of known lists expanded) and keyword arguments."""
        args: list[Atoms] = []
        for arg in args_ir:
            if arg[0] == "star":
                value = self.expr(arg[1], f)
                lists = [a for a in value if isinstance(a, ListA)]
                if len(lists) == 1 and len(value) == 1:
                    args.extend(lists[0].items)
                else:
                    args.append(self.iterate(value, f))
            else:
                args.append(self.expr(arg, f))
        kwargs: list[tuple[str | None, Atoms]] = []
        for name, value_ir in kwargs_ir:
            value = self.expr(value_ir, f)
            if name is None:
                dicts = [a for a in value if isinstance(a, DictA)]
                if len(dicts) == 1 and len(value) == 1:
                    for key, item in dicts[0].items:
                        texts = [a.value.text for a in key if isinstance(a, Str)]
                        if len(texts) == 1 and texts[0] is not None:
                            kwargs.append((texts[0], item))
                        else:
                            kwargs.append((None, item))
                    continue
            kwargs.append((name, value))
        return args, kwargs

    def call_method(
        self,
        atom: Atom,
        name: str,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        f: Frame,
        loc: Loc,
    ) -> Atoms:
        """``atom.name(...)``."""
        sdk = self.sdk_method(atom, name, args, kwargs, f, loc)
        if sdk is not None:
            return sdk
        if isinstance(atom, Str):
            return string_method(atom, name, args, kwargs)
        if isinstance(atom, DictA):
            return dict_method(atom, name, args)
        if isinstance(atom, Const):
            return unknown(f"{name}()")
        if isinstance(atom, Unk):
            self.unknown_receiver(atom, name, f, loc)
            self.run_callbacks(args, kwargs, f)
            return unknown(f"result of {name}()")
        if isinstance(atom, ListA):
            self.run_callbacks(args, kwargs, f)
            if name in ("pop", "copy", "__getitem__"):
                return union(*atom.items) if name == "pop" else one(atom)
            return unknown(f"{name}()")
        if isinstance(atom, Opaque):
            dotted = f"{atom.dotted}.{name}"
            handled = self.sdk_external(dotted, args, kwargs, f, loc)
            if handled is not None:
                return handled
            self.unknown_receiver(atom, name, f, loc)
        out: set[Atom] = set()
        for target in self.attribute_of(atom, name, f, loc):
            out.update(self.call_atom(target, args, kwargs, f, loc))
        return frozenset(out)

    def call_atom(
        self,
        atom: Atom,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        f: Frame,
        loc: Loc,
    ) -> Atoms:
        """Call a value."""
        if isinstance(atom, FuncA):
            return self.call_function(atom, args, kwargs, None, f, loc)
        if isinstance(atom, BoundA):
            return self.call_function(atom.func, args, kwargs, atom.receiver, f, loc)
        if isinstance(atom, LambdaA):
            return self.call_lambda(atom, args, kwargs, f)
        if isinstance(atom, ClassA):
            return self.instantiate(atom, args, kwargs, f, loc)
        if isinstance(atom, InstA):
            method = self.find_method(atom.cls, "__call__")
            if method is not None:
                return self.call_function(method, args, kwargs, atom, f, loc)
            return unknown("call of an instance")
        if isinstance(atom, Opaque):
            return self.call_external(atom.dotted, args, kwargs, f, loc)
        if isinstance(atom, PartialA):
            out: set[Atom] = set()
            merged = [*atom.kwargs, *kwargs]
            for target in atom.func:
                out.update(self.call_atom(target, [*atom.args, *args], merged, f, loc))
            return frozenset(out)
        sdk = self.sdk_call(atom, args, kwargs, f, loc)
        if sdk is not None:
            return sdk
        self.run_callbacks(args, kwargs, f)
        return unknown("result of a call")

    def run_callbacks(
        self, args: list[Atoms], kwargs: list[tuple[str | None, Atoms]], f: Frame
    ) -> None:
        """Functions handed to code we cannot see are assumed to be called by it."""
        for value in [*args, *(v for _, v in kwargs)]:
            for atom in value:
                if isinstance(atom, FuncA | BoundA | LambdaA | PartialA):
                    self.call_atom(atom, [], [], f, (0, 0))
                elif isinstance(atom, ListA):
                    for item in atom.items:
                        for inner in item:
                            if isinstance(inner, FuncA | BoundA | LambdaA):
                                self.call_atom(inner, [], [], f, (0, 0))

    def call_external(
        self,
        dotted: str,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        f: Frame,
        loc: Loc,
    ) -> Atoms:
        """A call into code outside the function (SDK factories, stdlib, libraries)."""
        sdk = self.sdk_external(dotted, args, kwargs, f, loc)
        if sdk is not None:
            return sdk
        if dotted in ("os.getenv", "os.environ.get", "os.environ.setdefault"):
            name = args[0] if args else keyword(kwargs, "key") or NOTHING
            default = args[1] if len(args) > 1 else keyword(kwargs, "default")
            return env_ref(name, default)
        if dotted == "builtins.getattr" and len(args) >= 2:
            return self.getattr_call(args, f, loc)
        if dotted == "builtins.super":
            if f.cls is not None and f.receiver is not None and isinstance(f.receiver, InstA):
                return one(SuperA(f.cls, f.receiver))
            return unknown("super()")
        if dotted in (
            "builtins.str",
            "builtins.list",
            "builtins.tuple",
            "builtins.sorted",
            "builtins.set",
            "builtins.dict",
            "copy.copy",
            "copy.deepcopy",
            "typing.cast",
            "builtins.reversed",
        ):
            if dotted == "typing.cast":
                return args[1] if len(args) > 1 else unknown("cast")
            if dotted == "builtins.dict" and not args:
                return one(DictA(tuple((literal(k), v) for k, v in kwargs if k is not None)))
            if (
                dotted
                in (
                    "builtins.list",
                    "builtins.tuple",
                    "builtins.sorted",
                    "builtins.set",
                    "builtins.reversed",
                )
                and args
            ):
                return one(ListA((self.iterate(args[0], f),)))
            return args[0] if args else unknown(dotted)
        if dotted == "types.SimpleNamespace":
            # Attribute access on it reads the keyword arguments (see attribute_of).
            return one(DictA(tuple((literal(k), v) for k, v in kwargs if k is not None)))
        if dotted in ("builtins.iter", "builtins.next", "builtins.enumerate"):
            if args:
                items = self.iterate(args[0], f)
                return items if dotted == "builtins.next" else one(ListA((items,)))
            return unknown(dotted)
        if dotted == "functools.partial" and args:
            return one(PartialA(args[0], tuple(args[1:]), tuple(kwargs)))
        if dotted == "dataclasses.field":
            factory = keyword(kwargs, "default_factory")
            if factory is not None:
                out: set[Atom] = set()
                for atom in factory:
                    out.update(self.call_atom(atom, [], [], f, loc))
                return frozenset(out)
            default = keyword(kwargs, "default")
            return default if default is not None else unknown("dataclass field")
        if dotted in ("importlib.import_module", "builtins.__import__") and args:
            texts = [known_text(a, self.env) for a in args[0]]
            if texts and all(t is not None for t in texts):
                # One module per known name (a name chosen among a few constants).
                return union(*(self.import_module(t, f) for t in texts if t is not None))
            self.report(
                codes.DYNAMIC_IMPORT,
                f,
                loc,
                "a module is imported by a computed name; its code (and any AWS call in it) "
                "is not analysed",
            )
            return unknown("module imported by a computed name")
        self.run_callbacks(args, kwargs, f)
        return derived_opaque(Opaque(dotted), "()")

    def getattr_call(self, args: list[Atoms], f: Frame, loc: Loc) -> Atoms:
        """``getattr(obj, name[, default])``: a literal name is an attribute access."""
        names = [known_text(a, self.env) for a in args[1]]
        if names and all(n is not None for n in names) and len(names) == len(args[1]):
            out: set[Atom] = set()
            for name in names:
                assert name is not None
                out.update(self.attribute(args[0], name, f, loc))
            return frozenset(out)
        tried = " / ".join(
            sorted(
                f"getattr(..., {a.value.pattern()!r})" if isinstance(a, Str) else "a computed name"
                for a in args[1]
            )
        )
        out = set()
        for atom in args[0]:
            dynamic = self.sdk_dynamic_attribute(atom, tried)
            if dynamic is not None:
                out.update(dynamic)
            else:
                patterns = sorted(
                    {a.value.pattern() if isinstance(a, Str) else "*" for a in args[1]}
                )
                out.update(self.any_function_of(atom, patterns, f, loc))
        return frozenset(out) if out else unknown("getattr with a computed name")

    def any_function_of(self, atom: Atom, patterns: list[str], f: Frame, loc: Loc) -> Atoms:
        """The functions ``getattr(obj, <computed>)`` may pick on our module or class.

        Dispatch by name (``getattr(handlers, event["type"])``, ``getattr(self, "on_" +
        kind)``) may reach any function whose name fits the known parts of the name, so all
        of those count: broader, never missing. Past ``MAX_DISPATCH`` candidates it is a
        finding instead (library code dispatching over everything).
        """
        candidates: dict[str, Atoms] = {}
        if isinstance(atom, ModuleA):
            self.run_module(atom.name)
            for (module, name), value in sorted(self.globals.items(), key=lambda kv: kv[0]):
                if module == atom.name and any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    funcs = frozenset(a for a in value if isinstance(a, FuncA | ClassA))
                    if funcs:
                        candidates[name] = funcs
        elif isinstance(atom, InstA | ClassA):
            # Methods picked by a computed name are not followed (library code does this
            # on every object, and each pick fans out into every method): say so.
            self.report(
                codes.DYNAMIC_METHOD,
                f,
                loc,
                f"a method of {atom.cls.qualname if isinstance(atom, InstA) else atom.qualname} "
                f"is picked by a computed name ({', '.join(patterns)}); its calls are not "
                "in the policy",
            )
            return NOTHING
        if len(candidates) > MAX_DISPATCH:
            self.report(
                codes.DYNAMIC_METHOD,
                f,
                loc,
                f"a function picked by a computed name among {len(candidates)} candidates "
                f"({', '.join(patterns)}); not followed, so their calls may be missing",
            )
            return NOTHING
        out: set[Atom] = set()
        for value in candidates.values():
            out.update(value)
        return frozenset(out)

    def instantiate(
        self,
        cls: ClassA,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        f: Frame,
        loc: Loc,
    ) -> Atoms:
        """``Class(...)``: an instance, with ``__init__`` (or dataclass fields) applied."""
        site = (
            (f.module, int(loc[4]), f.context)
            if isinstance(loc, list) and loc[0] == "call"
            else None
        )
        inst = InstA(cls, site)
        init = self.find_method(cls, "__init__")
        if init is not None:
            self.call_function(init, args, kwargs, inst, f, loc)
        else:
            for klass in reversed(self.mro(cls)):
                cdef = self.classes.get((klass.module, klass.qualname))
                if cdef is None or not cdef.is_dataclass:
                    continue
                for name, value in zip(cdef.fields, args, strict=False):
                    self.store_attr(inst, name, value)
                for key, value in kwargs:
                    if key in cdef.fields:
                        self.store_attr(inst, key, value)
            post = self.find_method(cls, "__post_init__")
            if post is not None:
                self.call_function(post, [], [], inst, f, loc)
        return one(inst)

    def call_lambda(
        self, lam: LambdaA, args: list[Atoms], kwargs: list[tuple[str | None, Atoms]], f: Frame
    ) -> Atoms:
        """Evaluate a lambda's body with its parameters bound."""
        found = self.lambdas.get(lam)
        if found is None:
            return unknown("lambda")
        ir, closure = found
        key = ("lambda", lam, tuple(args), tuple(kwargs))
        if key in self.active:
            return unknown("recursive lambda")
        self.active.add(key)
        frame = Frame(
            closure.module,
            closure.function,
            closure.prefix,
            {},
            frozenset(p[0] for p in ir[1]),
            frozenset(),
            closure,
            closure.cls,
            closure.receiver,
            context=closure.context,
        )
        self.bind(frame, ir[1], args, kwargs, None, "lambda")
        result = self.expr(ir[2], frame)
        self.active.discard(key)
        return result

    def bind(
        self,
        frame: Frame,
        params: list[IR],
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        receiver: Atom | None,
        owner: str,
    ) -> list[Atoms]:
        """Bind arguments to parameters in ``frame``; returns the bound values in order."""
        assert frame.locals is not None
        positional = list(args)
        if receiver is not None:
            positional.insert(0, one(receiver))
        named = {k: v for k, v in kwargs if k is not None}
        unnamed_kwargs = [v for k, v in kwargs if k is None]
        bound: list[Atoms] = []
        index = 0
        for name, default, kind in params:
            value: Atoms | None = None
            if kind == "pos":
                if index < len(positional):
                    value = positional[index]
                    index += 1
                elif name in named:
                    value = named.pop(name)
            elif kind == "kwonly":
                value = named.pop(name, None)
            elif kind == "vararg":
                value = one(ListA(tuple(positional[index:])))
                index = len(positional)
            elif kind == "kwarg":
                value = one(
                    DictA(
                        tuple(
                            (literal(k), v) for k, v in sorted(named.items(), key=lambda kv: kv[0])
                        )
                    )
                )
            if value is None:
                if unnamed_kwargs:
                    value = union(*unnamed_kwargs)
                elif default is not None:
                    value = self.expr(default, _module_frame(frame))
                else:
                    value = unknown(f"parameter {name} of {owner}")
            frame.locals[name] = value
            bound.append(value)
        return bound

    def call_function(
        self,
        func: FuncA,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        receiver: Atom | None,
        caller: Frame,
        loc: Loc,
        root_call: bool = False,
    ) -> Atoms:
        """Evaluate a function of the program in this calling context (memoised)."""
        definitions = self.functions.get((func.module, func.qualname))
        if not definitions:
            self.module(func.module)
            definitions = self.functions.get((func.module, func.qualname))
            if not definitions:
                return unknown(f"{func.qualname}()")
        callee_name = f"{func.module}.{func.qualname}"
        if not root_call:
            self.edges.add((caller.function, callee_name))
        result: set[Atom] = set()
        for definition in definitions:
            if definition.kind == "staticmethod":
                receiver = None
            if self.depth >= MAX_DEPTH:
                self.report(
                    codes.ANALYSIS_LIMIT,
                    caller,
                    loc,
                    f"call chain deeper than {MAX_DEPTH} at {callee_name}; not followed",
                )
                return unknown("call chain too deep")
            closure = self.closures.get((func.module, func.qualname, func.context))
            cls = None
            if definition.kind != "function":
                owner = definition.qualname.rsplit(".", 1)[0]
                cls = ClassA(definition.module, owner)
            frame = Frame(
                definition.module,
                callee_name,
                definition.qualname + ".",
                {},
                definition.locals,
                definition.globals,
                closure,
                cls,
                receiver,
            )
            bound_key = (func, tuple(self._bind_preview(definition, args, kwargs, receiver, frame)))
            count = self.context_counts.get(func, 0)
            if bound_key not in self.memo and count >= MAX_CONTEXTS:
                # Too many calling contexts: merge this one with the others by forgetting its
                # strings (resources become wildcards: broader, never missing) but keeping
                # the objects (a client passed in must stay a client).
                # Past twice the limit (objects that keep differing), only the objects'
                # kinds are kept apart no more: every argument becomes unknown.
                many = count >= 2 * MAX_CONTEXTS
                args = [
                    unknown("one of many calling contexts") if many else _widened(a) for a in args
                ]
                kwargs = [
                    (k, unknown("one of many calling contexts") if many else _widened(v))
                    for k, v in kwargs
                ]
                frame.locals = {}
                bound_key = (
                    func,
                    tuple(self._bind_preview(definition, args, kwargs, receiver, frame)),
                )
            if bound_key in self.memo:
                result.update(self.memo[bound_key])
                continue
            if bound_key in self.active:
                result.add(Unk("recursive call"))
                continue
            self.context_counts[func] = count + 1
            context = self.contexts.setdefault(bound_key, len(self.contexts) + 1)
            frame.context = context
            self.active.add(bound_key)
            self.depth += 1
            try:
                self.run_body(definition.node["body"], frame)
            finally:
                self.depth -= 1
                self.active.discard(bound_key)
            if frame.yielded:
                # Calling a generator function gives an iterator over what it yields.
                returned = one(ListA((frozenset(frame.yielded),)))
            else:
                returned = frozenset(frame.returns) if frame.returns else one(Const("None"))
            self.memo[bound_key] = returned
            result.update(returned)
        return frozenset(result)

    def _bind_preview(
        self,
        definition: FunctionDef,
        args: list[Atoms],
        kwargs: list[tuple[str | None, Atoms]],
        receiver: Atom | None,
        frame: Frame,
    ) -> list[Atoms]:
        return self.bind(
            frame, definition.node["params"], args, kwargs, receiver, definition.qualname
        )

    def position(self, module: str, loc: Loc) -> tuple[int, int]:
        """Line and column of a location (resolving the module's positions on first need)."""
        if isinstance(loc, tuple):
            return loc
        if loc[-2] < 0:
            ir = self.modules.get(module)
            if ir is not None:
                ir.resolve_positions()
        return int(loc[-2]), int(loc[-1])

    def path_of(self, module: str) -> str:
        """The path of a module as shown in findings."""
        ir = self.modules.get(module)
        return ir.path if ir is not None else module


_MANY_CONTEXTS = Str(Value.unknown("one of many calling contexts"))


def _widened(atoms: Atoms) -> Atoms:
    """``atoms`` with strings and data (dicts, lists) replaced by one unknown string."""
    kept: set[Atom] = {a for a in atoms if not isinstance(a, Str | Const | DictA | ListA | Unk)}
    if len(kept) != len(atoms):
        kept.add(_MANY_CONTEXTS)
    return frozenset(kept)


def _module_frame(frame: Frame) -> Frame:
    return Frame(frame.module, frame.function, "", None)
