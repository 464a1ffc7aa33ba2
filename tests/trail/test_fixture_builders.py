"""The generators behind fixtures and the benchmark still produce what is committed/read."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from least_priv.trail.engine import Input, ScanSpec, scan_inputs
from least_priv.trail.window import Window

from .conftest import BUILDER, MERGE_DYNAMIC

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "cloudtrail.py"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("cloudtrail_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_merge_dynamic_trail_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    BUILDER.main(tmp_path)
    committed = MERGE_DYNAMIC / "trail"
    names = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_benchmark_corpus_is_read_by_the_engine(tmp_path: Path) -> None:
    """A small corpus of the benchmark's generator: every file in the layout, the hot role
    in each file and the rare one in every 50th, as the benchmark's figures assume."""
    bench = _load(BENCHMARK)
    hot, rare = ("123456789012", "svc-hot-role"), ("123456789012", "svc-rare-role")
    paths = bench.generate(tmp_path, 60, 40, hot, rare)
    assert len(paths) == 60 and all("/AWSLogs/" in str(p) for p in paths)
    window = Window.parse("2026-03-01", "2026-03-31")
    inputs = [Input(str(p)) for p in paths]
    for role, matched in ((hot, 60), (rare, 2)):
        spec = ScanSpec(f"arn:aws:iam::{role[0]}:role/{role[1]}", window)
        tally = scan_inputs(inputs, spec, jobs=1)
        assert tally.stats.matched == matched
        assert tally.stats.records + 40 * tally.stats.prefiltered_files == 60 * 40
        assert not tally.unmapped, tally.unmapped
