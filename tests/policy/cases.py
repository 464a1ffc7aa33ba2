"""The policy fixture corpus: each directory under fixtures/policy (and the quickstart) with
its case.json (the generate options) and golden outputs beside it in ``expected/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from least_priv.api import GenerateOptions, GenerateResult, generate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CASE_DIRS = [
    *sorted(p.parent for p in (FIXTURES / "policy").glob("*/case.json")),
    FIXTURES / "quickstart",
]


@dataclass(frozen=True)
class Case:
    """One fixture project and the options it is generated with."""

    name: str
    directory: Path
    options: GenerateOptions

    def run(self) -> GenerateResult:
        """The pipeline's result for this case."""
        return generate(self.options)


def load(directory: Path) -> Case:
    """Read ``case.json``; paths in it are relative to the case directory (and the repo)."""
    raw = json.loads((directory / "case.json").read_text())
    rel = directory.relative_to(ROOT)

    def path(p: str) -> str:
        return str(rel / p)

    options = GenerateOptions(
        paths=tuple(path(p) for p in raw.get("paths", ())),
        handler=raw.get("handler"),
        template=path(raw["template"]) if raw.get("template") else None,
        function=raw.get("function"),
        env=tuple(sorted(raw.get("env", {}).items())),
        region=raw.get("region"),
        account=raw.get("account"),
        partition=raw.get("partition"),
        compact=bool(raw.get("compact", False)),
        split=bool(raw.get("split", False)),
    )
    return Case(directory.name, directory, options)


CASES = [load(d) for d in CASE_DIRS]
