"""Shared inputs for the diff tests: the orders fixture's requirements with real call sites."""

from __future__ import annotations

from pathlib import Path

from least_priv.model import Condition, Location, Permission, Provenance

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "diff"
APP = FIX / "orders" / "src" / "app.py"
ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders"


def _line(needle: str) -> Location:
    """The location of the first line of app.py containing ``needle`` (so edits stay true)."""
    rel = str(APP.relative_to(ROOT))
    for number, text in enumerate(APP.read_text().splitlines(), start=1):
        if needle in text:
            return Location(rel, number, text.index(needle))
    raise AssertionError(f"{needle!r} not in {APP}")


def _perm(action: str, resource: str, call: str, *conds: Condition) -> Permission:
    return Permission(action, resource, conds, (Provenance("code", _line(call), call),))


def orders_required(*, kms_region: str = "us-east-1") -> list[Permission]:
    """What the orders handler needs, as the policy engine would report it."""
    via = Condition("StringEquals", "kms:ViaService", (f"s3.{kms_region}.amazonaws.com",))
    return [
        _perm("s3:GetObject", "arn:aws:s3:::orders-bucket/incoming/*", "s3.get_object"),
        _perm("dynamodb:GetItem", TABLE, "dynamodb.get_item"),
        _perm("dynamodb:UpdateItem", TABLE, "dynamodb.update_item"),
        _perm("dynamodb:PutItem", TABLE, "dynamodb.put_item"),
        _perm("dynamodb:DeleteItem", TABLE, "dynamodb.delete_item"),
        _perm("dynamodb:Query", f"{TABLE}/index/by-customer", "dynamodb.query"),
        _perm("s3:PutObject", "arn:aws:s3:::orders-bucket/processed/*", "s3.put_object"),
        _perm(
            "kms:GenerateDataKey", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*", "s3.put_object", via
        ),
        _perm(
            "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-events", "sqs.send_message"
        ),
    ]
