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
    _patterns: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None

    @staticmethod
    def build(role_arn: str, window: Window, session_name: str | None = None) -> Matcher:
        """A matcher for ``role_arn`` (a session in an assumed-role ARN counts as a filter)."""
        account, name, session = parse_role(role_arn)
        return Matcher(account, name, session_name or session, window)

    @property
    def token(self) -> bytes:
        """Bytes every matching record contains verbatim.

        A role name uses only ``[A-Za-z0-9+=,.@_-]``, none of which JSON escapes, so its
        absence proves a record cannot match, unless the text has ``\\u`` escapes (which
        may spell any character): callers check for those too.
        """
        return self.role_name.encode()

    def prefilter(self, escapes: bool) -> re.Pattern[bytes]:
        """A search for raw record bytes that can be the role's.

        ``escapes`` says whether the text holds ``\\u`` escapes at all (one cheap test per
        file): without them the pattern is the bare :attr:`token`, which ``re`` searches as
        a literal; with them any record holding an escape is a candidate too.
        """
        index = int(escapes)
        pattern = self._patterns[index] if self._patterns else None
        if pattern is None:
            literal = re.compile(re.escape(self.token))
            escaped = re.compile(re.escape(self.token) + rb"|\\u")
            self._patterns = (literal, escaped)
            pattern = self._patterns[index]
        return pattern

    def is_role(self, issuer_arn: str) -> bool:
        """True when a session issuer ARN names this role (path ignored)."""
        known = self.issuers.get(issuer_arn)
        if known is None:
            parts = issuer_arn.split(":", 5)
            known = (
                len(parts) == 6
                and parts[4] == self.account
                and parts[5].startswith("role/")
                and parts[5].rsplit("/", 1)[-1] == self.role_name
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


def may_contain(data: bytes | memoryview, token: bytes) -> bool:
    """False only when no record in ``data`` can match (see :attr:`Matcher.token`)."""
    buf = bytes(data) if isinstance(data, memoryview) else data
    return token in buf or has_escape(buf)
