"""``analyze``: every AWS call a Lambda function's code can make, with its arguments.

Steps: find the modules of the code root and the extra import roots; parse each module on
first use (``program.parse_file``, the cacheable per-module part); run the interpreter from
the entry points until the shared stores are stable; keep the calls and findings of that
last round; build the call graph for reachability.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from least_priv.analysis import codes
from least_priv.analysis.interpreter import MAX_ROUNDS, Interpreter
from least_priv.analysis.program import ModuleIR, deep_recursion, parse_file
from least_priv.analysis.sources import SourceFile, discover
from least_priv.analysis.values import FuncA
from least_priv.model import CallSite, Finding

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What the analysis found.

    ``calls`` and ``findings`` are sorted. ``modules`` holds the per-module results of the
    modules that were analysed (serialisable, for caching). ``reachable`` lists the functions
    that count (qualified names, sorted); ``edges`` is the call graph between them.
    """

    calls: tuple[CallSite, ...]
    findings: tuple[Finding, ...]
    modules: tuple[ModuleIR, ...]
    reachable: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    entry: str | None = None

    def call_graph(self) -> nx.DiGraph:
        """The call graph as a networkx directed graph (function → functions it calls)."""
        import networkx as nx  # only for callers who want the graph (~75 ms to import)

        graph = nx.DiGraph()
        graph.add_nodes_from(self.reachable)
        graph.add_edges_from(self.edges)
        return graph


def call_sort_key(call: CallSite) -> tuple[object, ...]:
    """A total order for calls: ``Value`` parts mix ``str`` and ``Unknown``, which do not
    compare with each other, so the arguments are ordered by their repr."""
    return (
        call.location,
        call.service,
        call.operation,
        call.kind.value,
        call.via,
        call.function,
        repr(call.args),
        repr(call.region),
    )


def parse_handler(handler: str) -> tuple[str, str] | None:
    """``src/app.handler`` → (``src.app``, ``handler``); None when malformed."""
    text = handler.strip()
    if "." not in text:
        return None
    module_path, function = text.rsplit(".", 1)
    module = module_path.replace("\\", "/").strip("/").replace("/", ".")
    if not function.isidentifier() or not all(p.isidentifier() for p in module.split(".")):
        return None
    return module, function


class _Sources:
    """Module name → file, parsing each on first use."""

    def __init__(
        self, files: Sequence[SourceFile], parser: Callable[[SourceFile], ModuleIR]
    ) -> None:
        self.files: dict[str, SourceFile] = {}
        for source in files:
            self.files.setdefault(source.module, source)
        self.parsed: dict[str, ModuleIR] = {}
        self.parser = parser

    def load(self, name: str) -> ModuleIR | None:
        found = self.parsed.get(name)
        if found is not None:
            return found
        source = self.files.get(name)
        if source is None:
            return None
        result = self.parser(source)
        self.parsed[name] = result
        return result


def analyze(
    paths: Sequence[str | Path],
    handler: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    parser: Callable[[SourceFile], ModuleIR] = parse_file,
) -> AnalysisResult:
    """Analyse a function's code: ``paths[0]`` is the code root, the rest extra import roots.

    With ``handler`` (Lambda's handler string, relative to the code root) only code reachable
    from it counts, plus the top-level code of every module it imports; without it every
    function counts. ``env`` (environment values from the IaC template or ``--env``) is
    used where the analysis needs a name to go on: ``boto3.client(os.environ["SERVICE"])``,
    a paginator or method name read from the environment. Request parameters keep their
    ``EnvRef`` parts either way; the policy stage resolves those.
    ``parser`` turns one file into its ``ModuleIR``; a cache wraps ``program.parse_file``
    here (the result depends only on the file's bytes and the tool version).
    """
    with deep_recursion():
        return _analyze(paths, handler, env, parser)


