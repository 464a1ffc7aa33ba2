"""``iam:PassRole``: which roles may be handed to which services."""

from __future__ import annotations

import re
from collections.abc import Iterator

from least_priv.evaluate.patterns import matches
from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import Element, PolicyView, StatementView
from least_priv.lint.rule import Hit, Rule, allow, register
from least_priv.lint.rules.wildcards import EVERYTHING
from least_priv.model import Severity

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:passedtoservice"

_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:role/(?P<name>.*)$", re.IGNORECASE)
# Two role names unlike each other: a pattern matching both matches any role.
_SAMPLE_NAMES = ("x", "service-role/deploy-2")


def pass_role_elements(st: StatementView) -> list[Element]:
    """The Action entries of an Allow statement that grant iam:PassRole (not ``*`` itself)."""
    if not st.is_allow:
        return []
    return [
        e
        for e in st.elements("Action")
        if e.text is not None
        and e.text not in EVERYTHING
        and matches(e.text, PASS_ROLE, ignore_case=True)
    ]


def any_role(resource: str) -> bool:
    """True when ``resource`` matches roles of any name (in its account, or in any)."""
    arn = _ROLE_ARN.match(resource)
    if arn is not None:
        return all(matches(arn["name"], n) for n in _SAMPLE_NAMES)
    samples = [f"arn:aws:iam::111122223333:role/{n}" for n in _SAMPLE_NAMES]
    return all(matches(resource, s, ignore_case=True) for s in samples)


@register
class PassRoleAnyRole(Rule):
    """iam:PassRole on every role."""

    code = "LP107"
    name = "passrole-any-role"
    severity = Severity.ERROR
    summary = 'iam:PassRole on "*" (or every role) lets the holder pass any role, admin included.'
    doc = (
        "**What**: an Allow statement granting `iam:PassRole` on a resource that matches every "
        "role (`*`, `arn:aws:iam::*:role/*`). **Why**: passing a role to a service (Lambda, "
        "EC2, Glue, CloudFormation ...) runs that service with the role's permissions; passing "
        "an administrator role is a privilege escalation. **Example**: "
        '`{"Action": "iam:PassRole", "Resource": "*"}`. **Fix**: name the roles: '
        "`arn:aws:iam::111122223333:role/etl-job`."
    )
    valid = (
        allow(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/etl-job",
            Condition={"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}},
        ),
    )
    invalid = (allow("iam:PassRole", "*"), allow("iam:Pass*", "arn:aws:iam::*:role/*"))

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            granting = pass_role_elements(st)
            if not granting:
                continue
            for resource in st.elements("Resource"):
                if resource.text is not None and any_role(resource.text):
                    yield Hit(
                        resource.path,
                        f'{granting[0].text} on "{resource.text}" can pass any role, '
                        "administrator roles included, to any service it can configure",
                    )
                    break


@register
class PassRoleAnyService(Rule):
    """iam:PassRole without an iam:PassedToService condition."""

    code = "LP108"
    name = "passrole-any-service"
    severity = Severity.WARNING
    summary = "iam:PassRole without an iam:PassedToService condition."
    doc = (
        "**What**: an Allow statement granting `iam:PassRole` with no `iam:PassedToService` "
        "condition. **Why**: the role can then be handed to any service — a role meant for "
        "Step Functions could run an EC2 instance or a Glue job the caller controls. "
        '**Example**: `{"Action": "iam:PassRole", "Resource": "arn:...:role/sfn"}`. '
        "**Fix**: add `Condition: {StringEquals: {iam:PassedToService: "
        "states.amazonaws.com}}`."
    )
    valid = (
        allow(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/sfn",
            Condition={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}},
        ),
    )
    invalid = (allow("iam:PassRole", "arn:aws:iam::111122223333:role/sfn"),)

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            granting = pass_role_elements(st)
            if granting and PASSED_TO_SERVICE not in st.condition_keys():
                yield Hit(
                    granting[0].path,
                    f"{granting[0].text} without an iam:PassedToService condition: the role "
                    "can be passed to any service",
                )
