"""Run the lint rules over inputs: read, find policies, check, apply suppressions.

:func:`lint_paths` is what ``least-priv lint`` calls; :func:`lint_text` lints text already
in memory (tests, editors). Both return a :class:`LintResult` whose findings are sorted and
free of duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from least_priv.infra import codes as infra_codes
from least_priv.infra.positions import NodePath, parse_text
from least_priv.lint import engine_codes
from least_priv.lint.actions import ActionFacts, CatalogFacts
from least_priv.lint.inputs import LintInput, collect_paths, read_input, read_parsed
from least_priv.lint.policy import Attachment, PolicyView
from least_priv.lint.rule import RULES, AttachmentRule, Rule
from least_priv.lint.rules import load_rules
from least_priv.lint.suppress import (
    Candidate,
    Suppression,
    apply_suppressions,
    comment_suppressions,
    metadata_suppressions,
    sid_suppressions,
)
from least_priv.model import Finding

# Codes that mean an input could not be read at all: the run is incomplete (exit code 2).
INPUT_ERROR_CODES = frozenset(
    {infra_codes.UNREADABLE_FILE, infra_codes.SYNTAX_ERROR, engine_codes.UNRECOGNISED_INPUT}
)


@dataclass(frozen=True)
class LintResult:
    """What a lint run found.

    ``findings`` are what remains after suppressions (sorted); ``suppressed`` pairs each
    silenced finding with the suppression that silenced it (JSON and SARIF reports carry
    them with their reasons). ``input_error`` is True when some input could not be read or
    recognised.
    """

    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]
    inputs: int
    policies: int
    input_error: bool


def selected_rules(select: Sequence[str] | None = None, ignore: Sequence[str] = ()) -> list[Rule]:
    """The rules to run, by code prefix (``LP10`` selects LP100-LP109), sorted by code."""
    load_rules()
    return [RULES[code]() for code in sorted(RULES) if is_selected(code, select, ignore)]


def is_selected(code: str, select: Sequence[str] | None, ignore: Sequence[str]) -> bool:
    """True when ``code`` passes ``--select`` (None: everything) and is not ``--ignore``d."""
    chosen = select is None or any(code.startswith(p) for p in select)
    return chosen and not any(code.startswith(p) for p in ignore)


def lint_paths(
    paths: Sequence[str],
    *,
    input_type: str | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    facts: ActionFacts | None = None,
    skip_unrecognised: bool = False,
) -> LintResult:
    """Lint files and directories (walked for JSON/YAML; cdk.out directories as one input).

    Files found by walking a directory that are none of the known kinds are skipped; files
    named explicitly are reported (LP195) unless ``skip_unrecognised`` (for pre-commit,
    which passes every changed JSON/YAML file).
    """
    inputs = [
        read_input(path, explicit and not skip_unrecognised, input_type)
        for path, explicit in collect_paths(paths)
    ]
    return settle(prepare(inputs, select, ignore, facts), select, ignore)


def lint_text(
    text: str,
    path: str = "<text>",
    *,
    input_type: str | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    facts: ActionFacts | None = None,
) -> LintResult:
    """Lint one document given as text; ``path`` is used for locations only."""
    parsed = parse_text(text, path)
    pending = prepare([read_parsed(parsed, True, input_type)], select, ignore, facts)
    return settle(pending, select, ignore)


@dataclass
class Pending:
    """Findings before suppressions, with the suppressions declared in the inputs.

    ``check`` adds its own candidates (missing/excess permissions) before :func:`settle`, so
    one suppression pass covers both and "unused suppression" stays accurate.
    """

    candidates: list[Candidate] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    inputs: int = 0
    policies: int = 0
    not_run: frozenset[str] = frozenset()  # rule codes this run did not look for
    views: list[tuple[int, PolicyView]] = field(default_factory=list)  # (policy id, policy)


def prepare(
    inputs: list[LintInput],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    facts: ActionFacts | None = None,
    *,
    run_rules: bool = True,
) -> Pending:
    """Run the rules over ``inputs`` and collect their suppressions (not applied yet)."""
    rules = selected_rules(select, ignore) if run_rules else []
    if facts is None and rules and any(item.policies or item.attachments for item in inputs):
        facts = CatalogFacts()
    # Files a directory walk found but that are not ours are not counted as linted.
    pending = Pending(inputs=sum(1 for item in inputs if item.kind or item.findings))
    if not run_rules:
        load_rules()
        pending.not_run = frozenset(RULES)
    numbered: list[tuple[int, PolicyView]] = []
    for item in inputs:
        pending.candidates.extend(Candidate(f) for f in item.findings)
        for doc in item.documents:
            _add(pending, comment_suppressions(doc.path, doc.text if doc.format == "yaml" else ""))
            if item.kind in ("cloudformation", "serverless", "cdk"):
                _add(pending, metadata_suppressions(doc, resources_base(item.kind)))
        for policy in item.policies:
            numbered.append((len(numbered), policy))
    _add(pending, sid_suppressions(numbered))
    pending.policies = len(numbered)
    pending.views = numbered
    for policy_id, policy in numbered:
        if facts is not None:
            pending.candidates.extend(_check_policy(policy, policy_id, rules, facts))
    attachment_rules = [r for r in rules if isinstance(r, AttachmentRule)]
    for item in inputs:
        for attachment in item.attachments:
            pending.candidates.extend(_check_attachment(attachment, attachment_rules, facts))
    return pending


def resources_base(kind: str | None) -> NodePath:
    """Where the CloudFormation ``Resources`` mapping sits in an input of ``kind``."""
    return ("resources",) if kind == "serverless" else ()


def _add(pending: Pending, found: tuple[list[Suppression], list[Finding]]) -> None:
    pending.suppressions.extend(found[0])
    pending.problems.extend(found[1])


def settle(
    pending: Pending,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    input_errors: frozenset[str] = INPUT_ERROR_CODES,
) -> LintResult:
    """Apply the suppressions and the code selection; the final, sorted result."""

    def checked(code: str) -> bool:
        return is_selected(code, select, ignore) and code not in pending.not_run

    kept, silenced, unused = apply_suppressions(pending.candidates, pending.suppressions, checked)
    everything = [*kept, *pending.problems, *unused]
    final = sorted({f for f in everything if is_selected(f.code, select, ignore)})
    return LintResult(
        findings=tuple(final),
        suppressed=tuple(sorted(silenced, key=lambda pair: pair[0])),
        inputs=pending.inputs,
        policies=pending.policies,
        input_error=any(f.code in input_errors for f in final),
    )


def _placed(message: str, path: NodePath, policy: PolicyView) -> str:
    """Findings inside a policy string share its line: say which policy and statement."""
    where = policy.origin
    if len(path) > 1 and path[0] == "Statement" and isinstance(path[1], int):
        where += f", statement {path[1] + 1}"
    return f"{message} (in {where})"


def _check_attachment(
    attachment: Attachment, rules: Iterable[AttachmentRule], facts: ActionFacts | None
) -> list[Candidate]:
    out: list[Candidate] = []
    if facts is None:
        return out
    where = attachment.locate(())
    for rule in rules:
        for hit in rule.check_attachment(attachment, facts):
            finding = Finding(where, rule.code, hit.message, hit.severity or rule.severity)
            out.append(Candidate(finding, attachment.scope, lines=frozenset({where.line})))
    return out


def _check_policy(
    policy: PolicyView, policy_id: int, rules: Iterable[Rule], facts: ActionFacts
) -> list[Candidate]:
    out: list[Candidate] = []
    statements = [st.path for st in policy.statements]
    for rule in rules:
        for hit in rule.check(policy, facts):
            message = _placed(hit.message, hit.path, policy) if policy.embedded else hit.message
            finding = Finding(
                policy.locate(hit.path), rule.code, message, hit.severity or rule.severity
            )
            statement = next((p for p in statements if hit.path[: len(p)] == p), None)
            lines = frozenset(policy.locate(hit.path[:n]).line for n in range(len(hit.path) + 1))
            out.append(Candidate(finding, policy.scope, policy_id, statement, lines))
    return out
