"""Module IR and function results for a run: from the on-disk cache, else computed, in
parallel when there is enough work. See docs/speed.md.

Parsing and lowering a module (``program.parse_file``) is most of the analysis' cost, and
its result, a ``ModuleIR``, depends only on the file's bytes. A ``ModuleLoader``:

- **shares**: one loader serves every function of a run, so a module two functions import
  (a layer, a shared package, a copy-pasted file) is read, hashed and parsed once;
- **caches** (:mod:`least_priv.cache`) each module's IR under the SHA-256 of its bytes, the
  tool version, the IR format (a digest of the code that produces the IR, so changing the
  lowering can never read an old entry) and the catalog version; and each function's calls
  and findings under everything its analysis depends on (:meth:`ModuleLoader.analyze_calls`);
- **works in parallel**: several functions are analysed whole by a process pool; the many
  modules of a single function are parsed by one (IR back as ``ModuleIR.to_json``). Results
  are keyed by function or content, so output never depends on which worker finished first.

What to parse ahead is decided by :func:`import_closure`, a cheap textual scan of import
statements from the handler's module. It only decides what is parsed *ahead*: the analysis
still asks for each module when its interpreter imports it, so a module the scan missed
(``importlib.import_module(name)``) is parsed then, and one it wrongly included is parsed
but never used. Either way the result is the same as without the scan.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import hashlib
import importlib.util
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from least_priv import __version__
from least_priv.analysis.sources import SourceFile, discover, read_source
from least_priv.cache import Cache, make_key
from least_priv.model import (
    CallKind,
    CallSite,
    EnvRef,
    Finding,
    Location,
    Severity,
    TemplateRef,
    Unknown,
    Value,
)
from least_priv.workers import default_jobs

if TYPE_CHECKING:
    from least_priv.analysis.program import ModuleIR

# The parser (libcst) and the interpreter are imported only when a module must be parsed or
# a function analysed: a run whose every function is cached never loads them (~0.25 s).

#: Below this many files or bytes to parse, a pool costs more to start than it saves
#: (fork + result shipping ≈ 50 ms; libcst parses ≈ 0.5 MB/s per core here).
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 64 * 1024

#: The modules whose code decides what a ModuleIR holds: any edit to them is a new IR format.
_IR_SOURCES = ("program.py", "lower.py", "positions.py", "codes.py")

_T = TypeVar("_T")

#: How an unresolved position ends in a module's JSON (``lower.py``: line -1, column 0).
_UNRESOLVED = ",-1,0]"
_K = TypeVar("_K")

#: ``(phase, done, total)``: ``"parse"`` while the loader parses modules, ``"functions"``
#: while ``api.generate`` analyses functions.
ProgressCallback = Callable[[str, int, int], None]


@cache
def ir_format() -> str:
    """A digest of the code that produces ``ModuleIR`` and of the libcst version.

    Derived rather than hand-bumped, so an IR change can never read stale cache entries.
    """
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _IR_SOURCES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # a frozen install without sources: the tool version must do
            digest.update(name.encode())
    # libcst's version file, found without importing libcst (a cached run never needs it).
    spec = importlib.util.find_spec("libcst")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    try:
        digest.update((Path(locations[0]) / "_version.py").read_bytes())
    except (IndexError, OSError):
        digest.update(b"libcst-unknown")
    return digest.hexdigest()


@cache
def catalog_version() -> str:
    """The catalog's identity: a digest of its ``_meta.json`` (data date, source versions)."""
    from least_priv.catalog import store

    return hashlib.sha256(json.dumps(store.meta(), sort_keys=True).encode()).hexdigest()


@cache
def analysis_format() -> str:
    """A digest of everything besides the code that decides a function's calls and findings:
    the analysis and catalog code, the shared records, and every catalog data file (~9 MB,
    hashed in ~20 ms, only when the cache is on)."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256(ir_format().encode())
    for path in _analysis_sources():
        digest.update(str(path.relative_to(package)).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


@cache
def _analysis_sources() -> list[Path]:
    package = Path(__file__).parent.parent
    return [
        *sorted((package / "analysis").glob("*.py")),
        *sorted((package / "catalog").glob("*.py")),
        package / "model.py",
        package / "lint" / "codes.py",
        *sorted(p for p in (package / "service_maps").rglob("*") if p.is_file()),
    ]


def _stat_signature(paths: Iterable[Path]) -> str:
    """Names, sizes and modification times: changes whenever any file is rewritten."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{path}\0missing\0".encode())
    return digest.hexdigest()


