"""Finding codes of the policy stage (LP3xx), registered with their meaning.

The codes are stable: CI baselines and suppressions refer to them. Add new ones at the end of
their block; never renumber.
"""

from __future__ import annotations

from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import Finding, Location, Severity

_INFOS: list[FindingCode] = []


def _code(
    code: str, name: str, summary: str, help_text: str, severity: Severity, *tags: str
) -> str:
    _INFOS.append(FindingCode(code, name, summary, help_text, severity, tags))
    return code


# Resource scoping: 300-319
UNSCOPED_RESOURCE = _code(
    "LP300",
    "unscoped-resource",
    "The resource a call touches could not be determined; a typed wildcard is granted.",
    "The request parameter that names the resource (a bucket, a table, a queue URL ...) comes "
    "from something the analysis cannot see: a function argument, an event field, a value "
    "computed at run time. The permission is kept, on the typed wildcard of its resource type "
    "(`arn:*:dynamodb:*:*:table/*`), so the function still works. Fix: read the name from an "
    "environment variable set in the template, a constant, or pass `--env NAME=VALUE`.",
    Severity.WARNING,
    "security",
)
UNRESOLVED_ENV = _code(
    "LP301",
    "unresolved-environment-variable",
    "A resource name is read from an environment variable whose value is not known.",
    "The code reads `os.environ[NAME]`, but neither the template's function environment nor "
    "`--env` gives it a value, so that part of the ARN is `*`. Fix: pass `--template` with the "
    "function, or `--env NAME=VALUE`.",
    Severity.WARNING,
    "security",
)
UNINTERPRETABLE_VALUE = _code(
    "LP302",
    "uninterpretable-resource-value",
    "A parameter's value does not look like what the parameter expects.",
    'Example: `QueueUrl="orders"` (a name, not a URL) or an ARN of another service. The '
    "value cannot be turned into an ARN, so the typed wildcard is granted. Fix the value, "
    "or check that the right variable is passed.",
    Severity.WARNING,
    "correctness",
)
GENERATED_NAME = _code(
    "LP303",
    "template-generated-name",
    "A template resource has no fixed name; plain JSON output cannot name it.",
    "The resource's physical name is generated at deploy time (no `TableName`, `BucketName` "
    "...), so the JSON policy uses a wildcard for it. Template formats (`--format sam/cfn/"
    "serverless/terraform`) reference the resource itself and stay exact. Fix: use a template "
    "format, or give the resource a name.",
    Severity.NOTE,
)
MISSING_PARAMETER = _code(
    "LP304",
    "missing-resource-parameter",
    "A call does not pass the parameter that names its resource.",
    "Usually the arguments come from `**kwargs` or a dict built elsewhere. The permission is "
    "granted on the typed wildcard of its resource type. Fix: pass the parameter by keyword.",
    Severity.WARNING,
    "security",
)
UNKNOWN_KEY = _code(
    "LP305",
    "kms-key-unknown",
    "A KMS permission needed through another service names no key.",
    "Reading or writing a resource encrypted with a customer managed key needs KMS rights on "
    "that key. The key is not known (the resource is not in the template, or its encryption "
    "is not declared), so any key is granted, limited by a `kms:ViaService` condition to the "
    "calling service. Fix: declare the resource and its key in the template.",
    Severity.NOTE,
)
NO_ACTIONS = _code(
    "LP306",
    "no-actions-for-call",
    "The catalog names no IAM action for an AWS call.",
    "The call was found but the catalog has no action for it and does not mark it as "
    "needing none, so the policy cannot grant it. Fix: report the operation so the catalog "
    "can map it; grant the action by hand meanwhile.",
    Severity.WARNING,
    "correctness",
)

UNTYPED_RESOURCE = _code(
    "LP307",
    "resource-level-action-on-star",
    "An action that supports resource-level permissions is granted on '*'.",
    "The catalog has no ARN template for the action's resource type, so not even a typed "
    "wildcard can be written. The permission is kept (never dropped) but grants the action on "
    "every resource. Fix: report the catalog gap; narrow the resource by hand meanwhile.",
    Severity.WARNING,
    "security",
)
UNKNOWN_REGION = _code(
    "LP308",
    "client-region-unknown",
    "A client is made for a region (`region_name=`) that is not known statically.",
    "A client made for another region acts on that region's resources, so the function's own "
    "region would be wrong in their ARNs. The region cannot be determined here (a variable "
    "the template does not set, a value computed at run time), so it is `*` in every ARN of "
    "the client's calls. Fix: set the variable in the template, pass `--env NAME=VALUE`, or "
    "use a literal region.",
    Severity.WARNING,
    "security",
)

# Documents and size limits: 320-339
POLICY_TOO_LARGE = _code(
    "LP320",
    "policy-too-large",
    "A policy is over the 6,144-character managed-policy limit.",
    "IAM counts every character except whitespace. The policy is printed whole (never "
    "truncated) but IAM would reject it. Fix: `--split` to write several policies.",
    Severity.WARNING,
    "correctness",
)
POLICY_SPLIT = _code(
    "LP321",
    "policy-split",
    "The policy was split into several documents to fit IAM's size limit.",
    "Each document stays under 6,144 characters; attach all of them to the role.",
    Severity.NOTE,
)
INLINE_LIMIT = _code(
    "LP322",
    "inline-policies-too-large",
    "The policies together exceed the 10,240-character limit for a role's inline policies.",
    "Attach them as managed policies instead of inline policies (the cfn format does so).",
    Severity.WARNING,
    "correctness",
)
TOO_MANY_POLICIES = _code(
    "LP323",
    "too-many-managed-policies",
    "More than 10 managed policies would have to be attached to one role.",
    "10 is IAM's default quota of managed policies per role. Ask for a quota increase or "
    "split the function.",
    Severity.WARNING,
    "correctness",
)
STATEMENT_TOO_LARGE = _code(
    "LP324",
    "statement-too-large",
    "One statement alone was over the size limit and was cut into several statements.",
    "The statement's resources or actions were spread over several statements with the same "
    "meaning, so that each document fits.",
    Severity.NOTE,
)

# Pipeline: 340-359
NO_CODE = _code(
    "LP340",
    "no-code-analysed",
    "A function has no code that could be analysed.",
    "Its code location is not a local directory, so the policy holds only what the "
    "function's configuration implies. Fix: point the template at the source.",
    Severity.WARNING,
    "input",
)
IMPLIED_NOT_MODELLED = _code(
    "LP341",
    "implied-permissions-not-modelled",
    "A function setting implies permissions that least-priv does not derive.",
    "Example: an Amazon MQ or self-managed Kafka event source. Grant what the poller needs by "
    "hand.",
    Severity.NOTE,
)

register_codes(*_INFOS)


def finding(
    code: str,
    location: Location,
    message: str,
    severity: Severity = Severity.WARNING,
) -> Finding:
    """A finding of this stage; a thin wrapper so call sites read as one line."""
    return Finding(location=location, code=code, message=message, severity=severity)
