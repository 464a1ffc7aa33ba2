"""The decision order: explicit Deny, then Allow in both identity policies and boundary."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from least_priv.evaluate import (
    Decision,
    PolicySet,
    PolicySource,
    Request,
    evaluate,
    parse_policy,
)
from least_priv.model import Location

SRC = PolicySource("test", "inline", Location("test.json"))
ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "sqs:SendMessage", "kms:Decrypt")
PATTERNS = ("*", "s3:*", "s3:Get*", "S3:put*", "s3:?etObject", "sqs:*", "kms:Decrypt", "s3:*Object")


def _set(*statements: dict[str, Any], boundary: list[dict[str, Any]] | None = None) -> PolicySet:
    identity = (parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, SRC),)
    if boundary is None:
        return PolicySet(identity)
    bsrc = PolicySource("boundary", "boundary", Location("b.json"))
    return PolicySet(
        identity, (parse_policy({"Version": "2012-10-17", "Statement": boundary}, bsrc),)
    )


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def test_deny_beats_allow_and_default_is_deny() -> None:
    policies = _set(_allow("s3:*"), _deny("s3:DeleteObject"))
    assert (
        evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), policies).decision is Decision.ALLOWED
    )
    assert (
        evaluate(Request("s3:DeleteObject", "arn:aws:s3:::b/k"), policies).decision
        is Decision.DENIED
    )
    assert evaluate(Request("sqs:SendMessage", "*"), policies).decision is Decision.NOT_ALLOWED


def test_not_resource_allows_everything_but() -> None:
    policies = _set(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"}
    )
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::public/a"), policies).decision is (
        Decision.ALLOWED
    )
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::secrets/a"), policies).decision is (
        Decision.NOT_ALLOWED
    )
    # A pattern that straddles the exclusion can be neither proved nor refuted.
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::*"), policies).decision is (
        Decision.CONDITIONAL
    )


def test_boundary_intersects() -> None:
    policies = _set(_allow(["s3:*", "sqs:*"]), boundary=[_allow("s3:*")])
    assert evaluate(Request("s3:GetObject", "*"), policies).decision is Decision.ALLOWED
    result = evaluate(Request("sqs:SendMessage", "*"), policies)
    assert result.decision is Decision.NOT_ALLOWED
    assert "no statement of the permissions boundary allows it" in result.reasons
    # A Deny in the boundary is an explicit deny too.
    denying = _set(_allow("*"), boundary=[_allow("*"), _deny("kms:*")])
    assert evaluate(Request("kms:Decrypt", "*"), denying).decision is Decision.DENIED
    # An empty boundary (unreadable) allows nothing.
    assert evaluate(
        Request("s3:GetObject", "*"), PolicySet(_set(_allow("*")).identity, ())
    ).decision is (Decision.NOT_ALLOWED)


def test_conditions_known_and_unknown() -> None:
    via_s3 = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    policies = _set(_allow("kms:GenerateDataKey", Condition=via_s3))
    known = Request(
        "kms:GenerateDataKey", "*", (("kms:viaservice", ("s3.us-east-1.amazonaws.com",)),)
    )
    other = Request(
        "kms:GenerateDataKey", "*", (("kms:viaservice", ("sqs.us-east-1.amazonaws.com",)),)
    )
    unknown = Request("kms:GenerateDataKey", "*")
    assert evaluate(known, policies).decision is Decision.ALLOWED
    assert evaluate(other, policies).decision is Decision.NOT_ALLOWED
    result = evaluate(unknown, policies)
    assert result.decision is Decision.CONDITIONAL
    assert any("kms:ViaService" in r for r in result.reasons)


def test_conditional_deny_makes_an_allow_conditional() -> None:
    policies = _set(
        _allow("s3:*"), _deny("s3:*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
    )
    assert evaluate(Request("s3:GetObject", "*"), policies).decision is Decision.CONDITIONAL


def test_policy_variables_are_conditional_for_allow() -> None:
    policies = _set(_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    result = evaluate(Request("s3:GetObject", "arn:aws:s3:::home/alice/a.txt"), policies)
    assert result.decision is Decision.CONDITIONAL


# --------------------------------------------------------------------------------------------
# Properties: Deny / NotAction interplay against a direct reading of the IAM rules.
# --------------------------------------------------------------------------------------------


def _re(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE)


def _applies(statement: dict[str, Any], action: str) -> bool:
    key = "Action" if "Action" in statement else "NotAction"
    hit = any(_re(p).fullmatch(action) for p in statement[key])
    return hit if key == "Action" else not hit


def _reference(statements: list[dict[str, Any]], action: str) -> Decision:
    applying = [s for s in statements if _applies(s, action)]
    if any(s["Effect"] == "Deny" for s in applying):
        return Decision.DENIED
    if applying:
        return Decision.ALLOWED
    return Decision.NOT_ALLOWED


STATEMENT = st.builds(
    lambda effect, key, patterns: {"Effect": effect, key: patterns, "Resource": "*"},
    st.sampled_from(["Allow", "Deny"]),
    st.sampled_from(["Action", "NotAction"]),
    st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3),
)


@given(st.lists(STATEMENT, max_size=5), st.sampled_from(ACTIONS))
def test_deny_and_not_action_match_the_rules(statements: list[dict[str, Any]], action: str) -> None:
    result = evaluate(Request(action, "arn:aws:s3:::bucket/key"), _set(*statements))
    assert result.decision is _reference(statements, action)


@given(st.lists(STATEMENT, max_size=4), STATEMENT, st.sampled_from(ACTIONS))
def test_adding_a_deny_never_grants_more(
    statements: list[dict[str, Any]], extra: dict[str, Any], action: str
) -> None:
    deny = {**extra, "Effect": "Deny"}
    before = evaluate(Request(action, "*"), _set(*statements)).decision
    after = evaluate(Request(action, "*"), _set(*statements, deny)).decision
    assert after.rank <= before.rank


@given(st.lists(STATEMENT, max_size=4), st.lists(STATEMENT, max_size=3), st.sampled_from(ACTIONS))
def test_boundary_never_grants_more_than_either_side(
    identity: list[dict[str, Any]], boundary: list[dict[str, Any]], action: str
) -> None:
    request = Request(action, "*")
    both = evaluate(request, _set(*identity, boundary=boundary)).decision
    alone = evaluate(request, _set(*identity)).decision
    only_boundary = evaluate(request, _set(*boundary)).decision
    assert both.rank == min(alone.rank, only_boundary.rank)


# --------------------------------------------------------------------------------------------
# Soundness of pattern-level answers: what is said of a resource pattern holds for every
# concrete resource it stands for.
# --------------------------------------------------------------------------------------------

SEGMENT = st.sampled_from(["orders", "ord*", "o?ders", "*", "logs", "orders/in*", "orders/in/a"])
RESOURCE_STATEMENT = st.builds(
    lambda effect, key, segs: {
        "Effect": effect,
        "Action": "s3:GetObject",
        key: [f"arn:aws:s3:::{s}" for s in segs],
    },
    st.sampled_from(["Allow", "Allow", "Deny"]),
    st.sampled_from(["Resource", "Resource", "NotResource"]),
    st.lists(SEGMENT, min_size=1, max_size=2),
)
CONCRETE = st.text(alphabet="ordesling/a", min_size=0, max_size=10)


@given(st.lists(RESOURCE_STATEMENT, min_size=1, max_size=4), SEGMENT, CONCRETE)
def test_pattern_decisions_hold_for_every_instance(
    statements: list[dict[str, Any]], pattern: str, filler: str
) -> None:
    policies = _set(*statements)
    required = f"arn:aws:s3:::{pattern}"
    # One concrete resource the pattern stands for: wildcards filled with ``filler`` / "x".
    instance = required.replace("*", filler).replace("?", "x")
    at_pattern = evaluate(Request("s3:GetObject", required), policies).decision
    at_instance = evaluate(Request("s3:GetObject", instance), policies).decision
    assert at_instance is not Decision.CONDITIONAL  # concrete requests are always decided
    if at_pattern is Decision.ALLOWED:
        assert at_instance is Decision.ALLOWED
    elif at_pattern is Decision.DENIED:
        assert at_instance is Decision.DENIED
    elif at_pattern is Decision.NOT_ALLOWED:
        assert at_instance in (Decision.NOT_ALLOWED, Decision.DENIED)


def _template_set(*statements: dict[str, Any]) -> PolicySet:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return PolicySet((parse_policy(document, SRC, placeholders=True),))


def test_template_placeholders_grant_the_deployed_resource() -> None:
    queue = "arn:aws:sqs:eu-west-1:111122223333:*-updates"
    send = Request("sqs:SendMessage", queue)
    allow = _allow(
        "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:${AWS::StackName}-updates"
    )
    assert evaluate(send, _template_set(allow)).decision is Decision.ALLOWED
    # The same text in a document that is not a template is a policy variable: unproved.
    assert evaluate(send, _set(allow)).decision is Decision.CONDITIONAL


def test_template_placeholders_never_make_a_sure_deny() -> None:
    delete = Request("s3:DeleteObject", "arn:aws:s3:::orders-prod/incoming/a.json")
    policies = _template_set(
        _allow("s3:*", "*"), _deny("s3:DeleteObject", "arn:aws:s3:::${ProtectedBucket}/*")
    )
    # The protected bucket may or may not be this one: "may deny", not "denied".
    assert evaluate(delete, policies).decision is Decision.CONDITIONAL
    # NotResource with a placeholder excludes an unknown resource: not everything.
    not_resource = {"Effect": "Allow", "Action": "s3:*", "NotResource": "${ProtectedBucket.Arn}"}
    assert evaluate(delete, _template_set(not_resource)).decision is Decision.CONDITIONAL
