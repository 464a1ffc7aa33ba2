"""least-priv side by side with iam-policy-autopilot on the proof corpus, in one run.

Usage::

    .venv/bin/pip install -e '.[bench]'      # iam-policy-autopilot, never a runtime dependency
    .venv/bin/python benchmarks/peers.py [--case NAME ...] [--json FILE]

For every corpus case both tools look at the same Python files (the code root and its
layers): iam-policy-autopilot through its offline ``extract-sdk-calls``, least-priv through
``least_priv.analysis.analyze`` with the case's handler. A call is an SDK method on a
service (``dynamodb.put_item``); autopilot reports a method with the services it may belong
to, so its call matches a least-priv call when the method names are equal and least-priv's
service is among autopilot's candidates. The table gives the calls each tool finds, the calls
only one of them finds, and wall time: autopilot as one process per case (what a user runs),
least-priv both in-process (the analysis stage alone) and as one ``least-priv generate``
process per case (the whole pipeline, policy included).

Calls only one tool finds are listed in full. They are not judged here: the accuracy report
(``benchmarks/accuracy.py``) judges least-priv against hand-written policies; this script
shows where the two analyses differ (reachability, resource-model helpers, implied calls).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy  # noqa: E402  (sibling script)


@dataclass(frozen=True, order=True)
class PeerCall:
    """One call as autopilot reports it: a method name and the services it may belong to."""

    method: str
    services: tuple[str, ...]

    def label(self) -> str:
        """``service.method`` (``a|b.method`` when ambiguous)."""
        return f"{'|'.join(self.services)}.{self.method}"


@dataclass
class Comparison:
    """Both tools on one case."""

    name: str
    ours: list[str] = field(default_factory=list)  # "service.method", sorted, unique
    peer: list[str] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)
    only_peer: list[str] = field(default_factory=list)
    peer_seconds: float = 0.0
    ours_seconds: float = 0.0
    ours_process_seconds: float = 0.0
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the JSON report (times rounded to milliseconds)."""
        return {
            "name": self.name,
            "ours": self.ours,
            "peer": self.peer,
            "only_ours": self.only_ours,
            "only_peer": self.only_peer,
            "peer_seconds": round(self.peer_seconds, 3),
            "ours_seconds": round(self.ours_seconds, 3),
            "ours_process_seconds": round(self.ours_process_seconds, 3),
            "error": self.error,
        }


def autopilot_executable() -> str | None:
    """The installed ``iam-policy-autopilot`` (the venv's first), or None."""
    found = shutil.which("iam-policy-autopilot", path=str(Path(sys.executable).parent))
    return found or shutil.which("iam-policy-autopilot")


def python_files(case: accuracy.Case) -> list[Path]:
    """Every .py file of the case's code root and layers, sorted."""
    files: set[Path] = set()
    for root in case.paths:
        files.update([root] if root.is_file() else root.rglob("*.py"))
    return sorted(files)


def parse_peer_output(text: str) -> list[PeerCall]:
    """autopilot's simplified ``extract-sdk-calls`` JSON → calls (sorted, unique)."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("extract-sdk-calls did not print a JSON list")
    calls = {
        PeerCall(str(item["Name"]), tuple(sorted(str(s) for s in item.get("PossibleServices", []))))
        for item in data
        if isinstance(item, dict) and "Name" in item
    }
    return sorted(calls)


def run_peer(exe: str, files: Sequence[Path]) -> tuple[list[PeerCall], float]:
    """Run ``extract-sdk-calls`` on the files; return its calls and wall time."""
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, "extract-sdk-calls", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"extract-sdk-calls exited {proc.returncode}: {proc.stderr.strip()}")
    return parse_peer_output(proc.stdout), seconds


def run_ours(case: accuracy.Case) -> tuple[list[tuple[str, str]], float]:
    """least-priv's analysis of the case: (service, method) pairs and in-process wall time."""
    from least_priv.analysis import analyze
    from least_priv.catalog import get_catalog

    cat = get_catalog()
    start = time.perf_counter()
    result = analyze(case.paths, case.handler)
    seconds = time.perf_counter() - start
    pairs = set()
    for call in result.calls:
        info = cat.operation(call.service, call.operation)
        pairs.add((call.service, info.method if info else call.operation))
    return sorted(pairs), seconds


