"""The LP6xx finding codes of the evaluator, the attached-role readers and ``diff``."""

from __future__ import annotations

from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import Severity

MISSING = "LP601"
EXCESS = "LP602"
CONDITIONAL = "LP603"
BAD_JSON = "LP610"
OLD_VERSION = "LP611"
STATEMENT_OBJECT = "LP612"
BAD_STATEMENT = "LP613"
UNKNOWN_ACTION = "LP614"
UNKNOWN_OPERATOR = "LP615"
NOT_EXPANDABLE = "LP620"
LIVE_ERROR = "LP621"
ROLE_NOT_FOUND = "LP622"
NO_CATALOG = "LP623"
BAD_REQUIRED = "LP624"

register_codes(
    FindingCode(
        MISSING,
        "missing-permission",
        "The code needs an action the role does not allow: AccessDenied after deploy.",
        "The required action on the resource is not allowed by any statement of the role, is "
        "removed by an explicit Deny, or is outside the permissions boundary. Fix: add the "
        "statement from the generated policy, or remove the Deny / widen the boundary.",
        Severity.ERROR,
        ("correctness",),
    ),
    FindingCode(
        EXCESS,
        "excess-permission",
        "The role grants actions or resources the code never needs.",
        "Service-level (a whole service unused), action-level (`s3:*` where the code calls "
        "GetObject) or resource-level (`table/*` where the code uses `table/Orders`). Fix: "
        "replace the role's policy with the generated one.",
        Severity.WARNING,
        ("security",),
    ),
    FindingCode(
        CONDITIONAL,
        "conditional-permission",
        "Whether the role allows this depends on something the tool cannot decide.",
        "A condition key the request context does not fix, a policy variable, or a resource "
        "or action the analysis could not pin down. Review by hand.",
        Severity.WARNING,
        ("correctness",),
    ),
    FindingCode(
        BAD_JSON,
        "malformed-policy",
        "A policy file or document is not valid JSON or not a policy.",
        "The document is skipped; what it would grant is unknown, so permissions may show "
        "as missing. Fix the JSON.",
        Severity.ERROR,
        ("input",),
    ),
    FindingCode(
        OLD_VERSION,
        "policy-version",
        "The policy has Version 2008-10-17 or none: policy variables are not substituted.",
        'Without `"Version": "2012-10-17"` IAM reads `${aws:username}` literally. The '
        "evaluator does the same. Fix: set Version 2012-10-17.",
        Severity.WARNING,
        ("input",),
    ),
    FindingCode(
        STATEMENT_OBJECT,
        "statement-object",
        "`Statement` is a single object instead of a list.",
        "IAM accepts it and so does the evaluator; tools that expect a list may not.",
        Severity.NOTE,
        ("input",),
    ),
    FindingCode(
        BAD_STATEMENT,
        "malformed-statement",
        "A statement is malformed (Effect, Action/NotAction, Resource/NotResource, Condition).",
        "IAM rejects such a policy. The statement is left out of the evaluation and reported.",
        Severity.ERROR,
        ("input",),
    ),
    FindingCode(
        UNKNOWN_ACTION,
        "unknown-action",
        "A policy names an action the catalog does not know (often a typo).",
        "IAM accepts unknown actions silently; they grant nothing. The closest known action "
        "is suggested.",
        Severity.WARNING,
        ("input", "correctness"),
    ),
    FindingCode(
        UNKNOWN_OPERATOR,
        "unknown-condition-operator",
        "A condition uses an operator the evaluator does not know.",
        "The statement is treated as conditional.",
        Severity.WARNING,
        ("input",),
    ),
    FindingCode(
        NOT_EXPANDABLE,
        "policy-not-expandable",
        "A managed policy is named but its document is not available offline.",
        "AWS managed policies referenced by ARN in a template cannot be read without AWS. "
        "Give their document with `--policy` or use `--role-name` for a live role.",
        Severity.WARNING,
        ("input",),
    ),
    FindingCode(
        LIVE_ERROR,
        "iam-call-failed",
        "Reading the live role through the IAM API failed.",
        "Credentials, permissions (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, "
        "iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion) or the role name.",
        Severity.ERROR,
        ("input",),
    ),
    FindingCode(
        ROLE_NOT_FOUND,
        "role-not-found",
        "The role (or function) to compare with was not found in the given input.",
        "",
        Severity.ERROR,
        ("input",),
    ),
    FindingCode(
        NO_CATALOG,
        "catalog-unavailable",
        "The service catalog is not available: actions were not expanded or checked.",
        "",
        Severity.WARNING,
        ("input",),
    ),
    FindingCode(
        BAD_REQUIRED,
        "malformed-required",
        "The required-permissions document could not be read.",
        "",
        Severity.ERROR,
        ("input",),
    ),
)