def module_key(data: bytes) -> str:
    """The cache key of a module's IR: its bytes, tool version, IR format, catalog version."""
    return make_key("least-priv module IR", __version__, ir_format(), catalog_version(), data)


@dataclass
class LoadStats:
    """What a loader did: modules served from memory, from the disk cache, or parsed."""

    memory_hits: int = 0
    cache_hits: int = 0
    parsed: int = 0
    parsed_in_pool: int = 0
    results_cached: int = 0  # functions whose calls came whole from the cache
    results_analysed: int = 0
    analysed_in_pool: int = 0


class ModuleLoader:
    """Every module's ``ModuleIR`` and every function's calls for one run, each file read and
    parsed at most once.

    ``cache`` (None: no disk cache) keeps module IR and function results across runs;
    ``jobs`` bounds the worker processes (None: one per core; 1: never a pool); ``progress``
    is told how parsing or analysis advances.
    """

    def __init__(
        self,
        cache: Cache | None = None,
        *,
        jobs: int | None = None,
        progress: ProgressCallback | None = None,
        resolve_for_cache: bool = True,
    ) -> None:
        self.cache = cache
        # False (pool workers): a module's entry is written only if the analysis needed its
        # positions; the function's result entry covers the rest.
        self.resolve_for_cache = resolve_for_cache
        self._deferred: list[str] = []
        self._format: str | None = None
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        self.progress = progress
        self.stats = LoadStats()
        self._by_key: dict[str, ModuleIR] = {}
        self._results: dict[str, Analysed] = {}
        self._pooled: dict[tuple[tuple[str, ...], str | None], Analysed] = {}
        self._discovered: dict[tuple[str, ...], list[SourceFile]] = {}
        # path → (key, bytes) read once per run: a file is one snapshot for every function.
        self._read: dict[str, tuple[str, bytes] | None] = {}

    @classmethod
    def for_run(
        cls,
        *,
        cache: bool,
        cache_dir: str | None = None,
        jobs: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> ModuleLoader:
        """A loader as the options of a run ask: the disk cache (default directory unless
        ``cache_dir``) only with ``cache``."""
        store = Cache(Path(cache_dir)) if cache_dir else Cache()
        return cls(store if cache else None, jobs=jobs, progress=progress)

    def prefetch_functions(self, functions: Iterable[tuple[Sequence[str], str | None]]) -> None:
        """Get ready for :meth:`analyze_calls` of each ``(paths, handler)`` of a run.

        Functions whose result is cached need nothing. Several others (enough code) are
        analysed whole by a process pool; otherwise the modules they will load are parsed
        ahead, by the pool when many. One call for the whole run, so a pool starts once.
        """
        wanted: dict[str, SourceFile] = {}
        todo: dict[tuple[tuple[str, ...], str | None], int] = {}  # function → bytes to read
        for paths, handler in functions:
            roots = tuple(os.fspath(p) for p in paths)
            files = self._discover(roots)
            if (roots, handler) in todo or self._cached_result(
                self._result_key(roots, handler, files)
            ) is not None:
                continue  # its calls are cached whole: none of its modules is needed
            closure = import_closure(files, _entry_module(handler), self._bytes)
            todo[(roots, handler)] = sum(len(self._bytes(s) or b"") for s in closure)
            for source in closure:
                wanted.setdefault(source.path, source)
        size = sum(len(self._bytes(s) or b"") for s in wanted.values())
        # Several functions: each worker analyses whole functions, so the interpreter runs in
        # parallel too and no module IR has to travel back. One function (a directory of
        # library code): its modules are parsed in parallel and analysed here.
        pool_worthy = self.jobs > 1 and len(todo) >= 2 and size >= PARALLEL_MIN_BYTES
        if pool_worthy and self._analyse_in_pool(todo):
            return
        self.prefetch(wanted[path] for path in sorted(wanted))

    def analyze_calls(self, paths: Sequence[str], handler: str | None) -> Analysed:
        """``analyze(paths, handler)``'s calls and findings, from the cache when the code,
        the handler and the tool are unchanged; else analysed with this loader's modules."""
        pooled = self._pooled.get((tuple(os.fspath(p) for p in paths), handler))
        if pooled is not None:
            return pooled
        files = self._discover(paths)
        key = self._result_key(paths, handler, files)
        found = self._cached_result(key)
        if found is not None:
            self.stats.results_cached += 1
            return found
        from least_priv.analysis.analyzer import analyze

        result = analyze(paths, handler, parser=self.load)
        self.stats.results_analysed += 1
        analysed = Analysed(result.calls, result.findings)
        if key and self.cache is not None:
            self._results[key] = analysed
            self.cache.put(key, encode_analysed(analysed).encode("utf-8"))
            self._write_resolved()
        return analysed

    def load(self, source: SourceFile) -> ModuleIR:
        """The IR of ``source``; an unreadable file gives the parser's finding."""
        from least_priv.analysis.program import parse_file

        found = self._content(source)
        if found is None:
            return parse_file(source)
        key, data = found
        ir = self._by_key.get(key)
        if ir is not None:
            self.stats.memory_hits += 1
        else:
            ir = self._from_cache(key)
        if ir is None:
            with _gc_paused():
                ir = parse_file(source, data)
            self.stats.parsed += 1
            self._store(key, ir)
        return _as_module(ir, source)

    def prefetch(self, sources: Iterable[SourceFile]) -> None:
        """Have the IR of ``sources`` ready: cached entries are read, the rest parsed.

        Many misses are parsed by a process pool; a handful in this process.
        """
        pending: dict[str, tuple[SourceFile, bytes]] = {}
        for source in sources:
            found = self._content(source)
            if found is None:
                continue
            key, data = found
            if key in self._by_key or key in pending or self._from_cache(key) is not None:
                continue
            pending[key] = (source, data)
        if not pending:
            return
        from least_priv.analysis.program import parse_file

        size = sum(len(data) for _, data in pending.values())
        if self.jobs > 1 and len(pending) >= PARALLEL_MIN_FILES and size >= PARALLEL_MIN_BYTES:
            # No pool here (no /dev/shm in some containers) or a worker was killed (out of
            # memory): what the pool did not finish is parsed in this process below.
            with contextlib.suppress(OSError, BrokenProcessPool):
                self._parse_in_pool(pending)
        left = sorted(key for key in pending if key not in self._by_key)
        done = len(pending) - len(left)
        for key in left:
            source, data = pending[key]
            with _gc_paused():
                ir = parse_file(source, data)
            self.stats.parsed += 1
            self._store(key, ir)
            done += 1
            self._report(done, len(pending))

    # -- internals ----------------------------------------------------------------------------

    def _discover(self, paths: Sequence[str]) -> list[SourceFile]:
        key = tuple(os.fspath(p) for p in paths)
        if key not in self._discovered:
            self._discovered[key] = discover_roots(key)
        return self._discovered[key]

    def _result_key(
        self, paths: Sequence[str], handler: str | None, files: Sequence[SourceFile]
    ) -> str:
        """Everything a function's analysis depends on: the roots as given (and whether they
        exist), the handler, each discovered file's name, place and content, the tool."""
        if self.cache is None:
            return ""  # never looked up: only the disk cache needs the (costly) fingerprint
        parts: list[str] = ["least-priv function calls", __version__, self._analysis_format()]
        parts.append(handler if handler is not None else "\0")
        parts += [f"{os.fspath(p)}\0{os.path.exists(p)}" for p in paths]
        for source in files:
            found = self._content(source)
            content = found[0] if found is not None else f"unreadable:{_size(source.path)}"
            parts.append(
                f"{source.module}\0{source.path}\0{source.is_package}\0"
                f"{source.root_index}\0{content}"
            )
        return make_key(*parts)

    def _analysis_format(self) -> str:
        """:func:`analysis_format`, remembered in the cache under the files' sizes and
        modification times: stat-ing ~900 files costs a fraction of reading 9 MB."""
        assert self.cache is not None
        if self._format is not None:
            return self._format
        signature = make_key("least-priv analysis format", __version__)
        signature = make_key(signature, _stat_signature(_analysis_sources()))
        known = self.cache.get(signature)
        if known is not None:
            self._format = known.decode("ascii")
        else:
            self._format = analysis_format()
            self.cache.put(signature, self._format.encode("ascii"))
        return self._format

    def _cached_result(self, key: str) -> Analysed | None:
        if not key:
            return None
        found = self._results.get(key)
        if found is None:
            found = self._decoded(key, decode_analysed)
            if found is not None:
                self._results[key] = found
        return found

    def _content(self, source: SourceFile) -> tuple[str, bytes] | None:
        """Key and bytes of a readable file; None for one the parser must report on."""
        path = source.path
        if path not in self._read:
            try:
                data = read_source(path)
            except OSError:
                data = None
            # An oversized file is keyed too: its IR is the parser's finding, small to keep.
            self._read[path] = None if data is None else (module_key(data), data)
        return self._read[path]

    def _bytes(self, source: SourceFile) -> bytes | None:
        found = self._content(source)
        return None if found is None else found[1]

    def _decoded(self, key: str, decode: Callable[[str], _T]) -> _T | None:
        """The entry under ``key`` decoded; None without a cache, on a miss, or for an entry
        that does not decode (checksummed, so only another format's writer makes one)."""
        raw = None if self.cache is None else self.cache.get(key)
        if raw is None:
            return None
        try:
            with _gc_paused():
                return decode(raw.decode("utf-8"))
        except (ValueError, KeyError, TypeError, IndexError):
            return None

    def _from_cache(self, key: str) -> ModuleIR | None:
        if self.cache is None:
            return None
        from least_priv.analysis.program import ModuleIR

        ir = self._decoded(key, ModuleIR.from_json)
        if ir is None:
            return None
        self.stats.cache_hits += 1
        self._by_key[key] = ir
        return ir

    def _store(self, key: str, ir: ModuleIR, text: str | None = None) -> None:
        self._by_key[key] = ir
        if self.cache is None:
            return
        if text is None and not self.resolve_for_cache:
            self._deferred.append(key)
            return
        # Serialising resolves the module's positions, which an uncached run may never
        # need; so only a run that keeps the entry pays for it.
        self.cache.put(key, (ir.to_json() if text is None else text).encode("utf-8"))

    def _write_resolved(self) -> None:
        """Write the deferred entries whose positions the analysis resolved anyway.

        The others would cost a code-generation pass (about half a parse) to complete; a
        function analysed by a pool worker has its whole result cached instead.
        """
        assert self.cache is not None
        for key in self._deferred:
            text = replace(self._by_key[key], pending=None).to_json()
            if _UNRESOLVED not in text:
                self.cache.put(key, text.encode("utf-8"))
        self._deferred.clear()

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress("parse", done, total)

    def _parse_in_pool(self, pending: dict[str, tuple[SourceFile, bytes]]) -> None:
        from least_priv.analysis.program import ModuleIR

        batches = _balanced_batches(
            {k: len(data) for k, (_, data) in pending.items()}, self.jobs * 4
        )
        done = 0
        workers = min(self.jobs, len(batches))
        with ProcessPoolExecutor(
            workers, mp_context=_pool_context(), initializer=gc.disable
        ) as pool:
            keys_of: dict[Future[list[str]], list[str]] = {
                pool.submit(_parse_batch, [pending[key] for key in batch]): batch
                for batch in batches
            }
            futures = set(keys_of)
            while futures:
                finished, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in finished:
                    for key, text in zip(keys_of[future], future.result(), strict=True):
                        with _gc_paused():
                            ir = ModuleIR.from_json(text)
                        self._store(key, ir, text)
                        done += 1
                        self.stats.parsed += 1
                        self.stats.parsed_in_pool += 1
                    self._report(done, len(pending))

    def _analyse_in_pool(self, todo: dict[tuple[tuple[str, ...], str | None], int]) -> bool:
        """Analyse the functions of ``todo`` in worker processes; False when no pool could
        run (what it finished is kept; the rest is analysed here)."""
        batches = _balanced_batches(todo, self.jobs * 4)
        cache = None if self.cache is None else (str(self.cache.directory), self.cache.limit_bytes)
        done = 0
        try:
            with ProcessPoolExecutor(
                min(self.jobs, len(batches)),
                mp_context=_pool_context(),
                initializer=_init_analysis_worker,
                initargs=(cache,),
            ) as pool:
                functions_of = {pool.submit(_analyse_batch, batch): batch for batch in batches}
                futures = set(functions_of)
                while futures:
                    finished, futures = wait(futures, return_when=FIRST_COMPLETED)
                    for future in finished:
                        for function, text in zip(
                            functions_of[future], future.result(), strict=True
                        ):
                            with _gc_paused():
                                self._pooled[function] = decode_analysed(text)
                            done += 1
                            self.stats.analysed_in_pool += 1
                        if self.progress is not None:
                            self.progress("analyse", done, len(todo))
        except (OSError, BrokenProcessPool):
            return False
        return True


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork: workers inherit the imported parser and interpreter instead of importing them
    # again, and a caller's script needs no __main__ guard. Workers only read files and
    # write whole cache entries.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


_WORKER: ModuleLoader | None = None


def _init_analysis_worker(cache: tuple[str, int] | None) -> None:
    global _WORKER
    store = None if cache is None else Cache(Path(cache[0]), cache[1])
    _WORKER = ModuleLoader(store, jobs=1, resolve_for_cache=False)


def _analyse_batch(batch: list[tuple[tuple[str, ...], str | None]]) -> list[str]:
    """Worker: each function's calls and findings (written to the cache too), as JSON."""
    assert _WORKER is not None, "worker not initialised"
    return [encode_analysed(_WORKER.analyze_calls(paths, handler)) for paths, handler in batch]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def _parse_batch(items: list[tuple[SourceFile, bytes]]) -> list[str]:
    """Worker: parse each file's bytes; the IR travels back as JSON text."""
    from least_priv.analysis.program import parse_file

    return [parse_file(source, data).to_json() for source, data in items]


def _balanced_batches(sizes: Mapping[_K, int], count: int) -> list[list[_K]]:
    """Keys split into at most ``count`` batches of similar total size, biggest first.

    Work follows the bytes to parse; many batches keep every worker busy to the end.
    """
    order = sorted(sizes, key=lambda key: (-sizes[key], repr(key)))
    batches: list[list[_K]] = [[] for _ in range(min(count, len(order)))]
    totals = [0] * len(batches)
    for key in order:
        slot = totals.index(min(totals))
        batches[slot].append(key)
        totals[slot] += sizes[key]
    return [batch for batch in batches if batch]


def _as_module(ir: ModuleIR, source: SourceFile) -> ModuleIR:
    """``ir`` (keyed by content) as the module ``source`` names: same bytes, other place."""
    if (ir.name, ir.path, ir.is_package) == (source.module, source.path, source.is_package):
        return ir
    findings = tuple(
        replace(f, location=replace(f.location, path=source.path)) for f in ir.findings
    )
    return replace(
        ir, name=source.module, path=source.path, is_package=source.is_package, findings=findings
    )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building a large tree of fresh objects.

    Parsing and JSON decoding allocate millions of containers and no garbage cycles; with the
    collector on, its full passes over the growing heap cost ~10x the decode itself
    (measured: 8.7 MB of IR decodes in 3.2 s with it, 0.33 s without).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# A function's calls and findings as JSON (never pickle: a cache restored in CI may come from
# an untrusted branch, and decoding JSON runs no code)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Analysed:
    """What the policy stage takes from an analysis: its calls and findings, sorted."""

    calls: tuple[CallSite, ...]
    findings: tuple[Finding, ...]


def encode_analysed(analysed: Analysed) -> str:
    """``analysed`` as JSON; :func:`decode_analysed` rebuilds it exactly.

    Generic over the records' fields, so a field added to ``CallSite`` or ``Value`` is kept
    without touching this code (and changes the analysis format, hence every key).
    """
    return json.dumps(_encode((analysed.calls, analysed.findings)), separators=(",", ":"))


def decode_analysed(text: str) -> Analysed:
    """The record :func:`encode_analysed` wrote; ValueError for anything else."""
    calls, findings = _decode(json.loads(text))
    if not all(isinstance(c, CallSite) for c in calls) or not all(
        isinstance(f, Finding) for f in findings
    ):
        raise ValueError("not an analysis result")
    return Analysed(calls, findings)


#: The only types an entry may hold: decoding never builds anything else.
_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (CallSite, Location, Finding, Value, Unknown, EnvRef, TemplateRef)
}
_ENUMS: dict[str, type[Any]] = {cls.__name__: cls for cls in (CallKind, Severity)}


