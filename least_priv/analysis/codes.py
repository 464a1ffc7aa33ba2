"""Finding codes of the analysis stage (LP2xx), registered with their meaning.

The codes are stable: CI baselines and suppressions refer to them. Add new ones at the end of
their block; never renumber.
"""

from __future__ import annotations

from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import Finding, Location, Severity

_INFOS: list[FindingCode] = []


def _code(code: str, name: str, summary: str, help_text: str, severity: Severity) -> str:
    _INFOS.append(FindingCode(code, name, summary, help_text, severity, ("input",)))
    return code


# Reading source files: 200-209
UNPARSEABLE_FILE = _code(
    "LP201",
    "unparseable-file",
    "A Python file does not parse (syntax error or Python 2 code).",
    "The parser stopped at the given line; no call in this file was found, so the policy may "
    "lack what it needs. Other files were still analysed. Fix the syntax, or port Python 2 "
    "code (print statements, `except E, e`) to Python 3, which is all Lambda runs.",
    Severity.ERROR,
)
NOT_UTF8 = _code(
    "LP202",
    "file-not-utf8",
    "A Python file is not valid UTF-8 and has no encoding declaration that decodes it.",
    "Python 3 reads source as UTF-8 unless a coding line says otherwise. Nothing in the file was "
    "analysed. Re-save the file as UTF-8.",
    Severity.ERROR,
)
FILE_TOO_LARGE = _code(
    "LP203",
    "file-too-large",
    "A Python file is larger than the analysis limit and was not analysed.",
    "Very large files are almost always generated code or data. Calls in it are not in the "
    "policy. If the function really calls AWS from it, split the file or add the permissions "
    "by hand.",
    Severity.WARNING,
)
UNREADABLE_FILE = _code(
    "LP204",
    "unreadable-file",
    "A path given to the analysis does not exist or cannot be read.",
    "Check the code root and layer paths passed to `least-priv generate`.",
    Severity.ERROR,
)
HANDLER_NOT_FOUND = _code(
    "LP205",
    "handler-not-found",
    "The handler's module or function does not exist in the code root.",
    "The handler string (`app.lambda_handler`, `src/app.handler`) names a module relative to "
    "the code root and a function in it. When it cannot be found every function of the code "
    "is analysed instead, so the policy may be broader than needed.",
    Severity.ERROR,
)

# Calls that cannot be pinned down: 210-229
UNKNOWN_SERVICE = _code(
    "LP210",
    "unknown-service",
    "An AWS client or resource is created with a service name the analysis cannot determine.",
    "Example: `boto3.client(event['service'])`. Calls on it are reported but cannot be "
    "turned into permissions. Use a literal or a module constant for the service name.",
    Severity.WARNING,
)
UNKNOWN_ORIGIN = _code(
    "LP211",
    "client-of-unknown-origin",
    "A call that looks like an AWS API call is made on a value whose origin is unknown.",
    "Example: a client passed in by a caller outside the analysed code, or returned by a "
    "third-party library. The call is not in the policy. Pass the handler so callers are "
    "followed, or create the client where the analysis can see it.",
    Severity.WARNING,
)
DYNAMIC_METHOD = _code(
    "LP212",
    "dynamic-method",
    "An AWS client method, paginator or waiter is chosen by a computed name.",
    "Example: `getattr(s3, action + '_object')(...)`. The operation cannot be known, so it is "
    "not in the policy. Use literal method names (a dict of bound methods works).",
    Severity.WARNING,
)
UNKNOWN_METHOD = _code(
    "LP213",
    "unknown-method",
    "A method called on an AWS client is not an operation or helper of that service.",
    "Either the code has a bug (it would raise AttributeError) or the catalog is older than "
    "the SDK the function ships. Check the method name and the catalog version.",
    Severity.WARNING,
)
UNKNOWN_CLIENT_NAME = _code(
    "LP214",
    "unknown-client-name",
    "A client or resource is created for a service name boto3 does not know.",
    "`boto3.client('dynamo')` raises UnknownServiceError at run time. Check the service name.",
    Severity.WARNING,
)
ANALYSIS_LIMIT = _code(
    "LP215",
    "analysis-limit",
    "The analysis stopped following a call chain (too deep, or code nested too deeply).",
    "Calls beyond this point may be missing from the policy: a chain of more than 40 nested "
    "calls, or code nested past the recursion limit, was not followed. Simplify the chain or "
    "add the permissions by hand.",
    Severity.WARNING,
)

OTHER_CREDENTIALS = _code(
    "LP216",
    "other-credentials",
    "A call is made with credentials passed explicitly (an assumed role, access keys).",
    "Such a call is authorised against the identity those credentials belong to, not the "
    "function's role, so it is not in the policy: granting it here would be an over-grant "
    "that does not even help. Only the call that obtained the credentials (sts:AssumeRole) "
    "is. Make sure the other identity allows the call.",
    Severity.NOTE,
)

DYNAMIC_IMPORT = _code(
    "LP217",
    "dynamic-import",
    "A module is imported by a name computed at run time.",
    "Example: `importlib.import_module(f'handlers.{event[\"type\"]}')`. The analysis cannot "
    "know which module runs, so its calls are not in the policy. Import the candidates "
    "explicitly (a dict of modules or functions works), or pass the handler of each.",
    Severity.WARNING,
)

register_codes(*_INFOS)


def finding(code: str, path: str, line: int, column: int, message: str) -> Finding:
    """A finding of this stage with its registered default severity."""
    severity = next(i.severity for i in _INFOS if i.code == code)
    return Finding(Location(path, line, column), code, message, severity)
