"""Actions and service prefixes the catalog does not know: typos that grant nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import Element, PolicyView
from least_priv.lint.rule import Hit, Rule, allow, deny, register
from least_priv.lint.rules.wildcards import EVERYTHING
from least_priv.model import Severity

_WILD = re.compile(r"[*?]")


def _actions(policy: PolicyView) -> Iterator[tuple[Element, str, str, str]]:
    """Literal Action/NotAction entries other than ``*``, split as (entry, text, prefix,
    name); Deny and NotAction too, since a typo there silently removes a protection."""
    for st in policy.statements:
        for key in ("Action", "NotAction"):
            for element in st.elements(key):
                text = element.text
                if text is not None and text not in EVERYTHING:
                    prefix, _, name = text.partition(":")
                    yield element, text, prefix, name


def _known_prefix(prefix: str, facts: ActionFacts) -> bool:
    """True for a service prefix the catalog knows, or a prefix pattern (``s3*``) matching one."""
    if _WILD.search(prefix):
        return bool(facts.expand(f"{prefix}:*"))
    return facts.known_service(prefix)


def _suggestion(candidates: list[str]) -> str:
    return f"; did you mean {' or '.join(candidates)}?" if candidates else ""


@register
class UnknownAction(Rule):
    """An action (or pattern) that matches no action of a known service."""

    code = "LP111"
    name = "unknown-action"
    severity = Severity.ERROR
    summary = "An action does not exist (a typo?), so the statement does not do what it says."
    doc = (
        "**What**: an `Action`/`NotAction` entry of a known service that names no action "
        "of it, a wildcard that matches none, or an entry that is not of the form "
        "`service:Action`. The message suggests the closest known actions. **Why**: IAM "
        "accepts unknown actions silently: an Allow then grants nothing (AccessDenied in "
        "production), a Deny protects nothing. **Example**: `s3:GetObjects`. **Fix**: use "
        "the action's exact name (`s3:GetObject`)."
    )
    tags = ("correctness",)
    valid = (
        allow("s3:getobject", "arn:aws:s3:::b/*"),
        deny("s3:Delete*", "*"),
        deny("*:Delete*", "*"),
    )
    invalid = (
        allow("s3:GetObjects", "arn:aws:s3:::b/*"),
        deny("dynamodb:DropTable*", "*"),
        deny("s3*:Frobnicate*", "*"),
        allow("s3GetObject", "*"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for element, text, prefix, name in _actions(policy):
            if not prefix or not name:
                yield Hit(element.path, f"{text!r} is not of the form service:Action")
                continue
            if not _known_prefix(prefix, facts) or facts.expand(text):
                continue
            if _WILD.search(text):
                yield Hit(element.path, f"{text} matches no known action")
            else:
                hint = _suggestion(facts.closest(text))
                yield Hit(element.path, f"{text} is not a known {prefix} action{hint}")


@register
class UnknownService(Rule):
    """A service prefix IAM does not know."""

    code = "LP112"
    name = "unknown-service"
    severity = Severity.ERROR
    summary = "An action's service prefix does not exist (a typo, or a boto3 client name)."
    doc = (
        "**What**: the part before `:` is not an IAM service prefix. A common cause is using "
        "the boto3 client name where IAM uses another prefix (`monitoring:PutMetricData` "
        "instead of `cloudwatch:PutMetricData`, `stepfunctions:` instead of `states:`). "
        "**Why**: the statement grants (or denies) nothing. **Example**: "
        "`stepfunctions:StartExecution`. **Fix**: use the IAM prefix "
        "(`states:StartExecution`); the message suggests the closest ones."
    )
    tags = ("correctness",)
    valid = (
        allow("states:StartExecution", "arn:aws:states:*:*:stateMachine:orders"),
        deny("s3*:Delete*", "*"),
    )
    invalid = (
        allow("stepfunctions:StartExecution", "*"),
        deny("dynamdb:DeleteTable", "*"),
        deny("dynamdb*:Delete*", "*"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for element, text, prefix, name in _actions(policy):
            if not (prefix and name):
                continue  # not of the form service:Action: LP111 says so
            if not _known_prefix(prefix, facts):
                hint = "" if _WILD.search(prefix) else _suggestion(facts.closest(text))
                yield Hit(element.path, f"{prefix!r} is not an IAM service prefix{hint}")
