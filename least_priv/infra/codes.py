"""Finding codes of the infra stage (LP4xx), registered with their meaning.

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


# Reading files: 400-409
UNREADABLE_FILE = _code(
    "LP400",
    "unreadable-file",
    "A template file could not be read or is not UTF-8 text.",
    "The file is missing, unreadable or not UTF-8. Nothing in it was analysed. Fix the path "
    "or re-save the file as UTF-8.",
    Severity.ERROR,
)
SYNTAX_ERROR = _code(
    "LP401",
    "template-syntax-error",
    "A YAML or JSON file does not parse.",
    "The parser stopped at the given line and column; nothing in the file was analysed. "
    "Example: a tab used for indentation in YAML, a trailing comma in JSON. Fix the syntax.",
    Severity.ERROR,
)
UNKNOWN_TAG = _code(
    "LP402",
    "unknown-yaml-tag",
    "A YAML tag is not a CloudFormation short-form intrinsic.",
    "CloudFormation understands `!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!If` ... only. An unknown "
    "tag such as `!Reff` is read as if it were untagged, so the value is probably wrong. "
    "Fix the spelling or use the long form (`Fn::...`).",
    Severity.WARNING,
)
DUPLICATE_KEY = _code(
    "LP403",
    "duplicate-key",
    "The same key appears twice in one mapping.",
    "CloudFormation rejects templates with duplicate keys; other readers silently keep the "
    "last value, so two tools may disagree about what the template says. Remove one.",
    Severity.ERROR,
)
BAD_INTRINSIC = _code(
    "LP404",
    "malformed-intrinsic",
    "An intrinsic function or short-form tag has the wrong shape.",
    "Example: `!GetAtt Queue` without an attribute, `!Ref [a, b]`. The value cannot be "
    "resolved and is treated as unknown. Fix the intrinsic.",
    Severity.ERROR,
)
TOO_DEEP = _code(
    "LP406",
    "document-too-deep",
    "A document nests too deeply, refers to itself, or its YAML aliases expand too far.",
    "Templates never nest a hundred levels deep; such input (or a recursive alias, or aliases "
    "that multiply into millions of nodes) is malformed or hostile. The part beyond the limit "
    "is read as empty so the rest of the file can still be analysed.",
    Severity.ERROR,
)
UNSUPPORTED_KEY = _code(
    "LP405",
    "unsupported-key",
    "A mapping key is not a plain scalar.",
    "Complex or tagged YAML keys have no meaning in templates; such entries are skipped or "
    "read as strings. Use a plain string key.",
    Severity.WARNING,
)

# Understanding templates: 410-429
UNKNOWN_TEMPLATE = _code(
    "LP410",
    "unknown-template-kind",
    "The file is not a SAM/CloudFormation, CDK, serverless or Terraform plan template.",
    "The reader detects the kind by content (Resources, service/provider, planned_values ...). "
    "Nothing matched, so no function was read. Pass the right file.",
    Severity.ERROR,
)
UNRESOLVED_REFERENCE = _code(
    "LP411",
    "unresolved-reference",
    "A reference names something the template does not define.",
    "`!Ref`, `!GetAtt`, `${self:...}` or a Terraform reference points at a missing resource, "
    "parameter or key; the value becomes unknown (a typed wildcard later). Fix the name.",
    Severity.WARNING,
)
UNRESOLVED_VARIABLE = _code(
    "LP412",
    "unresolved-variable",
    "A deployment-time variable has no value offline.",
    "`${opt:stage}`, `${env:NAME}`, `${ssm:...}` or a parameter without default cannot be "
    "known without deploying; the part stays unknown. Pass it (--stage, parameters) or add "
    "a default.",
    Severity.NOTE,
)
UNSUPPORTED_INTRINSIC = _code(
    "LP413",
    "unsupported-intrinsic",
    "An intrinsic cannot be evaluated offline.",
    "`Fn::ImportValue`, `Fn::GetAZs`, `Fn::Transform` ... depend on the deployed account; "
    "the value stays unknown (a wildcard) and is reported.",
    Severity.NOTE,
)
MISSING_CODE = _code(
    "LP414",
    "missing-code-location",
    "A function's code is not a local path.",
    "The code lives in S3, an image, inline ZipFile text or a path that does not exist, so "
    "there is no source to analyse for this function. Point CodeUri/filename at the source.",
    Severity.WARNING,
)
MISSING_HANDLER = _code(
    "LP415",
    "missing-handler",
    "A function has no handler.",
    "Container-image functions and broken configurations have no Handler, so the analysis "
    "cannot find the entry point; every module of the code root is analysed instead.",
    Severity.WARNING,
)
UNKNOWN_FUNCTION = _code(
    "LP416",
    "unknown-function",
    "The template has no function of that name.",
    "The name given (--function) matches no function logical id or key. Use one of the "
    "names the template defines.",
    Severity.ERROR,
)
BAD_PROPERTY = _code(
    "LP417",
    "bad-property",
    "A property has the wrong type.",
    "Example: `Environment.Variables` as a list, `Layers` as a string. The property is "
    "ignored for analysis; CloudFormation would reject it too. Fix its shape.",
    Severity.WARNING,
)
UNKNOWN_EVENT = _code(
    "LP418",
    "unknown-event-source",
    "An event source type is not understood.",
    "The function keeps the event with kind as written but no target; any poller "
    "permissions it implies are not derived. Report the event type if it should be known.",
    Severity.NOTE,
)

# Declared role policies: 430-449
UNKNOWN_POLICY_TEMPLATE = _code(
    "LP430",
    "unknown-sam-policy-template",
    "A SAM policy template is not in least-priv's table.",
    "The statements it grants cannot be expanded offline, so diff and check treat it as "
    "granting an unknown set. Add the template to least_priv/infra/data or use statements.",
    Severity.WARNING,
)
MANAGED_POLICY_NOT_EXPANDED = _code(
    "LP431",
    "managed-policy-not-expanded",
    "A managed policy named by ARN cannot be expanded offline.",
    "Its document lives in the AWS account; least-priv never guesses its content. Give the "
    "document to diff/check (--managed-policy ARN=FILE) or compare against the live role. "
    "diff and check report it as LP620 for the role they compare.",
    Severity.NOTE,
)
EXTERNAL_ROLE = _code(
    "LP432",
    "external-role",
    "The function's role is defined outside the template.",
    "`Role:` is an ARN or an import, so its policies are not in the template and cannot be "
    "compared offline. Compare against the live role instead.",
    Severity.NOTE,
)
BAD_POLICY_DOCUMENT = _code(
    "LP433",
    "bad-policy-document",
    "A declared policy is not a valid IAM policy document.",
    "The policy has no Statement, statements that are not mappings, or the wrong type; "
    "it is kept as written but cannot be compared reliably. Fix the document.",
    Severity.ERROR,
)
UNRESOLVED_POLICY_REFERENCE = _code(
    "LP434",
    "unresolved-policy-attachment",
    "A policy attachment names a role or policy the template lacks.",
    "An AWS::IAM::Policy Roles entry, a Terraform attachment or a SAM policy entry points "
    "at nothing the template defines; the attachment is ignored. Fix the reference.",
    Severity.WARNING,
)

CONNECTOR_NOT_EXPANDED = _code(
    "LP435",
    "sam-connector-not-expanded",
    "A SAM connector grants the function's role permissions least-priv does not expand.",
    "`AWS::Serverless::Connector` (or a resource's `Connectors`) makes SAM add a policy to the "
    "source function's role from its connector profiles. least-priv keeps the connector as a "
    "declared policy whose content is unknown, so diff and check cannot say for sure what it "
    "grants. Replace it with explicit statements, or compare against the deployed role.",
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


def managed_not_expanded(arn: str, location: Location, where: str = "template") -> Finding:
    """LP431 for a managed policy named by ARN in the ``where`` (template, service, plan)."""
    return finding(
        MANAGED_POLICY_NOT_EXPANDED,
        location,
        f"managed policy {arn} is not in the {where}; its statements are unknown offline "
        "(give its document with --managed-policy ARN=FILE, or compare against the live role)",
        Severity.NOTE,
    )


def unknown_event(kind: str, location: Location) -> Finding:
    """LP418 for an event source type the readers do not understand."""
    return finding(
        UNKNOWN_EVENT,
        location,
        f"event type {kind!r} is not known; no permission is derived from it",
        Severity.NOTE,
    )