def _encode(item: object) -> object:
    """Tuples become lists, records ``{"@": name, "f": [fields]}``, enums ``{"#": name,
    "v": value}``; strings, numbers, booleans and None stay as they are."""
    if isinstance(item, enum.Enum):
        return {"#": type(item).__name__, "v": item.value}
    if item is None or isinstance(item, str | int | float | bool):
        return item
    if isinstance(item, tuple):
        return [_encode(x) for x in item]
    if type(item).__name__ in _RECORDS and dataclasses.is_dataclass(item):
        return {
            "@": type(item).__name__,
            "f": [_encode(getattr(item, f.name)) for f in dataclasses.fields(item)],
        }
    raise TypeError(f"cannot cache a {type(item).__name__}")  # a new record type: our bug


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return tuple(_decode(x) for x in data)
    if isinstance(data, dict):
        if "#" in data:
            return _ENUMS[data["#"]](data["v"])
        return _RECORDS[data["@"]](*(_decode(x) for x in data["f"]))
    return data


# ---------------------------------------------------------------------------------------------
# What a function will import: a cheap scan, used only to decide what to parse ahead
# ---------------------------------------------------------------------------------------------

_FROM_IMPORT = re.compile(
    rb"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(?:\(([^)]*)\)|([^\n#;]*))", re.MULTILINE
)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
_COMMENT = re.compile(r"#[^\n]*")


