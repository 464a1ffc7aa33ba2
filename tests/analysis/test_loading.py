"""The run's module loader: cache, parallel parse, import scan, and that none changes a result."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from least_priv.analysis import analyze
from least_priv.analysis.loading import (
    Analysed,
    LoadStats,
    ModuleLoader,
    decode_analysed,
    discover_roots,
    encode_analysed,
    import_closure,
    module_key,
)
from least_priv.analysis.program import parse_file
from least_priv.analysis.sources import SourceFile, read_source
from least_priv.cache import Cache
from least_priv.cli import main
from least_priv.cli.progress import ProgressBar
from least_priv.model import EnvRef, TemplateRef, Unknown, Value

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "analysis"
CORPUS = ROOT / "fixtures" / "functions"
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy  # noqa: E402  (benchmark script: the corpus' case reader)
import monorepo  # noqa: E402  (benchmark script: the synthetic monorepo generator)

ORDERS = FIXTURES / "orders-api" / "src"
ORDERS_HANDLER = "orders.app.lambda_handler"


def _read(source: SourceFile) -> bytes | None:
    return read_source(source.path)


# -- cache -------------------------------------------------------------------------------------


def test_warm_run_reads_the_cache_and_matches_the_analyzer(tmp_path: Path) -> None:
    expected = analyze([str(ORDERS)], ORDERS_HANDLER)
    cold = ModuleLoader(Cache(tmp_path), jobs=1)
    cold.prefetch_functions([((str(ORDERS),), ORDERS_HANDLER)])
    first = cold.analyze_calls([str(ORDERS)], ORDERS_HANDLER)
    assert first == Analysed(expected.calls, expected.findings)
    assert cold.stats.parsed >= 4 and cold.stats.results_analysed == 1

    warm = ModuleLoader(Cache(tmp_path), jobs=1)
    warm.prefetch_functions([((str(ORDERS),), ORDERS_HANDLER)])
    assert warm.analyze_calls([str(ORDERS)], ORDERS_HANDLER) == first
    # The function's calls came whole from the cache: nothing parsed, no module decoded.
    assert warm.stats == LoadStats(results_cached=1)


def test_another_handler_reuses_the_cached_modules(tmp_path: Path) -> None:
    ModuleLoader(Cache(tmp_path), jobs=1).analyze_calls([str(ORDERS)], ORDERS_HANDLER)
    again = ModuleLoader(Cache(tmp_path), jobs=1)
    result = again.analyze_calls([str(ORDERS)], None)
    expected = analyze([str(ORDERS)], None)
    assert result == Analysed(expected.calls, expected.findings)
    assert again.stats.results_analysed == 1
    assert again.stats.cache_hits >= 4  # the handler's modules, parsed by the first run


def test_an_edited_file_is_parsed_again_and_only_it(tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(ORDERS, code)
    cache = Cache(tmp_path / "cache")
    before = ModuleLoader(cache, jobs=1).analyze_calls([str(code)], ORDERS_HANDLER)
    events = code / "orders" / "events.py"
    text = events.read_text()
    assert 'EVENTS["bus"]' in text
    events.write_text(text.replace('EVENTS["bus"]', '"audit-bus"'))
    loader = ModuleLoader(cache, jobs=1)
    after = loader.analyze_calls([str(code)], ORDERS_HANDLER)
    assert loader.stats.parsed == 1 and loader.stats.results_analysed == 1
    expected = analyze([str(code)], ORDERS_HANDLER)
    assert after == Analysed(expected.calls, expected.findings)
    assert after != before


def test_same_bytes_elsewhere_take_their_own_name_and_path(tmp_path: Path) -> None:
    """One cache entry serves a copy of a file; its findings name the copy's path."""
    broken = FIXTURES / "legacy-mixed" / "code" / "jobs" / "broken.py"
    first, second = tmp_path / "a" / "broken.py", tmp_path / "b" / "other.py"
    for path in (first, second):
        path.parent.mkdir()
        shutil.copy(broken, path)
    loader = ModuleLoader(Cache(tmp_path / "cache"), jobs=1)
    one = loader.load(SourceFile("broken", str(first), False, 0))
    other = ModuleLoader(Cache(tmp_path / "cache"), jobs=1)
    two = other.load(SourceFile("pkg.other", str(second), False, 0))
    assert other.stats.cache_hits == 1 and other.stats.parsed == 0
    assert (two.name, two.path) == ("pkg.other", str(second))
    assert [f.location.path for f in two.findings] == [str(second)]
    assert two == parse_file(SourceFile("pkg.other", str(second), False, 0))
    assert [f.code for f in one.findings] == [f.code for f in two.findings] == ["LP201"]


