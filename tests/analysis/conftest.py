"""Helpers for analysis tests: write a small project to disk, analyse it, compact the calls."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from least_priv.analysis import AnalysisResult, analyze
from least_priv.analysis.report import render_value
from least_priv.model import CallSite


def compact(call: CallSite) -> str:
    """``s3.GetObject(Bucket=b, Key=uploads/*)`` — the form expected calls are written in."""
    args = ", ".join(f"{k}={render_value(v)}" for k, v in call.args)
    return f"{call.service}.{call.operation}({args})"


class Project:
    """A throw-away Lambda project on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str | bytes]) -> Project:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"))
        return self

    def analyze(self, handler: str | None = None, layers: tuple[str, ...] = ()) -> AnalysisResult:
        return analyze(
            [str(self.root), *(str(self.root.parent / layer) for layer in layers)], handler
        )

    def calls(self, handler: str | None = None, layers: tuple[str, ...] = ()) -> list[str]:
        """Sorted distinct compact calls."""
        return sorted({compact(c) for c in self.analyze(handler, layers).calls})

    def codes(self, handler: str | None = None) -> list[str]:
        return sorted(f.code for f in self.analyze(handler).findings)


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Project]:
    """``project({"app.py": "..."})`` → a Project whose code root holds those files."""

    def make(files: dict[str, str | bytes]) -> Project:
        root = tmp_path / "code"
        root.mkdir(exist_ok=True)
        return Project(root).write(files)

    return make
