"""Reading identity-policy documents into statements the evaluator can use.

IAM's grammar is forgiving in ways a reader must copy (``Action`` as a string or a list,
``Statement`` as one object) and strict in ways a reader must report (``Effect`` other than
Allow/Deny, both ``Action`` and ``NotAction``). Nothing here raises on bad input: every
problem becomes an LP6xx finding and the rest of the document is still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from least_priv.evaluate import codes
from least_priv.evaluate.conditions import is_known_operator
from least_priv.model import Finding, Location, Severity

NodePath = tuple[str | int, ...]
Locator = Callable[[NodePath], Location]

CURRENT_VERSION = "2012-10-17"
OLD_VERSION = "2008-10-17"


@dataclass(frozen=True, order=True, slots=True)
class PolicySource:
    """Where a policy comes from: its name, how it reaches the role, and where it was read.

    ``origin`` is ``inline``, ``managed``, ``boundary``, ``file`` or an IaC origin such as
    ``sam-policy-template:DynamoDBCrudPolicy``; ``arn`` is set for managed policies.
    """

    name: str
    origin: str
    location: Location
    arn: str = ""

    def __str__(self) -> str:
        kind, _, detail = self.origin.partition(":")
        if kind == "sam-policy-template":
            return f"SAM policy template {detail or self.name}"
        return f"{self.origin} policy {self.name}" if self.name else f"{self.origin} policy"


@dataclass(frozen=True, order=True, slots=True)
class PolicyStatement:
    """One statement of an identity policy, normalised.

    ``actions`` holds the Action (or NotAction, when ``not_action``) patterns as written;
    ``resources`` the Resource (or NotResource) patterns. ``conditions`` are
    (operator, key, values) triples. ``variables`` is False for Version 2008-10-17 documents,
    where IAM reads ``${...}`` literally. ``placeholders`` is True for statements read from an
    IaC template, whose ``${AWS::StackName}``-style placeholders the deployment fills in
    (``least_priv.evaluate.patterns``).
    """

    source: PolicySource
    index: int
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    sid: str = ""
    location: Location | None = None
    variables: bool = True
    placeholders: bool = False
    action_locations: tuple[Location, ...] = field(default=(), compare=False)

    def action_location(self, index: int) -> Location | None:
        """Where the ``index``-th Action/NotAction entry is written (else the statement)."""
        if index < len(self.action_locations):
            return self.action_locations[index]
        return self.location

    @property
    def label(self) -> str:
        """A short human name: ``inline policy ddb, statement 2 (Sid FullAccess)``."""
        text = f"{self.source}, statement {self.index + 1}"
        return f"{text} (Sid {self.sid})" if self.sid else text


@dataclass(frozen=True, slots=True)
class ParsedPolicy:
    """A policy document read into statements, with the findings its reading produced."""

    source: PolicySource
    statements: tuple[PolicyStatement, ...]
    findings: tuple[Finding, ...] = ()
    version: str = CURRENT_VERSION


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _condition_values(value: object) -> tuple[str, ...] | None:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            return None
    return tuple(out)


def parse_policy(
    document: object,
    source: PolicySource,
    locate: Locator | None = None,
    *,
    placeholders: bool = False,
) -> ParsedPolicy:
    """Read an identity-policy document (already decoded from JSON) into statements.

    ``placeholders``: the document comes from an IaC template (see :class:`PolicyStatement`).
    """

    def where(path: NodePath) -> Location:
        return locate(path) if locate is not None else source.location

    findings: list[Finding] = []

    def report(path: NodePath, code: str, message: str, severity: Severity) -> None:
        findings.append(Finding(where(path), code, f"{source}: {message}", severity))

    if not isinstance(document, dict):
        report((), codes.BAD_JSON, "the document is not a JSON object", Severity.ERROR)
        return ParsedPolicy(source, (), tuple(findings))
    version = document.get("Version")
    if version != CURRENT_VERSION:
        shown = "no Version" if version is None else f"Version {version!r}"
        report(
            ("Version",) if version is not None else (),
            codes.OLD_VERSION,
            f"{shown}: policy variables such as ${{aws:username}} are read literally; "
            f"use {CURRENT_VERSION}",
            Severity.WARNING,
        )
    variables = version == CURRENT_VERSION
    raw = document.get("Statement")
    items: list[tuple[NodePath, object]]
    if isinstance(raw, list):
        items = [(("Statement", i), st) for i, st in enumerate(raw)]
    elif isinstance(raw, dict):
        report(
            ("Statement",),
            codes.STATEMENT_OBJECT,
            "Statement is a single object, not a list (accepted, as IAM does)",
            Severity.NOTE,
        )
        items = [(("Statement",), raw)]
    else:
        report((), codes.BAD_JSON, "the document has no Statement list", Severity.ERROR)
        return ParsedPolicy(source, (), tuple(findings), str(version or ""))
    statements: list[PolicyStatement] = []
    for index, (path, item) in enumerate(items):
        statement = _parse_statement(item, index, path, source, variables, where, report)
        if statement is not None:
            statements.append(replace(statement, placeholders=placeholders))
    return ParsedPolicy(source, tuple(statements), tuple(findings), str(version or ""))


def _parse_statement(
    item: object,
    index: int,
    path: NodePath,
    source: PolicySource,
    variables: bool,
    where: Callable[[NodePath], Location],
    report: Callable[[NodePath, str, str, Severity], None],
) -> PolicyStatement | None:
    number = index + 1

    def bad(sub: NodePath, message: str) -> None:
        report(
            path + sub,
            codes.BAD_STATEMENT,
            f"statement {number}: {message}; left out",
            Severity.ERROR,
        )

    if not isinstance(item, dict):
        bad((), "is not an object")
        return None
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        bad(("Effect",), f"Effect must be Allow or Deny, not {effect!r}")
        return None
    if "Principal" in item or "NotPrincipal" in item:
        bad(("Principal",), "an identity policy cannot name a Principal")
        return None
    action_key = _one_of(item, "Action", "NotAction")
    resource_key = _one_of(item, "Resource", "NotResource")
    if action_key is None:
        bad((), "needs exactly one of Action and NotAction")
        return None
    if resource_key is None:
        bad((), "needs exactly one of Resource and NotResource")
        return None
    actions = _strings(item[action_key])
    resources = _strings(item[resource_key])
    if not actions:
        bad((action_key,), f"{action_key} must be a string or a non-empty list of strings")
        return None
    if not resources:
        bad((resource_key,), f"{resource_key} must be a string or a non-empty list of strings")
        return None
    bad_actions = [a for a in actions if a != "*" and ":" not in a]
    if bad_actions:
        bad((action_key,), f"{', '.join(bad_actions)} is not of the form service:action")
        return None
    conditions = _parse_conditions(item.get("Condition"), number, path, report)
    if conditions is None:
        return None
    sid = item.get("Sid")
    if isinstance(item[action_key], list):
        action_locations = tuple(where((*path, action_key, i)) for i in range(len(actions)))
    else:
        action_locations = (where((*path, action_key)),)
    return PolicyStatement(
        source=source,
        index=index,
        effect=str(effect),
        actions=actions,
        resources=resources,
        not_action=action_key == "NotAction",
        not_resource=resource_key == "NotResource",
        conditions=conditions,
        sid=sid if isinstance(sid, str) else "",
        location=where(path),
        variables=variables,
        action_locations=action_locations,
    )


def _one_of(item: dict[str, object], positive: str, negative: str) -> str | None:
    has_pos, has_neg = positive in item, negative in item
    if has_pos == has_neg:
        return None
    return positive if has_pos else negative


def _parse_conditions(
    raw: object,
    number: int,
    path: NodePath,
    report: Callable[[NodePath, str, str, Severity], None],
) -> tuple[tuple[str, str, tuple[str, ...]], ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        report(
            (*path, "Condition"),
            codes.BAD_STATEMENT,
            f"statement {number}: Condition must be an object; left out",
            Severity.ERROR,
        )
        return None
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for operator, block in raw.items():
        if not isinstance(block, dict):
            report(
                (*path, "Condition", operator),
                codes.BAD_STATEMENT,
                f"statement {number}: condition {operator} must map keys to values; left out",
                Severity.ERROR,
            )
            return None
        if not is_known_operator(operator):
            report(
                (*path, "Condition", operator),
                codes.UNKNOWN_OPERATOR,
                f"statement {number}: unknown condition operator {operator!r}; the statement "
                "is treated as conditional",
                Severity.WARNING,
            )
        for key, value in block.items():
            values = _condition_values(value)
            if values is None:
                report(
                    (*path, "Condition", operator, key),
                    codes.BAD_STATEMENT,
                    f"statement {number}: condition values of {key} must be strings, numbers "
                    "or booleans; left out",
                    Severity.ERROR,
                )
                return None
            out.append((str(operator), str(key), values))
    return tuple(sorted(out))
