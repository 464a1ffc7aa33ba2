"""``NotAction`` and ``NotResource`` in Allow statements: grants by exclusion."""

from __future__ import annotations

from collections.abc import Iterator

from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import PolicyView
from least_priv.lint.rule import Hit, Rule, listed, register
from least_priv.model import Severity


def _allow_with(policy: PolicyView, key: str, grants: str) -> Iterator[Hit]:
    """A hit on ``key`` of every Allow statement that uses it, naming what it excludes."""
    for st in policy.statements:
        if st.is_allow and key in st.data:
            excluded = listed(st.literal(key), 3) or "the listed ones"
            yield Hit((*st.path, key), f"Allow with {key} {grants} {excluded}")


@register
class NotActionAllow(Rule):
    """Allow + NotAction grants everything not listed."""

    code = "LP105"
    name = "not-action-allow"
    severity = Severity.ERROR
    summary = "Allow with NotAction grants every action except the listed ones."
    doc = (
        "**What**: an Allow statement that uses `NotAction`. **Why**: it grants every action "
        "of every service except those listed — including IAM and actions AWS adds in the "
        'future. It is meant for Deny statements ("deny everything except ..."). '
        '**Example**: `{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`. '
        "**Fix**: list the allowed actions in `Action`, or turn the statement into a Deny."
    )
    valid = ({"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"},)
    invalid = ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},)

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        return _allow_with(policy, "NotAction", "grants every AWS action except")


@register
class NotResourceAllow(Rule):
    """Allow + NotResource grants every resource not listed."""

    code = "LP106"
    name = "not-resource-allow"
    severity = Severity.ERROR
    summary = "Allow with NotResource grants the actions on every resource except the listed."
    doc = (
        "**What**: an Allow statement that uses `NotResource`. **Why**: the actions apply to "
        "every resource in every account the role can reach, except those listed — tables "
        "and buckets created tomorrow included. **Example**: "
        '`{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"}`.'
        " **Fix**: list the resources the function uses in `Resource`; keep exclusions for "
        "Deny statements."
    )
    valid = ({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public/*"},)
    invalid = (
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"},
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        return _allow_with(policy, "NotResource", "grants the actions on every resource except")