def test_an_entry_of_another_format_reads_as_a_miss(tmp_path: Path) -> None:
    app = ORDERS / "orders" / "app.py"
    cache = Cache(tmp_path)
    cache.put(module_key(app.read_bytes()), b'{"not": "a module"}')
    loader = ModuleLoader(cache, jobs=1)
    ir = loader.load(SourceFile("orders.app", str(app), False, 0))
    assert loader.stats.parsed == 1
    assert ir.to_json() == parse_file(SourceFile("orders.app", str(app), False, 0)).to_json()


def test_without_a_cache_directory_nothing_is_written(tmp_path: Path) -> None:
    loader = ModuleLoader(None, jobs=1)
    loader.analyze_calls([str(ORDERS)], ORDERS_HANDLER)
    assert loader.stats.parsed >= 4
    assert not any(tmp_path.iterdir())


def test_unreadable_and_missing_roots_keep_their_findings(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    loader = ModuleLoader(Cache(tmp_path / "cache"), jobs=1)
    result = loader.analyze_calls([str(ORDERS), missing], ORDERS_HANDLER)
    expected = analyze([str(ORDERS), missing], ORDERS_HANDLER)
    assert result.findings == expected.findings
    assert any(f.location.path == missing for f in result.findings)


# -- parallel parse ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("monorepo")
    monorepo.generate(root, functions=8, fields=10)
    return root


def test_pool_parse_gives_the_same_ir_as_parsing_here(small_monorepo: Path) -> None:
    files = discover_roots([str(small_monorepo / "functions")])
    pooled = ModuleLoader(None, jobs=2)
    pooled.prefetch(files)
    # The empty __init__.py files are one content, parsed once.
    distinct = {module_key(read_source(source.path)) for source in files}
    assert pooled.stats.parsed_in_pool == len(distinct) >= 17
    for source in files:
        assert pooled.load(source).to_json() == parse_file(source).to_json()
    assert pooled.stats.parsed == len(distinct)  # loads after the prefetch parse nothing


def test_functions_analysed_in_the_pool_match_the_analyzer(
    small_monorepo: Path, tmp_path: Path
) -> None:
    """Several functions: workers analyse whole functions (and fill the cache for the next
    run); the parent only collects their calls and findings."""
    layer = str(small_monorepo / "layers" / "shared")
    functions = [
        ((str(code), layer), "app.lambda_handler")
        for code in sorted((small_monorepo / "functions").iterdir())
    ]
    pooled = ModuleLoader(Cache(tmp_path), jobs=2)
    pooled.prefetch_functions(functions)
    assert pooled.stats.analysed_in_pool == len(functions) == 8
    for paths, handler in functions:
        expected = analyze(paths, handler)
        assert pooled.analyze_calls(paths, handler) == Analysed(expected.calls, expected.findings)
    assert pooled.stats.parsed == 0 and pooled.stats.results_analysed == 0
    # Workers keep module entries only when the analysis resolved their positions anyway.
    bodies = [path.read_bytes()[36:] for path in tmp_path.glob("??/*")]
    modules = [body for body in bodies if body.startswith(b'{"name"')]
    assert len(modules) >= 8  # at least each function's repository module (its AWS calls)
    assert not [body for body in modules if b",-1,0]" in body]
    warm = ModuleLoader(Cache(tmp_path), jobs=2)
    warm.prefetch_functions(functions)
    for paths, handler in functions:
        warm.analyze_calls(paths, handler)
    assert warm.stats == LoadStats(results_cached=8)  # the workers' entries, nothing parsed


def test_a_handful_of_files_is_parsed_without_a_pool() -> None:
    loader = ModuleLoader(None, jobs=2)
    loader.prefetch(discover_roots([str(ORDERS)]))
    assert loader.stats.parsed >= 4 and loader.stats.parsed_in_pool == 0


def test_progress_is_reported_to_the_end(small_monorepo: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    loader = ModuleLoader(None, jobs=2, progress=lambda *event: seen.append(event))
    loader.prefetch(discover_roots([str(small_monorepo / "functions")]))
    assert seen and seen[-1][1] == seen[-1][2] == loader.stats.parsed
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


# -- the import scan ---------------------------------------------------------------------------


def _project(root: Path, files: dict[str, str]) -> list[SourceFile]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return discover_roots([str(root)])


def test_import_closure_follows_every_import_form(tmp_path: Path) -> None:
    files = _project(
        tmp_path,
        {
            "app.py": "from svc import handlers\nimport util.text as t\n",
            "svc/__init__.py": "from .models import Order\n",
            "svc/models.py": "",
            "svc/handlers.py": "from . import (\n    repo,  # storage\n    events as ev,\n)\n",
            "svc/repo.py": "def f():\n    from ..shared import aws\n",
            "svc/events.py": "",
            "shared/__init__.py": "",
            "shared/aws.py": "import boto3\n",
            "util/__init__.py": "",
            "util/text.py": "",
            "unused.py": "import boto3\n",
            "scripts/seed.py": "from svc import repo\n",
        },
    )
    names = [s.module for s in import_closure(files, "app", _read)]
    assert names == [
        "app",
        "shared",
        "shared.aws",
        "svc",
        "svc.events",
        "svc.handlers",
        "svc.models",
        "svc.repo",
        "util",
        "util.text",
    ]


def test_import_closure_without_a_known_entry_is_every_module(tmp_path: Path) -> None:
    files = _project(tmp_path, {"a.py": "", "b.py": "", "pkg/__init__.py": ""})
    every = ["a", "b", "pkg"]
    assert [s.module for s in import_closure(files, None, _read)] == every
    assert [s.module for s in import_closure(files, "missing", _read)] == every


def test_a_module_the_scan_cannot_see_is_still_analysed(tmp_path: Path) -> None:
    """The scan only decides what is parsed ahead: a dynamic import is loaded on demand."""
    _project(
        tmp_path,
        {
            "app.py": (
                "import importlib\nimport boto3\n"
                "plugin = importlib.import_module('plugins.audit')\n"
                "def handler(event, context):\n"
                "    boto3.client('sqs').send_message(QueueUrl='q', MessageBody='x')\n"
            ),
            "plugins/__init__.py": "",
            "plugins/audit.py": (
                "import boto3\nboto3.client('s3').put_object(Bucket='b', Key='k')\n"
            ),
        },
    )
    loader = ModuleLoader(None, jobs=1)
    loader.prefetch_functions([((str(tmp_path),), "app.handler")])
    result = loader.analyze_calls([str(tmp_path)], "app.handler")
    expected = analyze([str(tmp_path)], "app.handler")
    assert result == Analysed(expected.calls, expected.findings)


# -- the cached result codec -------------------------------------------------------------------


def test_analysed_round_trips_through_json() -> None:
    result = analyze([str(FIXTURES / "legacy-mixed" / "code")], None)
    analysed = Analysed(result.calls, result.findings)
    assert analysed.calls and analysed.findings
    assert decode_analysed(encode_analysed(analysed)) == analysed


def test_every_value_part_round_trips() -> None:
    parts = Value(
        ("arn:", Unknown("partition"), EnvRef("TABLE", "orders"), TemplateRef("T", "Arn"))
    )
    nested = Value(mapping=((Value.literal("k"), Value(sequence=(parts, Value()))),))
    call = analyze([str(ORDERS)], ORDERS_HANDLER).calls[0]
    every = dataclasses.replace(
        call, args=(("A", parts), ("B", nested)), region=Value.literal("eu-west-1")
    )
    sample = Analysed((every, call), ())
    assert decode_analysed(encode_analysed(sample)) == sample


def test_a_foreign_result_entry_is_refused() -> None:
    for text in ('[[{"@": "Path", "f": ["/etc"]}], []]', "[[], [1]]", '{"calls": []}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            decode_analysed(text)


# -- the shortcuts never change a result -------------------------------------------------------


def _rendered(options: object) -> str:
    from least_priv.api import GenerateOptions, generate
    from least_priv.render import render_policy

    assert isinstance(options, GenerateOptions)
    result = generate(options)
    return render_policy(result, "json") + json.dumps([str(f) for f in result.findings])


def test_corpus_output_is_identical_cold_warm_and_uncached(tmp_path: Path) -> None:
    """Measured claim of docs/speed.md: over the whole accuracy corpus, the import-scan
    prefetch, the process pool and both caches give byte-identical policies and findings."""
    cases = accuracy.discover(CORPUS)
    assert len(cases) >= 50
    for case in cases:
        base = accuracy.generate_options(case)
        plain = _rendered(dataclasses.replace(base, jobs=1))
        cached = dataclasses.replace(base, cache=True, cache_dir=str(tmp_path), jobs=2)
        assert _rendered(cached) == plain, case.name  # cold: parsed, stored
        assert _rendered(cached) == plain, case.name  # warm: read back


def test_loader_matches_the_analyzer_on_the_analysis_fixtures(tmp_path: Path) -> None:
    for project in sorted(p for p in FIXTURES.iterdir() if (p / "case.json").exists()):
        case = json.loads((project / "case.json").read_text())
        paths = [str(project / p) for p in case["paths"]]
        loader = ModuleLoader(Cache(tmp_path), jobs=2)
        loader.prefetch_functions([(paths, handler) for handler in case["handlers"]])
        for handler in case["handlers"]:
            expected = analyze(paths, handler)
            got = loader.analyze_calls(paths, handler)
            assert got == Analysed(expected.calls, expected.findings), (project.name, handler)


# -- command line ------------------------------------------------------------------------------


def test_cli_cache_dir_no_cache_and_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = str(ROOT / "fixtures" / "quickstart" / "template.yaml")
    cache_dir = tmp_path / "cache"
    args = ["generate", "--template", template, "--cache-dir", str(cache_dir), "--jobs", "2"]
    assert main(args) == 0
    cold = capsys.readouterr()
    assert any(cache_dir.rglob("*"))
    assert main(args) == 0
    assert capsys.readouterr() == cold  # same bytes on stdout and stderr, no progress noise
    elsewhere = tmp_path / "unused"
    assert main([*args[:3], "--no-cache", "--cache-dir", str(elsewhere)]) == 0
    assert capsys.readouterr() == cold
    assert not elsewhere.exists()
    assert main([*args[:3], "--jobs", "0"]) == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal = _Terminal()
    bar = ProgressBar(terminal)
    bar("parse", 3, 6)
    bar("parse", 6, 6)
    bar.close()
    text = terminal.getvalue()
    assert "parsing modules [###############...............] 3/6" in text
    assert "6/6" in text and text.endswith("\r\x1b[2K")
    pipe = io.StringIO()
    quiet = ProgressBar(pipe)
    quiet("parse", 1, 2)
    quiet.close()
    assert not quiet.enabled and pipe.getvalue() == ""


def test_concurrent_runs_share_one_cache_directory(tmp_path: Path) -> None:
    """Two CI jobs on one cache: both succeed with the same policy, and a third reads it."""
    import subprocess

    template = str(FIXTURES.parent / "quickstart" / "template.yaml")
    cmd = [sys.executable, "-m", "least_priv", "generate", "--template", template]
    cmd += ["--cache-dir", str(tmp_path / "cache")]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT) for _ in range(2)]
    outputs = [run.communicate()[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1] and b'"Version": "2012-10-17"' in outputs[0]
    warm = subprocess.run(cmd, stdout=subprocess.PIPE, cwd=ROOT, check=True)
    assert warm.stdout == outputs[0]
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_the_analysis_format_is_remembered_and_follows_the_files(tmp_path: Path) -> None:
    """The digest of ~9 MB of code and catalog is read back under their sizes and times."""
    from least_priv.analysis.loading import analysis_format

    first = ModuleLoader(Cache(tmp_path), jobs=1)
    assert first._analysis_format() == analysis_format()
    stored = len(list(tmp_path.glob("??/*")))
    second = ModuleLoader(Cache(tmp_path), jobs=1)
    assert second._analysis_format() == analysis_format()
    assert len(list(tmp_path.glob("??/*"))) == stored == 1  # read back, not written again
