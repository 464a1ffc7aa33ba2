"""Finding codes of the catalog (LP7xx), and the findings one call gives rise to.

The codes are stable: CI baselines and suppressions refer to them. Add new ones at the end;
never renumber.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from least_priv.catalog.requirements import UNDECIDED
from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import CallKind, CallSite, Finding, Severity

if TYPE_CHECKING:
    from least_priv.catalog.catalog import Catalog

UNKNOWN_CLIENT = "LP701"
UNKNOWN_OPERATION = "LP702"
UNRESOLVED_OPERATION = "LP703"
HELPER_WITHOUT_OPERATION = "LP704"
UNDECIDED_CONTENT = "LP705"

register_codes(
    FindingCode(
        UNKNOWN_CLIENT,
        "catalog-unknown-client",
        "A call names a client boto3 does not have.",
        "The catalog has every client of the pinned botocore; a name it does not know is a typo "
        "or a client newer than the catalog. No permission was derived for the call. Fix the "
        "name, or regenerate the catalog with a newer botocore.",
        Severity.ERROR,
        ("correctness",),
    ),
    FindingCode(
        UNKNOWN_OPERATION,
        "catalog-unknown-operation",
        "A call names an operation its client does not have.",
        "No permission was derived for the call. `least-priv catalog lookup CLIENT.METHOD` "
        "names the closest methods.",
        Severity.ERROR,
        ("correctness",),
    ),
    FindingCode(
        UNRESOLVED_OPERATION,
        "catalog-unresolved-operation",
        "The catalog does not know which IAM action authorises this operation.",
        "The operation is in the catalog's committed `unresolved.txt` (typically an API newer "
        "than the IAM data). So as not to under-grant, every action of the service is "
        "granted (`prefix:*`). Replace it by hand with the documented action.",
        Severity.WARNING,
        ("security",),
    ),
    FindingCode(
        HELPER_WITHOUT_OPERATION,
        "catalog-helper-without-operation",
        "A helper or presigned URL whose operation cannot be told.",
        "`generate_presigned_url` needs its `ClientMethod` as a literal (or a known "
        "constant) to know which action the URL is signed for; nothing was granted for it. "
        "Pass the method name literally, or grant the action by hand.",
        Severity.WARNING,
        ("correctness",),
    ),
    FindingCode(
        UNDECIDED_CONTENT,
        "catalog-undecided-request-content",
        "Which actions the call needs depends on request content the analysis cannot see.",
        "A `TransactWriteItems` whose items are built elsewhere, a PartiQL statement from a "
        "variable, `DeleteObjects` with objects from a function: every action the request "
        "could need is granted. Build the request literally to narrow it.",
        Severity.NOTE,
        ("precision",),
    ),
)


def findings_for(cat: Catalog, call: CallSite) -> list[Finding]:
    """What the catalog has to say about one call (see the codes above), sorted."""
    out: list[Finding] = []
    where = call.location
    name = f"{call.service}.{call.operation}"
    if not cat.has_client(call.service):
        close = cat.closest_clients(call.service)
        hint = f" (closest: {', '.join(close)})" if close else ""
        return [
            Finding(
                where, UNKNOWN_CLIENT, f"{call.service}: no such boto3 client{hint}", Severity.ERROR
            )
        ]
    info = cat.operation(call.service, call.operation)
    if info is None:
        if cat.helper(call.service, call.operation) is not None or call.kind in (
            CallKind.HELPER,
            CallKind.PRESIGN,
        ):
            subs = cat.expand_helper(call)
            if not subs:
                out.append(
                    Finding(
                        where,
                        HELPER_WITHOUT_OPERATION,
                        f"{name}: the operation it performs is not known; nothing granted",
                        Severity.WARNING,
                    )
                )
            for sub in subs:
                out.extend(findings_for(cat, sub))
            return sorted(set(out))
        return [
            Finding(
                where,
                UNKNOWN_OPERATION,
                f"{name}: {call.service} has no operation {call.operation}",
                Severity.ERROR,
            )
        ]
    if info.unresolved:
        out.append(
            Finding(
                where,
                UNRESOLVED_OPERATION,
                f"{name}: no IAM action is known for this operation; {info.prefix}:* granted",
                Severity.WARNING,
            )
        )
    undecided = sorted({r.action for r in cat.requirements(call) if UNDECIDED in r.reason})
    if undecided:
        out.append(
            Finding(
                where,
                UNDECIDED_CONTENT,
                f"{name}: request content not known; granted {', '.join(undecided)}",
                Severity.NOTE,
            )
        )
    return sorted(out)
