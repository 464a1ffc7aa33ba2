"""Which records are the role's, and the prefilter that must never skip one of them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.trail.identity import Matcher, RoleArnError, may_contain, parse_role
from least_priv.trail.records import Record
from least_priv.trail.window import Window

from .conftest import ROLE

WINDOW = Window.parse("2026-03-01", "2026-03-03")


def _record(data: dict[str, object]) -> Record:
    import msgspec

    return msgspec.json.decode(json.dumps(data), type=Record)


def test_parse_role_accepts_role_and_assumed_role_arns() -> None:
    assert parse_role(ROLE) == ("123456789012", "report-exporter-role", "")
    assert parse_role(
        "arn:aws:sts::123456789012:assumed-role/report-exporter-role/report-exporter"
    ) == ("123456789012", "report-exporter-role", "report-exporter")
    for bad in ("report-exporter-role", "arn:aws:iam::123456789012:user/alice"):
        with pytest.raises(RoleArnError):
            parse_role(bad)


def test_role_path_does_not_matter_but_account_does(make_record) -> None:  # type: ignore[no-untyped-def]
    matcher = Matcher.build("arn:aws:iam::123456789012:role/report-exporter-role", WINDOW)
    assert matcher.is_session(_record(make_record("2026-03-01T00:00:00Z", "s", "n", None)))
    other_account = make_record("2026-03-01T00:00:00Z", "s", "n", None)
    other_account["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = ROLE.replace(
        "123456789012", "210987654321"
    )
    assert not matcher.is_session(_record(other_account))
    prefix_name = make_record(
        "2026-03-01T00:00:00Z", "s", "n", None, role=ROLE.replace("report-", "old-report-")
    )
    assert not matcher.is_session(_record(prefix_name))


def test_session_name_narrows_to_one_function(make_record) -> None:  # type: ignore[no-untyped-def]
    matcher = Matcher.build(ROLE, WINDOW, session_name="report-exporter")
    mine = make_record("2026-03-01T00:00:00Z", "s", "n", None)
    theirs = make_record("2026-03-01T00:00:00Z", "s", "n", None, session="other-fn")
    assert matcher.is_session(_record(mine))
    assert not matcher.is_session(_record(theirs))


@settings(deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True),
    st.booleans(),
)
def test_prefilter_never_skips_a_record_of_the_role(name: str, escape_slashes: bool) -> None:
    """Any JSON encoding of a matching record contains the role name or a \\u escape."""
    record = {
        "userIdentity": {
            "sessionContext": {"sessionIssuer": {"arn": f"arn:aws:iam::123456789012:role/{name}"}}
        }
    }
    text = json.dumps(record, ensure_ascii=True)
    if escape_slashes:
        text = text.replace("/", "\\/")
    assert may_contain(text.encode(), name.encode())
    matcher = Matcher.build(f"arn:aws:iam::123456789012:role/{name}", WINDOW)
    assert matcher.prefilter(b"\\u" in text.encode()).search(text.encode())


def test_prefilter_skips_text_without_the_name() -> None:
    text = json.dumps({"userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice"}})
    assert not may_contain(text.encode(), b"report-exporter-role")
    # A \\u escape could spell the name: such text is never skipped.
    assert may_contain(b'{"a": "\\u0072eport-exporter-role"}', b"report-exporter-role")
    matcher = Matcher.build(ROLE, WINDOW)
    assert matcher.prefilter(True).search(b'{"a": "\\u0072eport-exporter-role"}')
    assert not matcher.prefilter(False).search(text.encode())
