"""IAM wildcard patterns: matching, containment and overlap.

IAM patterns know two wildcards: ``*`` (any run of characters, ``/`` and ``:`` included) and
``?`` (exactly one character). In Version 2012-10-17 documents ``${aws:username}``-style
policy variables stand for a value known only at request time, and ``${*}``, ``${?}``,
``${$}`` write the literal characters.

The required side of a diff is itself a pattern (``arn:aws:s3:::orders/*`` when the key is
unknown), so plain matching is not enough: ``contains(p, r)`` answers "does every string of
``r`` match ``p``" (the policy grants the whole requirement) and ``overlaps(p, r)`` answers
"can some string match both" (a Deny may hit part of it). Both first strip the literal
prefix and suffix the two share (ARNs share long ones), which settles most pairs. Overlap
then runs a dynamic program over both token sequences; containment searches the product of
the inner pattern's automaton with the outer one's subset automaton for a string the inner
accepts and the outer rejects, over the characters both name plus one standing for all
others (a symbolic match is wrong: ``???*`` contains ``*?*bb``). Both are checked against
brute force by property tests.

Policy variables are unknown at analysis time: for containment they cover nothing but the
same variable (the grant cannot be proved), for overlap they behave like ``*`` (a Deny that
uses one may apply).

Documents read from an IaC template also hold *placeholders*: ``${AWS::StackName}``,
``${Stage}``, ``${OrderDLQ.Arn}``, values CloudFormation fills in at deploy time and IAM never
sees. They are not policy variables (those are ``service:key``). With ``placeholders=True``
each one reads as ``*``: the deployment that names the resource names it for the code too, so
the template's ``${AWS::StackName}-orders`` covers the code's ``*-orders``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

STAR: Final = "\x00*"
QMARK: Final = "\x00?"
_VAR_PREFIX: Final = "\x00$"

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# IAM policy variables are request-context keys: one "service:key" colon (aws:username,
# aws:PrincipalTag/team, s3:prefix). ``AWS::Region`` and ``Stage`` are template placeholders.
_POLICY_VARIABLE = re.compile(r"[A-Za-z0-9_.-]+:(?!:)\S+")
_ESCAPES: Final = {"*": "*", "?": "?", "$": "$"}

Tokens = tuple[str, ...]


def has_wildcard(text: str) -> bool:
    """True when ``text`` contains ``*`` or ``?`` (so it names more than one string)."""
    return "*" in text or "?" in text


def is_placeholder(name: str) -> bool:
    """True when ``${name}`` is a template placeholder, not an IAM policy variable."""
    return name not in _ESCAPES and _POLICY_VARIABLE.fullmatch(name) is None


def whole_placeholder(text: str) -> bool:
    """True when ``text`` is one placeholder and nothing else (``${OrderDLQ.Arn}``)."""
    m = _VARIABLE.fullmatch(text)
    return m is not None and is_placeholder(m.group(1))


@lru_cache(maxsize=65536)
def tokenize(pattern: str, *, variables: bool = True, placeholders: bool = False) -> Tokens:
    """Split an IAM pattern into tokens: single characters, ``STAR``, ``QMARK``, variables.

    Runs of wildcards are normalised (``?`` before ``*``, one ``*``) so that ``*?`` and
    ``?*`` compare as the same language. ``variables=False`` reads ``${...}`` literally, as
    IAM does for Version 2008-10-17 documents. ``placeholders=True`` reads template
    placeholders as ``*`` (see the module docstring).
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if variables and ch == "$" and pattern.startswith("${", i):
            m = _VARIABLE.match(pattern, i)
            if m is not None:
                name = m.group(1)
                if name in _ESCAPES:
                    out.append(_ESCAPES[name])
                elif placeholders and is_placeholder(name):
                    out.append(STAR)
                else:
                    out.append(_VAR_PREFIX + name.lower())
                i = m.end()
                continue
        if ch == "*":
            out.append(STAR)
        elif ch == "?":
            out.append(QMARK)
        else:
            out.append(ch)
        i += 1
    return _normalise(out)


