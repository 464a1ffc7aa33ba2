"""IAM identity-policy evaluation: does a role allow an action on a resource pattern?

``parse_policy`` reads documents (bad input → LP6xx findings), ``evaluate`` decides a
``Request`` against a ``PolicySet`` (identity policies ∩ permissions boundary) and answers
``allowed``, ``conditional``, ``not-allowed`` or ``denied`` with the statements behind it.
"""

from __future__ import annotations

from least_priv.evaluate.conditions import Tri, evaluate_condition
from least_priv.evaluate.engine import (
    Decision,
    Evaluation,
    PolicySet,
    Request,
    StatementMatch,
    evaluate,
    match_statement,
)
from least_priv.evaluate.patterns import contains, has_wildcard, matches, overlaps
from least_priv.evaluate.policy import (
    ParsedPolicy,
    PolicySource,
    PolicyStatement,
    parse_policy,
)

__all__ = [
    "Decision",
    "Evaluation",
    "ParsedPolicy",
    "PolicySet",
    "PolicySource",
    "PolicyStatement",
    "Request",
    "StatementMatch",
    "Tri",
    "contains",
    "evaluate",
    "evaluate_condition",
    "has_wildcard",
    "match_statement",
    "matches",
    "overlaps",
    "parse_policy",
]
