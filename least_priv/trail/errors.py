"""The one exception type ``observe()`` raises for unusable options (usage errors)."""

from __future__ import annotations


class TrailUsageError(ValueError):
    """An option of a CloudTrail observation that cannot work: a bad role ARN or window.

    Callers (the CLI, ``least_priv.api``) turn it into a usage error (exit code 2). Bad
    *input* (files, records, live sources) never raises: it becomes LP5xx findings.
    """
