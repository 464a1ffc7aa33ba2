"""Which records belong to the role under study, and the cheap textual prefilter.

A role is identified by account and name: ``userIdentity.sessionContext.sessionIssuer.arn``
carries the role's path (``role/service-role/fn-role``) which users often leave out, and a
role name is unique in its account whatever its path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from least_priv.trail.errors import TrailUsageError
from least_priv.trail.records import Record
from least_priv.trail.window import Window


class RoleArnError(TrailUsageError):
    """A ``--role-arn`` that is neither a role ARN nor an assumed-role ARN."""


def parse_role(arn: str) -> tuple[str, str, str]:
    """``(account, role name, session name)`` of a role or assumed-role ARN.

    ``arn:aws:iam::123456789012:role/path/name`` → ``("123456789012", "name", "")``;
    ``arn:aws:sts::123456789012:assumed-role/name/session`` → ``(..., "name", "session")``.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise RoleArnError(f"not an ARN: {arn!r}")
    account, resource = parts[4], parts[5]
    if parts[2] == "iam" and resource.startswith("role/"):
        return account, resource.rsplit("/", 1)[-1], ""
    if parts[2] == "sts" and resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        if len(pieces) >= 3:
            return account, pieces[1], pieces[2]
    raise RoleArnError(f"not a role or assumed-role ARN: {arn!r}")


@dataclass(slots=True)
class Matcher:
    """Decides whether a record was made by the role, in the window."""

    account: str
    role_name: str
    session_name: str
    window: Window
    issuers: dict[str, bool] = field(default_factory=dict)  # issuer ARN → is the role
    _last_had_role: bool = field(default=True, compare=False, repr=False)

    @staticmethod
    def build(role_arn: str, window: Window, session_name: str | None = None) -> Matcher:
        """A matcher for ``role_arn`` (a session in an assumed-role ARN counts as a filter)."""
        account, name, session = parse_role(role_arn)
        return Matcher(account, name, session_name or session, window)

    @property
    def token(self) -> bytes:
        """The role name as given: bytes every matching record contains, in some case.

        IAM role names are unique whatever their case, and CloudTrail writes the name as
        the role was created, which may differ from ``--role-arn``'s spelling. A role name
        uses only ``[A-Za-z0-9+=,.@_-]``, none of which JSON escapes, so the absence of
        the name in any case proves a record cannot match, unless the text has ``\\u``
        escapes (which may spell any character): :func:`may_contain` checks for those.
        """
        return self.role_name.encode()

    def may_match(self, data: bytes) -> bool:
        """False only when no record in ``data`` can be the role's (the file prefilter).

        Files of a trail tend to come in runs with or without the role, so the cheaper
        order of the two searches is taken from the previous file's answer.
        """
        found = may_contain(data, self.token, exact_first=self._last_had_role)
        self._last_had_role = found
        return found

    def is_role(self, issuer_arn: str) -> bool:
        """True when a session issuer ARN names this role (path and case ignored)."""
        known = self.issuers.get(issuer_arn)
        if known is None:
            parts = issuer_arn.split(":", 5)
            known = (
                len(parts) == 6
                and parts[4] == self.account
                and parts[5].startswith("role/")
                and parts[5].rsplit("/", 1)[-1].lower() == self.role_name.lower()
            )
            self.issuers[issuer_arn] = known
        return known

    def is_session(self, record: Record) -> bool:
        """True when the record is the role's and, if asked, the session's."""
        if not self.is_role(record.issuer_arn):
            return False
        return not self.session_name or record.session_name == self.session_name


_ESCAPE = re.compile(rb"\\u")


def has_escape(data: bytes) -> bool:
    """True when ``data`` may hold a ``\\u`` escape.

    ``b"\\u" in data`` is slow (a two-byte needle whose last byte is everywhere in JSON);
    most trail files hold no backslash at all, which one ``memchr`` proves.
    """
    return b"\\" in data and _ESCAPE.search(data) is not None


def may_contain(data: bytes | memoryview, token: bytes, *, exact_first: bool = False) -> bool:
    """False only when no record in ``data`` can match (see :attr:`Matcher.token`).

    Proving the name absent in every case spelling takes one lower-casing pass and one
    search. ``exact_first`` tries the name as given before that: cheaper when the text
    is likely to hold it (the previous file did), dearer when not; the answer is the same.
    """
    buf = bytes(data) if isinstance(data, memoryview) else data
    if exact_first and token in buf:
        return True
    return has_escape(buf) or token.lower() in buf.lower()
