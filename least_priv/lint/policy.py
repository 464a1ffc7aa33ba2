"""A read-only view of one IAM policy document as the rules see it.

Policies reach the linter as plain data (JSON files, or documents inside templates with
intrinsic functions in long form). :func:`policy_view` turns one into statements whose every
element keeps its node path, so a rule can say *which* ``Action`` entry is wrong and the
engine can put the finding on that entry's line.

CloudFormation conditionals are linted on both sides: a statement or an element written as
``{"Fn::If": [cond, a, b]}`` contributes ``a`` and ``b``; ``{"Ref": "AWS::NoValue"}``
contributes nothing. Other intrinsics (``Fn::Sub``, ``Ref``, ``Fn::GetAtt`` ...) are kept as
non-literal elements: rules that need a string skip them rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from least_priv.infra.positions import NodePath
from least_priv.model import Location

# Where in the input file a node of this document starts; paths are relative to the document.
Locator = Callable[[NodePath], Location]
# A typed sample ARN for an intrinsic node (see least_priv.lint.intrinsics), else None.
Sampler = Callable[[Any, NodePath], str | None]

# aws:ResourceTag/..., aws:ResourceAccount, aws:ResourceOrgID/OrgPaths, <service>:ResourceTag/...
_SCOPING_KEY = re.compile(
    r"^(aws:resource(tag/.+|account|orgid|orgpaths)|[a-z0-9-]+:resourcetag/.+)$"
)

STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource"}
    | {"NotResource", "Condition"}
)
DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})


@dataclass(frozen=True, slots=True)
class Element:
    """One entry of ``Action``/``Resource``/...: its text when literal, and where it is."""

    path: NodePath
    raw: Any
    text: str | None  # None for intrinsics and non-strings

    @property
    def is_literal(self) -> bool:
        """True when the entry is a plain string."""
        return self.text is not None


@dataclass(frozen=True, slots=True)
class StatementView:
    """One statement of a policy, with its elements and the path of each."""

    path: NodePath
    data: dict[str, Any]
    index: int

    @property
    def sid(self) -> str:
        """The statement's Sid, or ``""``."""
        sid = self.data.get("Sid")
        return sid if isinstance(sid, str) else ""

    @property
    def effect(self) -> Any:
        """The raw ``Effect`` value (rules check it is exactly ``Allow`` or ``Deny``)."""
        return self.data.get("Effect")

    @property
    def is_allow(self) -> bool:
        """True for ``Effect: Allow`` (and for a missing Effect, which another rule reports)."""
        return bool(self.data.get("Effect", "Allow") == "Allow")

    def elements(self, key: str) -> list[Element]:
        """The entries of ``key`` (``Action``, ``Resource`` ...) as a flat list."""
        if key not in self.data:
            return []
        return list(_elements(self.data[key], (*self.path, key)))

    def literal(self, key: str) -> list[str]:
        """The literal strings of ``key``."""
        return [e.text for e in self.elements(key) if e.text is not None]

    @property
    def condition(self) -> dict[str, Any]:
        """The ``Condition`` block, or an empty dict."""
        cond = self.data.get("Condition")
        return cond if isinstance(cond, dict) else {}

    def condition_keys(self) -> set[str]:
        """Every condition key the statement tests, lower-cased (keys are case-insensitive)."""
        keys: set[str] = set()
        for block in self.condition.values():
            if isinstance(block, dict):
                keys.update(k.lower() for k in block if isinstance(k, str))
        return keys

    def resource_scoping_keys(self) -> list[str]:
        """Condition keys that limit which resources the statement reaches (ABAC tags,
        resource account or organisation), sorted."""
        return sorted(k for k in self.condition_keys() if _SCOPING_KEY.match(k))


@dataclass(frozen=True, slots=True)
class PolicyView:
    """An IAM identity policy document found in some input.

    ``origin`` says where it came from (``"AWS::IAM::Role AppRole policy app"``,
    ``"aws_iam_policy.publish"``); ``scope`` is the CloudFormation logical id (or Terraform
    address) the policy belongs to, whose ``Metadata`` may suppress findings. ``generated``
    marks documents a framework completes from a bare statement list (serverless), which
    have no ``Version`` to check. ``embedded`` marks a document stored as a JSON string
    (Terraform), whose findings all land on the string's line.
    """

    data: Any
    locate: Locator
    origin: str = ""
    scope: str | None = None
    statements: tuple[StatementView, ...] = field(default=())
    generated: bool = False
    sampler: Sampler | None = None
    embedded: bool = False

    def sample(self, element: Element) -> str | None:
        """The element's text, or for an intrinsic a sample ARN of the type it evaluates to."""
        if element.text is not None:
            return element.text
        return self.sampler(element.raw, element.path) if self.sampler else None

    @property
    def is_document(self) -> bool:
        """True when the data is a JSON object (else only the structure rule has a say)."""
        return isinstance(self.data, dict)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A managed policy attached by name or ARN: its document is not in the file.

    ``name`` is the ARN or name as far as it is known (intrinsics resolved to a sample, see
    :mod:`least_priv.lint.intrinsics`), ``raw`` what was written; ``locate`` gives the
    attachment's position (its path is always ``()``).
    """

    name: str | None
    raw: Any
    locate: Locator
    origin: str = ""
    scope: str | None = None


def policy_view(
    data: Any,
    locate: Locator,
    origin: str = "",
    scope: str | None = None,
    sampler: Sampler | None = None,
) -> PolicyView:
    """Build the view of one policy document (any data; malformed parts are just absent)."""
    statements: list[StatementView] = []
    for node, path in statement_nodes(data):
        if isinstance(node, dict) and not is_intrinsic(node):
            statements.append(StatementView(path, node, len(statements)))
    return PolicyView(data, locate, origin, scope, tuple(statements), sampler=sampler)


def statement_nodes(data: Any) -> Iterator[tuple[Any, NodePath]]:
    """Every entry of ``Statement`` (after conditionals), objects or not, with its path."""
    if not isinstance(data, dict) or "Statement" not in data:
        return
    raw = data["Statement"]
    # IAM accepts a single statement object as well as a list of them.
    if isinstance(raw, dict) and not is_intrinsic(raw):
        yield raw, ("Statement",)
        return
    yield from branches(raw, ("Statement",))


def is_intrinsic(node: Any) -> bool:
    """True for a CloudFormation intrinsic in long form: ``{"Ref": ...}``, ``{"Fn::Sub": ...}``."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def _is_no_value(node: Any) -> bool:
    return isinstance(node, dict) and node == {"Ref": "AWS::NoValue"}


def branches(node: Any, path: NodePath) -> Iterator[tuple[Any, NodePath]]:
    """The entries of a list (or a lone value), looking through ``Fn::If`` and dropping
    ``AWS::NoValue``; each with its node path."""
    if _is_no_value(node):
        return
    if isinstance(node, dict) and isinstance(node.get("Fn::If"), list) and len(node) == 1:
        options = node["Fn::If"]
        for i in (1, 2):
            if i < len(options):
                yield from branches(options[i], (*path, "Fn::If", i))
        return
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and "Fn::If" in item and len(item) == 1:
                yield from branches(item, (*path, i))
            elif not _is_no_value(item):
                yield item, (*path, i)
        return
    yield node, path


def _elements(node: Any, path: NodePath) -> Iterator[Element]:
    for item, item_path in branches(node, path):
        if isinstance(item, list):
            # A conditional branch may itself be a list of entries.
            yield from _elements(item, item_path)
        else:
            yield Element(item_path, item, item if isinstance(item, str) else None)
