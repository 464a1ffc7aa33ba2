"""Privilege escalation and credential exposure.

Sources of the tables below (public facts, written here in our own words):
- the IAM API reference (what each action does: CreatePolicyVersion with SetAsDefault,
  AttachRolePolicy, PutRolePolicy, UpdateAssumeRolePolicy ...) and the Lambda, EC2, Glue,
  CloudFormation, CodeBuild, SageMaker and Data Pipeline API references for the actions that
  start compute with a passed role;
- the privilege-escalation paths catalogued by Rhino Security Labs, "AWS IAM Privilege
  Escalation - Methods and Mitigation" (2018), which are combinations of those facts;
- for credential exposure, the API reference of each action, whose response carries
  credentials, passwords or tokens (e.g. ecr:GetAuthorizationToken returns a registry
  password; ec2:GetPasswordData the Windows administrator password).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from least_priv.evaluate.patterns import matches
from least_priv.lint.actions import ActionFacts
from least_priv.lint.policy import Element, PolicyView
from least_priv.lint.rule import Hit, Rule, allow, listed, register
from least_priv.lint.rules.passrole import any_role
from least_priv.lint.rules.wildcards import EVERYTHING, allowed_action_elements
from least_priv.model import Severity

# Each action on its own lets the holder give itself (or another principal) more rights.
ESCALATION_ACTIONS: dict[str, str] = {
    "iam:CreatePolicyVersion": "rewrite a managed policy it is attached to",
    "iam:SetDefaultPolicyVersion": "switch a policy to a more permissive older version",
    "iam:AttachUserPolicy": "attach AdministratorAccess to a user",
    "iam:AttachGroupPolicy": "attach AdministratorAccess to a group",
    "iam:AttachRolePolicy": "attach AdministratorAccess to a role",
    "iam:PutUserPolicy": "write an inline admin policy on a user",
    "iam:PutGroupPolicy": "write an inline admin policy on a group",
    "iam:PutRolePolicy": "write an inline admin policy on a role",
    "iam:AddUserToGroup": "join a more privileged group",
    "iam:CreateAccessKey": "mint access keys for another user",
    "iam:CreateLoginProfile": "set a console password for another user",
    "iam:UpdateLoginProfile": "change another user's console password",
    "iam:UpdateAssumeRolePolicy": "let itself assume a more privileged role",
    "iam:DeleteRolePermissionsBoundary": "remove a role's permissions boundary",
    "iam:DeleteUserPermissionsBoundary": "remove a user's permissions boundary",
    "lambda:UpdateFunctionCode": "run its own code with another function's role",
    "lambda:UpdateFunctionConfiguration": "inject a layer into a function with another role",
    "glue:UpdateDevEndpoint": "add its SSH key to a Glue endpoint with another role",
}

# With iam:PassRole, each of these starts compute that runs with the passed role.
PASS_ROLE_COMPANIONS: dict[str, str] = {
    "lambda:CreateFunction": "create a function running as the passed role",
    "ec2:RunInstances": "start an instance with the passed role's profile",
    "cloudformation:CreateStack": "create a stack executed with the passed role",
    "glue:CreateDevEndpoint": "create a Glue endpoint running as the passed role",
    "glue:CreateJob": "create a Glue job running as the passed role",
    "datapipeline:CreatePipeline": "create a pipeline running as the passed role",
    "codebuild:CreateProject": "create a build project running as the passed role",
    "sagemaker:CreateNotebookInstance": "create a notebook running as the passed role",
    "ecs:RegisterTaskDefinition": "register a task running as the passed role",
}

# Actions whose response contains credentials, passwords or tokens.
CREDENTIAL_ACTIONS: dict[str, str] = {
    "iam:CreateServiceSpecificCredential": "returns a service password",
    "iam:ResetServiceSpecificCredential": "returns a new service password",
    "sts:GetFederationToken": "returns temporary credentials",
    "ecr:GetAuthorizationToken": "returns a registry password",
    "ec2:GetPasswordData": "returns the encrypted Windows administrator password",
    "redshift:GetClusterCredentials": "returns a database password",
    "redshift:GetClusterCredentialsWithIAM": "returns a database password",
    "redshift-serverless:GetCredentials": "returns a database password",
    "cognito-identity:GetCredentialsForIdentity": "returns temporary credentials",
    "sso:GetRoleCredentials": "returns temporary credentials",
    "lightsail:GetInstanceAccessDetails": "returns SSH keys or passwords of an instance",
    "lightsail:DownloadDefaultKeyPair": "returns the default private key",
    "gamelift:GetInstanceAccess": "returns instance credentials",
    "gamelift:RequestUploadCredentials": "returns temporary credentials",
}

# Secret readers: normal on a named secret, exposure on every secret of the account.
SECRET_READERS: dict[str, str] = {
    "secretsmanager:GetSecretValue": "reads every secret",
    "ssm:GetParameter": "reads every (SecureString) parameter",
    "ssm:GetParameters": "reads every (SecureString) parameter",
    "ssm:GetParametersByPath": "reads every (SecureString) parameter",
}


def _granted(element: Element, table: dict[str, str]) -> list[str]:
    return list(_matching(element.text or "", tuple(sorted(table))))


def _through(pattern: str, actions: list[str], how: str) -> str:
    """``it can write ...`` for one action, ``lambda:X can ... (also lambda:Y)`` for a
    pattern that grants several."""
    if len(actions) == 1 and actions[0].lower() == pattern.lower():
        return f"it can {how}"
    also = f" (also {listed(actions[1:], 3)})" if len(actions) > 1 else ""
    return f"{actions[0]} can {how}{also}"


@lru_cache(maxsize=4096)
def _matching(pattern: str, actions: tuple[str, ...]) -> tuple[str, ...]:
    # Templates repeat the same few actions in every role: match each pattern once.
    return tuple(a for a in actions if matches(pattern, a, ignore_case=True))


@register
class PrivilegeEscalation(Rule):
    """Actions that let the holder raise its own privileges."""

    code = "LP109"
    name = "privilege-escalation"
    severity = Severity.ERROR
    summary = "The policy allows an action (or pair) known to escalate privileges."
    doc = (
        "**What**: an Allow of an action that changes who may do what — "
        "`iam:CreatePolicyVersion`, `iam:AttachRolePolicy`, `iam:PutRolePolicy`, "
        "`iam:UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode` ... — or of `iam:PassRole` "
        "together with an action that starts compute with the passed role "
        "(`lambda:CreateFunction`, `ec2:RunInstances`, `cloudformation:CreateStack` ...); "
        "`sts:AssumeRole` on every role is a warning (trust policies still decide). "
        "**Why**: whoever controls the function can grant itself administrator access. "
        '**Example**: `{"Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": '
        '"*"}`. **Fix**: move such permissions to a deployment role that the function '
        "cannot use; if the function must do this, scope the resources and add a "
        "permissions boundary."
    )
    valid = (
        allow(["iam:GetRole", "lambda:InvokeFunction"], "*"),
        allow("sts:AssumeRole", "arn:aws:iam::111122223333:role/reports-reader"),
    )
    invalid = (
        allow("iam:PutRolePolicy", "arn:aws:iam::111122223333:role/app"),
        allow(["iam:PassRole", "lambda:CreateFunction"], "*"),
        allow("sts:AssumeRole", "arn:aws:iam::*:role/*"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        elements = [e for e in allowed_action_elements(policy) if e.text not in EVERYTHING]
        passes_role = any(_granted(e, {"iam:PassRole": ""}) for e in elements)
        for element in elements:
            direct = _granted(element, ESCALATION_ACTIONS)
            if direct:
                how = ESCALATION_ACTIONS[direct[0]]
                why = _through(element.text or "", direct, how)
                yield Hit(element.path, f"{element.text} allows privilege escalation: {why}")
            companions = _granted(element, PASS_ROLE_COMPANIONS) if passes_role else []
            if companions:
                how = PASS_ROLE_COMPANIONS[companions[0]]
                yield Hit(
                    element.path,
                    f"{element.text} with iam:PassRole allows privilege escalation: "
                    f"{_through(element.text or '', companions, how)}",
                )
        yield from _assume_any_role(policy)


def _assume_any_role(policy: PolicyView) -> Iterator[Hit]:
    """sts:AssumeRole on every role: whichever role trusts this account can be become."""
    for st in policy.statements:
        if not st.is_allow:
            continue
        assuming = [
            e
            for e in st.elements("Action")
            if e.text not in EVERYTHING and _matching(e.text or "", ("sts:AssumeRole",))
        ]
        resource = next((r for r in st.elements("Resource") if any_role(r.text or "")), None)
        if assuming and resource is not None:
            yield Hit(
                resource.path,
                f'{assuming[0].text} on "{resource.text}" can become any role whose trust '
                "policy lets this account in",
                Severity.WARNING,
            )


@register
class CredentialsExposure(Rule):
    """Actions that return credentials, or read every secret."""

    code = "LP110"
    name = "credentials-exposure"
    severity = Severity.WARNING
    summary = "The policy allows actions that return credentials or read every secret."
    doc = (
        "**What**: an Allow of an action whose response contains credentials "
        "(`ecr:GetAuthorizationToken`, `redshift:GetClusterCredentials`, "
        "`sts:GetFederationToken`, `ec2:GetPasswordData` ...), or of "
        '`secretsmanager:GetSecretValue`/`ssm:GetParameter*` on `Resource: "*"`. '
        "**Why**: a leak of the function's role then leaks other credentials too. "
        '**Example**: `{"Action": "secretsmanager:GetSecretValue", "Resource": "*"}`. '
        "**Fix**: scope secret reads to the secret ARNs (`...:secret:db-password-??????`); "
        "keep credential-minting actions out of function roles."
    )
    valid = (
        allow(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-??????",
        ),
    )
    invalid = (
        allow("secretsmanager:GetSecretValue", "*"),
        allow("redshift:GetClusterCredentials", "arn:aws:redshift:*:*:dbuser:main/app"),
    )

    def check(self, policy: PolicyView, facts: ActionFacts) -> Iterator[Hit]:
        for st in policy.statements:
            if not st.is_allow:
                continue
            every = "*" in st.literal("Resource")
            for element in st.elements("Action"):
                if element.text is None or element.text in EVERYTHING:
                    continue
                minted = _granted(element, CREDENTIAL_ACTIONS)
                read = _granted(element, SECRET_READERS) if every else []
                for action in minted[:1]:
                    yield Hit(
                        element.path,
                        f"{element.text} exposes credentials ({action} "
                        f"{CREDENTIAL_ACTIONS[action]})",
                    )
                for action in read[:1]:
                    yield Hit(
                        element.path,
                        f'{element.text} on Resource "*" {SECRET_READERS[action]} of the account',
                    )
