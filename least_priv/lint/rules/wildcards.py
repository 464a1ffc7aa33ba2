"""Wildcards in Action: everything, a whole service, or a family of actions.

Severity follows what the wildcard expands to *today* in the catalog: a pattern that reaches
permissions-management actions can rewrite IAM, one that reaches write actions can change
data, one that only reads is a smaller (but real) excess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from least_priv.lint.actions import ACCESS_LEVEL_ORDER, ActionFacts
from least_priv.lint.policy import Element, PolicyView
from least_priv.lint.rule import Hit, Rule, allow, count, deny, listed, register
from least_priv.model import Severity

_SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9-]+:\*+$")
EVERYTHING = frozenset({"*", "*:*"})


def allowed_action_elements(policy: PolicyView) -> Iterator[Element]:
    """Literal ``Action`` entries of Allow statements."""
    for st in policy.statements:
        if st.is_allow:
            yield from (e for e in st.elements("Action") if e.text is not None)


def level_counts(actions: list[str], facts: ActionFacts) -> Counter[str]:
    """How many of ``actions`` fall in each access level."""
    return Counter(facts.access_level(a) or "Unknown" for a in actions)


def describe_levels(counts: Counter[str]) -> str:
    """``Permissions management 12, Write 60, Read 40`` in a fixed, worst-first order."""
    order = [*ACCESS_LEVEL_ORDER, "Unknown"]
    return ", ".join(f"{lvl} {counts[lvl]}" for lvl in order if counts.get(lvl))


@register
class ActionWildcard(Rule):
    """``Action: "*"`` with Allow."""

    code = "LP101"
    name = "action-wildcard"
    severity = Severity.ERROR
    summary = 'Action "*" allows every action of every AWS service.'
    doc = (
        '**What**: an Allow statement whose `Action` is `"*"`. **Why**: on `Resource: "*"` '
        "this is administrator access; even on one resource it grants deleting, re-"
        "configuring and sharing it. A compromised function then owns the account. "
        '**Example**: `{"Effect": "Allow", "Action": "*", "Resource": "*"}`. **Fix**: list '
        "the actions the code calls (`least-priv generate` writes them)."
    )
    valid = (allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::uploads/*"), deny("*", "*"))
    invalid = (allow("*", "*"), allow(["s3:GetObject", "*:*"], "arn:aws:s3:::uploads/*"))

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for element in allowed_action_elements(policy):
            if element.text in EVERYTHING:
                yield Hit(element.path, f'Action "{element.text}" allows every AWS action')


@register
class ServiceWildcard(Rule):
    """``s3:*`` with Allow."""

    code = "LP102"
    name = "service-wildcard"
    severity = Severity.ERROR
    summary = "A service wildcard (s3:*) allows every action of the service."
    doc = (
        "**What**: an Allow `Action` such as `dynamodb:*`. Reported as an error when the "
        "service has write or permissions-management actions (almost all do), as a warning "
        "otherwise; the message lists the access levels it covers. **Why**: the function can "
        "delete tables, change encryption and share data, not just read and write items; new "
        "actions AWS adds later are granted too. **Example**: `Action: dynamodb:*`. **Fix**: "
        "list the actions the code uses (`dynamodb:GetItem`, `dynamodb:PutItem`)."
    )
    valid = (allow(["dynamodb:GetItem", "dynamodb:PutItem"], "arn:aws:dynamodb:*:*:table/t"),)
    invalid = (allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/t"), allow(["s3:*"], "*"))

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for element in allowed_action_elements(policy):
            text = element.text or ""
            if text in EVERYTHING or not _SERVICE_WILDCARD.match(text):
                continue
            actions = facts.expand(text)
            if not actions:
                continue  # an unknown service: LP112 says so
            counts = level_counts(actions, facts)
            writes = counts["Write"] + counts["Permissions management"]
            yield Hit(
                element.path,
                f"{text} allows all {count(len(actions), 'action')} of the service "
                f"({describe_levels(counts)})",
                Severity.ERROR if writes else Severity.WARNING,
            )


@register
class PartialWildcard(Rule):
    """``s3:Get*``, ``ec2:*Instance*`` ... with Allow."""

    code = "LP103"
    name = "partial-wildcard"
    severity = Severity.WARNING
    summary = "An action wildcard (s3:Get*) matches more actions than the code may need."
    doc = (
        "**What**: an Allow `Action` with `*` or `?` inside the action name. Graded by what it "
        "matches in today's catalog: error when it reaches permissions-management actions, "
        "warning for write actions, note when it only reads or lists. **Why**: `s3:Get*` "
        "also grants `s3:GetBucketPolicy` and `s3:GetObjectAcl`; `iam:*Policy*` grants "
        "rewriting policies; AWS adds new actions under the same prefix over time. "
        "**Example**: `Action: s3:Put*`. **Fix**: list the exact actions."
    )
    valid = (allow(["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::b/*"),)
    invalid = (
        allow("s3:Put*", "arn:aws:s3:::b/*"),
        allow("iam:*Policy*", "*"),
        allow("logs:Describe*", "*"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for element in allowed_action_elements(policy):
            text = element.text or ""
            if not ("*" in text or "?" in text) or text in EVERYTHING:
                continue
            if _SERVICE_WILDCARD.match(text):
                continue
            actions = facts.expand(text)
            if not actions:
                continue  # matches nothing: LP111 says so
            counts = level_counts(actions, facts)
            if counts["Permissions management"]:
                severity = Severity.ERROR
            elif counts["Write"]:
                severity = Severity.WARNING
            else:
                severity = Severity.NOTE
            yield Hit(
                element.path,
                f"{text} matches {count(len(actions), 'action')} ({describe_levels(counts)}): "
                f"{listed(actions, 4)}",
                severity,
            )
