"""diff_permissions on the fixture roles: missing, excess and conditional, each for a reason."""

from __future__ import annotations

import json

from least_priv.attached import from_files
from least_priv.diff import diff_permissions, required_from_document
from least_priv.evaluate import Decision, PolicySource
from least_priv.model import Condition, Location, Permission, Provenance

from .helpers import ACCOUNT, FIX, TABLE, orders_required


def _diff(*policy_files: str, boundary: str | None = None, required=None):  # type: ignore[no-untyped-def]
    attached = from_files([str(FIX / p) for p in policy_files])
    if boundary is not None:
        extra = from_files([str(FIX / boundary)], origin="boundary")
        attached = attached.with_boundary(extra.identity, extra.findings)
    return diff_permissions(
        required if required is not None else orders_required(),
        attached.policy_set(),
        label=attached.label,
        findings=attached.all_findings(),
    )


def test_sam_crud_role_misses_kms_for_sse_and_grants_far_too_much() -> None:
    result = _diff("orders/role-expanded.json")
    assert [(m.action, m.decision) for m in result.missing] == [
        ("kms:GenerateDataKey", Decision.NOT_ALLOWED)
    ]
    missing = result.missing[0]
    assert missing.provenance[0].location is not None
    assert missing.provenance[0].location.path.endswith("orders/src/app.py")
    assert "no statement of the role allows it" in missing.reasons
    kinds = {(e.kind, e.action, e.resource) for e in result.excess}
    # Service level: logs and SNS are never called.
    assert ("service", "logs:*", "*") in kinds
    assert ("service", "sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:orders-*") in kinds
    # Action level: CRUD grants Scan and batch calls the code never makes.
    crud_unused = {
        e.action
        for e in result.excess
        if e.kind == "action" and e.statement.endswith("(Sid DynamoDBCrudPolicy)")
    }
    assert crud_unused == {
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "dynamodb:Scan",
    }
    # s3:* serves GetObject and PutObject, on far more than the two prefixes.
    s3_action = next(e for e in result.excess if e.kind == "action" and e.action == "s3:*")
    assert ("s3:GetObject", "arn:aws:s3:::orders-bucket/incoming/*") in s3_action.used
    # Resource level, kept apart: every bucket, and every index where one is used.
    assert ("resource", "s3:GetObject, s3:PutObject", "*") in kinds
    index = next(
        e
        for e in result.excess
        if e.kind == "resource" and e.resource.endswith("*") and "dynamodb" in e.resource
    )
    assert index.resource == f"{TABLE}/index/*"
    assert f"`{TABLE}/index/by-customer`" in index.message
    assert result.exit_code() == 2


def test_explicit_deny_removes_a_needed_action_and_tls_deny_does_not_apply() -> None:
    result = _diff("policies/deny-delete.json")
    assert [(m.action, m.decision) for m in result.missing] == [
        ("dynamodb:DeleteItem", Decision.DENIED)
    ]
    assert result.missing[0].statements == (
        "file policy deny-delete.json, statement 5 (Sid NoDeletesInProduction)",
    )
    # kms:ViaService is pinned by the requirement itself, SecureTransport by boto3's HTTPS.
    assert result.conditional == ()
    assert result.exit_code() == 2


def test_via_service_with_unknown_region_is_conditional_not_allowed() -> None:
    required = [p for p in orders_required(kms_region="*") if p.action.startswith("kms:")]
    result = _diff("policies/deny-delete.json", required=required)
    assert result.missing == ()
    [cond] = result.conditional
    assert cond.action == "kms:GenerateDataKey"
    assert any("kms:ViaService" in r for r in cond.reasons)


def test_boundary_blocks_what_the_role_allows() -> None:
    result = _diff("policies/role-wide.json", boundary="policies/boundary-no-sqs.json")
    assert [m.action for m in result.missing] == ["sqs:SendMessage"]
    assert result.missing[0].reasons == (
        "allowed by the role but outside its permissions boundary",
    )
    without = _diff("policies/role-wide.json")
    assert without.missing == ()


def test_notaction_role_allows_everything_needed_and_is_reported_as_excess() -> None:
    result = _diff("policies/notaction-poweruser.json")
    assert result.missing == () and result.conditional == ()
    [not_action] = [e for e in result.excess if e.action.startswith("NotAction")]
    assert not_action.action == "NotAction iam:*, organizations:*, account:*"
    assert len(not_action.used) == len(orders_required())
    assert result.exit_code() == 0
    assert result.exit_code(fail_on_excess=True) == 1


def test_notaction_excludes_what_it_names() -> None:
    needs_iam = [
        Permission(
            "iam:PassRole",
            f"arn:aws:iam::{ACCOUNT}:role/orders-worker",
            provenance=(Provenance("code"),),
        )
    ]
    result = _diff("policies/notaction-poweruser.json", required=needs_iam)
    assert [m.action for m in result.missing] == ["iam:PassRole"]


def test_required_wildcard_resource_partly_granted_is_conditional() -> None:
    # The analysis knows the bucket, not the key prefix; the role grants only incoming/*.
    unknown_key = [Permission("s3:GetObject", "arn:aws:s3:::orders-bucket/*")]
    result = _diff("policies/narrow.json", required=unknown_key)
    assert result.missing == ()
    [cond] = result.conditional
    assert "covers only part of the resources" in cond.reasons[0]


def test_exact_role_is_clean() -> None:
    path = FIX / "orders" / "required.json"
    perms, docs, findings = required_from_document(
        json.loads(path.read_text()), PolicySource("required", "file", Location(str(path)))
    )
    assert findings == []
    result = _diff("orders/required.json", required=perms)
    assert (result.missing, result.excess, result.conditional) == ((), (), ())
    assert result.exit_code(fail_on_excess=True) == 0
    assert len(docs) == 1 and len(docs[0].statements) == 6