def discover_roots(paths: Sequence[str | os.PathLike[str]]) -> list[SourceFile]:
    """The modules of a code root and its extra import roots (missing roots are skipped)."""
    files: list[SourceFile] = []
    for index, given in enumerate(paths):
        text = os.fspath(given)
        if os.path.exists(text):
            files.extend(discover(text, index))
    return files


def _entry_module(handler: str | None) -> str | None:
    if handler is None:
        return None
    from least_priv.analysis.analyzer import parse_handler

    parsed = parse_handler(handler)
    return None if parsed is None else parsed[0]


def import_closure(
    files: Sequence[SourceFile],
    entry_module: str | None,
    read: Callable[[SourceFile], bytes | None],
) -> list[SourceFile]:
    """The files reachable by import statements from ``entry_module`` (all when None/unknown).

    ``read(source)`` gives a file's bytes (None when unreadable). Over-approximates on purpose:
    every import statement counts, wherever it is, and ``from a import b`` counts both ``a``
    and ``a.b``. Sorted by module name.
    """
    by_name: dict[str, SourceFile] = {}
    for source in files:
        by_name.setdefault(source.module, source)
    if entry_module is None or entry_module not in by_name:
        return [by_name[name] for name in sorted(by_name)]
    seen = {entry_module}
    queue = [entry_module]
    while queue:
        source = by_name[queue.pop()]
        data = read(source)
        if data is None:
            continue
        for name in _imported_names(data, source):
            for candidate in _with_parents(name):
                if candidate in by_name and candidate not in seen:
                    seen.add(candidate)
                    queue.append(candidate)
    return [by_name[name] for name in sorted(seen)]


