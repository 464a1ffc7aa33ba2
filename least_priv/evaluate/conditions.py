"""IAM condition operators, decided against what the tool knows about a request.

A request context maps condition keys (case-insensitive, as IAM treats them) to the values
the request would carry. The tool knows few of them for sure — ``kms:ViaService`` for a KMS
call it generated on behalf of S3, ``aws:SecureTransport`` (boto3 always signs over HTTPS),
``aws:RequestedRegion`` when ``--region`` is given. A key missing from the context makes the
condition ``UNKNOWN``: the statement is then *conditional*, never silently allowed.
"""

from __future__ import annotations

import enum
import ipaddress
import operator as op
from collections.abc import Callable, Mapping, Sequence

from least_priv.evaluate.patterns import matches


class Tri(enum.IntEnum):
    """Three-valued logic: ordered so that ``min`` is AND and ``max`` is OR."""

    NO = 0
    MAYBE = 1
    YES = 2

    @staticmethod
    def of(value: bool) -> Tri:
        """``YES`` for True, ``NO`` for False."""
        return Tri.YES if value else Tri.NO


Context = Mapping[str, tuple[str, ...]]

_STRING_OPS = {
    "stringequals": ("eq", False, False),
    "stringnotequals": ("eq", True, False),
    "stringequalsignorecase": ("eq", False, True),
    "stringnotequalsignorecase": ("eq", True, True),
    "stringlike": ("like", False, False),
    "stringnotlike": ("like", True, False),
    "arnequals": ("like", False, False),
    "arnlike": ("like", False, False),
    "arnnotequals": ("like", True, False),
    "arnnotlike": ("like", True, False),
    "binaryequals": ("eq", False, False),
}
_NUMERIC_OPS: dict[str, tuple[Callable[[float, float], bool], bool]] = {
    "numericequals": (op.eq, False),
    "numericnotequals": (op.eq, True),
    "numericlessthan": (op.lt, False),
    "numericlessthanequals": (op.le, False),
    "numericgreaterthan": (op.gt, False),
    "numericgreaterthanequals": (op.ge, False),
}
_DATE_OPS = {
    "dateequals",
    "datenotequals",
    "datelessthan",
    "datelessthanequals",
    "dategreaterthan",
    "dategreaterthanequals",
}
_OTHER_OPS = {"bool", "null", "ipaddress", "notipaddress"}


def split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``foranyvalue``, ``stringlike``, True)."""
    qualifier = ""
    base = operator
    if ":" in operator:
        qualifier, base = operator.split(":", 1)
        qualifier = qualifier.lower()
    base = base.lower()
    if_exists = base.endswith("ifexists") and base != "ifexists"
    if if_exists:
        base = base[: -len("ifexists")]
    return qualifier, base, if_exists


def is_known_operator(operator: str) -> bool:
    """True when ``operator`` is an IAM condition operator this module can decide."""
    qualifier, base, if_exists = split_operator(operator)
    if qualifier not in ("", "forallvalues", "foranyvalue"):
        return False
    if base == "null" and (qualifier or if_exists):
        return False
    return base in _STRING_OPS or base in _NUMERIC_OPS or base in _DATE_OPS or base in _OTHER_OPS


def _single(base: str, actual: str, expected: Sequence[str]) -> bool | None:
    """Whether one context value satisfies the positive form of ``base``; None if unsure."""
    if base in _STRING_OPS:
        kind, _negated, ignore_case = _STRING_OPS[base]
        if kind == "eq":
            if ignore_case:
                return actual.lower() in {e.lower() for e in expected}
            return actual in expected
        return any(matches(e, actual) for e in expected)
    if base in _NUMERIC_OPS:
        compare, _negated = _NUMERIC_OPS[base]
        try:
            a = float(actual)
            return any(compare(a, float(e)) for e in expected)
        except ValueError:
            return None
    if base == "bool":
        return actual.lower() in {e.lower() for e in expected}
    if base in ("ipaddress", "notipaddress"):
        try:
            addr = ipaddress.ip_address(actual)
            return any(addr in ipaddress.ip_network(e, strict=False) for e in expected)
        except ValueError:
            return None
    return None


def _negated(base: str) -> bool:
    if base in _STRING_OPS:
        return _STRING_OPS[base][1]
    if base in _NUMERIC_OPS:
        return _NUMERIC_OPS[base][1]
    return base in ("notipaddress", "datenotequals")


def evaluate_condition(operator: str, key: str, expected: Sequence[str], context: Context) -> Tri:
    """Decide one condition (operator, key, values) against ``context``.

    Keys missing from the context give ``MAYBE`` (except ``...IfExists`` which IAM treats as
    true when the key is absent — but absence is itself unknown to the tool, so still
    ``MAYBE``). Date operators need a request time the tool never has.
    """
    if not is_known_operator(operator):
        return Tri.MAYBE
    if any("${" in value for value in expected):
        # A policy variable (${aws:PrincipalTag/team}) is only known at request time.
        return Tri.MAYBE
    qualifier, base, _if_exists = split_operator(operator)
    actual = context.get(key.lower())
    if base == "null":
        if actual is None:
            return Tri.MAYBE
        want_absent = any(e.lower() == "true" for e in expected)
        return Tri.of(not want_absent if actual else want_absent)
    if actual is None or base in _DATE_OPS:
        return Tri.MAYBE
    if not actual:
        # An empty multi-valued key: ForAllValues is vacuously true, the others false.
        return Tri.of(qualifier == "forallvalues")
    negated = _negated(base)
    results: list[bool] = []
    for value in actual:
        one = _single(base, value, expected)
        if one is None:
            return Tri.MAYBE
        results.append(not one if negated else one)
    if qualifier == "forallvalues":
        return Tri.of(all(results))
    if qualifier == "foranyvalue":
        return Tri.of(any(results))
    # Single-valued use: a negated operator must hold for every value, a positive one for any.
    return Tri.of(all(results) if negated else any(results))


def evaluate_conditions(
    conditions: Sequence[tuple[str, str, tuple[str, ...]]], context: Context
) -> Tri:
    """AND of every (operator, key, values) condition; ``YES`` when there are none."""
    result = Tri.YES
    for operator, key, values in conditions:
        result = min(result, evaluate_condition(operator, key, values, context))
        if result is Tri.NO:
            break
    return result