def _normalise(tokens: list[str]) -> Tokens:
    result: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] not in (STAR, QMARK):
            result.append(tokens[i])
            i += 1
            continue
        stars = 0
        marks = 0
        while i < len(tokens) and tokens[i] in (STAR, QMARK):
            if tokens[i] == STAR:
                stars += 1
            else:
                marks += 1
            i += 1
        result.extend([QMARK] * marks)
        if stars:
            result.append(STAR)
    return tuple(result)


def literal(text: str) -> Tokens:
    """Tokens for a concrete string, in which ``*`` and ``?`` are ordinary characters."""
    return tuple(text)


def _is_var(token: str) -> bool:
    return token.startswith(_VAR_PREFIX)


def _is_char(token: str) -> bool:
    return not token.startswith("\x00")


@lru_cache(maxsize=65536)
def contains_tokens(outer: Tokens, inner: Tokens) -> bool:
    """True when every string of ``inner`` is a string of ``outer``.

    Concrete ``inner`` strings take a quick dynamic-programming match. Otherwise the check
    searches the product of ``inner``'s automaton with the subset automaton of ``outer`` for
    a string ``inner`` accepts and ``outer`` rejects; a purely symbolic match would be wrong
    for cases like ``???*`` ⊇ ``*?*bb``. The alphabet is every character either pattern
    names plus one standing for all others. A policy variable in ``outer`` matches nothing
    here: its value is unknown, so it proves no grant.
    """
    if outer == (STAR,):
        return True
    trimmed = _trim_literals(outer, inner, exact=True)
    if trimmed is None:
        return False
    outer, inner = trimmed
    if outer == (STAR,):
        return True
    if all(_is_char(t) for t in inner):
        return _match_literal(outer, inner)
    if all(_is_char(t) for t in outer):
        return False
    other = "\x00other"
    alphabet = [*sorted({t for t in outer + inner if _is_char(t)}), other]
    start_outer = _closure(outer, frozenset({0}))
    seen: set[tuple[int, frozenset[int]]] = set()
    todo = [(i, start_outer) for i in _closure(inner, frozenset({0}))]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        i, outer_states = state
        if i == len(inner) and len(outer) not in outer_states:
            return False
        for symbol in alphabet:
            next_inner = _closure(inner, _step(inner, frozenset({i}), symbol))
            if not next_inner:
                continue
            next_outer = _closure(outer, _step(outer, outer_states, symbol))
            todo.extend((j, next_outer) for j in next_inner if (j, next_outer) not in seen)
    return True


@lru_cache(maxsize=65536)
def _literal_ends(tokens: Tokens) -> tuple[str, str]:
    """The literal text before the first and after the last non-character token."""
    head = 0
    while head < len(tokens) and _is_char(tokens[head]):
        head += 1
    if head == len(tokens):
        text = "".join(tokens)
        return text, text
    tail = len(tokens)
    while _is_char(tokens[tail - 1]):
        tail -= 1
    return "".join(tokens[:head]), "".join(tokens[tail:])


def _trim_literals(a: Tokens, b: Tokens, *, exact: bool) -> tuple[Tokens, Tokens] | None:
    """Drop the literal prefix and suffix both patterns share; None when they cannot agree.

    ARNs share long literal prefixes (``arn:aws:s3:::``), so this settles most comparisons
    before any automaton or dynamic programming. Two different literal characters at the same
    end rule out overlap and containment. With ``exact`` (containment of ``b`` in ``a``), a
    literal run in ``a`` longer than ``b``'s also rules it out: ``b``'s wildcard there can
    produce another character, or none.
    """
    a_head, a_tail = _literal_ends(a)
    b_head, b_tail = _literal_ends(b)
    if not (a_head.startswith(b_head) or b_head.startswith(a_head)):
        return None
    if not (a_tail.endswith(b_tail) or b_tail.endswith(a_tail)):
        return None
    a_whole = len(a_head) == len(a)
    b_whole = len(b_head) == len(b)
    if a_whole or b_whole:
        # A fully literal side: its head and tail overlap; leave it to the exact matchers.
        if exact and a_whole and not b_whole:
            return None
        return a, b
    if exact and (len(a_head) > len(b_head) or len(a_tail) > len(b_tail)):
        return None
    front = min(len(a_head), len(b_head))
    back = min(len(a_tail), len(b_tail))
    return a[front : len(a) - back], b[front : len(b) - back]


