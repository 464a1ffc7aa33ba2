"""The shared records: value patterns and the policy document's JSON shape."""

from least_priv.model import (
    Condition,
    EnvRef,
    PolicyDocument,
    Statement,
    TemplateRef,
    Unknown,
    Value,
)


def test_value_pattern_keeps_known_parts_and_stars_the_rest() -> None:
    value = Value(("uploads/", Unknown("user id"), "/", Unknown(), ".json"))
    assert value.pattern() == "uploads/*/*.json"
    assert not value.is_literal
    assert value.text is None


def test_adjacent_unknowns_collapse_to_one_star() -> None:
    assert Value((Unknown(), Unknown(), "x")).pattern() == "*x"


def test_env_refs_resolve_through_env_then_default() -> None:
    value = Value(("pre-", EnvRef("TABLE", default="fallback")))
    assert value.pattern({"TABLE": "orders"}) == "pre-orders"
    assert value.pattern({}) == "pre-fallback"
    assert Value((EnvRef("MISSING"),)).pattern({}) == "*"


def test_template_refs_use_known_name_only() -> None:
    assert Value((TemplateRef("OrdersTable", known="orders"),)).pattern() == "orders"
    assert Value((TemplateRef("OrdersTable"),)).pattern() == "*"


def test_dict_values_answer_literal_keys() -> None:
    items = Value(mapping=((Value.literal("orders"), Value.unknown()),))
    assert items.get("orders") == Value.unknown()
    assert items.get("other") is None


def test_policy_document_json_shape() -> None:
    doc = PolicyDocument(
        (
            Statement(("s3:GetObject",), ("arn:aws:s3:::b/*",), sid="S3Read"),
            Statement(
                ("kms:Decrypt", "kms:GenerateDataKey"),
                ("*",),
                (Condition("StringEquals", "kms:ViaService", ("s3.us-east-1.amazonaws.com",)),),
            ),
        )
    )
    assert doc.to_json() == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "S3Read", "Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
        ],
    }
