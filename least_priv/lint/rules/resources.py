"""Resources: ``"*"`` where the action could be scoped, and ARNs the action cannot apply to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from least_priv.evaluate.patterns import has_wildcard, matches, overlaps
from least_priv.lint.actions import WRITE_LEVELS, ActionFacts
from least_priv.lint.policy import PolicyView, StatementView
from least_priv.lint.rule import Hit, Rule, allow, count, deny, listed, register
from least_priv.lint.rules.wildcards import EVERYTHING
from least_priv.model import Severity

_TEMPLATE_VARIABLE = "${"


def arn_pattern(template: str) -> str:
    """An ARN template (``arn:${Partition}:s3:::${BucketName}``) as an IAM pattern."""
    out, rest = [], template
    while _TEMPLATE_VARIABLE in rest:
        head, _, tail = rest.partition(_TEMPLATE_VARIABLE)
        out.append(head + "*")
        rest = tail.partition("}")[2]
    out.append(rest)
    return "".join(out)


@lru_cache(maxsize=8192)
def _fits(resource: str, patterns: tuple[str, ...]) -> bool:
    """True when some ARN ``resource`` stands for can have one of the ``patterns`` forms."""
    if has_wildcard(resource) or "${" in resource:
        return any(overlaps(resource, p, ignore_case=True) for p in patterns)
    # A literal ARN: plain matching is much cheaper than pattern overlap.
    return any(matches(p, resource, ignore_case=True) for p in patterns)


def _display(node: Any) -> str:
    """An intrinsic as the user wrote it in short form: ``!GetAtt Bucket.Arn``."""
    if isinstance(node, dict) and len(node) == 1:
        ((name, arg),) = node.items()
        short = "!" + name.removeprefix("Fn::")
        if name == "Fn::GetAtt" and isinstance(arg, list):
            return f"{short} {'.'.join(str(a) for a in arg)}"
        return f"{short} {arg if isinstance(arg, str) else json.dumps(arg)}"
    return json.dumps(node, sort_keys=True)


def _statement_actions(st: StatementView, facts: ActionFacts) -> list[str]:
    """The catalog actions a statement's literal Action entries name (wildcards expanded)."""
    found: set[str] = set()
    for text in st.literal("Action"):
        if text not in EVERYTHING:
            found.update(facts.expand(text))
    return sorted(found)


@register
class ResourceWildcard(Rule):
    """``Resource: "*"`` for actions that support resource-level permissions."""

    code = "LP104"
    name = "resource-wildcard"
    severity = Severity.ERROR
    summary = 'Resource "*" on actions that can be limited to specific resources.'
    doc = (
        '**What**: an Allow statement with `Resource: "*"` whose actions support resource-'
        "level permissions. Error when any of them writes or manages permissions, warning "
        "when they only read or list. Actions without resource-level support (such as "
        '`xray:PutTraceSegments`) need `"*"` and are not reported. **Why**: the function '
        "can act on every table, bucket or queue in the account, not just its own. "
        '**Example**: `{"Action": "dynamodb:PutItem", "Resource": "*"}`. **Fix**: name the '
        "ARNs (`arn:aws:dynamodb:eu-west-1:111122223333:table/orders`), or `!GetAtt "
        "Table.Arn` in a template. A statement that limits resources by condition "
        "(`aws:ResourceTag/...`, `aws:ResourceAccount`) is only a note: attribute-based "
        "access control is legitimate, but an ARN is the stronger fence."
    )
    valid = (
        allow("dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"),
        allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    )
    invalid = (
        allow("dynamodb:PutItem", "*"),
        allow(["s3:GetObject"], ["arn:aws:s3:::b/*", "*"]),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            if not st.is_allow:
                continue
            stars = [e for e in st.elements("Resource") if e.text == "*"]
            if not stars:
                continue
            scoped = [a for a in _statement_actions(st, facts) if facts.scopable(a)]
            if not scoped:
                continue
            levels = {a: facts.access_level(a) or "Unknown" for a in scoped}
            writes = [a for a in scoped if levels[a] in WRITE_LEVELS | {"Tagging"}]
            shown = [f"{a} ({levels[a]})" for a in (writes or scoped)]
            which = f"{len(writes)} of them writing: " if writes and scoped != writes else ""
            message = (
                f'Resource "*" for {count(len(scoped), "action")} that can be scoped to '
                f"resources ({which}{listed(shown, 4)})"
            )
            severity = Severity.ERROR if writes else Severity.WARNING
            scoping = st.resource_scoping_keys()
            if scoping:
                # Attribute-based access control: the condition limits the resources, which
                # is legitimate, but a tag anyone can set is a weaker fence than an ARN.
                message += f", limited by condition {listed(scoping, 2)}"
                severity = Severity.NOTE
            yield Hit(stars[0].path, message, severity)


@register
class ResourceTypeMismatch(Rule):
    """An action next to resources it can never apply to."""

    code = "LP113"
    name = "resource-type-mismatch"
    severity = Severity.ERROR
    summary = "An action is paired only with resources of a type it cannot apply to."
    doc = (
        "**What**: every `Resource` of the statement is an ARN the action cannot be "
        "authorised on — `s3:GetObject` on a bucket ARN instead of `bucket/*`, "
        'or an ARN for an action that only supports `"*"`. '
        "**Why**: the statement looks like a grant but grants nothing, so the call fails with "
        "AccessDenied in production (or, in a Deny, protects nothing). **Example**: "
        '`{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::uploads"}`. **Fix**: use '
        "the ARN form of the action's resource type (`arn:aws:s3:::uploads/*`), or split the "
        "statement."
    )
    tags = ("correctness",)
    valid = (
        allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::up", "arn:aws:s3:::up/*"]),
        allow("s3:GetObject", "arn:aws:s3:::uploads*"),
    )
    invalid = (
        allow("s3:GetObject", "arn:aws:s3:::uploads"),
        deny("s3:DeleteObject", "arn:aws:s3:::uploads"),
        allow("xray:PutTraceSegments", "arn:aws:xray:eu-west-1:111122223333:group/g"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            resources = st.elements("Resource")
            samples = [policy.sample(e) for e in resources]
            if not resources or None in samples:
                continue  # a computed resource of unknown type could be anything
            texts = [s for s in samples if s is not None]
            shown = [e.text or _display(e.raw) for e in resources]
            for element in st.elements("Action"):
                text = element.text
                if text is None or "*" in text or "?" in text:
                    continue
                for action in facts.expand(text)[:1]:
                    message = self._mismatch(action, texts, shown, facts)
                    if message:
                        yield Hit(element.path, message)

    @staticmethod
    def _mismatch(
        action: str, resources: list[str], shown: list[str], facts: ActionFacts
    ) -> str | None:
        templates = facts.resource_arns(action)
        if facts.scopable(action) and not templates:
            return None  # resource types without a known ARN format: nothing to compare
        if not templates:
            if any(matches(r, "*") for r in resources):
                return None
            return (
                f"{action} does not support resource-level permissions: only "
                f'Resource "*" grants it, not {listed(shown, 2)}'
            )
        patterns = tuple(arn_pattern(t) for t in templates)
        if any(_fits(resource, patterns) for resource in resources):
            return None
        return f"{action} cannot apply to {listed(shown, 2)}; it needs {listed(list(templates), 2)}"
