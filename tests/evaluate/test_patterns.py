"""Wildcard matching, containment and overlap: properties against brute force and regexes."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.evaluate.patterns import (
    contains,
    is_placeholder,
    matches,
    overlaps,
    whole_placeholder,
)

# A two-letter alphabet keeps brute force exhaustive while still exercising every case.
PATTERN = st.text(alphabet="ab*?", max_size=6)
WORD = st.text(alphabet="ab", max_size=8)


def _regex(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(out, re.DOTALL)


def _words(max_len: int) -> list[str]:
    return [
        "".join(chars) for n in range(max_len + 1) for chars in itertools.product("ab", repeat=n)
    ]


@given(PATTERN, WORD)
def test_matches_agrees_with_a_regex(pattern: str, word: str) -> None:
    assert matches(pattern, word) == bool(_regex(pattern).fullmatch(word))


# Containment must hold for every character, not only those the patterns name: ``ba*ba``
# is inside ``*ab*?*`` over {a, b} but not once ``*`` may produce a ``c``. One extra letter
# stands for all the others; words up to 8 letters cover patterns of up to 4 tokens.
SMALL_PATTERN = st.text(alphabet="ab*?", max_size=4)
WORDS_ABC = ["".join(chars) for n in range(9) for chars in itertools.product("abc", repeat=n)]


@settings(max_examples=150, deadline=None)
@given(SMALL_PATTERN, SMALL_PATTERN)
def test_contains_agrees_with_brute_force(outer: str, inner: str) -> None:
    inner_re, outer_re = _regex(inner), _regex(outer)
    expected = all(outer_re.fullmatch(w) for w in WORDS_ABC if inner_re.fullmatch(w))
    assert contains(outer, inner) == expected


def test_contains_counts_characters_the_patterns_do_not_name() -> None:
    assert not contains("*ab*?*", "ba*ba")
    assert contains("*a*", "ba*ba")


# The brute-force oracle enumerates every word up to the patterns' length: slow on a busy
# machine, hence no deadline.
@settings(max_examples=300, deadline=None)
@given(PATTERN, PATTERN)
def test_overlaps_agrees_with_brute_force(left: str, right: str) -> None:
    words = _words(len(left) + len(right) + 1)
    expected = any(_regex(left).fullmatch(w) and _regex(right).fullmatch(w) for w in words)
    assert overlaps(left, right) == expected


@given(PATTERN, PATTERN)
def test_contains_implies_overlap_when_inner_is_not_empty(outer: str, inner: str) -> None:
    if contains(outer, inner):
        assert overlaps(outer, inner)


def test_actions_ignore_case_but_arns_do_not() -> None:
    assert matches("S3:get*", "s3:GetObject", ignore_case=True)
    assert not matches("arn:aws:s3:::Orders/*", "arn:aws:s3:::orders/a.json")


def test_star_crosses_arn_separators() -> None:
    assert matches("arn:aws:dynamodb:*", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders")
    assert contains("arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:*:*:table/Orders/index/*")


def test_policy_variables_cover_nothing_but_may_overlap() -> None:
    home = "arn:aws:s3:::home/${aws:username}/*"
    assert not contains(home, "arn:aws:s3:::home/alice/notes.txt")
    assert overlaps(home, "arn:aws:s3:::home/alice/notes.txt")
    # In Version 2008-10-17 the variable is plain text.
    assert matches_2008(home, "arn:aws:s3:::home/${aws:username}/x")


def matches_2008(pattern: str, value: str) -> bool:
    return contains(pattern, value, variables=False)


def test_escaped_wildcards_are_literal() -> None:
    assert matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*")
    assert not matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x")
    assert not contains("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*")


def test_template_placeholders_are_told_apart_from_policy_variables() -> None:
    for name in ("AWS::StackName", "AWS::Region", "Stage", "OrderDLQ.Arn", "Fn::If"):
        assert is_placeholder(name), name
    for name in ("aws:username", "aws:PrincipalTag/team", "s3:prefix", "*", "?", "$"):
        assert not is_placeholder(name), name
    assert whole_placeholder("${OrderDLQ.Arn}")
    assert not whole_placeholder("${aws:username}")
    assert not whole_placeholder("arn:aws:sqs:*:*:${AWS::StackName}-orders")


def test_placeholders_cover_like_wildcards_only_when_asked() -> None:
    granted = "arn:aws:sqs:us-east-1:123456789012:${AWS::StackName}-orders"
    needed = "arn:aws:sqs:us-east-1:123456789012:*-orders"
    # Read as a policy variable the grant proves nothing (the bug the SAM fixture showed)...
    assert not contains(granted, needed)
    # ...read as the deployment's value it covers the code's queue, and nothing else.
    assert contains(granted, needed, placeholders=True)
    assert not contains(granted, "arn:aws:sqs:us-east-1:123456789012:*-invoices", placeholders=True)
    assert matches("${OrderDLQ.Arn}", "arn:aws:sqs:us-east-1:1:dlq", placeholders=True)
    # A real policy variable stays unknown either way.
    home = "arn:aws:s3:::home/${aws:username}/*"
    assert not contains(home, "arn:aws:s3:::home/alice/notes.txt", placeholders=True)