def _analyze(
    paths: Sequence[str | Path],
    handler: str | None,
    env: Mapping[str, str] | None,
    parser: Callable[[SourceFile], ModuleIR],
) -> AnalysisResult:
    findings: list[Finding] = []
    files: list[SourceFile] = []
    for index, given in enumerate(paths):
        text = os.fspath(given)
        if not os.path.exists(text):
            findings.append(
                codes.finding(codes.UNREADABLE_FILE, text, 0, 0, f"{text} does not exist")
            )
            continue
        files.extend(discover(text, index))
    sources = _Sources(files, parser)
    interp = Interpreter(sources.load, env)

    entry: FuncA | None = None
    if handler is not None:
        entry, problem = _entry_point(sources, interp, handler, paths)
        if problem:
            location = os.fspath(paths[0]) if paths else handler
            findings.append(codes.finding(codes.HANDLER_NOT_FOUND, location, 0, 0, problem))

    modules: list[str]
    if entry is not None:
        modules = [entry.module]
        roots = [entry]
        for _ in range(MAX_ROUNDS):
            if not interp.run_round(modules, roots):
                break
    else:
        modules = sorted(sources.files)
        for name in modules:
            interp.module(name)
        # Start from the functions whose name the code never mentions (entry points,
        # callbacks by convention); any function the rounds do not reach becomes a root
        # later, so this only saves evaluating every helper out of context first.
        referenced: set[str] = set()
        for name in modules:
            loaded = interp.modules.get(name)
            if loaded is not None:
                referenced |= loaded.references
        roots = [f for f in interp.top_functions() if not _named_somewhere(f, referenced)]
        # Calls seen in any round decide what is "called": the set only grows, so the roots
        # only shrink and the rounds settle (a root evaluated with unknown arguments can
        # reach different callees than in its real contexts).
        seen: set[tuple[str, str]] = set()
        for _ in range(MAX_ROUNDS):
            grew = interp.run_round(modules, roots)
            seen |= interp.edges
            new_roots = _uncalled(interp.top_functions(), seen, modules)
            if not grew and new_roots == roots:
                break
            roots = new_roots

    start = [f"{r.module}.{r.qualname}" for r in roots]
    start += [f"{m}.<module>" for m in interp.modules_run]
    start += [f"{c.module}.{c.qualname}" for c in interp.callbacks]
    reachable = _reach(start, interp.edges)
    for module in sorted(interp.modules):
        findings.extend(interp.modules[module].findings)
    findings.extend(interp.findings)
    edges = sorted((a, b) for a, b in interp.edges if a in reachable and b in reachable)
    return AnalysisResult(
        calls=tuple(sorted(interp.calls, key=call_sort_key)),
        findings=tuple(sorted(set(findings))),
        modules=tuple(interp.modules[m] for m in sorted(interp.modules)),
        reachable=tuple(sorted(reachable)),
        edges=tuple(edges),
        entry=None if entry is None else f"{entry.module}.{entry.qualname}",
    )


def _entry_point(
    sources: _Sources, interp: Interpreter, handler: str, paths: Sequence[str | Path]
) -> tuple[FuncA | None, str]:
    parsed = parse_handler(handler)
    if parsed is None:
        return (
            None,
            f"handler {handler!r} is not of the form module.function; analysing every function",
        )
    module, function = parsed
    if module not in sources.files and paths and os.path.isfile(os.fspath(paths[0])):
        # A single file given as the code root: the handler's module is that file.
        only = next(iter(sources.files), None)
        if only is not None and only.split(".")[-1] == module.split(".")[-1]:
            module = only
    if interp.module(module) is None:
        return None, (
            f"handler module {module!r} (from {handler!r}) is not in the code root; "
            "analysing every function"
        )
    if not interp.functions.get((module, function)) and not _assigned_at_top(
        interp, module, function
    ):
        return None, (
            f"handler function {function!r} is not defined in module {module!r}; "
            "analysing every function"
        )
    return FuncA(module, function), ""


def _assigned_at_top(interp: Interpreter, module: str, name: str) -> bool:
    ir = interp.modules.get(module)
    if ir is None:
        return False
    for stmt in ir.body:
        if stmt[0] == "assign" and any(t == ["name", name] for t in stmt[1]):
            return True
    return False


def _named_somewhere(func: FuncA, referenced: set[str]) -> bool:
    """True when code names the function, or Python calls it implicitly (``__init__``)."""
    name = func.qualname.rsplit(".", 1)[-1]
    return name in referenced or (name.startswith("__") and name.endswith("__"))


def _uncalled(
    functions: list[FuncA], edges: set[tuple[str, str]], modules: list[str]
) -> list[FuncA]:
    """Functions no other function calls, plus one per cycle nobody enters (sorted).

    Module bodies always run, so what they reach (``repo = Repo(TABLE)`` → ``Repo.__init__``)
    is reached, not a root to evaluate again with unknown arguments.
    """
    called = {callee for caller, callee in edges if caller != callee}
    roots = [f for f in functions if f"{f.module}.{f.qualname}" not in called]
    starts = [f"{r.module}.{r.qualname}" for r in roots] + [f"{m}.<module>" for m in modules]
    reached = _reach(starts, edges)
    for func in functions:
        name = f"{func.module}.{func.qualname}"
        if name not in reached:
            roots.append(func)
            reached |= _reach([name], edges)
    return sorted(roots)


def _reach(starts: Sequence[str], edges: set[tuple[str, str]]) -> set[str]:
    """Every node reachable from ``starts`` (included) along ``edges``.

    A plain traversal: importing networkx costs more than a small handler's whole analysis.
    """
    successors: dict[str, list[str]] = {}
    for caller, callee in edges:
        successors.setdefault(caller, []).append(callee)
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in successors.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
