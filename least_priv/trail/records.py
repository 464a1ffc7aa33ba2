"""The part of a CloudTrail record the tool reads, as msgspec structs.

Only these fields are decoded; msgspec skips the rest of each record without building
Python objects for it, which is most of the speed of the embedded engine (see
``benchmarks/cloudtrail.py``). ``requestParameters`` stays raw bytes until a record has
matched the role, so non-matching records never pay for it.
"""

from __future__ import annotations

from typing import Any

import msgspec

_NULL = msgspec.Raw(b"null")


class Issuer(msgspec.Struct, frozen=True):
    """``userIdentity.sessionContext.sessionIssuer``: the role behind a session."""

    arn: str | None = None


class SessionContext(msgspec.Struct, frozen=True):
    """``userIdentity.sessionContext``."""

    sessionIssuer: Issuer | None = None


class Identity(msgspec.Struct, frozen=True):
    """``userIdentity``: who made the call."""

    type: str | None = None
    arn: str | None = None
    sessionContext: SessionContext | None = None


class TrailResource(msgspec.Struct, frozen=True):
    """One entry of ``resources[]``."""

    ARN: str | None = None
    type: str | None = None


class _IssuerContext(msgspec.Struct, frozen=True):
    sessionIssuer: Issuer | None = None


class _IssuerIdentity(msgspec.Struct, frozen=True):
    sessionContext: _IssuerContext | None = None


def _issuer_arn(ident: Identity | _IssuerIdentity | None) -> str:
    """``sessionContext.sessionIssuer.arn`` of a ``userIdentity``, or ``""``."""
    context = ident.sessionContext if ident is not None else None
    issuer = context.sessionIssuer if context is not None else None
    return (issuer.arn or "") if issuer is not None else ""


class Record(msgspec.Struct):
    """One CloudTrail event, reduced to what mapping to IAM needs (CloudTrail field names).

    ``count``/``first_seen``/``last_seen`` are not CloudTrail fields: sources that deliver
    pre-aggregated rows (Athena, aggregated CSV) fill them; a raw record counts once.
    """

    eventTime: str | None = None
    eventID: str | None = None
    eventSource: str | None = None
    eventName: str | None = None
    eventType: str | None = None
    awsRegion: str | None = None
    recipientAccountId: str | None = None
    errorCode: str | None = None
    errorMessage: str | None = None
    userIdentity: Identity | None = None
    requestParameters: msgspec.Raw = _NULL
    resources: list[TrailResource] | None = None
    count: int = 1
    first_seen: str | None = None
    last_seen: str | None = None

    @property
    def issuer_arn(self) -> str:
        """The role ARN behind the session, or ``""``."""
        return _issuer_arn(self.userIdentity)

    @property
    def session_name(self) -> str:
        """The role session name (the last part of an assumed-role ARN), or ``""``."""
        ident = self.userIdentity
        arn = (ident.arn or "") if ident is not None else ""
        if ":assumed-role/" not in arn:
            return ""
        return arn.rsplit("/", 1)[-1]

    def parameters(self) -> dict[str, Any]:
        """``requestParameters`` as a dict (``{}`` when absent, null or not an object)."""
        raw = bytes(self.requestParameters)
        if raw in (b"", b"null"):
            return {}
        try:
            value = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return {}
        # Exports (Athena, Lake CSV) carry requestParameters as a JSON string.
        if isinstance(value, str):
            try:
                value = msgspec.json.decode(value)
            except msgspec.DecodeError:
                return {}
        return value if isinstance(value, dict) else {}

    def is_complete(self) -> bool:
        """True when the fields every record must have are present."""
        return bool(self.eventTime and self.eventSource and self.eventName and self.userIdentity)


class IssuerOnly(msgspec.Struct):
    """A record reduced to who made it: the engine's per-record prefilter decodes only this
    (no other field is built, which keeps this second structural pass cheap)."""

    userIdentity: _IssuerIdentity | None = None

    @property
    def issuer_arn(self) -> str:
        """The role ARN behind the session, or ``""``."""
        return _issuer_arn(self.userIdentity)


class IssuerFile(msgspec.Struct):
    """A delivered file reduced to the issuer of each record, in order."""

    Records: list[IssuerOnly]


class TrailFile(msgspec.Struct):
    """A file as CloudTrail delivers it, ``{"Records": [...]}``, decoded in full.

    The engine does not use it (it decodes only candidate records, see
    :class:`RawTrailFile`); the benchmark compares against it.
    """

    Records: list[Record]


class RawTrailFile(msgspec.Struct):
    """The same file split into raw records: a structural parse that builds no objects.

    The engine's first pass; only records that can name the role are then decoded.
    """

    Records: list[msgspec.Raw]


class LookupEvent(msgspec.Struct):
    """One item of ``aws cloudtrail lookup-events`` output: the record is a JSON string."""

    CloudTrailEvent: str | None = None


class LookupFile(msgspec.Struct):
    """``aws cloudtrail lookup-events`` output: ``{"Events": [...]}``."""

    Events: list[LookupEvent]
