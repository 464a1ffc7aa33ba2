"""The one place that builds boto3 sessions and clients for live AWS calls.

Every live operation of the tool (reading a role for ``diff``, CloudTrail lookups) goes
through here so that profile, region and endpoint handling stay the same everywhere, and
so that tests can point every client at a local moto server with ``endpoint_url``. boto3 is
imported inside the functions: the CLI must start without paying for it.
"""

from __future__ import annotations

from typing import Any


def session(profile: str | None = None, region: str | None = None) -> Any:
    """A boto3 session from the standard credential chain, optionally a named profile."""
    import boto3

    return boto3.session.Session(profile_name=profile, region_name=region)


def client(
    service: str,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> Any:
    """A boto3 client for ``service``; ``endpoint_url`` redirects it (moto in tests).

    IAM is a global service: without a region the client still needs one to sign, so
    ``us-east-1`` is used when neither the argument nor the profile names one.
    """
    from botocore.config import Config

    sess = session(profile, region)
    region_name = region or sess.region_name or "us-east-1"
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, user_agent_extra="least-priv")
    return sess.client(service, region_name=region_name, endpoint_url=endpoint_url, config=config)


def error_text(exc: BaseException) -> str:
    """A short, user-facing description of a boto3/botocore error (code and message)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code = err.get("Code", "")
        message = err.get("Message", "")
        if code or message:
            return f"{code}: {message}".strip(": ")
    return str(exc) or type(exc).__name__
