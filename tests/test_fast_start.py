"""Start-up stays cheap: what importing the CLI and running it loads (in a fresh interpreter).

Each check runs a child Python and reads its ``sys.modules``, because this process has long
imported everything. Guards docs/speed.md's claims: the CLI imports no AWS SDK and no parser
at start, a generate run never imports boto3/botocore, and the catalog reads only the client
files the analysed code uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "fixtures" / "quickstart" / "template.yaml"


def _child(body: str, tmp_path: Path) -> dict[str, object]:
    """Run ``body`` in a fresh interpreter: the modules it imported, the client files read."""
    script = (
        "import json, sys\n"
        "_BEFORE = set(sys.modules)\n"
        f"{body}\n"
        "store = sys.modules.get('least_priv.catalog.store')\n"
        "read = store.client.cache_info().currsize if store else 0\n"
        "print(json.dumps({'modules': sorted(set(sys.modules) - _BEFORE), 'clients': read}))\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _imported(names: list[str], roots: tuple[str, ...]) -> list[str]:
    return [n for n in names if n.split(".")[0] in roots or n in roots]


def test_importing_the_cli_loads_no_sdk_parser_or_pipeline() -> None:
    code = "import json, sys; import least_priv.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout)
    assert "least_priv.cli" in modules
    heavy = ("boto3", "botocore", "libcst", "networkx", "yaml", "msgspec")
    assert _imported(modules, heavy) == []
    pipeline = [m for m in modules if m.startswith(("least_priv.api", "least_priv.analysis"))]
    assert pipeline == []
    assert not [m for m in modules if m.startswith("least_priv.catalog")]


def test_version_and_help_load_no_catalog_or_sdk(tmp_path: Path) -> None:
    body = (
        "from least_priv.cli import main\n"
        "assert main(['--version']) == 0\n"
        "assert main(['generate', '--help']) == 0\n"
    )
    seen = _child(body, tmp_path)
    modules = seen["modules"]
    assert isinstance(modules, list)
    assert _imported(modules, ("boto3", "botocore", "libcst")) == []
    assert not [m for m in modules if m.startswith("least_priv.analysis")]
    assert seen["clients"] == 0


def test_a_generate_run_never_imports_the_sdk_and_reads_only_its_clients(tmp_path: Path) -> None:
    body = f"from least_priv.cli import main\nmain(['generate', '--template', {str(QUICKSTART)!r}])"
    for _ in ("cold", "warm"):
        seen = _child(body, tmp_path)
        modules = seen["modules"]
        assert isinstance(modules, list) and "least_priv.api" in modules
        assert _imported(modules, ("boto3", "botocore", "s3transfer")) == []
        # The quickstart calls S3 and SQS (and its template implies CloudWatch Logs): a
        # handful of the catalog's ~440 client files, never all of them.
        assert isinstance(seen["clients"], int) and 2 <= seen["clients"] <= 6


def test_a_warm_run_loads_no_parser_or_interpreter(tmp_path: Path) -> None:
    """A run served from the cache must not pay for libcst or the analysis interpreter."""
    body = f"from least_priv.cli import main\nmain(['generate', '--template', {str(QUICKSTART)!r}])"
    cold = _child(body, tmp_path)
    assert isinstance(cold["modules"], list) and "libcst" in cold["modules"]
    warm = _child(body, tmp_path)
    modules = warm["modules"]
    assert isinstance(modules, list) and "least_priv.analysis.loading" in modules
    assert _imported(modules, ("libcst", "networkx")) == []
    assert "least_priv.analysis.interpreter" not in modules
