"""Accuracy of least-priv against the hand-written proof corpus (``fixtures/functions``).

Usage::

    .venv/bin/python benchmarks/accuracy.py [--case NAME ...] [--json FILE] [--check]

Every case directory holds the function's code, its IaC description, ``case.json`` (how to
run it) and ``expected.json`` (the minimal policy written by hand from the code and the AWS
Service Authorization Reference). For each case the script runs the whole pipeline
(``least_priv.api.generate``) and compares the generated documents with the expected one:

- **actions**: recall (expected actions the tool grants) and precision (granted actions that
  are expected), per function and in total (micro-averaged over all functions);
- **resources**: for every expected (action, resource) whose action the tool grants, whether
  a generated resource is ``exact`` (same pattern), ``scoped`` (covers it and names the same
  resource: its literal prefix is at least as long), ``broader`` (covers it, but less
  precisely, e.g. a typed wildcard), or ``uncovered`` (no generated resource covers it: an
  under-grant). Resource *scoping* is the share of ``exact`` + ``scoped`` among expected
  resources whose name is knowable (see ``is_knowable``);
- **conditions**: differences are listed apart, they never change the action figures;
- **findings**: the codes ``case.json`` expects (``"LP2xx"`` matches any code of that range)
  against the codes raised; analysis findings (LP2xx) on a case that expects none are listed
  as unexpected (the analysis could not see part of the code).

Containment of IAM wildcards comes from ``least_priv.evaluate.contains`` (the same code the
diff uses). The output is deterministic: cases, actions and resources are sorted and no time
is printed. ``--check`` exits 1 unless recall is 100%, precision at least 97% and no expected
resource is left uncovered.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pipeline is imported only when a case runs
    from least_priv.api import GenerateOptions

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "functions"

RECALL_TARGET = 1.0
PRECISION_TARGET = 0.97

_CASE_KEYS = frozenset(
    {
        "paths",
        "handler",
        "template",
        "function",
        "env",
        "region",
        "account",
        "partition",
        "expect_findings",
    }
)
_FINDING_CODE = re.compile(r"^LP\d(\d\d|xx)$")


class CaseError(ValueError):
    """A case directory that is incomplete or malformed."""


@dataclass(frozen=True)
class Case:
    """One corpus function and how to run the pipeline on it (paths are absolute)."""

    name: str
    directory: Path
    paths: tuple[Path, ...]
    handler: str | None = None
    template: Path | None = None
    function: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    account: str | None = None
    partition: str | None = None
    expect_findings: tuple[str, ...] = ()


def load_case(directory: Path) -> Case:
    """Read and check ``case.json`` of one case directory; raise ``CaseError`` when invalid."""
    case_file = directory / "case.json"
    if not case_file.is_file():
        raise CaseError(f"{directory.name}: case.json is missing")
    if not (directory / "expected.json").is_file():
        raise CaseError(f"{directory.name}: expected.json is missing")
    try:
        raw = json.loads(case_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CaseError(f"{directory.name}: case.json is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise CaseError(f"{directory.name}: case.json must hold an object")
    unknown = sorted(set(raw) - _CASE_KEYS)
    if unknown:
        raise CaseError(f"{directory.name}: unknown case.json keys {unknown}")
    paths = raw.get("paths")
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise CaseError(f"{directory.name}: 'paths' must be a non-empty list of strings")
    resolved = tuple((directory / p).resolve() for p in paths)
    for given, path in zip(paths, resolved, strict=True):
        if not path.exists():
            raise CaseError(f"{directory.name}: path {given!r} does not exist")
    template = raw.get("template")
    template_path = (directory / template).resolve() if isinstance(template, str) else None
    if template_path is not None and not template_path.is_file():
        raise CaseError(f"{directory.name}: template {template!r} does not exist")
    env = raw.get("env", {})
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        raise CaseError(f"{directory.name}: 'env' must map names to strings")
    codes = raw.get("expect_findings", [])
    if not isinstance(codes, list) or not all(
        isinstance(c, str) and _FINDING_CODE.match(c) for c in codes
    ):
        raise CaseError(f"{directory.name}: 'expect_findings' must list codes like LP201/LP2xx")
    for key in ("handler", "function", "region", "account", "partition"):
        if key in raw and not isinstance(raw[key], str):
            raise CaseError(f"{directory.name}: {key!r} must be a string")
    return Case(
        name=directory.name,
        directory=directory,
        paths=resolved,
        handler=raw.get("handler"),
        template=template_path,
        function=raw.get("function"),
        env=tuple(sorted(env.items())),
        region=raw.get("region"),
        account=raw.get("account"),
        partition=raw.get("partition"),
        expect_findings=tuple(sorted(codes)),
    )


def discover(corpus: Path = CORPUS) -> list[Case]:
    """Every case of the corpus, sorted by name (raises ``CaseError`` on the first bad one)."""
    return [load_case(d) for d in sorted(corpus.iterdir()) if d.is_dir()]


# ---------------------------------------------------------------------------------------------
# Reading policies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Grant:
    """One (action, resource) of an Allow statement, with its conditions as canonical JSON."""

    action: str  # lower-cased: IAM action names are case-insensitive
    resource: str
    conditions: str = ""


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def grants(document: dict[str, Any]) -> list[Grant]:
    """The Allow grants of a policy document, sorted; raises ``ValueError`` on shapes IAM rejects.

    ``NotAction``/``NotResource`` and ``Deny`` have no place in a generated least-privilege
    policy, so they are refused rather than approximated.
    """
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError("policy has no Statement list")
    out: set[Grant] = set()
    for st in statements:
        if not isinstance(st, dict):
            raise ValueError(f"statement is not an object: {st!r}")
        if st.get("Effect") != "Allow":
            raise ValueError(f"only Allow statements are expected, got {st.get('Effect')!r}")
        if "NotAction" in st or "NotResource" in st:
            raise ValueError("NotAction/NotResource are not expected in a least-privilege policy")
        condition = st.get("Condition")
        cond_text = json.dumps(condition, sort_keys=True) if condition else ""
        for action in _as_list(st.get("Action")):
            for resource in _as_list(st.get("Resource")):
                out.add(Grant(action.lower(), resource, cond_text))
    return sorted(out)


def is_knowable(resource: str) -> bool:
    """True when an expected resource names a concrete resource (not a typed wildcard).

    ``*`` has no resource at all. Otherwise the ARN's resource part (after the fifth colon)
    is inspected: a leading resource-type word (``table/``, ``secret:``, ``log-group:``) is
    dropped, and the first segment left — the resource's own name — must hold a character that
    is not a wildcard. ``arn:aws:s3:::*/*``, ``...:table/*`` and
    ``...:application/*/environment/*/configuration/*`` are typed wildcards;
    ``...:table/orders``, ``arn:aws:s3:::bucket/*`` and ``...:processing-job/features-*`` are
    knowable.
    """
    if resource == "*":
        return False
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return False
    rest = parts[5]
    if parts[2] != "s3":
        rest = re.sub(r"^[A-Za-z][A-Za-z0-9-]*[/:]", "", rest, count=1)
    segments = [seg for seg in re.split(r"[/:]", rest) if seg]
    return bool(segments) and any(ch not in "*?" for ch in segments[0])


def _literal_prefix(pattern: str) -> str:
    match = re.match(r"[^*?]*", pattern)
    return match.group(0) if match else ""


def classify_resource(expected: str, generated: Iterable[str]) -> str:
    """How the generated resources of one action cover one expected resource.

    ``exact`` | ``scoped`` | ``broader`` | ``uncovered`` (see the module docstring).
    """
    from least_priv.evaluate import contains

    best = "uncovered"
    rank = {"uncovered": 0, "broader": 1, "scoped": 2, "exact": 3}
    for gen in generated:
        if gen == expected or (contains(gen, expected) and contains(expected, gen)):
            return "exact"
        if contains(gen, expected):
            kind = (
                "scoped"
                if len(_literal_prefix(gen)) >= len(_literal_prefix(expected))
                else "broader"
            )
            if rank[kind] > rank[best]:
                best = kind
    return best


# ---------------------------------------------------------------------------------------------
# Comparing one case
# ---------------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    """The comparison of one case; every list is sorted."""

    name: str
    expected_actions: list[str] = field(default_factory=list)
    generated_actions: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    resources: list[dict[str, str]] = field(default_factory=list)
    conditions: list[dict[str, str]] = field(default_factory=list)
    expected_findings: list[str] = field(default_factory=list)
    raised_findings: list[str] = field(default_factory=list)
    missing_findings: list[str] = field(default_factory=list)
    unexpected_findings: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def matched(self) -> int:
        """Expected actions the tool grants."""
        return len(self.expected_actions) - len(self.missed)

    def scoping(self) -> tuple[int, int]:
        """(scoped, knowable): knowable expected resources that came out exact or scoped."""
        knowable = [r for r in self.resources if r["knowable"] == "yes"]
        good = [r for r in knowable if r["result"] in ("exact", "scoped")]
        return len(good), len(knowable)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        scoped, knowable = self.scoping()
        return {
            "name": self.name,
            "error": self.error,
            "expected_actions": self.expected_actions,
            "generated_actions": self.generated_actions,
            "missed": self.missed,
            "extra": self.extra,
            "recall": _ratio(self.matched, len(self.expected_actions)),
            "precision": _ratio(self.matched, len(self.generated_actions)),
            "scoped": scoped,
            "knowable": knowable,
            "resources": self.resources,
            "conditions": self.conditions,
            "expected_findings": self.expected_findings,
            "raised_findings": self.raised_findings,
            "missing_findings": self.missing_findings,
            "unexpected_findings": self.unexpected_findings,
        }


def _ratio(part: int, whole: int) -> float:
    return 1.0 if whole == 0 else round(part / whole, 4)


def _finding_matches(expected: str, code: str) -> bool:
    if expected.endswith("xx"):
        return code.startswith(expected[:-2]) and len(code) == len(expected)
    return code == expected


def compare(
    name: str,
    expected: dict[str, Any],
    generated: Sequence[dict[str, Any]],
    *,
    expected_findings: Sequence[str] = (),
    raised_findings: Sequence[str] = (),
) -> CaseResult:
    """Compare the generated documents of one function with its expected policy."""
    want = grants(expected)
    got = [g for doc in generated for g in grants(doc)]
    want_actions = sorted({g.action for g in want})
    got_actions = sorted({g.action for g in got})
    result = CaseResult(
        name=name,
        expected_actions=want_actions,
        generated_actions=got_actions,
        missed=sorted(set(want_actions) - set(got_actions)),
        extra=sorted(set(got_actions) - set(want_actions)),
        expected_findings=sorted(expected_findings),
        raised_findings=sorted(set(raised_findings)),
    )
    result.missing_findings = [
        e
        for e in result.expected_findings
        if not any(_finding_matches(e, c) for c in raised_findings)
    ]
    # Analysis findings (LP2xx) say the tool could not see part of the code; on a case that
    # expects none they point at an analysis gap even when the policy came out right.
    result.unexpected_findings = sorted(
        {
            c
            for c in raised_findings
            if c.startswith("LP2")
            and not any(_finding_matches(e, c) for e in result.expected_findings)
        }
    )
    by_action: dict[str, list[Grant]] = {}
    for g in got:
        by_action.setdefault(g.action, []).append(g)
    for w in want:
        if w.action not in by_action:
            continue
        candidates = by_action[w.action]
        verdict = classify_resource(w.resource, (g.resource for g in candidates))
        covering = sorted(g.resource for g in candidates)
        result.resources.append(
            {
                "action": w.action,
                "expected": w.resource,
                "generated": " ".join(covering),
                "result": verdict,
                "knowable": "yes" if is_knowable(w.resource) else "no",
            }
        )
        conds = sorted({g.conditions for g in candidates})
        if [w.conditions] != conds:
            result.conditions.append(
                {
                    "action": w.action,
                    "resource": w.resource,
                    "expected": w.conditions,
                    "generated": " | ".join(c or "(none)" for c in conds),
                }
            )
    return result


def generate_options(case: Case) -> GenerateOptions:
    """The pipeline options that run one case (shared by the accuracy and proof scripts)."""
    from least_priv.api import GenerateOptions

    return GenerateOptions(
        paths=tuple(str(p) for p in case.paths),
        handler=case.handler,
        template=str(case.template) if case.template else None,
        function=case.function,
        env=case.env,
        region=case.region,
        account=case.account,
        partition=case.partition,
    )


def run_case(case: Case) -> CaseResult:
    """Run the pipeline on one case and compare; an exception of the tool becomes ``error``."""
    from least_priv.api import generate

    expected = json.loads((case.directory / "expected.json").read_text(encoding="utf-8"))
    try:
        outcome = generate(generate_options(case))
    except Exception as exc:  # a crash of the tool is a result to report, not to hide
        failed = compare(case.name, expected, [], expected_findings=case.expect_findings)
        failed.error = f"{type(exc).__name__}: {exc}"
        return failed
    documents = [doc.to_json() for fp in outcome.functions for doc in fp.documents]
    codes = [f.code for f in outcome.findings]
    result = compare(
        case.name,
        expected,
        documents,
        expected_findings=case.expect_findings,
        raised_findings=codes,
    )
    if len(outcome.functions) != 1:
        result.error = f"expected one function, the pipeline returned {len(outcome.functions)}"
    return result


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Totals over all cases (micro-averaged) and resource-verdict counts."""
    expected = sum(len(r.expected_actions) for r in results)
    generated = sum(len(r.generated_actions) for r in results)
    matched = sum(r.matched for r in results)
    scoped = sum(r.scoping()[0] for r in results)
    knowable = sum(r.scoping()[1] for r in results)
    verdicts: dict[str, int] = {}
    for r in results:
        for res in r.resources:
            verdicts[res["result"]] = verdicts.get(res["result"], 0) + 1
    return {
        "cases": len(results),
        "errors": sum(1 for r in results if r.error),
        "expected_actions": expected,
        "generated_actions": generated,
        "matched_actions": matched,
        "recall": _ratio(matched, expected),
        "precision": _ratio(matched, generated),
        "scoped": scoped,
        "knowable": knowable,
        "scoping": _ratio(scoped, knowable),
        "resource_results": dict(sorted(verdicts.items())),
        "findings_expected": sum(len(r.expected_findings) for r in results),
        "findings_missing": sum(len(r.missing_findings) for r in results),
        "findings_unexpected": sum(len(r.unexpected_findings) for r in results),
        "condition_differences": sum(len(r.conditions) for r in results),
    }


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def render_table(results: Sequence[CaseResult], summary: dict[str, Any]) -> str:
    """A fixed-width text table, then every miss, extra, under-scoped resource and finding gap."""
    width = max([len("function"), *(len(r.name) for r in results)])
    head = f"{'function':<{width}}  exp  gen  recall  precis  scoped  findings"
    lines = [head, "-" * len(head)]
    for r in results:
        scoped, knowable = r.scoping()
        finding = "ok" if not r.missing_findings else "MISSING"
        if not r.expected_findings:
            finding = "-"
        lines.append(
            f"{r.name:<{width}}  {len(r.expected_actions):>3}  {len(r.generated_actions):>3}"
            f"  {_pct(_ratio(r.matched, len(r.expected_actions))):>6}"
            f"  {_pct(_ratio(r.matched, len(r.generated_actions))):>6}"
            f"  {f'{scoped}/{knowable}':>6}  {finding}" + (f"  ERROR {r.error}" if r.error else "")
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'TOTAL':<{width}}  {summary['expected_actions']:>3}  {summary['generated_actions']:>3}"
        f"  {_pct(summary['recall']):>6}  {_pct(summary['precision']):>6}"
        f"  {_pct(summary['scoping']):>6}  "
        f"{summary['findings_expected'] - summary['findings_missing']}"
        f"/{summary['findings_expected']}"
    )
    lines.append("")
    lines.append(
        f"resource results: {summary['resource_results']}; "
        f"condition differences: {summary['condition_differences']}"
    )
    details: list[str] = []
    for r in results:
        for action in r.missed:
            details.append(f"  {r.name}: MISSED {action}")
        for action in r.extra:
            details.append(f"  {r.name}: EXTRA {action}")
        for res in r.resources:
            if res["result"] not in ("exact", "scoped"):
                details.append(
                    f"  {r.name}: {res['result'].upper()} {res['action']} expected "
                    f"{res['expected']} got {res['generated']}"
                )
        for code in r.missing_findings:
            details.append(f"  {r.name}: FINDING {code} not raised")
        for code in r.unexpected_findings:
            details.append(f"  {r.name}: UNEXPECTED FINDING {code} (an analysis finding)")
    if details:
        lines.append("details:")
        lines.extend(details)
    return "\n".join(lines) + "\n"


def meets_targets(summary: dict[str, Any]) -> bool:
    """The issue's bar: recall 100% and precision >= 97%, with no crashed case.

    An ``uncovered`` resource fails it too: the action is granted, but on resources that do
    not include the one the code touches, which is an AccessDenied after deploy just like a
    missed action.
    """
    return bool(
        summary["errors"] == 0
        and summary["recall"] >= RECALL_TARGET
        and summary["precision"] >= PRECISION_TARGET
        and summary["resource_results"].get("uncovered", 0) == 0
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus directory")
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument("--json", type=Path, help="also write the full report as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 below the issue's targets")
    args = parser.parse_args(argv)
    try:
        cases = discover(args.corpus)
    except CaseError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 2
    if args.case:
        unknown = sorted(set(args.case) - {c.name for c in cases})
        if unknown:
            print(f"accuracy: unknown case(s) {unknown}", file=sys.stderr)
            return 2
        cases = [c for c in cases if c.name in set(args.case)]
    results = [run_case(c) for c in cases]
    summary = summarise(results)
    sys.stdout.write(render_table(results, summary))
    if args.json:
        report = {"summary": summary, "cases": [r.to_json() for r in results]}
        args.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    if args.check and not meets_targets(summary):
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
