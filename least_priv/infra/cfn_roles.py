"""The policies a SAM/CloudFormation template declares for a function's role.

Sources: SAM ``Policies`` (inline statements, managed policy names and ARNs, SAM policy
templates), the policies SAM adds by itself to the role it generates (basic execution,
X-Ray, VPC, event-source pollers, dead-letter queue), an ``AWS::IAM::Role`` named by
``Role`` (inline ``Policies``, ``ManagedPolicyArns``, ``PermissionsBoundary``), and separate
``AWS::IAM::Policy`` / ``AWS::IAM::ManagedPolicy`` / ``AWS::IAM::RolePolicy`` resources
attached to that role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from least_priv.infra import codes, sam_policies
from least_priv.infra.cfn_eval import Evaluator
from least_priv.infra.positions import NodePath
from least_priv.infra.template import DeclaredPolicy, managed_policy
from least_priv.model import Finding, Function, Severity

_VERSION = "2012-10-17"
_AWS_POLICY = "arn:${AWS::Partition}:iam::aws:policy/"
# AWS managed policies that live under the service-role/ path (SAM resolves names to ARNs).
_SERVICE_ROLE_POLICIES = frozenset(
    {
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaKinesisExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaMSKExecutionRole",
        "AWSLambdaENIManagementAccess",
        "AWSLambdaRole",
    }
)
# What SAM attaches to the role it generates, by event kind (pull event sources).
_SAM_EVENT_POLICIES = {
    "SQS": "AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "AWSLambdaKinesisExecutionRole",
    "DynamoDB": "AWSLambdaDynamoDBExecutionRole",
    "MSK": "AWSLambdaMSKExecutionRole",
}
_DESTINATION_ACTIONS = {
    "SQS": "sqs:SendMessage",
    "SNS": "sns:Publish",
    "Lambda": "lambda:InvokeFunction",
    "EventBridge": "events:PutEvents",
}
_ADDED_BY_SAM = " (added by SAM)"
_ATTACHABLE = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


def aws_managed_arn(name: str) -> str:
    """The ARN SAM gives an AWS managed policy named without its ARN."""
    prefix = "service-role/" if name in _SERVICE_ROLE_POLICIES else ""
    return f"{_AWS_POLICY}{prefix}{name}"


class RoleReader:
    """Reads declared role policies of one template; findings go to ``report``."""

    def __init__(
        self,
        ev: Evaluator,
        resources: dict[str, dict[str, Any]],
        report: Callable[[Finding], None],
    ) -> None:
        self.ev = ev
        self.doc = ev.doc
        self.resources = resources
        self.report = report
        self._roles: dict[str, list[DeclaredPolicy]] = {}
        self._attached: set[str] = set()
        self._attachable = [(k, r) for k, r in resources.items() if r["Type"] in _ATTACHABLE]

    def _finding(
        self, code: str, path: NodePath, message: str, severity: Severity = Severity.WARNING
    ) -> None:
        self.report(codes.finding(code, self.doc.location(path), message, severity))

    # -- SAM functions without Role ---------------------------------------------------------

    def sam_function_policies(
        self,
        logical_id: str,
        props: dict[str, Any],
        where: Callable[..., NodePath],
        function: Function,
    ) -> list[DeclaredPolicy]:
        """Policies of the role SAM generates for ``logical_id`` (``<Id>Role``)."""
        role = f"{logical_id}Role"
        out: list[DeclaredPolicy] = []
        policies = props.get("Policies")
        entries: list[tuple[Any, NodePath]]
        if isinstance(policies, list):
            entries = self.ev.items(policies, where("Policies"))
        elif policies is None:
            entries = []
        else:
            entries = self.ev.items([policies], where("Policies"))
            entries = [(item, where("Policies")) for item, _ in entries]
        for index, (entry, path) in enumerate(entries):
            policy = self._sam_entry(entry, path, role, f"{logical_id}RolePolicy{index}")
            if policy is not None:
                out.append(policy)
        explicit = {p.name for p in out if p.origin == "managed-arn"}
        implicit = self._sam_implicit(logical_id, props, where, function, role)
        # SAM attaches each managed policy once; one the template names already is not added.
        out.extend(p for p in implicit if p.name.removesuffix(_ADDED_BY_SAM) not in explicit)
        boundary = props.get("PermissionsBoundary")
        if boundary is not None:
            out.append(self._boundary(boundary, where("PermissionsBoundary"), role))
        return out

    def _sam_entry(
        self, entry: Any, path: NodePath, role: str, inline_name: str
    ) -> DeclaredPolicy | None:
        if isinstance(entry, str):
            arn = entry if entry.startswith("arn:") else aws_managed_arn(entry)
            return self._managed_arn(arn, path, role, explicit=True)
        if not isinstance(entry, dict) or not entry:
            self._finding(
                codes.BAD_POLICY_DOCUMENT,
                path,
                "a Policies entry must be a managed policy name/ARN, a policy document or a "
                "SAM policy template",
                Severity.ERROR,
            )
            return None
        if "Statement" in entry:
            return self._inline(entry, path, role, inline_name)
        key = next(iter(entry))
        if len(entry) == 1 and (key == "Ref" or key.startswith("Fn::")):
            return self._managed(entry, path, role)
        if len(entry) == 1:
            return self._sam_template(key, entry[key], path, role)
        self._finding(
            codes.BAD_POLICY_DOCUMENT,
            path,
            "a Policies entry with several keys is neither a document nor a policy template",
            Severity.ERROR,
        )
        return None

    def _sam_template(self, name: str, args: Any, path: NodePath, role: str) -> DeclaredPolicy:
        location = self.doc.location(path)
        parameters = sam_policies.template_parameters(name)
        if parameters is None:
            self._finding(
                codes.UNKNOWN_POLICY_TEMPLATE,
                path,
                f"SAM policy template {name!r} is not in least-priv's table; what it grants "
                "is unknown to diff and check",
            )
            return DeclaredPolicy(
                {}, location, f"sam-policy-template:{name}", False, name, None, role, path
            )
        args = args if isinstance(args, dict) else {}
        values: dict[str, str] = {}
        for parameter in parameters:
            if parameter not in args:
                self._finding(
                    codes.BAD_PROPERTY,
                    path,
                    f"SAM policy template {name} needs parameter {parameter}",
                    Severity.ERROR,
                )
                continue
            text = self.ev.text(args[parameter], (*path, name, parameter))
            if text is not None:
                values[parameter] = text
        statements = sam_policies.expand(name, values) or []
        document = {"Version": _VERSION, "Statement": statements}
        return DeclaredPolicy(
            document, location, f"sam-policy-template:{name}", True, name, None, role, path
        )

    def _sam_implicit(
        self,
        logical_id: str,
        props: dict[str, Any],
        where: Callable[..., NodePath],
        function: Function,
        role: str,
    ) -> list[DeclaredPolicy]:
        """What SAM adds to the role it generates, from the function's own configuration."""
        settings = dict(function.settings)
        names = ["AWSLambdaBasicExecutionRole"]
        tracing = settings.get("Tracing")
        if tracing is not None and tracing.text == "Active":
            names.append("AWSXrayWriteOnlyAccess")
        if "VpcConfig" in settings:
            names.append("AWSLambdaVPCAccessExecutionRole")
        for event in function.events:
            extra = _SAM_EVENT_POLICIES.get(event.kind)
            if extra and extra not in names:
                names.append(extra)
        here: NodePath = (*self.ev.resources_path, logical_id)
        out = [
            DeclaredPolicy(
                {},
                self.doc.key_location(here),
                "managed-arn",
                False,
                f"{name}{_ADDED_BY_SAM}",
                aws_managed_arn(name),
                role,
                here,
            )
            for name in names
        ]
        dlq = props.get("DeadLetterQueue")
        if isinstance(dlq, dict) and "TargetArn" in dlq:
            action = "sns:Publish" if dlq.get("Type") == "SNS" else "sqs:SendMessage"
            path = where("DeadLetterQueue")
            target = self.ev.document(dlq["TargetArn"], (*path, "TargetArn"))
            out.append(self._implicit_statement(action, target, path, role, "DeadLetterQueue"))
        invoke = props.get("EventInvokeConfig")
        destinations = invoke.get("DestinationConfig") if isinstance(invoke, dict) else None
        for outcome in ("OnSuccess", "OnFailure"):
            dest = destinations.get(outcome) if isinstance(destinations, dict) else None
            if not (isinstance(dest, dict) and dest.get("Type") in _DESTINATION_ACTIONS):
                continue
            path = where("EventInvokeConfig", "DestinationConfig", outcome)
            if "Destination" not in dest:
                resource: Any = "*"  # SAM creates the queue/topic; its name is generated
            else:
                resource = self.ev.document(dest["Destination"], (*path, "Destination"))
            action = _DESTINATION_ACTIONS[dest["Type"]]
            out.append(self._implicit_statement(action, resource, path, role, outcome))
        return out

    def _implicit_statement(
        self, action: str, resource: Any, path: NodePath, role: str, name: str
    ) -> DeclaredPolicy:
        statement = {"Effect": "Allow", "Action": action, "Resource": resource}
        document = {"Version": _VERSION, "Statement": [statement]}
        location = self.doc.key_location(path)
        return DeclaredPolicy(document, location, "sam-implicit", True, name, None, role, path)

    # -- roles of the template --------------------------------------------------------------

    def role_policies(self, role_id: str) -> list[DeclaredPolicy]:
        """Every policy the template attaches to its ``AWS::IAM::Role`` ``role_id``."""
        if role_id in self._roles:
            return self._roles[role_id]
        res = self.resources[role_id]
        base: NodePath = (*self.ev.resources_path, role_id, "Properties")
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        assert isinstance(props, dict)
        out: list[DeclaredPolicy] = []
        inline = props.get("Policies")
        for i, (item, path) in enumerate(self.ev.items(inline, (*base, "Policies"))):
            if not isinstance(item, dict) or "PolicyDocument" not in item:
                self._finding(codes.BAD_POLICY_DOCUMENT, path, "role policy without PolicyDocument")
                continue
            name = self.ev.text(item.get("PolicyName"), (*path, "PolicyName")) or f"Policies[{i}]"
            out.append(
                self._inline(item["PolicyDocument"], (*path, "PolicyDocument"), role_id, name)
            )
        managed = props.get("ManagedPolicyArns")
        for item, path in self.ev.items(managed, (*base, "ManagedPolicyArns")):
            out.append(self._managed(item, path, role_id))
        if "PermissionsBoundary" in props:
            path = (*base, "PermissionsBoundary")
            out.append(self._boundary(props["PermissionsBoundary"], path, role_id))
        role_name = self.ev.plain(self.ev.resolve(props.get("RoleName"), (*base, "RoleName")))
        for logical_id, other in self._attachable:
            if self._attaches(other, role_id, role_name):
                policy = self._policy_resource(logical_id, other, role_id)
                if policy is not None and all(p.name != policy.name for p in out):
                    out.append(policy)
        self._roles[role_id] = out
        return out

    def _attaches(self, res: dict[str, Any], role_id: str, role_name: Any) -> bool:
        props = res.get("Properties")
        if not isinstance(props, dict):
            return False
        roles: list[Any] = [props.get("RoleName")]
        if res["Type"] != "AWS::IAM::RolePolicy":
            listed = props.get("Roles")
            roles = listed if isinstance(listed, list) else []
        for entry in roles:
            if isinstance(entry, dict) and entry == {"Ref": role_id}:
                return True
            if isinstance(role_name, str) and entry == role_name:
                return True
        return False

    def _policy_resource(
        self, logical_id: str, res: dict[str, Any], role: str | None
    ) -> DeclaredPolicy | None:
        self._attached.add(logical_id)
        base: NodePath = (*self.ev.resources_path, logical_id, "Properties")
        props = res.get("Properties")
        if not isinstance(props, dict) or "PolicyDocument" not in props:
            self._finding(codes.BAD_POLICY_DOCUMENT, base, f"{logical_id} has no PolicyDocument")
            return None
        if res["Type"] == "AWS::IAM::ManagedPolicy":
            document = self._document(props["PolicyDocument"], (*base, "PolicyDocument"))
            location = self.doc.location((*base, "PolicyDocument"))
            return DeclaredPolicy(
                document,
                location,
                "customer-managed",
                True,
                logical_id,
                None,
                role,
                (*base, "PolicyDocument"),
            )
        return self._inline(props["PolicyDocument"], (*base, "PolicyDocument"), role, logical_id)

    def every_policy(self) -> list[DeclaredPolicy]:
        """All declared policies: every role's, plus policy resources no template role uses
        (attached to users, groups or roles defined elsewhere) — for lint."""
        out: list[DeclaredPolicy] = []
        for logical_id, res in self.resources.items():
            if res["Type"] == "AWS::IAM::Role":
                out.extend(self.role_policies(logical_id))
        for logical_id, res in self.resources.items():
            if res["Type"] in _ATTACHABLE:
                self._check_attachments(logical_id, res)
                if logical_id not in self._attached:
                    policy = self._policy_resource(logical_id, res, None)
                    if policy is not None:
                        out.append(policy)
        return out

    def _check_attachments(self, logical_id: str, res: dict[str, Any]) -> None:
        props = res.get("Properties")
        if not isinstance(props, dict):
            return
        key = "RoleName" if res["Type"] == "AWS::IAM::RolePolicy" else "Roles"
        entries = props.get(key)
        entries = entries if isinstance(entries, list) else [entries]
        for i, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("Ref"), str):
                target = entry["Ref"]
                if target not in self.resources and target not in self.ev.parameters:
                    path: NodePath = (*self.ev.resources_path, logical_id, "Properties", key)
                    self._finding(
                        codes.UNRESOLVED_POLICY_REFERENCE,
                        (*path, i) if key == "Roles" else path,
                        f"{logical_id} is attached to {target!r}, which the template lacks",
                    )

    # -- building blocks --------------------------------------------------------------------

    def _document(self, node: Any, path: NodePath) -> dict[str, Any]:
        document = self.ev.document(node, path)
        if not isinstance(document, dict) or "Statement" not in document:
            self._finding(
                codes.BAD_POLICY_DOCUMENT,
                path,
                "a policy document needs a Statement",
                Severity.ERROR,
            )
            return document if isinstance(document, dict) else {}
        statements = document["Statement"]
        items = statements if isinstance(statements, list) else [statements]
        for i, statement in enumerate(items):
            if not isinstance(statement, dict):
                where = (*path, "Statement", i) if isinstance(statements, list) else path
                self._finding(
                    codes.BAD_POLICY_DOCUMENT,
                    where,
                    "a statement must be a mapping",
                    Severity.ERROR,
                )
        return document

    def _inline(self, node: Any, path: NodePath, role: str | None, name: str) -> DeclaredPolicy:
        document = self._document(node, path)
        location = self.doc.location(path)
        return DeclaredPolicy(document, location, "inline", True, name, None, role, path)

    def _managed(self, node: Any, path: NodePath, role: str | None) -> DeclaredPolicy:
        target = node.get("Ref") if isinstance(node, dict) and len(node) == 1 else None
        res = self.resources.get(target) if isinstance(target, str) else None
        if res is not None and res["Type"] == "AWS::IAM::ManagedPolicy":
            assert isinstance(target, str)
            policy = self._policy_resource(target, res, role)
            if policy is not None:
                return policy
        arn = self.ev.text(node, path) or "*"
        return self._managed_arn(arn, path, role, explicit=True)

    def _managed_arn(
        self, arn: str, path: NodePath, role: str | None, *, explicit: bool
    ) -> DeclaredPolicy:
        location = self.doc.location(path)
        if explicit:
            self.report(codes.managed_not_expanded(arn, location))
        return managed_policy(arn, location, role, path)

    def _boundary(self, node: Any, path: NodePath, role: str | None) -> DeclaredPolicy:
        policy = self._managed(node, path, role)
        return DeclaredPolicy(
            policy.document,
            policy.location,
            "permissions-boundary",
            policy.expandable,
            policy.name,
            policy.arn,
            role,
            policy.path,
        )
