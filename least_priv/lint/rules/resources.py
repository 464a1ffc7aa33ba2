"""Resources: ``"*"`` where the action could be scoped, and ARNs the action cannot apply to."""

from __future__ import annotations

import json
import re
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


# ARN template variables whose values cannot contain "/" (S3 bucket, DynamoDB table, SQS
# queue, SNS topic and Lambda function naming rules) or, for the first three, ":" either.
# An IAM "*" matches both characters, so without this a bucket ARN's ${BucketName} would
# swallow "b/key" and s3:ListBucket on objects would look fine.
_NO_COLON_OR_SLASH = frozenset({"Partition", "Region", "Account"})
_NO_SLASH = frozenset({"BucketName", "TableName", "QueueName", "TopicName", "FunctionName"})
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _variable_class(name: str) -> str:
    if name in _NO_COLON_OR_SLASH:
        return "[^:/]"
    return "[^/]" if name in _NO_SLASH else "."


@lru_cache(maxsize=2048)
def _template_regex(template: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes for the ARNs of ``template`` and for every prefix of such an ARN."""
    tokens: list[tuple[str, str]] = []  # ("lit", text) | ("var", character class)
    pos = 0
    for match in _VARIABLE.finditer(template):
        tokens.append(("lit", template[pos : match.start()]))
        tokens.append(("var", _variable_class(match.group(1))))
        pos = match.end()
    tokens.append(("lit", template[pos:]))

    def full(token: tuple[str, str]) -> str:
        return re.escape(token[1]) if token[0] == "lit" else f"{token[1]}+"

    def partial(token: tuple[str, str]) -> str:
        if token[0] == "var":
            return f"{token[1]}*"
        text = token[1]
        return "(?:" + "|".join(re.escape(text[:n]) for n in range(len(text) + 1)) + ")"

    whole = "".join(full(t) for t in tokens)
    cuts = ["".join(full(t) for t in tokens[:k]) + partial(tokens[k]) for k in range(len(tokens))]
    flags = re.IGNORECASE | re.DOTALL
    return re.compile(whole, flags), re.compile("|".join([*cuts, whole]), flags)


@lru_cache(maxsize=8192)
def _fits(resource: str, templates: tuple[str, ...]) -> bool:
    """True when some ARN ``resource`` stands for can have one of the ``templates`` forms."""
    for template in templates:
        whole, prefixes = _template_regex(template)
        if not (has_wildcard(resource) or "${" in resource):
            if whole.fullmatch(resource):
                return True
            continue
        # A pattern: it must overlap the template's pattern, and the literal text before its
        # first wildcard must be able to start such an ARN (where variable characters count).
        cut = min((i for i in (resource.find(c) for c in "*?$") if i >= 0), default=0)
        if overlaps(resource, arn_pattern(template), ignore_case=True) and prefixes.fullmatch(
            resource[:cut]
        ):
            return True
    return False


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
        "level permissions. Error when any of them writes, tags (tags drive attribute-based "
        "access) or manages permissions, warning when they only read or list. Actions "
        "without resource-level support (such as "
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
            loose = [a for a in writes if facts.unscoped_requests(a)]
            if writes and loose == writes:
                # Every writing action also has requests without a resource (sns:Publish to a
                # phone number): "*" may be needed, so it is a warning with the reason.
                message += f"; some {listed(loose, 2)} requests name no resource"
                severity = Severity.WARNING
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
        '`s3:ListBucket` on `bucket/*`, or an ARN for an action that only supports `"*"`. '
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
        allow("s3:ListBucket", "arn:aws:s3:::uploads/*"),
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
        if any(_fits(resource, tuple(templates)) for resource in resources):
            return None
        return f"{action} cannot apply to {listed(shown, 2)}; it needs {listed(list(templates), 2)}"
