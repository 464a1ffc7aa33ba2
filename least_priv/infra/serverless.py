"""serverless.yml (Serverless Framework v3/v4, provider ``aws``).

Functions come from ``functions:`` with ``provider`` defaults (runtime, environment, layers,
vpc, tracing, kmsKeyArn); variables resolve through :mod:`serverless_vars`; CloudFormation
intrinsics (``!Ref OrdersTable``, ``Fn::GetAtt``) resolve against ``resources.Resources``
with the same evaluator as SAM templates. The code root of every function is the service
directory (Lambda imports from the package root), and the handler is kept as written
(``src/orders/app.handler``).

Settings use the CloudFormation names the policy stage reads for every format: ``vpc`` →
``VpcConfig``, ``tracing`` → ``Tracing``, ``onError`` → ``DeadLetterConfig``,
``destinations`` → ``EventInvokeConfig``, ``fileSystemConfig`` → ``FileSystemConfigs``,
``name`` (or the framework's ``<service>-<stage>-<key>``) → ``FunctionName``.

Role policies: ``provider.iam.role.statements`` (and the older ``iamRoleStatements``),
``managedPolicies``, ``permissionsBoundary``, the per-function ``iamRoleStatements`` of the
serverless-iam-roles-per-function plugin, a custom role from ``resources`` or an ARN, and
what the framework adds to its own role (log groups, event-source pollers, X-Ray, VPC,
dead-letter topic, destinations) as ``serverless-implicit``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from least_priv.infra import codes
from least_priv.infra.cfn_eval import NO_VALUE, Evaluator, to_value
from least_priv.infra.cfn_roles import RoleReader, aws_managed_arn
from least_priv.infra.cloudformation import dig, template_resource
from least_priv.infra.parts import ACCOUNT, PARTITION, REGION
from least_priv.infra.positions import NodePath, ParsedDocument
from least_priv.infra.serverless_vars import Variables
from least_priv.infra.template import (
    DeclaredPolicy,
    Template,
    external_role,
    make_template,
    managed_policy,
)
from least_priv.model import EventSource, Finding, Function, Severity, Value

_VERSION = "2012-10-17"
_DEFAULT_ROLE = "IamRoleLambdaExecution"
_LOGS_ARN = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"

# serverless event key -> event kind (the SAM names the policy stage knows).
_EVENT_KINDS = {
    "sqs": "SQS",
    "s3": "S3",
    "sns": "SNS",
    "http": "Api",
    "httpApi": "HttpApi",
    "schedule": "Schedule",
    "eventBridge": "EventBridgeRule",
    "cloudwatchEvent": "CloudWatchEvent",
    "cloudwatchLog": "CloudWatchLogs",
    "msk": "MSK",
    "activemq": "MQ",
    "rabbitmq": "MQ",
    "kafka": "SelfManagedKafka",
    "alb": "ALB",
    "websocket": "WebSocket",
    "iot": "IoTRule",
    "cognitoUserPool": "Cognito",
    "alexaSkill": "AlexaSkill",
    "alexaSmartHome": "AlexaSmartHome",
}
# event key -> the field naming what it reads (a bare string event is that field).
_EVENT_TARGETS = {"sqs": "arn", "s3": "bucket", "sns": "arn", "msk": "arn", "activemq": "arn"}
_EVENT_TARGETS |= {"rabbitmq": "arn", "cloudwatchLog": "logGroup", "eventBridge": "eventBus"}
# What the framework grants its role for a polled event source (v3 event compilers).
_POLLER_ACTIONS = {
    "SQS": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "DynamoDB": [
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ],
    "Kinesis": [
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
    ],
}
_DESTINATION_ACTIONS = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents",
}


def normalize_name(name: str) -> str:
    """The framework's logical-id form of a key (``orders-api`` → ``OrdersDashapi``)."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    text = re.sub(r"[^A-Za-z0-9]", "", text)
    return text[:1].upper() + text[1:]


