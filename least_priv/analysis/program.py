"""The function's modules: read, parse and lower each file once, on first use.

A ``ModuleIR`` is the per-module result of the expensive part of the analysis (decode,
libcst parse, lowering with positions). It is plain data with ``to_json``/``from_json`` so a
cache (issue 9) can store it keyed by the file's bytes, and a process pool can ship it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import sys
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from least_priv.analysis import codes
from least_priv.analysis.lower import IR, PendingPositions, lower_module
from least_priv.analysis.sources import SourceFile, read_source
from least_priv.model import Finding, Location, Severity

#: Files above this size are reported and skipped (generated code or data, never handlers).
MAX_FILE_BYTES = 2_000_000

# Cheap test for "this module may create or use AWS clients itself". Used only to order
# work and to describe modules, never to skip a module the handler imports.
_SDK_HINT = re.compile(rb"boto3|botocore|aioboto3|aiobotocore|aws_lambda_powertools")


@dataclass(frozen=True, slots=True)
class ModuleIR:
    """One parsed module: its IR body (empty when it could not be parsed) and findings."""

    name: str
    path: str
    is_package: bool
    body: tuple[IR, ...]
    findings: tuple[Finding, ...] = ()
    mentions_sdk: bool = False
    lines: int = 0
    references: frozenset[str] = frozenset()
    pending: PendingPositions | None = field(default=None, compare=False, repr=False)

    def resolve_positions(self) -> None:
        """Fill in the positions of calls and attributes (needed for locations, JSON)."""
        if self.pending is not None:
            with deep_recursion():
                self.pending.resolve()

    def to_json(self) -> str:
        """A JSON text holding everything needed to rebuild this record."""
        self.resolve_positions()
        return json.dumps(
            {
                "name": self.name,
                "path": self.path,
                "is_package": self.is_package,
                "body": list(self.body),
                "findings": [
                    [
                        f.location.path,
                        f.location.line,
                        f.location.column,
                        f.code,
                        f.message,
                        int(f.severity),
                    ]
                    for f in self.findings
                ],
                "mentions_sdk": self.mentions_sdk,
                "lines": self.lines,
                "references": sorted(self.references),
            },
            separators=(",", ":"),
        )

    @staticmethod
    def from_json(text: str) -> ModuleIR:
        """The record ``to_json`` wrote."""
        data: dict[str, Any] = json.loads(text)
        findings = tuple(
            Finding(Location(p, line, col), code, msg, Severity(sev))
            for p, line, col, code, msg, sev in data["findings"]
        )
        return ModuleIR(
            data["name"],
            data["path"],
            bool(data["is_package"]),
            tuple(data["body"]),
            findings,
            bool(data["mentions_sdk"]),
            int(data["lines"]),
            frozenset(data["references"]),
        )


def _python2_hint(line_text: str) -> str:
    stripped = line_text.strip()
    if (
        re.match(r"print\s+[^(\s=]", stripped)
        or re.match(r"except\s+[\w.]+\s*,\s*\w+\s*:", stripped)
        or re.match(r"exec\s+[\"'\w]", stripped)
        or (re.search(r"\bur?[\"']", stripped) and stripped.startswith("ur"))
    ):
        return " (this looks like Python 2 code; Lambda runs Python 3)"
    return ""


def _syntax_error(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Where and why a file does not parse.

    libcst reports where its parser gave up, which can be a line late; CPython's own parser
    (only run on this error path) names the offending token and says "Did you mean
    print(...)?" for Python 2, so its position and message are preferred when it fails too.
    """
    try:
        with warnings.catch_warnings():
            # Invalid escapes and the like in the user's code are not ours to print.
            warnings.simplefilter("ignore")
            compile(text, "<analysed>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as cpython:
        if cpython.lineno:
            return cpython.lineno, max((cpython.offset or 1) - 1, 0), cpython.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return exc.raw_line, exc.raw_column, exc.message


def _decode(data: bytes) -> str:
    """Source text the way Python decodes it (PEP 263 coding line, UTF-8 default)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


#: Recursion limit while parsing and analysing: libcst and the interpreter recurse along
#: the code's nesting, and real code nests deeper than Python's default allows (a long
#: string concatenation, generated tables).
RECURSION_LIMIT = 10_000


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the recursion limit to ``RECURSION_LIMIT`` for a block (restored after)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def parse_file(source: SourceFile, data: bytes | None = None) -> ModuleIR:
    """Read, decode, parse and lower one file; problems become findings, never exceptions.

    ``data`` is the file's content when the caller has read it already (the loader hashes
    the very bytes it parses, so a cache key always matches its entry). The result is the
    same in any process: the recursion limit is raised here, not by the caller.
    """
    with deep_recursion():
        return _parse_file(source, data)


def _parse_file(source: SourceFile, data: bytes | None) -> ModuleIR:

    def failed(code: str, line: int, column: int, message: str, size: int = 0) -> ModuleIR:
        found = codes.finding(code, source.path, line, column, message)
        return ModuleIR(source.module, source.path, source.is_package, (), (found,), False, size)

    if data is None:
        try:
            data = read_source(source.path)
        except OSError as exc:
            return failed(codes.UNREADABLE_FILE, 0, 0, f"cannot read the file: {exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        return failed(
            codes.FILE_TOO_LARGE,
            0,
            0,
            f"the file is {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; "
            "not analysed",
        )
    try:
        text = _decode(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        line = data[: getattr(exc, "start", 0)].count(b"\n") + 1
        return failed(codes.NOT_UTF8, line, 0, f"the file is not valid UTF-8 ({exc}); not analysed")
    lines = text.count("\n") + 1
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        line, column, reason = _syntax_error(text, exc)
        raw_lines = text.splitlines()
        line_text = raw_lines[line - 1] if 0 < line <= len(raw_lines) else ""
        message = (
            f"syntax error: {reason}{_python2_hint(line_text)}; no call in this file was analysed"
        )
        return failed(codes.UNPARSEABLE_FILE, line, column, message, lines)
    except RecursionError:
        return failed(
            codes.UNPARSEABLE_FILE, 0, 0, "code nested too deeply to parse; not analysed", lines
        )
    try:
        body, references, pending = lower_module(module)
    except RecursionError:
        return failed(
            codes.UNPARSEABLE_FILE, 0, 0, "code nested too deeply to analyse; not analysed", lines
        )
    return ModuleIR(
        source.module,
        source.path,
        source.is_package,
        tuple(body),
        (),
        bool(_SDK_HINT.search(data)),
        lines,
        references,
        pending,
    )
