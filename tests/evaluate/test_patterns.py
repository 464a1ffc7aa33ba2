"""Wildcard matching, containment and overlap: properties against brute force and regexes."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.evaluate.patterns import contains, matches, overlaps

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


@settings(max_examples=300)
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
