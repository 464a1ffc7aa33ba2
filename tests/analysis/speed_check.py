"""Analysis speed against the bare libcst parse of the same files (a script, not a test).

    .venv/bin/python tests/analysis/speed_check.py monorepo DIR   # benchmarks/monorepo.py output
    .venv/bin/python tests/analysis/speed_check.py tree DIR       # any tree, every function

Times are CPU seconds of this process (the machine is shared; wall time is noisy).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import libcst

from least_priv.analysis import analyze


def _parse_seconds(files: list[Path]) -> float:
    start = time.process_time()
    for path in files:
        libcst.parse_module(path.read_text(encoding="utf-8"))
    return time.process_time() - start


def main(argv: list[str]) -> int:
    """Print lines, parse time, analysis time and their ratio."""
    if len(argv) != 2 or argv[0] not in ("monorepo", "tree"):
        print(__doc__)
        return 2
    mode, root = argv[0], Path(argv[1])
    start = time.process_time()
    if mode == "monorepo":
        functions = sorted(p for p in (root / "functions").iterdir() if p.is_dir())
        files = sorted((root / "functions").rglob("*.py"))
        calls = sum(len(analyze([str(d)], "app.lambda_handler").calls) for d in functions)
    else:
        files = sorted(root.rglob("*.py"))
        calls = len(analyze([str(root)]).calls)
    analysed = time.process_time() - start
    parsed = _parse_seconds(files)
    lines = sum(p.read_text(encoding="utf-8").count("\n") + 1 for p in files)
    print(
        f"{mode}: {len(files)} files, {lines:,} lines, {calls} calls; "
        f"libcst parse {parsed:.2f} s ({lines / parsed:,.0f} lines/s); "
        f"analyze {analysed:.2f} s ({lines / analysed:,.0f} lines/s); "
        f"ratio {analysed / parsed:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
