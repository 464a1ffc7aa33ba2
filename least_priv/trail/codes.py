"""Finding codes of the CloudTrail stage (LP5xx), registered with their meaning.

The codes are stable: users filter and suppress findings by code, so a number is never
reused for another meaning.
"""

from __future__ import annotations

from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import Finding, Location, Severity

UNREADABLE = "LP501"
CORRUPT_COMPRESSION = "LP502"
NOT_CLOUDTRAIL = "LP503"
MALFORMED_RECORDS = "LP504"
LARGE_INPUT = "LP505"
OVERSIZED_RECORD = "LP506"
OUTSIDE_WINDOW = "LP510"
NO_MATCH = "LP511"
DUPLICATE_EVENTS = "LP512"
ACCESS_DENIED = "LP520"
UNMAPPED_EVENT = "LP521"
CONSOLE_INTERNAL = "LP522"
UNRESOLVED_RESOURCE = "LP523"
LIVE_SOURCE_FAILED = "LP530"
OBSERVED_NOT_IN_CODE = "LP540"
UNUSED_IN_WINDOW = "LP541"
UNOBSERVABLE = "LP542"
KEPT_UNOBSERVABLE = "LP543"

_W, _N, _E = Severity.WARNING, Severity.NOTE, Severity.ERROR
_CODES = (
    FindingCode(
        UNREADABLE,
        "trail-unreadable",
        "A CloudTrail source could not be read.",
        "The path does not exist or cannot be opened. Nothing from it was used.",
        _E,
        ("input",),
    ),
    FindingCode(
        CORRUPT_COMPRESSION,
        "trail-truncated",
        "A CloudTrail file is truncated or corrupt.",
        "Records before the damage were kept; later ones are lost. Re-download the "
        "file, or accept that the observation is partial.",
        _W,
        ("input",),
    ),
    FindingCode(
        NOT_CLOUDTRAIL,
        "trail-not-cloudtrail",
        "A file is not JSON, or not one of the CloudTrail shapes read.",
        'Accepted: `{"Records": [...]}`, lookup-events output, JSON lines, CSV '
        "exports with eventsource/eventname/issuer columns.",
        _W,
        ("input",),
    ),
    FindingCode(
        MALFORMED_RECORDS,
        "trail-malformed-records",
        "Records lack eventTime, eventSource, eventName or userIdentity.",
        "Such records cannot be attributed to a role and were not used.",
        _W,
        ("input",),
    ),
    FindingCode(
        LARGE_INPUT,
        "trail-large-file",
        "A very large file was streamed record by record.",
        "Informational: memory stays bounded; the file was read in full.",
        _N,
        ("input",),
    ),
    FindingCode(
        OVERSIZED_RECORD,
        "trail-oversized-record",
        "One record exceeds the per-record limit; the rest of its file was not read.",
        "CloudTrail records are at most a few hundred KiB; this is not a real trail file.",
        _W,
        ("input",),
    ),
    FindingCode(
        OUTSIDE_WINDOW,
        "trail-outside-window",
        "Records of the role fell outside --since/--until and were ignored.",
        "Widen the window if those calls still matter.",
        _N,
    ),
    FindingCode(
        NO_MATCH,
        "trail-no-match",
        "No record in the sources was made by the role.",
        "Check --role-arn (account and role name) and --session-name; Lambda uses "
        "the function name as session name.",
        _W,
    ),
    FindingCode(
        DUPLICATE_EVENTS,
        "trail-duplicate-events",
        "Some events were delivered more than once (same eventID) and were counted once.",
        "Usual cause: an organisation trail and an account trail writing to one bucket. "
        "Nothing is lost; reading one of the two trails would be faster.",
        _N,
    ),
    FindingCode(
        ACCESS_DENIED,
        "trail-access-denied",
        "The role was denied an action: evidence of a missing permission.",
        "Denied calls are never granted silently. If the code needs the call, add "
        "the permission; if not, find out what made it.",
        _W,
        ("security",),
    ),
    FindingCode(
        UNMAPPED_EVENT,
        "trail-unmapped-event",
        "An event name maps to no IAM action known to the catalog.",
        "The event is left out of the observed policy. Add a row to the event-name "
        "table in least_priv/trail/quirks.py if it is a real API call.",
        _W,
    ),
    FindingCode(
        CONSOLE_INTERNAL,
        "trail-console-internal",
        "A console-internal or non-API event needs no identity permission.",
        "Informational: such events (sign-in, console data calls) are not granted.",
        _N,
    ),
    FindingCode(
        UNRESOLVED_RESOURCE,
        "trail-unresolved-resource",
        "The resource of observed calls could not be read from the records.",
        "The permission is emitted with a typed wildcard resource rather than "
        "dropped; narrow it by hand or from the code.",
        _N,
    ),
    FindingCode(
        LIVE_SOURCE_FAILED,
        "trail-live-source-failed",
        "An S3, LookupEvents or Athena call failed.",
        "Check credentials, region and permissions (s3:ListBucket/GetObject, "
        "cloudtrail:LookupEvents, athena:StartQueryExecution ...).",
        _E,
        ("input",),
    ),
    FindingCode(
        OBSERVED_NOT_IN_CODE,
        "observed-not-in-code",
        "CloudTrail shows a call the code analysis did not find.",
        "Usually a dynamic call (service or method computed at run time), a library "
        "making calls, or another caller sharing the role.",
        _W,
    ),
    FindingCode(
        UNUSED_IN_WINDOW,
        "code-unused-in-window",
        "The code needs a permission CloudTrail could see, but it was never used.",
        "The code path may be rare (error handling, a yearly job) or dead. Widen the "
        "window before removing anything.",
        _N,
    ),
    FindingCode(
        UNOBSERVABLE,
        "code-unobservable",
        "CloudTrail does not log this action by default: its absence proves nothing.",
        "Data events (S3 objects, DynamoDB items, Lambda Invoke ...) need a data "
        "event selector; iam:PassRole is never logged.",
        _N,
    ),
    FindingCode(
        KEPT_UNOBSERVABLE,
        "intersect-kept-unobservable",
        "--merge intersect kept a code permission CloudTrail cannot confirm.",
        "Dropping it would under-grant: the trail could never have shown it.",
        _N,
    ),
)


register_codes(*_CODES)
_SEVERITY = {info.code: info.severity for info in _CODES}


def finding(
    path: str, code: str, message: str, severity: Severity | None = None, line: int = 0
) -> Finding:
    """A CloudTrail finding located at ``path`` (a file, an ``s3://`` URL or a live source).

    The severity defaults to the one registered for the code.
    """
    return Finding(Location(path, line), code, message, severity or _SEVERITY[code])
