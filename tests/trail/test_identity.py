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


def _candidates(text: bytes, matcher: Matcher) -> int:
    """How many records of a delivered file the engine's prefilters let through."""
    from least_priv.trail.decode import FileStats, _decode_document

    if not may_contain(text, matcher.token):
        return 0
    return len(_decode_document("f.json", text, b"Records", matcher, FileStats()))


@settings(deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True),
    st.booleans(),
    st.sampled_from([str, str.lower, str.upper, str.swapcase]),
)
def test_prefilter_never_skips_a_record_of_the_role(
    name: str, escape_slashes: bool, spelling: object
) -> None:
    """Any JSON encoding of a matching record passes both prefilters, however the user
    spells the role name (IAM role names are unique whatever their case)."""
    record = {
        "eventTime": "2026-03-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "userIdentity": {
            "sessionContext": {"sessionIssuer": {"arn": f"arn:aws:iam::123456789012:role/{name}"}}
        },
    }
    text = json.dumps({"Records": [record]}, ensure_ascii=True)
    if escape_slashes:
        text = text.replace("/", "\\/")
    given_name = spelling(name)  # type: ignore[operator]
    matcher = Matcher.build(f"arn:aws:iam::123456789012:role/{given_name}", WINDOW)
    assert may_contain(text.encode(), matcher.token)
    assert _candidates(text.encode(), matcher) == 1


def test_prefilter_skips_text_without_the_name() -> None:
    text = json.dumps({"userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice"}})
    assert not may_contain(text.encode(), b"report-exporter-role")
    # A \\u escape could spell the name: such text is never skipped.
    assert may_contain(b'{"a": "\\u0072eport-exporter-role"}', b"report-exporter-role")
    # Another case spelling is the same role.
    assert may_contain(b'{"a": "role/Report-Exporter-Role"}', b"report-exporter-role")


def test_per_record_prefilter_decodes_only_the_roles_records(make_record) -> None:  # type: ignore[no-untyped-def]
    mine = make_record("2026-03-01T00:00:00Z", "s3.amazonaws.com", "GetObject", None)
    other = make_record(
        "2026-03-01T00:00:00Z", "s3.amazonaws.com", "GetObject", None,
        role=ROLE.replace("report-exporter-role", "ingest-role"),
    )  # fmt: skip
    text = json.dumps({"Records": [other, mine, other]}).encode()
    upper = Matcher.build(ROLE.replace("report-exporter-role", "REPORT-EXPORTER-ROLE"), WINDOW)
    assert _candidates(text, upper) == 1
    # A record whose identity has an unexpected shape is decoded (and judged) in full:
    # it is counted as malformed, not silently skipped.
    from least_priv.trail.decode import FileStats, _decode_document

    odd = json.dumps({"Records": [other, {**mine, "userIdentity": ROLE}]}).encode()
    stats = FileStats()
    assert _decode_document("f.json", odd, b"Records", Matcher.build(ROLE, WINDOW), stats) == []
    assert stats.malformed == 1


def test_role_names_match_whatever_their_case(make_record) -> None:  # type: ignore[no-untyped-def]
    record = _record(make_record("2026-03-01T00:00:00Z", "s", "n", None))
    for spelling in ("Report-Exporter-Role", "REPORT-EXPORTER-ROLE", "report-exporter-role"):
        assert Matcher.build(f"arn:aws:iam::123456789012:role/{spelling}", WINDOW).is_session(
            record
        )


def test_observe_with_the_role_name_in_another_case_sees_the_same_calls() -> None:
    from least_priv.trail import observe

    from .conftest import MERGE_DYNAMIC

    window = {"since": "2026-03-01", "until": "2026-03-03", "progress": False, "jobs": 1}
    exact = observe([str(MERGE_DYNAMIC)], role_arn=ROLE, **window)  # type: ignore[arg-type]
    shouted = observe(
        [str(MERGE_DYNAMIC)],
        role_arn=ROLE.replace("report-exporter-role", "Report-Exporter-Role"),
        **window,  # type: ignore[arg-type]
    )
    assert exact.stats.matched > 0
    assert shouted.permissions == exact.permissions
    assert shouted.stats == exact.stats