def _imported_names(data: bytes, source: SourceFile) -> Iterator[str]:
    package = source.module if source.is_package else source.module.rpartition(".")[0]
    for match in _FROM_IMPORT.finditer(data):
        base = _absolute(match.group(1).decode("ascii", "replace"), package)
        if base is None:
            continue
        if base:
            yield base
        names = (match.group(2) or match.group(3) or b"").decode("utf-8", "replace")
        names = _COMMENT.sub("", names)  # a parenthesised list may hold comments
        for part in names.replace("\\", " ").split(","):
            name = part.split(" as ")[0].strip().strip("()")
            if name.isidentifier():
                yield f"{base}.{name}" if base else name
    for match in _IMPORT.finditer(data):
        for part in match.group(1).decode("utf-8", "replace").split(","):
            name = part.split(" as ")[0].strip()
            if name and all(p.isidentifier() for p in name.split(".")):
                yield name


def _absolute(spec: str, package: str) -> str | None:
    """``from`` target as an absolute module name (None when it climbs above the root)."""
    level = len(spec) - len(spec.lstrip("."))
    rest = spec[level:]
    if level == 0:
        return rest
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, rest] if rest else base)


def _with_parents(name: str) -> Iterator[str]:
    """``a.b.c`` → ``a``, ``a.b``, ``a.b.c`` (importing a module runs its packages)."""
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])
