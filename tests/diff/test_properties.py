"""Properties of the diff as a whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.diff import diff_permissions, required_from_document
from least_priv.evaluate import PolicySet, PolicySource, contains, parse_policy
from least_priv.model import Location, Permission, PolicyDocument, Statement

ACTIONS = ("s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage")
RESOURCES = (
    "arn:aws:s3:::orders-bucket/incoming/*",
    "arn:aws:s3:::orders-bucket/*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*",
    "arn:aws:sqs:us-east-1:123456789012:orders-events",
    "arn:aws:dynamodb:*:*:table/*",
)
PERMISSIONS = st.lists(
    st.builds(Permission, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES)),
    min_size=1,
    max_size=8,
)
SRC = PolicySource("p", "inline", Location("p.json"))


def _as_policy(perms: list[Permission]) -> PolicySet:
    doc = PolicyDocument(tuple(Statement((p.action,), (p.resource,)) for p in perms))
    return PolicySet((parse_policy(doc.to_json(), SRC),))


@settings(max_examples=60, deadline=None)
@given(PERMISSIONS)
def test_a_policy_written_from_the_requirement_is_clean(perms: list[Permission]) -> None:
    result = diff_permissions(perms, _as_policy(perms))
    assert (result.missing, result.excess, result.conditional) == ((), (), ())
    assert result.exit_code(fail_on_excess=True) == 0


@settings(max_examples=60, deadline=None)
@given(PERMISSIONS, st.integers(min_value=0, max_value=7))
def test_dropping_a_statement_shows_up_as_missing_or_conditional(
    perms: list[Permission], index: int
) -> None:
    dropped = perms[index % len(perms)]
    kept = [p for p in perms if (p.action, p.resource) != (dropped.action, dropped.resource)]
    result = diff_permissions(perms, _as_policy(kept) if kept else PolicySet(()))
    flagged = {(e.action, e.resource) for e in (*result.missing, *result.conditional)}
    # Another kept grant may still cover it (orders-bucket/* covers incoming/*), never silently.
    covered = any(
        p.action == dropped.action
        and p.resource != dropped.resource
        and contains(p.resource, dropped.resource)
        for p in kept
    )
    assert covered or (dropped.action, dropped.resource) in flagged


def test_required_document_round_trip() -> None:
    perms = [Permission(a, r) for a in ACTIONS[:2] for r in RESOURCES[:2]]
    doc = PolicyDocument(tuple(Statement((p.action,), (p.resource,)) for p in perms))
    back, docs, findings = required_from_document(doc.to_json(), SRC)
    assert findings == []
    assert sorted((p.action, p.resource) for p in back) == sorted(
        (p.action, p.resource) for p in perms
    )
    assert docs[0].to_json() == doc.to_json()
