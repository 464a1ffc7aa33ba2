"""Find the Python modules of a function: code root, extra import roots (layers), handler.

Module names follow Lambda's import rules: the code root and every layer root are on
``sys.path`` (a layer directory holding ``python/`` contributes that sub-directory, as
``/opt/python`` does in Lambda). Directories that never ship or never run in the function
(tests, virtualenvs, build output, vendored copies of the SDK) are not part of the code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Directories that hold no code of the function itself.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        ".aws-sam",
        "cdk.out",
        ".serverless",
        ".terraform",
        "build",
        "dist",
        "site-packages",
        "tests",
        "test",
        ".pytest_cache",
        ".mypy_cache",
        # The SDK itself, when vendored into the code directory: its own code is not the
        # function's calls.
        "boto3",
        "botocore",
        "s3transfer",
        "aioboto3",
        "aiobotocore",
        "aws_lambda_powertools",
    }
)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One module file: its import name, the path to report, and whether it is a package."""

    module: str
    path: str  # as the user gave the root, joined with the relative path
    is_package: bool
    root_index: int  # 0 = code root, 1.. = extra import roots


def _is_test_file(name: str) -> bool:
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def _vendored_packages(directory: Path) -> set[str]:
    """Top-level names installed into ``directory`` by pip (``*.dist-info`` siblings)."""
    names: set[str] = set()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return names
    for entry in entries:
        if entry.name.endswith(".dist-info") and entry.is_dir():
            top = Path(entry.path) / "top_level.txt"
            try:
                names.update(line.strip() for line in top.read_text().splitlines() if line.strip())
            except OSError:
                names.add(entry.name.split("-")[0])
    return names


def import_root(path: Path) -> Path:
    """The directory that goes on ``sys.path`` for a root (a layer's ``python/`` if present)."""
    if (
        path.is_dir()
        and (path / "python").is_dir()
        and not (path / "python" / "__init__.py").exists()
    ):
        return path / "python"
    return path


def discover(root_text: str, root_index: int) -> list[SourceFile]:
    """Every module under one root, sorted by module name; a single file is its own root."""
    given = Path(root_text)
    if given.is_file():
        name = given.stem
        return [SourceFile(name, root_text, False, root_index)]
    base = import_root(given) if root_index > 0 else given
    out: list[SourceFile] = []
    vendored_at_top = _vendored_packages(base)
    for dirpath, dirnames, filenames in os.walk(base):
        rel_dir = Path(dirpath).relative_to(base)
        keep = []
        for d in sorted(dirnames):
            if d in SKIPPED_DIRS or d.startswith(".") or d.endswith(".dist-info"):
                continue
            if rel_dir == Path(".") and d in vendored_at_top:
                continue
            keep.append(d)
        dirnames[:] = keep
        for filename in sorted(filenames):
            if not filename.endswith(".py") or _is_test_file(filename):
                continue
            rel = rel_dir / filename
            parts = list(rel.with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            if not parts or not all(p.isidentifier() for p in parts):
                continue
            if rel_dir == Path(".") and Path(filename).stem in vendored_at_top:
                continue
            shown = os.path.join(root_text, os.path.relpath(os.path.join(dirpath, filename), given))
            out.append(SourceFile(".".join(parts), os.path.normpath(shown), is_package, root_index))
    out.sort(key=lambda s: s.module)
    return out


def read_source(path: str) -> bytes:
    """The raw bytes of a file (decoding is the caller's concern, so it can report it)."""
    return Path(path).read_bytes()