def test_conditions_in_requirements_reach_the_evaluator() -> None:
    via = Condition("StringEquals", "kms:ViaService", ("sqs.us-east-1.amazonaws.com",))
    wrong_service = [
        Permission("kms:GenerateDataKey", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*", (via,))
    ]
    result = _diff("policies/deny-delete.json", required=wrong_service)
    assert [m.action for m in result.missing] == ["kms:GenerateDataKey"]


def test_unpinned_action_is_conditional_and_not_called_excess() -> None:
    # The analysis saw getattr(s3, name)(...) and could only say "some s3 action on the bucket".
    unpinned = [Permission("s3:*", "arn:aws:s3:::orders-bucket/*")]
    narrow = _diff("policies/deny-delete.json", required=unpinned)
    [cond] = narrow.conditional
    assert "covers only part of the actions: it names s3:GetObject, s3:PutObject" in cond.reasons[0]
    wide = _diff("orders/role-expanded.json", required=unpinned)
    assert wide.conditional == () and wide.missing == ()
    s3_star = [e for e in wide.excess if e.action == "s3:*"]
    assert [e.kind for e in s3_star] == ["resource"]  # every s3 action may be needed


def test_guardrail_denies_decided_by_region_and_via_service() -> None:
    attached = from_files([str(FIX / "policies" / "guardrails.json")])
    required = orders_required()
    direct_kms = Permission(
        "kms:Decrypt",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        provenance=(Provenance("code", Location("src/app.py", 40, 4)),),
    )
    home = diff_permissions([*required, direct_kms], attached.policy_set(), region="us-east-1")
    # Via S3, KMS is fine; the handler's own kms:Decrypt hits KeysOnlyThroughServices.
    assert [(m.action, m.decision) for m in home.missing] == [("kms:Decrypt", Decision.DENIED)]
    assert home.conditional == ()
    away = diff_permissions(required, attached.policy_set(), region="eu-west-1")
    assert len(away.missing) == len(required)
    unknown = diff_permissions(required, attached.policy_set())
    assert len(unknown.conditional) == len(required)
    assert any("aws:RequestedRegion" in r for r in unknown.conditional[0].reasons)


def test_principal_arn_conditions_use_the_roles_arn() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/service/*"}},
            }
        ],
    }
    from least_priv.evaluate import PolicySet, parse_policy

    policies = PolicySet((parse_policy(doc, PolicySource("p", "inline", Location("p"))),))
    need = [Permission("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-events")]
    ok = diff_permissions(
        need, policies, principal_arn=f"arn:aws:iam::{ACCOUNT}:role/service/orders"
    )
    other = diff_permissions(need, policies, principal_arn=f"arn:aws:iam::{ACCOUNT}:role/admin")
    unknown = diff_permissions(need, policies)
    assert (len(ok.missing), len(other.missing), len(unknown.conditional)) == (0, 1, 1)


def test_typos_in_a_boundary_are_reported_too() -> None:
    from least_priv.diff import load_catalog

    catalog, notes = load_catalog()
    assert catalog is not None and notes == []
    attached = from_files([str(FIX / "policies" / "role-wide.json")])
    typo = from_files([str(FIX / "bad" / "typo-actions.json")], origin="boundary")
    attached = attached.with_boundary(typo.identity)
    result = diff_permissions(orders_required(), attached.policy_set(), catalog=catalog)
    assert any(f.code == "LP614" and "s3:GetObjet" in f.message for f in result.findings)


def test_open_region_and_account_get_a_hint() -> None:
    unpinned = [Permission("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Orders")]
    result = _diff("orders/role-expanded.json", required=unpinned)
    [cond] = result.conditional
    assert cond.reasons[-1] == (
        "the code's ARN leaves region and account open: give --region and --account"
    )


def test_actions_without_resource_types_need_a_star_grant() -> None:
    from least_priv.diff import load_catalog
    from least_priv.evaluate import PolicySet, parse_policy

    catalog, _ = load_catalog()
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-events"

    def policies(resource: str) -> PolicySet:
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": resource}],
        }
        return PolicySet((parse_policy(doc, PolicySource("p", "inline", Location("p"))),))

    need = [Permission("sqs:ListQueues", "*")]
    # IAM evaluates ListQueues against "*": a queue ARN (even a wildcard one) never grants it.
    assert [m.action for m in diff_permissions(need, policies(queue), catalog=catalog).missing] == [
        "sqs:ListQueues"
    ]
    assert diff_permissions(need, policies("arn:aws:sqs:*"), catalog=catalog).missing != ()
    assert diff_permissions(need, policies("*"), catalog=catalog).missing == ()
    # Without the catalog the tool cannot tell, so it does not claim either way.
    assert len(diff_permissions(need, policies(queue)).conditional) == 1


def test_a_resource_nothing_uses_is_resource_excess() -> None:
    from least_priv.evaluate import PolicySet, parse_policy

    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Tables",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "Resource": [TABLE, f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/LegacyOrders"],
            }
        ],
    }
    policies = PolicySet((parse_policy(doc, PolicySource("p", "inline", Location("p"))),))
    need = [p for p in orders_required() if p.action in ("dynamodb:GetItem", "dynamodb:PutItem")]
    result = diff_permissions(need, policies)
    [entry] = result.excess
    assert (entry.kind, entry.resource) == (
        "resource",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/LegacyOrders",
    )
    assert entry.message.endswith("the code uses none of it")
