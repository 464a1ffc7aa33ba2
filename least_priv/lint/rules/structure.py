"""Rules on the shape of a policy document: what IAM would reject or silently misread."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from least_priv.evaluate.conditions import is_known_operator
from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import (
    DOCUMENT_KEYS,
    STATEMENT_KEYS,
    PolicyView,
    is_intrinsic,
    statement_nodes,
)
from least_priv.lint.rule import Hit, Rule, allow, document, register
from least_priv.model import Severity

CURRENT_VERSION = "2012-10-17"
VERSIONS = frozenset({CURRENT_VERSION, "2008-10-17"})


def _did_you_mean(key: str, known: frozenset[str]) -> str:
    near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def _is_string_list(value: Any) -> bool:
    # Intrinsics (one-key dicts) stand for strings the template computes.
    def ok(item: Any) -> bool:
        return isinstance(item, str) or (isinstance(item, dict) and len(item) == 1)

    if isinstance(value, list):
        return bool(value) and all(ok(v) for v in value)
    return ok(value) and value != ""


@register
class InvalidPolicy(Rule):
    """The document or a statement has a shape IAM rejects."""

    code = "LP120"
    name = "invalid-policy"
    severity = Severity.ERROR
    summary = "The policy document is malformed: IAM would reject it."
    doc = (
        "**What**: the document is not an object, has no `Statement`, has an empty statement "
        "list, a statement that is not an object, a key IAM does not know (`Actions`, "
        "`Resources`), a `Principal` (identity policies have none), or an `Action`/`Resource` "
        "that is not a string or a list of strings. **Why**: IAM refuses the policy at deploy "
        "time — or, inside a template, the stack fails late. **Example**: "
        '`{"Effect": "Allow", "Actions": "s3:GetObject", "Resource": "*"}`. **Fix**: use '
        "the keys of the IAM policy grammar: `Version`, `Statement`, `Sid`, `Effect`, "
        "`Action`/`NotAction`, `Resource`/`NotResource`, `Condition`."
    )
    tags = ("correctness",)
    valid = (
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
    )
    invalid = (
        {"Effect": "Allow", "Actions": "s3:GetObject", "Resource": "*"},
        {"Version": "2012-10-17", "Statement": []},
        {"Version": "2012-10-17", "Statements": [{"Effect": "Allow"}]},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", 3], "Resource": "*"},
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        data = policy.data
        if not isinstance(data, dict):
            yield Hit((), f"a policy must be a JSON object, not {type(data).__name__}")
            return
        for key in sorted(set(data) - DOCUMENT_KEYS):
            yield Hit((key,), f"unknown policy key {key!r}{_did_you_mean(key, DOCUMENT_KEYS)}")
        if "Statement" not in data:
            yield Hit((), "the policy has no Statement")
            return
        nodes = list(statement_nodes(data))
        if not nodes:
            yield Hit(("Statement",), "Statement is empty: the policy grants nothing")
        for node, path in nodes:
            if not isinstance(node, dict):
                yield Hit(path, "a statement must be an object")
                continue
            yield from self._statement(node, path)

    def _statement(self, node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[Hit]:
        if is_intrinsic(node):
            return  # a computed statement: LP197 says it was not checked
        for key in sorted(set(node) - STATEMENT_KEYS):
            yield Hit(
                (*path, key), f"unknown statement key {key!r}{_did_you_mean(key, STATEMENT_KEYS)}"
            )
        for key in ("Principal", "NotPrincipal"):
            if key in node:
                yield Hit((*path, key), f"an identity policy cannot name a {key}")
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in node and not _is_string_list(node[key]):
                yield Hit((*path, key), f"{key} must be a string or a non-empty list of strings")
        if "Condition" in node and not isinstance(node["Condition"], dict):
            yield Hit((*path, "Condition"), "Condition must be an object of operators")


@register
class VersionRule(Rule):
    """Missing or old Version: policy variables are then read literally."""

    code = "LP121"
    name = "policy-version"
    severity = Severity.WARNING
    summary = 'The policy has no Version, or not "2012-10-17".'
    doc = (
        "**What**: `Version` is missing, is the old `2008-10-17`, or is not a version IAM "
        "knows. **Why**: without `2012-10-17` IAM reads `${aws:username}`-style policy "
        "variables as literal text, so a statement meant for each user's own prefix matches "
        "nothing (or the wrong thing); an unknown version is rejected. **Example**: a policy "
        'starting `{"Statement": [...]}`. **Fix**: add `"Version": "2012-10-17"`.'
    )
    tags = ("correctness",)
    valid = (document(allow("s3:ListAllMyBuckets", "*")),)
    invalid = (
        document(allow("s3:ListAllMyBuckets", "*"), version=None),
        document(allow("s3:ListAllMyBuckets", "*"), version="2008-10-17"),
        document(allow("s3:ListAllMyBuckets", "*"), version="2012-10-18"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        data = policy.data
        if not isinstance(data, dict) or policy.generated:
            return
        version = data.get("Version")
        if version is None:
            yield Hit((), f'no Version: add "Version": "{CURRENT_VERSION}"')
        elif not isinstance(version, str) or version not in VERSIONS:
            yield Hit(("Version",), f"unknown Version {version!r}", Severity.ERROR)
        elif version != CURRENT_VERSION:
            yield Hit(
                ("Version",),
                f"Version {version} reads policy variables literally; use {CURRENT_VERSION}",
            )


@register
class EffectRule(Rule):
    """Effect must be exactly Allow or Deny."""

    code = "LP122"
    name = "invalid-effect"
    severity = Severity.ERROR
    summary = "A statement's Effect is missing or is not exactly Allow or Deny."
    doc = (
        "**What**: a statement without `Effect`, or with a value other than `Allow` or `Deny` "
        "(the values are case-sensitive). **Why**: IAM rejects the policy. **Example**: "
        '`"Effect": "allow"`. **Fix**: write `"Effect": "Allow"` or `"Effect": "Deny"`.'
    )
    tags = ("correctness",)
    valid = ({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},)
    invalid = (
        {"Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            if "Effect" not in st.data:
                yield Hit(st.path, "the statement has no Effect")
            elif isinstance(st.effect, str) and st.effect not in ("Allow", "Deny"):
                yield Hit((*st.path, "Effect"), f"Effect must be Allow or Deny, not {st.effect!r}")
            elif not isinstance(st.effect, str) and not is_intrinsic(st.effect):
                yield Hit((*st.path, "Effect"), "Effect must be the string Allow or Deny")


@register
class IncompleteStatement(Rule):
    """A statement needs exactly one of Action/NotAction and one of Resource/NotResource."""

    code = "LP123"
    name = "incomplete-statement"
    severity = Severity.ERROR
    summary = "A statement lacks Action or Resource, or has both Action and NotAction."
    doc = (
        "**What**: a statement with neither `Action` nor `NotAction`, neither `Resource` nor "
        "`NotResource`, or both forms of one. **Why**: IAM rejects it; in a template the "
        "deploy fails after everything before the role was created. **Example**: "
        '`{"Effect": "Allow", "Action": "sqs:SendMessage"}`. **Fix**: add the missing '
        "`Resource` (the ARN the action needs), or keep only one of the two forms."
    )
    tags = ("correctness",)
    valid = (allow("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs"),)
    invalid = (
        {"Effect": "Allow", "Action": "sqs:SendMessage"},
        {"Effect": "Allow", "Resource": "arn:aws:sqs:eu-west-1:111122223333:jobs"},
        {"Effect": "Deny", "Action": "s3:*", "NotAction": "s3:GetObject", "Resource": "*"},
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            for positive in ("Action", "Resource"):
                negative = f"Not{positive}"
                has = (positive in st.data, negative in st.data)
                if has == (False, False):
                    yield Hit(st.path, f"the statement has no {positive} or {negative}")
                elif has == (True, True):
                    yield Hit(st.path, f"the statement has both {positive} and {negative}")


@register
class DuplicateSid(Rule):
    """Two statements of one policy share a Sid."""

    code = "LP124"
    name = "duplicate-sid"
    severity = Severity.WARNING
    summary = "Two statements of one policy have the same Sid."
    doc = (
        "**What**: the same `Sid` on more than one statement of a policy. **Why**: some IAM "
        "APIs reject duplicate Sids, and reviews, suppressions and access reports that name a "
        "statement by its Sid become ambiguous. **Example**: two statements `Sid: ReadData`. "
        "**Fix**: give each statement its own Sid (or merge the two statements)."
    )
    tags = ("correctness",)
    valid = (
        document(
            allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="Read"),
            allow("s3:ListBucket", "arn:aws:s3:::b", Sid="List"),
        ),
    )
    invalid = (
        document(
            allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="Read"),
            allow("s3:ListBucket", "arn:aws:s3:::b", Sid="Read"),
        ),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        seen: dict[str, list[int]] = defaultdict(list)
        for st in policy.statements:
            if st.sid:
                seen[st.sid].append(st.index)
        for st in policy.statements:
            others = seen.get(st.sid, [])
            if st.sid and len(others) > 1 and others[0] != st.index:
                yield Hit((*st.path, "Sid"), f"Sid {st.sid!r} is used by an earlier statement")


@register
class ComputedElement(Rule):
    """Actions or statements computed by intrinsic functions cannot be checked."""

    code = "LP197"
    name = "computed-element"
    severity = Severity.NOTE
    summary = "An Action, or a whole statement, is computed by an intrinsic and was not checked."
    doc = (
        "**What**: an `Action`/`NotAction` entry or a whole statement written as `!Ref Param`, "
        "`!Sub` or another intrinsic (`!If` is looked through). **Why**: it depends on "
        "deploy-time values, so no rule can check it, and reviewers cannot see what the role "
        "may do. **Example**: `Action: !Ref AllowedActions`. **Fix**: write statements and "
        "actions literally; keep parameters for resource names."
    )
    tags = ("input",)
    valid = ({"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}},)
    invalid = (
        {"Effect": "Allow", "Action": {"Ref": "AllowedActions"}, "Resource": "*"},
        document({"Ref": "ExtraStatement"}),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for node, path in statement_nodes(policy.data):
            if is_intrinsic(node):
                function = next(iter(node))
                yield Hit(path, f"the statement is computed by {function}; it was not checked")
        for st in policy.statements:
            for key in ("Action", "NotAction"):
                for element in st.elements(key):
                    if not element.is_literal and is_intrinsic(element.raw):
                        yield Hit(element.path, f"{key} entry is computed; it was not checked")


@register
class InvalidCondition(Rule):
    """Condition operators that do not exist, and condition blocks of the wrong shape."""

    code = "LP125"
    name = "invalid-condition"
    severity = Severity.ERROR
    summary = "A Condition uses an operator IAM does not know, or is not operator -> key -> value."
    doc = (
        "**What**: a condition operator that does not exist (`StringEqual`, `ArnLikes`, "
        "`ForAllValue:StringLike`), or an operator whose value is not an object of condition "
        "keys, or a key without values. **Why**: IAM rejects the policy — or, when the typo "
        "is in a template deployed by a tool that skips validation, the condition meant to "
        "narrow a grant is not there. **Example**: "
        '`"Condition": {"StringEqual": {"iam:PassedToService": "states.amazonaws.com"}}`. '
        "**Fix**: use the operator's exact name (`StringEquals`)."
    )
    tags = ("correctness",)
    valid = (
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::b",
            Condition={"ForAnyValue:StringLikeIfExists": {"s3:prefix": ["home/*"]}},
        ),
    )
    invalid = (
        allow(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/sfn",
            Condition={"StringEqual": {"iam:PassedToService": "states.amazonaws.com"}},
        ),
        allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={"Bool": "true"}),
        allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={"StringEquals": {"s3:prefix": []}}),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            for operator, block in st.condition.items():
                path = (*st.path, "Condition", operator)
                if is_intrinsic(block) or (
                    isinstance(operator, str) and operator.startswith("Fn::")
                ):
                    continue  # computed by the template
                if not is_known_operator(str(operator)):
                    yield Hit(path, f"unknown condition operator {operator!r}")
                elif not isinstance(block, dict):
                    yield Hit(path, f"{operator} must map condition keys to values")
                else:
                    for key, values in block.items():
                        if values in ([], "", None):
                            yield Hit((*path, key), f"{operator} {key} has no value")
