"""Test ids must not depend on the process: pytest-xdist workers collect separately and refuse
to run when their lists differ ("Different tests were collected between gw0 and gw1").

An object's default repr (``<Rule object at 0x7f...>``) or a set's iteration order changes
between processes; ids built from rule codes and indexes do not. Collection runs in two
interpreters with different hash seeds, as two workers would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The areas whose parametrized tests are built from objects (rules, policies, findings).
AREAS = ("tests/lint", "tests/diff", "tests/evaluate", "tests/infra")
_ADDRESS = re.compile(r"0x[0-9a-f]{6,}|object at")


def _collect(hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            *AREAS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if "::" in line]


def test_collected_ids_are_the_same_in_every_process() -> None:
    first, second = _collect("1"), _collect("4242")
    assert first, "nothing collected"
    assert first == second
    assert len(set(first)) == len(first), "two tests share an id"
    assert not [node for node in first if _ADDRESS.search(node)]