def _vars_as_stars(tokens: Tokens) -> Tokens:
    return tuple(STAR if _is_var(t) else t for t in tokens)


def _closure(tokens: Tokens, states: frozenset[int]) -> frozenset[int]:
    """States reachable by letting each ``*`` match nothing."""
    out = set(states)
    for i in sorted(states):
        while i < len(tokens) and tokens[i] == STAR:
            i += 1
            out.add(i)
    return frozenset(out)


def _step(tokens: Tokens, states: frozenset[int], symbol: str) -> frozenset[int]:
    out: set[int] = set()
    for i in states:
        if i >= len(tokens):
            continue
        tok = tokens[i]
        if tok == STAR:
            out.add(i)
        elif tok in (QMARK, symbol):
            out.add(i + 1)
    return frozenset(out)


def _match_literal(pattern: Tokens, text: Tokens) -> bool:
    """Classic glob match of a concrete string; variables match nothing."""
    m, n = len(pattern), len(text)
    ok = [[False] * (n + 1) for _ in range(m + 1)]
    ok[m][n] = True
    for i in range(m - 1, -1, -1):
        tok = pattern[i]
        for j in range(n, -1, -1):
            if tok == STAR:
                ok[i][j] = ok[i + 1][j] or (j < n and ok[i][j + 1])
            elif j < n and (tok == QMARK or tok == text[j]):
                ok[i][j] = ok[i + 1][j + 1]
    return ok[0][0]


@lru_cache(maxsize=65536)
def overlaps_tokens(left: Tokens, right: Tokens) -> bool:
    """True when some string is matched by both ``left`` and ``right``."""
    trimmed = _trim_literals(left, right, exact=False)
    if trimmed is None:
        return False
    left, right = trimmed
    # Against a concrete string, overlap is plain matching (a variable may be anything).
    if all(_is_char(t) for t in right):
        return _match_literal(_vars_as_stars(left), right)
    if all(_is_char(t) for t in left):
        return _match_literal(_vars_as_stars(right), left)
    m, n = len(left), len(right)
    ok = [[False] * (n + 1) for _ in range(m + 1)]
    for i in range(m, -1, -1):
        for j in range(n, -1, -1):
            if i == m and j == n:
                ok[i][j] = True
                continue
            a = left[i] if i < m else None
            b = right[j] if j < n else None
            result = False
            if a is not None and (a == STAR or _is_var(a)):
                result = ok[i + 1][j] or (b is not None and ok[i][j + 1])
            if not result and b is not None and (b == STAR or _is_var(b)):
                result = ok[i][j + 1] or (a is not None and ok[i + 1][j])
            if not result and a is not None and b is not None:
                one_char = a in (QMARK,) or _is_char(a)
                other_char = b in (QMARK,) or _is_char(b)
                if one_char and other_char and (a in (QMARK, b) or b == QMARK):
                    result = ok[i + 1][j + 1]
            ok[i][j] = result
    return ok[0][0]


def matches(
    pattern: str, value: str, *, ignore_case: bool = False, placeholders: bool = False
) -> bool:
    """True when the concrete string ``value`` matches the IAM ``pattern``."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return contains_tokens(tokenize(pattern, placeholders=placeholders), literal(value))


def contains(
    outer: str,
    inner: str,
    *,
    ignore_case: bool = False,
    variables: bool = True,
    placeholders: bool = False,
) -> bool:
    """True when the pattern ``outer`` covers every string of the pattern ``inner``."""
    if ignore_case:
        outer, inner = outer.lower(), inner.lower()
    outer_tokens = tokenize(outer, variables=variables, placeholders=placeholders)
    return contains_tokens(outer_tokens, tokenize(inner, variables=False))


def overlaps(
    left: str,
    right: str,
    *,
    ignore_case: bool = False,
    variables: bool = True,
    placeholders: bool = False,
) -> bool:
    """True when some string matches both the policy pattern ``left`` and ``right``."""
    if ignore_case:
        left, right = left.lower(), right.lower()
    left_tokens = tokenize(left, variables=variables, placeholders=placeholders)
    return overlaps_tokens(left_tokens, tokenize(right, variables=False))
