"""Speed and memory of least-priv, side by side with the floor and the strongest peer.

Usage::

    .venv/bin/python benchmarks/speed.py [--functions 200] [--repeat 5] [--json FILE]

Measured in one run, on the same inputs:

(a) one small handler (``fixtures/quickstart``), process start to printed policy;
(b) a synthetic monorepo (``benchmarks/monorepo.py``: >= 200 functions, >= 100,000 lines)
    through its SAM template;
(c) the installed botocore + boto3 sources as a large real codebase: each package is given
    as its own code root (``generate <copy>/botocore`` then ``generate <copy>/boto3``, timed
    together), since a directory named ``botocore`` inside a code root is a vendored SDK that
    discovery rightly skips.

For each: least-priv cold (empty cache directory) and warm (same cache again), the bare
``libcst.parse_module`` time of the same files (the floor for a cold run), and
``iam-policy-autopilot extract-sdk-calls`` when it is installed (``pip install -e
'.[bench]'``). Wall time, CPU time (user + system, children included), lines/s and peak RSS
come from ``os.wait4`` on each child process. The machine is shared: the load average is
printed before and after, and CPU time is the figure that load disturbs least. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import monorepo  # noqa: E402  (sibling script, not a package)


@dataclass
class Run:
    """One measured process."""

    label: str
    seconds: float
    peak_mb: float
    lines: int
    cpu_seconds: float = 0.0

    @property
    def lines_per_s(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


@dataclass
class Measured:
    """One child process: wall and CPU seconds, peak RSS, exit code."""

    seconds: float
    cpu_seconds: float
    peak_mb: float
    code: int


def _measure(cmd: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` as a child process and measure it (``os.wait4`` counts its children too:
    least-priv's parse workers are forked from it and waited for before it exits)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    return Measured(
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
    )


def _measure_all(cmds: list[list[str]], env: dict[str, str] | None = None) -> Measured:
    """Several commands one after the other, as one measurement (times add, peak is max)."""
    parts = [_measure(cmd, env) for cmd in cmds]
    return Measured(
        sum(p.seconds for p in parts),
        sum(p.cpu_seconds for p in parts),
        max(p.peak_mb for p in parts),
        max(p.code for p in parts),
    )


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def _count_lines(files: list[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in files)


def _parse_floor(files: list[Path]) -> Measured:
    """A bare libcst parse of ``files`` in one fresh process (no positions, no lowering)."""
    script = (
        "import sys, libcst\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        libcst.parse_module(open(p, 'rb').read())\n"
        "    except Exception:\n"
        "        pass\n"
    )
    listing = [str(p) for p in files]
    return _measure([sys.executable, "-c", script, *listing])


def _summary(label: str, runs: list[Measured], lines: int) -> Run:
    """Median wall and CPU time, worst peak memory."""
    return Run(
        label,
        statistics.median(r.seconds for r in runs),
        max(r.peak_mb for r in runs),
        lines,
        statistics.median(r.cpu_seconds for r in runs),
    )


def _tool_runs(label: str, invocations: list[list[str]], lines: int, repeat: int) -> list[Run]:
    """Cold runs (fresh cache each time) then warm runs (cache kept), medians reported."""
    exe = shutil.which("least-priv", path=str(Path(sys.executable).parent)) or "least-priv"
    cmds = [[exe, "generate", *args] for args in invocations]
    cold: list[Measured] = []
    warm: list[Measured] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, XDG_CACHE_HOME=cache)
            measured = _measure_all(cmds, env)
            if measured.code not in (0, 1):
                raise SystemExit(f"least-priv failed ({measured.code}) on {label}")
            cold.append(measured)
            warm.append(_measure_all(cmds, env))
    return [
        _summary(f"{label}: least-priv cold", cold, lines),
        _summary(f"{label}: least-priv warm", warm, lines),
    ]


def _peer(label: str, files: list[Path], lines: int) -> Run | None:
    exe = shutil.which("iam-policy-autopilot", path=str(Path(sys.executable).parent))
    exe = exe or shutil.which("iam-policy-autopilot")
    if exe is None:
        return None
    measured = _measure([exe, "extract-sdk-calls", *[str(p) for p in files]])
    return Run(
        f"{label}: iam-policy-autopilot",
        measured.seconds,
        measured.peak_mb,
        lines,
        measured.cpu_seconds,
    )


def _copy_botocore_sources(dest: Path) -> list[Path]:
    """Copy the installed botocore and boto3 sources (``.py`` only) under ``dest``.

    A copy keeps the code root to exactly these two packages, so imports resolve as
    ``botocore.*`` / ``boto3.*`` just as in site-packages.
    """
    import boto3
    import botocore

    for module in (botocore, boto3):
        src = Path(str(module.__file__)).parent
        ignore = shutil.ignore_patterns("data", "*.pyc", "__pycache__")
        shutil.copytree(src, dest / src.name, ignore=ignore)
    return _python_files(dest)


def _scenario(
    label: str, files: list[Path], invocations: list[list[str]], repeat: int, peer: bool
) -> list[Run]:
    lines = _count_lines(files)
    floor = _parse_floor(files)
    runs = [
        Run(f"{label}: bare libcst parse", floor.seconds, floor.peak_mb, lines, floor.cpu_seconds)
    ]
    runs += _tool_runs(label, invocations, lines, repeat)
    if peer:
        peer_run = _peer(label, files, lines)
        if peer_run is not None:
            runs.append(peer_run)
    return runs


def _print(runs: list[Run]) -> None:
    print(f"{'measurement':46} {'wall s':>9} {'cpu s':>9} {'lines/s':>10} {'peak MiB':>9}")
    for run in runs:
        print(
            f"{run.label:46} {run.seconds:9.3f} {run.cpu_seconds:9.3f} "
            f"{run.lines_per_s:10.0f} {run.peak_mb:9.1f}"
        )


def _ratios(runs: list[Run]) -> dict[str, float]:
    by_label = {r.label: r for r in runs}
    out: dict[str, float] = {}
    for scenario in sorted({r.label.split(":")[0] for r in runs}):
        floor = by_label.get(f"{scenario}: bare libcst parse")
        cold = by_label.get(f"{scenario}: least-priv cold")
        warm = by_label.get(f"{scenario}: least-priv warm")
        peer = by_label.get(f"{scenario}: iam-policy-autopilot")
        if floor and cold:
            out[f"{scenario}: cold / bare parse (wall)"] = cold.seconds / floor.seconds
        if cold and warm:
            out[f"{scenario}: cold / warm (wall)"] = cold.seconds / warm.seconds
        if peer and cold:
            out[f"{scenario}: peer / cold (wall)"] = peer.seconds / cold.seconds
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the three scenarios and print (optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--skip-botocore", action="store_true")
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args(argv)

    runs: list[Run] = []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    quick = ROOT / "fixtures" / "quickstart"
    runs += _scenario(
        "a small handler",
        _python_files(quick),
        [["--template", str(quick / "template.yaml"), "--format", "json"]],
        max(opts.repeat, 5),
        not opts.skip_peer,
    )
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        monorepo.generate(repo, functions=opts.functions)
        runs += _scenario(
            "b monorepo",
            _python_files(repo),
            [["--template", str(repo / "template.yaml"), "--format", "json"]],
            opts.repeat,
            not opts.skip_peer,
        )
    if not opts.skip_botocore:
        with tempfile.TemporaryDirectory() as tmp:
            files = _copy_botocore_sources(Path(tmp))
            runs += _scenario(
                "c botocore+boto3",
                files,
                [[str(Path(tmp) / name), "--format", "json"] for name in ("botocore", "boto3")],
                opts.repeat,
                not opts.skip_peer,
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    _print(runs)
    ratios = _ratios(runs)
    for name, value in ratios.items():
        print(f"{name:58} {value:9.2f}x")
    if opts.json:
        opts.json.write_text(
            json.dumps(
                {
                    "runs": [asdict(r) | {"lines_per_s": r.lines_per_s} for r in runs],
                    "ratios": ratios,
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
