"""Finding codes the lint engine emits itself, about inputs and suppressions (not rules)."""

from __future__ import annotations

from least_priv.lint.codes import FindingCode, register_codes
from least_priv.model import Severity

SUPPRESSION_WITHOUT_REASON = "LP190"
UNUSED_SUPPRESSION = "LP191"
UNRECOGNISED_INPUT = "LP195"
UNRESOLVED_POLICY = "LP196"
MALFORMED_ENTRY = "LP198"

register_codes(
    FindingCode(
        code=SUPPRESSION_WITHOUT_REASON,
        name="suppression-without-reason",
        summary="A suppression does not say why, or is malformed; it is not applied.",
        help=(
            "Every suppression (CloudFormation `Metadata`, a `LeastPrivIgnore...` Sid, a "
            "`# least-priv: ignore` YAML comment) must carry a reason, so a reviewer can judge "
            "it later. Example: `# least-priv: ignore LP104` has none. Fix: "
            "`# least-priv: ignore LP104 -- bucket names are generated per tenant`."
        ),
        severity=Severity.ERROR,
        tags=("correctness",),
    ),
    FindingCode(
        code=UNUSED_SUPPRESSION,
        name="unused-suppression",
        summary="A suppression matches no finding; it can be removed.",
        help=(
            "A suppression that no longer silences anything hides nothing today, but would "
            "silently hide a future problem of the same kind. Fix: delete it."
        ),
        severity=Severity.NOTE,
        tags=("correctness",),
    ),
    FindingCode(
        code=UNRECOGNISED_INPUT,
        name="unrecognised-input",
        summary="A file given to lint is not a policy, template or plan least-priv can read.",
        help=(
            "Inputs are recognised by content: an IAM policy (`Statement`), a CloudFormation/"
            "SAM template (`Resources`), serverless.yml (`service` + `provider`), a Terraform "
            "plan (`format_version`) or a cdk.out directory. Fix: pass the right file, or force "
            "the kind with `--input-type`."
        ),
        severity=Severity.ERROR,
        tags=("input",),
    ),
    FindingCode(
        code=UNRESOLVED_POLICY,
        name="unresolved-policy",
        summary="A policy's text is not known offline and was not linted.",
        help=(
            "Terraform plans leave values that depend on other resources unknown until apply; "
            "a template may compute a whole policy document with an intrinsic (`!Ref` to a "
            "parameter, `!Sub` of JSON). Such a policy cannot be linted. Fix: lint the plan "
            "of a later stage or the state after apply; write template policies as documents."
        ),
        severity=Severity.NOTE,
        tags=("input",),
    ),
    FindingCode(
        code=MALFORMED_ENTRY,
        name="malformed-policy-entry",
        summary="Where policies are listed, an entry is none of the shapes IAM or SAM accept.",
        help=(
            "A role's `Policies` takes `{PolicyName, PolicyDocument}` entries, "
            "`ManagedPolicyArns` takes ARNs, SAM `Policies:` takes policy names/ARNs, policy "
            "documents or policy templates. Anything else (`Policies: true`, a number, a nested "
            "list) is rejected at deploy and was not linted. Example: `Policies: {Statement: "
            "[...]}` under an `AWS::IAM::Role`. Fix: write the entry in the documented shape."
        ),
        severity=Severity.ERROR,
        tags=("input",),
    ),
)
