"""Resource scoping on the fixture corpus: how many knowable resources come out scoped.

Ground truth is the proof corpus (``fixtures/functions/*/expected.json``, minimal policies
written by hand from the code and AWS documentation, never from the tool's output). An
expected resource is *knowable* when it names a concrete resource (``table/orders``,
``bucket/*``), not a typed wildcard; it is *scoped* when the generated policy grants the same
action on exactly that resource or on a pattern no broader than it. The comparison rules
are those of ``benchmarks/accuracy.py`` (imported, not repeated); this script adds the list
of every knowable resource that did not come out scoped, with what the tool said about it:
the finding raised at that action (LP3xx: typed wildcard, unset variable, generated name
...), or the pipeline error when the case could not run.

    .venv/bin/python benchmarks/scoping.py [--json FILE]

Deterministic: the same corpus and code give the same report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import accuracy  # noqa: E402  (the sibling benchmark: corpus loading and comparison rules)

from least_priv.api import GenerateResult, UsageError, generate  # noqa: E402
from least_priv.model import Location  # noqa: E402

GOOD = ("exact", "scoped")


@dataclass
class Rest:
    """A knowable resource that did not come out scoped, and why."""

    function: str
    action: str
    expected: str
    generated: str
    verdict: str
    why: str


@dataclass
class Report:
    """Totals and the list of the rest."""

    scoped: int = 0
    knowable: int = 0
    not_generated: int = 0
    rest: list[Rest] = field(default_factory=list)

    def share(self) -> float:
        """Scoped among knowable resources whose action was generated."""
        return self.scoped / self.knowable if self.knowable else 1.0

    def strict_share(self) -> float:
        """Scoped among all knowable resources, a missed action counting as unscoped."""
        whole = self.knowable + self.not_generated
        return self.scoped / whole if whole else 1.0


_VERDICTS = {
    "broader": "generated resource broader than the expected one, and no finding says why",
    "uncovered": "generated resource does not cover the expected one: narrower (the code "
    "pins more than the hand-written policy) or an under-grant; review",
    "not generated": "the action was not generated",
}


def _why(result: GenerateResult | None, action: str, error: str, verdict: str) -> str:
    if result is None:
        return f"pipeline could not run: {error}"
    said = sorted(
        {
            f"{f.code} {_relative(f.location)}: {f.message}"
            for f in result.findings
            if f.code.startswith(("LP2", "LP3")) and f.message.lower().startswith(action + ":")
        }
    )
    if said:
        return " | ".join(said)
    return _VERDICTS[verdict]


def _relative(location: Location) -> Location:
    # Cases run with absolute paths; the report shows them from the repository root.
    return replace(location, path=os.path.relpath(location.path, ROOT))


def measure(cases: Sequence[accuracy.Case]) -> Report:
    """Run the pipeline on every case and classify each knowable expected resource."""
    report = Report()
    for case in cases:
        expected = json.loads((case.directory / "expected.json").read_text(encoding="utf-8"))
        result: GenerateResult | None = None
        error = ""
        try:
            result = generate(accuracy.generate_options(case))
        except UsageError as exc:
            error = str(exc)
        documents = [d.to_json() for fp in result.functions for d in fp.documents] if result else []
        compared = accuracy.compare(case.name, expected, documents)
        generated_actions = set(compared.generated_actions)
        for grant in accuracy.grants(expected):
            if not accuracy.is_knowable(grant.resource) or grant.action in generated_actions:
                continue
            report.not_generated += 1
            report.rest.append(
                Rest(
                    case.name,
                    grant.action,
                    grant.resource,
                    "",
                    "not generated",
                    _why(result, grant.action, error, "not generated"),
                )
            )
        for row in compared.resources:
            if row["knowable"] != "yes":
                continue
            report.knowable += 1
            if row["result"] in GOOD:
                report.scoped += 1
                continue
            report.rest.append(
                Rest(
                    case.name,
                    row["action"],
                    row["expected"],
                    row["generated"],
                    row["result"],
                    _why(result, row["action"], error, row["result"]),
                )
            )
    return report


def render(report: Report) -> str:
    """The summary line, then every knowable resource that did not come out scoped."""
    lines = [
        f"scoped: {report.scoped}/{report.knowable} knowable resources of generated actions "
        f"= {report.share():.1%}",
        f"counting {report.not_generated} knowable resources of actions not generated as "
        f"unscoped: {report.strict_share():.1%}",
        "",
        f"the rest ({len(report.rest)}):",
    ]
    for r in sorted(report.rest, key=lambda r: (r.function, r.action, r.expected)):
        lines.append(f"  {r.function}: {r.action} [{r.verdict}]")
        lines.append(f"      expected  {r.expected}")
        if r.generated:
            lines.append(f"      generated {r.generated}")
        lines.append(f"      why       {r.why}")
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON-able data."""
    return {
        "scoped": report.scoped,
        "knowable": report.knowable,
        "share": round(report.share(), 4),
        "not_generated": report.not_generated,
        "strict_share": round(report.strict_share(), 4),
        "rest": [r.__dict__ for r in sorted(report.rest, key=lambda r: (r.function, r.action))],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the scoping report; ``--json FILE`` also writes it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # locations in findings relative to the repository, as users see them
    report = measure(accuracy.discover())
    sys.stdout.write(render(report))
    if args.json:
        args.json.write_text(json.dumps(to_json(report), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
