"""Reading what a role holds from the shapes IAM's API and CLI print."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from least_priv.attached import decode_document, from_files, role_name_of, template_value

from .helpers import FIX

DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
}


def test_url_encoded_documents_as_the_raw_api_returns_them() -> None:
    encoded = urllib.parse.quote(json.dumps(DOC))
    assert decode_document(encoded) == DOC
    assert decode_document(json.dumps(DOC)) == DOC
    assert decode_document(DOC) is DOC


@pytest.mark.parametrize(
    "wrapper",
    [
        lambda d: {"RoleName": "orders", "PolicyName": "send", "PolicyDocument": d},
        lambda d: {"PolicyVersion": {"Document": d, "VersionId": "v3", "IsDefaultVersion": True}},
        lambda d: {"PolicyVersion": {"Document": urllib.parse.quote(json.dumps(d))}},
    ],
    ids=["get-role-policy", "get-policy-version", "url-encoded"],
)
def test_cli_output_shapes(tmp_path: Path, wrapper) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(wrapper(DOC)))
    attached = from_files([str(path)])
    assert attached.findings == ()
    [policy] = attached.identity
    assert policy.statements[0].actions == ("sqs:SendMessage",)


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    missing = tmp_path / "nope.json"
    attached = from_files([str(empty), str(missing)])
    assert [f.code for f in attached.findings] == ["LP610", "LP610"]
    assert attached.identity == ()


def test_role_names_from_arns() -> None:
    assert role_name_of("arn:aws:iam::123456789012:role/service/orders-fn") == "orders-fn"
    assert role_name_of("orders-fn") == "orders-fn"


def test_intrinsics_left_in_a_document_become_unknowns() -> None:
    assert template_value({"Fn::GetAtt": ["OrdersTable", "Arn"]}) == "${OrdersTable.Arn}"
    assert template_value({"Fn::Sub": ["arn:aws:s3:::${B}/*", {"B": "x"}]}) == "arn:aws:s3:::${B}/*"
    assert template_value({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}) == (
        "arn:aws:s3:::${Bucket}/*"
    )
    assert template_value({"Fn::If": ["C", "a", "b"]}) == "${Fn::If}"


def test_output_option_writes_the_report(tmp_path: Path) -> None:
    from least_priv.cli import main

    out = tmp_path / "report.md"
    code = main(
        [
            "diff",
            "--required",
            str(FIX / "orders" / "required.json"),
            "--policy",
            str(FIX / "orders" / "required.json"),
            "--format",
            "markdown",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert "no missing permissions" in out.read_text()