def read_serverless(
    doc: ParsedDocument,
    *,
    options: Mapping[str, str] | None = None,
    stage: str | None = None,
) -> Template:
    """Read a serverless.yml that :mod:`positions` parsed.

    ``options`` are ``--param``/CLI options (``${opt:NAME}``, ``${param:NAME}``);
    ``stage`` is ``--stage`` (default: ``provider.stage``, else ``dev``).
    """
    return _Reader(doc, options, stage).read()


class _Reader:
    def __init__(
        self, doc: ParsedDocument, options: Mapping[str, str] | None, stage: str | None
    ) -> None:
        self.doc = doc
        self.base_dir = os.path.dirname(doc.path)
        self.vars = Variables(doc, options=options, stage=stage)
        self.config = self.vars.config
        self.findings: list[Finding] = list(doc.findings)
        self.provider = self._resolved(("provider",), {})
        service = self._resolved(("service",), "")
        if isinstance(service, dict):  # v1: service: {name: ...}
            service = service.get("name", "")
        self.service = self.vars.known(service) or "service"
        self.functions_raw = self._functions_raw()
        self.resources: dict[str, dict[str, Any]] = {
            key: res
            for key, res in self.vars.pieces(self._resources()).items()
            if isinstance(res, dict) and isinstance(res.get("Type"), str)
        }
        self.ev = Evaluator(
            doc,
            resources=self.resources,
            implicit=self._implicit(),
            resources_path=("resources", "Resources"),
        )
        self.roles = RoleReader(self.ev, self.resources, self.findings.append)
        self.built: dict[str, Function] = {}

    # -- plumbing ---------------------------------------------------------------------------

    def _resolved(self, path: NodePath, default: Any) -> Any:
        raw = self.doc.get(path)
        if raw is None:
            return default
        resolved = self.vars.resolve(raw, path)
        return resolved if isinstance(resolved, type(default)) else default

    def _report(
        self, code: str, path: NodePath, message: str, severity: Severity = Severity.WARNING
    ) -> None:
        self.findings.append(codes.finding(code, self.doc.location(path), message, severity))

    def _resources(self) -> dict[str, Any]:
        """``resources.Resources``, also when ``resources`` is a list of blocks or of
        ``${file(...)}`` includes (later blocks win, as in the framework)."""
        raw = self.doc.get(("resources",))
        blocks = raw if isinstance(raw, list) else [raw]
        merged: dict[str, Any] = {}
        for i, block in enumerate(blocks):
            path: NodePath = ("resources", i) if isinstance(raw, list) else ("resources",)
            resolved = self.vars.resolve(block, path) if block is not None else None
            inner = resolved.get("Resources") if isinstance(resolved, dict) else None
            if isinstance(inner, dict):
                merged.update(inner)
        return merged

    def _value(self, node: Any, path: NodePath) -> Value:
        """A resolved serverless node (variables done) through the intrinsic evaluator."""
        return to_value(self.ev.resolve(self.vars.pieces(node), path))

    def _text(self, node: Any, path: NodePath) -> str | None:
        return self.ev.text(self.vars.pieces(node), path)

    def _functions_raw(self) -> dict[str, tuple[dict[str, Any], NodePath]]:
        node = self.doc.get(("functions",))
        out: dict[str, tuple[dict[str, Any], NodePath]] = {}
        blocks: list[tuple[Any, NodePath]] = []
        if isinstance(node, dict):
            blocks = [(node, ("functions",))]
        elif isinstance(node, list):  # functions: [ {a: ...}, ${file(more.yml)} ]
            blocks = [(item, ("functions", i)) for i, item in enumerate(node)]
        elif node is not None:
            self._report(codes.BAD_PROPERTY, ("functions",), "functions must be a mapping")
        for block, path in blocks:
            resolved = self.vars.resolve(block, path)
            if not isinstance(resolved, dict):
                continue
            for key, fn in resolved.items():
                if isinstance(fn, dict):
                    out[key] = (fn, (*path, key))
                else:
                    self._report(codes.BAD_PROPERTY, (*path, key), f"function {key} is empty")
        return out

    def _implicit(self) -> dict[str, str]:
        """Logical ids the framework generates, so references to them resolve."""
        implicit = {
            _DEFAULT_ROLE: "AWS::IAM::Role",
            "ServerlessDeploymentBucket": "AWS::S3::Bucket",
            "ApiGatewayRestApi": "AWS::ApiGateway::RestApi",
            "HttpApi": "AWS::ApiGatewayV2::Api",
        }
        for key in self.functions_raw:
            implicit[f"{normalize_name(key)}LambdaFunction"] = "AWS::Lambda::Function"
        layers = self.config.get("layers")
        for key in layers if isinstance(layers, dict) else ():
            implicit[f"{normalize_name(key)}LambdaLayer"] = "AWS::Lambda::LayerVersion"
        return implicit

    def _fn_or_provider(
        self, fn: dict[str, Any], fn_path: NodePath, key: str, provider_key: str | None = None
    ) -> tuple[Any, NodePath] | None:
        if key in fn:
            return fn[key], (*fn_path, key)
        provider_key = provider_key or key
        if provider_key in self.provider:
            return self.provider[provider_key], ("provider", provider_key)
        return None

    # -- the whole file ---------------------------------------------------------------------

    def read(self) -> Template:
        functions: list[Function] = []
        policies: dict[str, list[DeclaredPolicy]] = {}
        aliases: dict[str, str] = {}
        shared_role: list[DeclaredPolicy] | None = None
        for key, (fn, path) in self.functions_raw.items():
            function = self._function(key, fn, path)
            self.built[key] = function
            functions.append(function)
            name = dict(function.settings).get("FunctionName")
            if name is not None and name.text and name.text != key:
                aliases[name.text] = key
        for key, (fn, path) in self.functions_raw.items():
            kind, role_policies = self._function_role(key, fn, path, self.built[key])
            if kind == "default":
                if shared_role is None:
                    shared_role = self._default_role_policies()
                role_policies = shared_role
            policies[key] = role_policies
        resources = [template_resource(self.ev, lid, res) for lid, res in self.resources.items()]
        extra = self.roles.every_policy()
        self.findings.extend(self.ev.findings)
        self.findings.extend(self.vars.findings)
        return make_template(
            path=self.doc.path,
            kind="serverless",
            functions=functions,
            resources=resources,
            findings=self.findings,
            documents=[self.doc],
            function_policies=policies,
            extra_policies=extra,
            aliases=aliases,
        )

    # -- one function -----------------------------------------------------------------------

    def _function(self, key: str, fn: dict[str, Any], path: NodePath) -> Function:
        code_root, handler = self._code(key, fn, path)
        runtime = self._fn_or_provider(fn, path, "runtime")
        return Function(
            name=key,
            code_root=code_root,
            handler=handler,
            runtime=(self._text(runtime[0], runtime[1]) or "") if runtime else "",
            env=self._env(fn, path),
            layers=self._layers(fn, path),
            events=self._events(fn, path),
            role=self._role_name(key, fn),
            settings=self._settings(key, fn, path),
            location=self.doc.key_location(path),
        )

    def _local(self, relative: str) -> str:
        return os.path.normpath(os.path.join(self.base_dir, relative))

    def _code(self, key: str, fn: dict[str, Any], path: NodePath) -> tuple[str, str]:
        if "image" in fn:
            return self._image(key, fn, path)
        handler = self._text(fn.get("handler"), (*path, "handler")) or ""
        if not handler:
            self._report(codes.MISSING_HANDLER, path, f"function {key} has no handler")
        artifact = (
            fn.get("package", {}).get("artifact") if isinstance(fn.get("package"), dict) else None
        )
        if isinstance(artifact, str):
            self._report(
                codes.MISSING_CODE,
                (*path, "package", "artifact"),
                f"function {key} deploys the prebuilt {artifact}; the service directory is "
                "analysed as its source",
                Severity.NOTE,
            )
        module = fn.get("module")  # serverless-python-requirements: code under a sub-directory
        root = (
            self._local(module)
            if isinstance(module, str)
            else os.path.normpath(self.base_dir or ".")
        )
        return root, handler

    def _image(self, key: str, fn: dict[str, Any], path: NodePath) -> tuple[str, str]:
        image = fn["image"]
        name = image.get("name") if isinstance(image, dict) else image
        command = image.get("command") if isinstance(image, dict) else None
        handler = command[0] if isinstance(command, list) and command else ""
        images = (
            self.provider.get("ecr", {}).get("images")
            if isinstance(self.provider.get("ecr"), dict)
            else None
        )
        spec = images.get(name) if isinstance(images, dict) and isinstance(name, str) else None
        context = spec.get("path") if isinstance(spec, dict) else None
        if not isinstance(context, str):
            self._report(
                codes.MISSING_CODE,
                (*path, "image"),
                f"function {key} runs a prebuilt image; there is no local source to analyse",
            )
            return "", str(handler)
        if not handler:
            self._report(
                codes.MISSING_HANDLER,
                (*path, "image"),
                f"function {key}: the handler is the image's CMD; every module is analysed",
            )
        return self._local(context), str(handler)

    def _env(self, fn: dict[str, Any], path: NodePath) -> tuple[tuple[str, Value], ...]:
        merged: dict[str, tuple[Any, NodePath]] = {}
        for source, where in ((self.provider, ("provider",)), (fn, path)):
            environment = source.get("environment")
            if environment is None:
                continue
            if not isinstance(environment, dict):
                self._report(
                    codes.BAD_PROPERTY, (*where, "environment"), "environment must be a mapping"
                )
                continue
            for name, node in environment.items():
                merged[name] = (node, (*where, "environment", name))
        out: list[tuple[str, Value]] = []
        for name, (node, where) in merged.items():
            resolved = self.ev.resolve(self.vars.pieces(node), where)
            if resolved is not NO_VALUE:
                out.append((name, to_value(resolved)))
        return tuple(sorted(out))

    def _layers(self, fn: dict[str, Any], path: NodePath) -> tuple[str, ...]:
        found = self._fn_or_provider(fn, path, "layers")
        if found is None:
            return ()
        layers, where = found
        if not isinstance(layers, list):
            self._report(codes.BAD_PROPERTY, where, "layers must be a list")
            return ()
        definitions = (
            self.config.get("layers") if isinstance(self.config.get("layers"), dict) else {}
        )
        assert isinstance(definitions, dict)
        by_id = {f"{normalize_name(k)}LambdaLayer": k for k in definitions}
        out: list[str] = []
        for i, item in enumerate(layers):
            ref = item.get("Ref") if isinstance(item, dict) else None
            key = by_id.get(ref) if isinstance(ref, str) else None
            spec = definitions.get(key) if key else None
            layer_path = spec.get("path") if isinstance(spec, dict) else None
            if not isinstance(layer_path, str):
                text = self._text(item, (*where, i)) or "?"
                self._report(
                    codes.MISSING_CODE,
                    (*where, i),
                    f"layer {text} is not defined in this service; its code is not analysed",
                    Severity.NOTE,
                )
                continue
            root = self._local(self.vars.known(layer_path) or layer_path)
            python_dir = os.path.join(root, "python")
            out.append(python_dir if os.path.isdir(python_dir) else root)
        return tuple(out)

    def _events(self, fn: dict[str, Any], path: NodePath) -> tuple[EventSource, ...]:
        events = fn.get("events")
        if events is None:
            return ()
        if not isinstance(events, list):
            self._report(codes.BAD_PROPERTY, (*path, "events"), "events must be a list")
            return ()
        out: list[EventSource] = []
        for i, event in enumerate(events):
            where = (*path, "events", i)
            if not (isinstance(event, dict) and len(event) == 1):
                self._report(codes.BAD_PROPERTY, where, "an event is a mapping with one key")
                continue
            key, spec = next(iter(event.items()))
            location = self.doc.location(where)
            if key == "stream":
                out.append(self._stream(spec, (*where, key), location))
                continue
            kind = _EVENT_KINDS.get(key)
            if kind is None:
                self.findings.append(codes.unknown_event(key, self.doc.location(where)))
                out.append(EventSource(key, None, location))
                continue
            field = _EVENT_TARGETS.get(key)
            target = None
            if field is not None:
                node = spec.get(field) if isinstance(spec, dict) else spec
                if key == "sns" and isinstance(spec, dict) and node is None:
                    node = spec.get("topicName")
                if node is not None and not isinstance(node, bool):
                    target = self._value(node, (*where, key))
            out.append(EventSource(kind, target, location))
        return tuple(out)

    def _stream(self, spec: Any, path: NodePath, location: Any) -> EventSource:
        arn = spec.get("arn") if isinstance(spec, dict) else spec
        declared = spec.get("type") if isinstance(spec, dict) else None
        target = self._value(arn, path) if arn is not None else None
        kind = {"dynamodb": "DynamoDB", "kinesis": "Kinesis"}.get(str(declared))
        if kind is None and target is not None:
            text = target.pattern()
            kind = (
                "DynamoDB" if ":dynamodb:" in text else "Kinesis" if ":kinesis:" in text else None
            )
            for part in target.parts:
                resource_type = getattr(part, "resource_type", None) or ""
                if "DynamoDB" in resource_type:
                    kind = "DynamoDB"
                elif "Kinesis" in resource_type:
                    kind = "Kinesis"
        if kind is None:
            self._report(
                codes.UNKNOWN_EVENT,
                path,
                "stream event without type: dynamodb|kinesis and an ARN that does not say",
                Severity.NOTE,
            )
            kind = "Stream"
        return EventSource(kind, target, location)

    def _function_name(self, key: str, fn: dict[str, Any]) -> str:
        name = self.vars.known(fn.get("name"))
        return name or f"{self.service}-{self.vars.stage}-{key}"

    def _settings(
        self, key: str, fn: dict[str, Any], path: NodePath
    ) -> tuple[tuple[str, Value], ...]:
        out: list[tuple[str, Value]] = []
        explicit = fn.get("name")
        if explicit is not None:
            out.append(("FunctionName", self._value(explicit, (*path, "name"))))
        else:
            out.append(("FunctionName", Value.literal(self._function_name(key, fn))))
        tracing = self._tracing(fn, path)
        if tracing is not None:
            out.append(("Tracing", Value.literal(tracing)))
        vpc = self._fn_or_provider(fn, path, "vpc")
        if vpc is not None and isinstance(vpc[0], dict):
            renamed = {
                "SecurityGroupIds": vpc[0].get("securityGroupIds", []),
                "SubnetIds": vpc[0].get("subnetIds", []),
            }
            out.append(("VpcConfig", self._value(renamed, vpc[1])))
        key_arn = self._fn_or_provider(fn, path, "kmsKeyArn")
        if key_arn is not None:
            out.append(("KmsKeyArn", self._value(key_arn[0], key_arn[1])))
        if "onError" in fn:
            out.append(
                ("DeadLetterConfig", self._value({"TargetArn": fn["onError"]}, (*path, "onError")))
            )
        destinations = fn.get("destinations")
        if isinstance(destinations, dict):
            config = {}
            for outcome, field in (("OnSuccess", "onSuccess"), ("OnFailure", "onFailure")):
                if field in destinations:
                    config[outcome] = {"Destination": self._destination(destinations[field])}
            where = (*path, "destinations")
            out.append(("EventInvokeConfig", self._value({"DestinationConfig": config}, where)))
        file_system = fn.get("fileSystemConfig")
        if isinstance(file_system, dict):
            config_list = [
                {"Arn": file_system.get("arn"), "LocalMountPath": file_system.get("localMountPath")}
            ]
            out.append(("FileSystemConfigs", self._value(config_list, (*path, "fileSystemConfig"))))
        events = fn.get("events")
        for i, event in enumerate(events if isinstance(events, list) else []):
            spec = event.get("stream") if isinstance(event, dict) else None
            failure = dig(spec, "destinations", "onFailure")
            if failure is not None:
                arn = failure["arn"] if isinstance(failure, dict) and "arn" in failure else failure
                where = (*path, "events", i, "stream", "destinations", "onFailure")
                out.append(
                    (
                        "EventSourceDestinationConfig",
                        self._value({"OnFailure": {"Destination": arn}}, where),
                    )
                )
        return tuple(out)

    def _destination(self, node: Any) -> Any:
        """A destination: an ARN, ``{arn, type}``, or the key of a function of this service."""
        if isinstance(node, dict) and "arn" in node:
            node = node["arn"]
        if isinstance(node, str) and node in self.functions_raw and not node.startswith("arn:"):
            fn, _ = self.functions_raw[node]
            name = self._function_name(node, fn)
            partition, region, account = (self.vars.token(p) for p in (PARTITION, REGION, ACCOUNT))
            return f"arn:{partition}:lambda:{region}:{account}:function:{name}"
        return node

    def _tracing(self, fn: dict[str, Any], path: NodePath) -> str | None:
        value = fn.get("tracing")
        if value is None:
            tracing = self.provider.get("tracing")
            value = tracing.get("lambda") if isinstance(tracing, dict) else None
        if value is True or value == "Active":
            return "Active"
        if value == "PassThrough":
            return "PassThrough"
        return None

    # -- roles ------------------------------------------------------------------------------

    def _provider_role(self) -> Any:
        iam = self.provider.get("iam")
        role = iam.get("role") if isinstance(iam, dict) else None
        return role if role is not None else self.provider.get("role")

    def _role_name(self, key: str, fn: dict[str, Any]) -> str | None:
        role = fn.get("role")
        if role is None and "iamRoleStatements" in fn:
            return f"{normalize_name(key)}IamRoleLambdaExecution"
        if role is None:
            role = self._provider_role()
        if role is None or (
            isinstance(role, dict) and "Fn::GetAtt" not in role and "Ref" not in role
        ):
            return _DEFAULT_ROLE
        target = _target(role)
        if target is not None:
            return target
        return self._text(role, ()) or None

    def _function_role(
        self, key: str, fn: dict[str, Any], path: NodePath, function: Function
    ) -> tuple[str, list[DeclaredPolicy]]:
        """(``default`` | ``own``, policies) for the function's role."""
        role = function.role
        if role == _DEFAULT_ROLE:
            return "default", []
        if "iamRoleStatements" in fn and fn.get("role") is None:
            return "own", self._per_function_role(key, fn, path, function)
        if (
            role is not None
            and self.ev.resource_type(role) == "AWS::IAM::Role"
            and role in self.resources
        ):
            return "own", self.roles.role_policies(role)
        where = (*path, "role") if "role" in fn else ("provider", "iam", "role")
        self._report(
            codes.EXTERNAL_ROLE,
            where,
            f"function {key}: role {role} is not defined in this service; compare against "
            "the live role (--role-arn) instead",
            Severity.NOTE,
        )
        return "own", [external_role(role, self.doc.location(where), where)]

    def _statement_policy(
        self, statements: Any, path: NodePath, role: str, name: str
    ) -> DeclaredPolicy | None:
        if statements is None:
            return None
        if not isinstance(statements, list):
            self._report(
                codes.BAD_POLICY_DOCUMENT, path, "statements must be a list", Severity.ERROR
            )
            return None
        rendered = self.ev.document(self.vars.pieces(statements), path)
        for i, statement in enumerate(rendered):
            if not isinstance(statement, dict):
                self._report(
                    codes.BAD_POLICY_DOCUMENT,
                    (*path, i),
                    "a statement must be a mapping",
                    Severity.ERROR,
                )
        document = {"Version": _VERSION, "Statement": rendered}
        return DeclaredPolicy(
            document, self.doc.location(path), "inline", True, name, None, role, path
        )

    def _managed(self, items: Any, path: NodePath, role: str) -> list[DeclaredPolicy]:
        out: list[DeclaredPolicy] = []
        for i, item in enumerate(items if isinstance(items, list) else ()):
            where = (*path, i)
            arn = self._text(item, where) or "*"
            location = self.doc.location(where)
            self.findings.append(codes.managed_not_expanded(arn, location, "service"))
            out.append(managed_policy(arn, location, role, where))
        return out

    def _default_role_policies(self) -> list[DeclaredPolicy]:
        """The framework's shared role: provider statements, managed policies, boundary, and
        what the framework adds for every function that uses it."""
        out: list[DeclaredPolicy] = []
        iam = self.provider.get("iam") if isinstance(self.provider.get("iam"), dict) else {}
        assert isinstance(iam, dict)
        role = iam.get("role") if isinstance(iam.get("role"), dict) else {}
        assert isinstance(role, dict)
        sources = [
            (
                role.get("statements"),
                ("provider", "iam", "role", "statements"),
                "provider.iam.role.statements",
            ),
            (
                self.provider.get("iamRoleStatements"),
                ("provider", "iamRoleStatements"),
                "provider.iamRoleStatements",
            ),
        ]
        for statements, path, name in sources:
            policy = self._statement_policy(statements, path, _DEFAULT_ROLE, name)
            if policy is not None:
                out.append(policy)
        out.extend(
            self._managed(
                role.get("managedPolicies"),
                ("provider", "iam", "role", "managedPolicies"),
                _DEFAULT_ROLE,
            )
        )
        out.extend(
            self._managed(
                self.provider.get("iamManagedPolicies"),
                ("provider", "iamManagedPolicies"),
                _DEFAULT_ROLE,
            )
        )
        boundary_path: NodePath = ("provider", "iam", "role", "permissionsBoundary")
        boundary = role.get("permissionsBoundary")
        if boundary is None:
            boundary, boundary_path = (
                self.provider.get("rolePermissionsBoundary"),
                ("provider", "rolePermissionsBoundary"),
            )
        if boundary is not None:
            arn = self._text(boundary, boundary_path) or "*"
            location = self.doc.location(boundary_path)
            out.append(
                managed_policy(
                    arn, location, _DEFAULT_ROLE, boundary_path, origin="permissions-boundary"
                )
            )
        users = [
            (key, fn, path)
            for key, (fn, path) in self.functions_raw.items()
            if self.built[key].role == _DEFAULT_ROLE
        ]
        out.extend(self._implicit_policies(users, _DEFAULT_ROLE))
        return out

    def _per_function_role(
        self, key: str, fn: dict[str, Any], path: NodePath, function: Function
    ) -> list[DeclaredPolicy]:
        """serverless-iam-roles-per-function: the function's own statements (plus the
        provider's with ``iamRoleStatementsInherit``) and the framework's additions."""
        role = function.role or key
        out: list[DeclaredPolicy] = []
        own = self._statement_policy(
            fn.get("iamRoleStatements"),
            (*path, "iamRoleStatements"),
            role,
            f"{key}.iamRoleStatements",
        )
        if own is not None:
            out.append(own)
        if fn.get("iamRoleStatementsInherit") is True:
            out.extend(
                p for p in self._default_role_policies() if p.origin != "serverless-implicit"
            )
        out.extend(self._implicit_policies([(key, fn, path)], role))
        return out

    def _implicit_policies(
        self, users: Iterable[tuple[str, dict[str, Any], NodePath]], role: str
    ) -> list[DeclaredPolicy]:
        """What the framework adds to a role it creates, from the functions using it."""
        users = list(users)
        if not users:
            return []
        here: NodePath = ("provider",) if self.doc.get(("provider",)) is not None else ()
        prefix = f"/aws/lambda/{self.service}-{self.vars.stage}*"
        groups = [f"{_LOGS_ARN}{prefix}:*"]
        for key, fn, _ in users:
            name = self._function_name(key, fn)
            if not name.startswith(f"{self.service}-{self.vars.stage}"):
                groups.append(f"{_LOGS_ARN}/aws/lambda/{name}:*")
        statements: list[dict[str, Any]] = [
            _statement(["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"], groups),
            _statement(["logs:PutLogEvents"], [g + ":*" for g in groups]),
        ]
        pollers: dict[str, list[str]] = {}
        managed: list[str] = []
        xray = False
        for key, _, _ in users:
            function = self.built[key]
            for event in function.events:
                if event.kind in _POLLER_ACTIONS and event.target is not None:
                    arn = self.ev.render_parts(event.target.parts)
                    if arn not in pollers.setdefault(event.kind, []):
                        pollers[event.kind].append(arn)
            settings = dict(function.settings)
            if "VpcConfig" in settings and "AWSLambdaVPCAccessExecutionRole" not in managed:
                managed.append("AWSLambdaVPCAccessExecutionRole")
            if settings.get("Tracing") is not None and settings["Tracing"].text == "Active":
                xray = True
            for target in _destinations(function):
                text = self.ev.render_parts(target.parts)
                action = _DESTINATION_ACTIONS.get(arn_service(text))
                if action is not None:
                    statements.append(_statement([action], [text]))
        for kind, arns in sorted(pollers.items()):
            statements.append(_statement(_POLLER_ACTIONS[kind], arns))
        if xray:
            statements.append(
                _statement(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"])
            )
        location = self.doc.key_location(here)
        out = [
            DeclaredPolicy(
                {"Version": _VERSION, "Statement": statements},
                location,
                "serverless-implicit",
                True,
                "added by the Serverless Framework",
                None,
                role,
                here,
            )
        ]
        for name in managed:
            arn = aws_managed_arn(name)
            out.append(
                DeclaredPolicy(
                    {},
                    location,
                    "managed-arn",
                    False,
                    f"{name} (added by the Serverless Framework)",
                    arn,
                    role,
                    here,
                )
            )
        return out


_ARN_SERVICE = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]*):([^:]+):")


def arn_service(text: str) -> str:
    """The service of an ARN, also when its partition is ``${AWS::Partition}``."""
    match = _ARN_SERVICE.match(text)
    return match.group(1) if match else ""


def _destinations(function: Function) -> list[Value]:
    """Every destination ARN a function's settings name: dead-letter target, invoke
    destinations, event-source on-failure destinations."""
    out: list[Value] = []
    for key, value in function.settings:
        if key == "DeadLetterConfig":
            found = [value.get("TargetArn")]
        elif key == "EventInvokeConfig":
            config = value.get("DestinationConfig")
            found = [
                outcome.get("Destination")
                for outcome in (
                    config.get(o) if config else None for o in ("OnSuccess", "OnFailure")
                )
                if outcome is not None
            ]
        elif key == "EventSourceDestinationConfig":
            failure = value.get("OnFailure")
            found = [failure.get("Destination") if failure else None]
        else:
            continue
        out.extend(v for v in found if v is not None and v.is_string)
    return out


def _statement(actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _target(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        key, arg = next(iter(node.items()))
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt" and isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
    return None