def run_ours_process(case: accuracy.Case) -> float:
    """Wall time of one ``least-priv generate`` process on the case (the whole pipeline)."""
    exe = Path(sys.executable).parent / "least-priv"
    cmd = [str(exe), "generate", *map(str, case.paths), "--format", "json"]
    if case.handler:
        cmd += ["--handler", case.handler]
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, timeout=300, check=False)
    return time.perf_counter() - start


def compare(name: str, ours: Sequence[tuple[str, str]], peer: Sequence[PeerCall]) -> Comparison:
    """Match calls across the tools (method equal, our service among the peer's candidates)."""
    result = Comparison(
        name=name,
        ours=sorted({f"{s}.{m}" for s, m in ours}),
        peer=sorted({p.label() for p in peer}),
    )
    matched_peer: set[PeerCall] = set()
    for service, method in ours:
        hits = [p for p in peer if p.method == method and service in p.services]
        if hits:
            matched_peer.update(hits)
        else:
            result.only_ours.append(f"{service}.{method}")
    result.only_ours = sorted(set(result.only_ours))
    result.only_peer = sorted({p.label() for p in peer if p not in matched_peer})
    return result


def render(rows: Sequence[Comparison]) -> str:
    """The side-by-side table, totals, then every call only one tool finds."""
    width = max([len("function"), *(len(r.name) for r in rows)])
    head = (
        f"{'function':<{width}}  ours  peer  only-ours  only-peer  "
        "peer-s  ours-analyze-s  ours-generate-s"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.name:<{width}}  {len(r.ours):>4}  {len(r.peer):>4}  {len(r.only_ours):>9}"
            f"  {len(r.only_peer):>9}  {r.peer_seconds:>6.3f}  {r.ours_seconds:>14.3f}"
            f"  {r.ours_process_seconds:>15.3f}" + (f"  ERROR {r.error}" if r.error else "")
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'TOTAL':<{width}}  {sum(len(r.ours) for r in rows):>4}"
        f"  {sum(len(r.peer) for r in rows):>4}  {sum(len(r.only_ours) for r in rows):>9}"
        f"  {sum(len(r.only_peer) for r in rows):>9}"
        f"  {sum(r.peer_seconds for r in rows):>6.2f}"
        f"  {sum(r.ours_seconds for r in rows):>14.2f}"
        f"  {sum(r.ours_process_seconds for r in rows):>15.2f}"
    )
    details = [f"  {r.name}: only least-priv {c}" for r in rows for c in r.only_ours]
    details += [f"  {r.name}: only autopilot {c}" for r in rows for c in r.only_peer]
    if details:
        lines.append("calls only one tool finds:")
        lines.extend(sorted(details))
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run both tools on the corpus; exit 2 when autopilot is not installed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    exe = autopilot_executable()
    if exe is None:
        print("peers: iam-policy-autopilot is not installed: pip install -e '.[bench]'")
        return 2
    cases = [c for c in accuracy.discover() if not args.case or c.name in args.case]
    rows: list[Comparison] = []
    for case in cases:
        # Either tool failing on a case is a result: the other one's calls still count.
        errors: list[str] = []
        peer: list[PeerCall] = []
        ours: list[tuple[str, str]] = []
        peer_seconds = ours_seconds = 0.0
        try:
            peer, peer_seconds = run_peer(exe, python_files(case))
        except Exception as exc:
            errors.append(f"autopilot: {type(exc).__name__}: {exc}".splitlines()[0])
        try:
            ours, ours_seconds = run_ours(case)
        except Exception as exc:
            errors.append(f"least-priv: {type(exc).__name__}: {exc}".splitlines()[0])
        row = compare(case.name, ours, peer)
        row.peer_seconds, row.ours_seconds = peer_seconds, ours_seconds
        row.ours_process_seconds = run_ours_process(case)
        row.error = "; ".join(errors)
        rows.append(row)
    sys.stdout.write(render(rows))
    if args.json:
        data = {
            "peer": "iam-policy-autopilot extract-sdk-calls",
            "cases": [r.to_json() for r in rows],
        }
        args.json.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
