"""What a lint rule is, and the registry of rules.

A rule is a class with a stable code, a default severity, a one-paragraph ``doc`` (what it
finds, why it matters, an example, the fix) and ``valid``/``invalid`` example policies. The
examples are part of the contract: ``tests/lint/test_rule_examples.py`` runs every one of
them, so a rule's documentation cannot drift from its behaviour.

Registering a rule (the :func:`register` decorator) also registers its code in
:mod:`least_priv.lint.codes`, which is where SARIF and ``--list-rules`` read the help text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from least_priv.infra.positions import NodePath
from least_priv.lint.actions import ActionFacts
from least_priv.lint.codes import FindingCode, register_codes
from least_priv.lint.policy import Attachment, PolicyView
from least_priv.model import Severity

Example = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule found: the node it is about (relative to the policy) and a message.

    ``severity`` overrides the rule's default when the rule grades its findings (a wildcard
    that reaches write actions is worse than one that only reads).
    """

    path: NodePath
    message: str
    severity: Severity | None = None


class Rule(ABC):
    """A lint rule over one policy document; subclasses fill the class attributes."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    doc: ClassVar[str]
    # A statement dict is wrapped into a 2012-10-17 document; a dict with "Statement" is used
    # as the whole document.
    valid: ClassVar[tuple[Example, ...]]
    invalid: ClassVar[tuple[Example, ...]]
    tags: ClassVar[tuple[str, ...]] = ("security",)

    @abstractmethod
    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        """Yield what is wrong with ``policy``; never raise on odd input."""


class AttachmentRule(Rule):
    """A rule about managed policies attached by name or ARN (their text is not in the file).

    Its examples are whole templates (a dict with ``Resources``).
    """

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        """Attachment rules have nothing to say about policy documents."""
        return iter(())

    @abstractmethod
    def check_attachment(self, attachment: Attachment, facts: ActionFacts) -> Iterator[Hit]:
        """Yield what is wrong with attaching ``attachment`` (hit paths are ``()``)."""


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry and document its code."""
    if cls.code in RULES and RULES[cls.code] is not cls:
        raise ValueError(f"rule code {cls.code} used by {RULES[cls.code].__name__} already")
    if not cls.valid or not cls.invalid:
        raise ValueError(f"rule {cls.code} needs valid and invalid examples")
    RULES[cls.code] = cls
    register_codes(
        FindingCode(
            code=cls.code,
            name=cls.name,
            summary=cls.summary,
            help=cls.doc,
            severity=cls.severity,
            tags=cls.tags,
        )
    )
    return cls


def allow(action: Any, resource: Any, **extra: Any) -> Example:
    """An Allow statement for examples: ``allow("s3:GetObject", "arn:aws:s3:::b/*")``."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> Example:
    """A Deny statement for examples."""
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def document(*statements: Example, version: str | None = "2012-10-17") -> Example:
    """A whole policy document for examples (``version=None`` leaves Version out)."""
    doc: Example = {"Statement": list(statements)}
    if version is not None:
        doc = {"Version": version, **doc}
    return doc


def example_document(example: Example) -> dict[str, Any]:
    """The policy document (or, for attachment rules, the template) an example stands for."""
    if "Statement" in example or "Version" in example or "Resources" in example:
        return example
    return {"Version": "2012-10-17", "Statement": [example]}


def listed(items: list[str], limit: int = 6) -> str:
    """``a, b, c`` — or the first ``limit`` and ``and N more``, so messages stay one line."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def count(n: int, noun: str) -> str:
    """``1 action`` / ``3 actions``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
