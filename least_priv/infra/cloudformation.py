"""SAM and CloudFormation templates (YAML or JSON), including CDK's synthesized output.

Functions are ``AWS::Serverless::Function`` (with SAM ``Globals`` merged in) and
``AWS::Lambda::Function`` resources. Their code root comes from ``CodeUri``/``Code``
(relative to the template), from ``Metadata.DockerContext`` for SAM image functions, or
from CDK's ``aws:asset:path`` metadata (relative to ``cdk.out``). Event sources come from SAM
``Events`` and from ``AWS::Lambda::EventSourceMapping``, S3 notification, SNS subscription,
EventBridge rule and ``EventInvokeConfig`` resources that point at the function.

``Function.settings`` holds the function properties that imply permissions, each as its
whole resolved value under its CloudFormation name (see :data:`SETTING_PROPERTIES`); an
``AWS::Lambda::EventInvokeConfig`` resource for the function adds ``EventInvokeConfig``, and
each event source with a ``DestinationConfig`` (SAM stream events, event source mappings)
adds one ``EventSourceDestinationConfig`` entry (a key may repeat).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from least_priv.infra import codes
from least_priv.infra.cfn_eval import NO_VALUE, Evaluator, Pieces, string_parts, to_value
from least_priv.infra.cfn_roles import RoleReader
from least_priv.infra.parts import known_pattern
from least_priv.infra.positions import NodePath, ParsedDocument, lookup
from least_priv.infra.template import (
    DeclaredPolicy,
    Template,
    TemplateResource,
    external_role,
    make_template,
)
from least_priv.model import EventSource, Finding, Function, Severity, TemplateRef, Value

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
_LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
_SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# SAM event type -> the property naming what it reads from (None: a push source, no target).
_SAM_EVENT_TARGETS: dict[str, str | None] = {
    "SQS": "Queue",
    "Kinesis": "Stream",
    "DynamoDB": "Stream",
    "MSK": "Stream",
    "MQ": "Broker",
    "DocumentDB": "Cluster",
    "S3": "Bucket",
    "SNS": "Topic",
    "CloudWatchLogs": "LogGroupName",
    "EventBridgeRule": "EventBusName",
    "CloudWatchEvent": "EventBusName",
    "Cognito": "UserPool",
    "Api": None,
    "HttpApi": None,
    "Schedule": None,
    "ScheduleV2": None,
    "IoTRule": None,
    "AlexaSkill": None,
    "SelfManagedKafka": None,
}

# Resource type of an event source mapping's EventSourceArn -> event kind.
_SOURCE_KINDS: dict[str, str] = {
    "AWS::SQS::Queue": "SQS",
    "AWS::Kinesis::Stream": "Kinesis",
    "AWS::Kinesis::StreamConsumer": "Kinesis",
    "AWS::DynamoDB::Table": "DynamoDB",
    "AWS::DynamoDB::GlobalTable": "DynamoDB",
    "AWS::MSK::Cluster": "MSK",
    "AWS::MSK::ServerlessCluster": "MSK",
    "AWS::AmazonMQ::Broker": "MQ",
    "AWS::DocDB::DBCluster": "DocumentDB",
}
# ARN service of a literal EventSourceArn -> event kind.
_ARN_KINDS = {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB", "kafka": "MSK"}
_ARN_KINDS |= {"mq": "MQ", "rds": "DocumentDB"}

#: Function properties copied into ``Function.settings`` (SAM and CloudFormation names).
SETTING_PROPERTIES = (
    "FunctionName",
    "Tracing",
    "TracingConfig",
    "VpcConfig",
    "KmsKeyArn",
    "DeadLetterQueue",
    "DeadLetterConfig",
    "EventInvokeConfig",
    "LoggingConfig",
    "FileSystemConfigs",
)
#: Settings key of an event source's on-failure destination (``{"OnFailure":
#: {"Destination": ...}}``), from SAM stream events and event source mappings.
EVENT_DESTINATIONS = "EventSourceDestinationConfig"

# Template property -> the customer-managed key of the resource (path inside Properties).
_AWS_MANAGED_KEY_PREFIXES = ("alias/aws/", "aws/")


@dataclass
class _Props:
    """A function's properties with SAM Globals merged, and where each one is written."""

    data: dict[str, Any]
    own: NodePath
    globals_path: NodePath | None
    doc: ParsedDocument
    lists: dict[tuple[str, ...], list[NodePath]] = field(default_factory=dict)
    _missing: object = field(default_factory=object)

    def path(self, *keys: str | int) -> NodePath:
        """The source path of a (possibly nested) property: the function's own when it
        writes it, else Globals'. Items of a list both define come from where they are
        written (``Layers[0]`` may be the first global layer)."""
        for i, key in enumerate(keys):
            if isinstance(key, int):
                prefix = tuple(str(k) for k in keys[:i])
                sources = self.lists.get(prefix)
                if sources is not None and 0 <= key < len(sources):
                    return (*sources[key], *keys[i + 1 :])
                break
        missing = self._missing
        if (
            self.globals_path is not None
            and self.doc.get((*self.own, *keys), missing) is missing
            and self.doc.get((*self.globals_path, *keys), missing) is not missing
        ):
            return (*self.globals_path, *keys)
        return (*self.own, *keys)

    def get(self, key: str) -> Any:
        """The merged property ``key`` (None when absent)."""
        return self.data.get(key)


def read_cloudformation(
    doc: ParsedDocument,
    *,
    parameters: Mapping[str, str] | None = None,
    kind: str | None = None,
    asset_root: str | None = None,
) -> Template:
    """Read a SAM/CloudFormation/CDK template that :mod:`positions` parsed.

    ``kind`` forces ``cdk`` (a template inside ``cdk.out``); ``asset_root`` is the directory
    CDK asset paths are relative to (default: the template's directory).
    """
    return _Reader(doc, parameters, kind, asset_root).read()


class _Reader:
    def __init__(
        self,
        doc: ParsedDocument,
        parameters: Mapping[str, str] | None,
        kind: str | None,
        asset_root: str | None,
    ) -> None:
        self.doc = doc
        data = doc.data if isinstance(doc.data, dict) else {}
        self.data = data
        self.base_dir = os.path.dirname(doc.path)
        self.asset_root = asset_root if asset_root is not None else self.base_dir
        self.findings: list[Finding] = list(doc.findings)
        raw_resources = data.get("Resources")
        if not isinstance(raw_resources, dict):
            self._report(codes.BAD_PROPERTY, ("Resources",), "Resources is not a mapping")
            raw_resources = {}
        self.resources: dict[str, dict[str, Any]] = {}
        for logical_id, res in raw_resources.items():
            if isinstance(res, dict) and isinstance(res.get("Type"), str):
                self.resources[logical_id] = res
            else:
                self._report(
                    codes.BAD_PROPERTY,
                    ("Resources", logical_id),
                    f"resource {logical_id!r} has no Type; it is ignored",
                )
        self.kind = kind or self._detect_kind()
        self.ev = Evaluator(
            doc, parameters=parameters, implicit=self._implicit(), resources=self.resources
        )
        globals_node = data.get("Globals")
        function_globals = globals_node.get("Function") if isinstance(globals_node, dict) else None
        self.globals: dict[str, Any] = (
            function_globals if isinstance(function_globals, dict) else {}
        )
        self.roles = RoleReader(self.ev, self.resources, self._report_finding)

    # -- plumbing ---------------------------------------------------------------------------

    def _report_finding(self, found: Finding) -> None:
        self.findings.append(found)

    def _report(
        self, code: str, path: NodePath, message: str, severity: Severity = Severity.WARNING
    ) -> None:
        self.findings.append(codes.finding(code, self.doc.location(path), message, severity))

    def _detect_kind(self) -> str:
        transform = self.data.get("Transform")
        transforms = transform if isinstance(transform, list) else [transform]
        if _SAM_TRANSFORM in transforms or any(
            r["Type"].startswith("AWS::Serverless::") for r in self.resources.values()
        ):
            return "sam"
        if any(
            isinstance(r.get("Metadata"), dict) and "aws:cdk:path" in r["Metadata"]
            for r in self.resources.values()
        ):
            return "cdk"
        return "cloudformation"

    def _implicit(self) -> dict[str, str]:
        """Resources SAM creates that templates reference: the API, a function's role."""
        implicit: dict[str, str] = {}
        if self.kind != "sam":
            return implicit
        implicit["ServerlessRestApi"] = "AWS::ApiGateway::RestApi"
        implicit["ServerlessHttpApi"] = "AWS::ApiGatewayV2::Api"
        for logical_id, res in self.resources.items():
            props = res.get("Properties")
            if res["Type"] == SERVERLESS_FUNCTION and not (
                isinstance(props, dict) and "Role" in props
            ):
                implicit[f"{logical_id}Role"] = "AWS::IAM::Role"
        return implicit

    # -- the whole template -----------------------------------------------------------------

    def read(self) -> Template:
        functions: dict[str, Function] = {}
        policies: dict[str, list[DeclaredPolicy]] = {}
        aliases: dict[str, str] = {}
        for logical_id, res in self.resources.items():
            if res["Type"] not in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
                continue
            props = self._props(logical_id, res)
            function = self._function(logical_id, res, props)
            functions[logical_id] = function
            policies[logical_id] = self._function_policies(logical_id, res, props, function)
            aliases.update(self._aliases(logical_id, res, function))
        self._attach_event_resources(functions)
        resources = [template_resource(self.ev, lid, res) for lid, res in self.resources.items()]
        extra = self.roles.every_policy()
        self.findings.extend(self.ev.findings)
        return make_template(
            path=self.doc.path,
            kind=self.kind,
            functions=functions.values(),
            resources=resources,
            findings=self.findings,
            documents=[self.doc],
            function_policies=policies,
            extra_policies=extra,
            aliases={k: v for k, v in aliases.items() if k not in functions},
        )

    def _aliases(self, logical_id: str, res: dict[str, Any], function: Function) -> dict[str, str]:
        out: dict[str, str] = {}
        name = dict(function.settings).get("FunctionName")
        if name is not None and name.text:
            out[name.text] = logical_id
        metadata = res.get("Metadata")
        cdk_path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if isinstance(cdk_path, str):
            construct = cdk_path.removesuffix("/Resource")
            out[construct] = logical_id
            out[construct.split("/", 1)[-1]] = logical_id  # without the stack name
        return out

    def _props(self, logical_id: str, res: dict[str, Any]) -> _Props:
        own = ("Resources", logical_id, "Properties")
        props = res.get("Properties")
        if not isinstance(props, dict):
            if props is not None:
                self._report(codes.BAD_PROPERTY, own, "Properties is not a mapping")
            props = {}
        if res["Type"] != SERVERLESS_FUNCTION or not self.globals:
            return _Props(dict(props), own, None, self.doc)
        lists: dict[tuple[str, ...], list[NodePath]] = {}
        globals_path: NodePath = ("Globals", "Function")
        merged = _merge_globals(self.globals, props, (globals_path, own), (), lists)
        return _Props(merged, own, globals_path, self.doc, lists)

    # -- one function -----------------------------------------------------------------------

    def _function(self, logical_id: str, res: dict[str, Any], props: _Props) -> Function:
        code_root, handler = self._code(logical_id, res, props)
        runtime = self.ev.text(props.get("Runtime"), props.path("Runtime")) or ""
        return Function(
            name=logical_id,
            code_root=code_root,
            handler=handler,
            runtime=runtime,
            env=self._env(props),
            layers=self._layers(props),
            events=self._sam_events(props),
            role=self._role(logical_id, res, props),
            settings=self._settings(res, props),
            location=self.doc.key_location(("Resources", logical_id)),
        )

    def _local(self, relative: str) -> str:
        return os.path.normpath(os.path.join(self.base_dir, relative))

    def _code(self, logical_id: str, res: dict[str, Any], props: _Props) -> tuple[str, str]:
        """The code root and handler (empty strings when there is nothing local)."""
        handler_node = props.get("Handler")
        handler = self.ev.text(handler_node, props.path("Handler")) or ""
        where = ("Resources", logical_id)
        metadata = res.get("Metadata") if isinstance(res.get("Metadata"), dict) else {}
        assert isinstance(metadata, dict)
        asset = metadata.get("aws:asset:path")
        if isinstance(asset, str) and metadata.get("aws:asset:property", "Code") == "Code":
            root = os.path.normpath(os.path.join(self.asset_root, asset))
            return self._checked(root, where), self._handler(handler, where)
        if props.get("PackageType") == "Image" or "ImageUri" in props.data:
            return self._image(logical_id, metadata, props, where)
        uri = props.get("CodeUri") if res["Type"] == SERVERLESS_FUNCTION else props.get("Code")
        if (res["Type"] == SERVERLESS_FUNCTION and "InlineCode" in props.data) or (
            isinstance(uri, dict) and "ZipFile" in uri
        ):
            self._report(
                codes.MISSING_CODE,
                where,
                f"{logical_id}: inline code in the template is not analysed; "
                "move it to a file under CodeUri",
            )
            return "", handler
        if uri is None and res["Type"] == SERVERLESS_FUNCTION:
            self._report(
                codes.MISSING_CODE,
                where,
                f"{logical_id}: no CodeUri; SAM uses the template's directory",
                Severity.NOTE,
            )
            uri = "."
        text = self.ev.text(uri, props.path("CodeUri")) if isinstance(uri, str) else None
        if text is None or text.startswith(("s3://", "https://")):
            self._report(
                codes.MISSING_CODE,
                where,
                f"{logical_id}: code is not a local path (S3 object or deploy-time value); "
                "point least-priv at the source directory",
            )
            return "", self._handler(handler, where)
        if text.endswith((".zip", ".jar")):
            self._report(
                codes.MISSING_CODE,
                where,
                f"{logical_id}: code is the built archive {text}; point least-priv at the "
                "source directory it was built from",
            )
            return "", self._handler(handler, where)
        return self._checked(self._local(text), where), self._handler(handler, where)

    def _image(
        self, logical_id: str, metadata: dict[str, Any], props: _Props, where: NodePath
    ) -> tuple[str, str]:
        """Container-image functions: SAM's DockerContext is the code; the handler is the
        image's command when the template overrides it."""
        image_config = props.get("ImageConfig")
        command = image_config.get("Command") if isinstance(image_config, dict) else None
        handler = command[0] if isinstance(command, list) and command else ""
        handler = handler if isinstance(handler, str) else ""
        context = metadata.get("DockerContext")
        if not isinstance(context, str):
            self._report(
                codes.MISSING_CODE,
                where,
                f"{logical_id}: a container image without Metadata.DockerContext; "
                "there is no local source to analyse",
            )
            return "", handler
        if not handler:
            self._report(
                codes.MISSING_HANDLER,
                where,
                f"{logical_id}: image function; the handler is the image's CMD, not in the "
                "template: every module of the DockerContext is analysed",
            )
        return self._checked(self._local(context), where), handler

    def _checked(self, root: str, where: NodePath) -> str:
        if not os.path.exists(root):
            self._report(
                codes.MISSING_CODE,
                where,
                f"code path {root} does not exist (build output not present?)",
            )
        return root

    def _handler(self, handler: str, where: NodePath) -> str:
        if not handler:
            self._report(codes.MISSING_HANDLER, where, f"{where[-1]} has no Handler")
        return handler

    def _env(self, props: _Props) -> tuple[tuple[str, Value], ...]:
        environment = props.get("Environment")
        if environment is None:
            return ()
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if _is_intrinsic(environment) or _is_intrinsic(variables):
            # !If [Cond, {Variables: ...}, ...]: evaluate the whole block first.
            resolved = self.ev.resolve(environment, props.path("Environment"))
            whole = resolved.get("Variables") if isinstance(resolved, dict) else None
            if isinstance(whole, dict):
                return tuple(sorted((name, to_value(value)) for name, value in whole.items()))
            if resolved is NO_VALUE:
                return ()
            variables, environment = whole, resolved
        if not isinstance(variables, dict):
            if variables is not None or not isinstance(environment, dict):
                self._report(
                    codes.BAD_PROPERTY,
                    props.path("Environment"),
                    "Environment must be a mapping with Variables: {NAME: value}",
                )
            return ()
        out: list[tuple[str, Value]] = []
        for name, node in variables.items():
            resolved = self.ev.resolve(node, props.path("Environment", "Variables", name))
            if resolved is not NO_VALUE:
                out.append((name, to_value(resolved)))
        return tuple(sorted(out))

    def _layers(self, props: _Props) -> tuple[str, ...]:
        layers = props.get("Layers")
        if layers is None:
            return ()
        if not isinstance(layers, list):
            self._report(codes.BAD_PROPERTY, props.path("Layers"), "Layers must be a list")
            return ()
        out: list[str] = []
        for node, steps in self.ev.items(layers, ()):
            path = props.path("Layers", *steps)
            local = self._layer_dir(node, path)
            if local is not None:
                out.append(local)
        return tuple(out)

    def _layer_dir(self, node: Any, path: NodePath) -> str | None:
        target = _ref_target(node)
        res = self.resources.get(target) if target else None
        if res is None or res["Type"] not in _LAYER_TYPES:
            text = self.ev.text(node, path) or "?"
            self._report(
                codes.MISSING_CODE,
                path,
                f"layer {text} is not defined in this template; its code is not analysed",
                Severity.NOTE,
            )
            return None
        assert target is not None
        metadata = res.get("Metadata") if isinstance(res.get("Metadata"), dict) else {}
        assert isinstance(metadata, dict)
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        assert isinstance(props, dict)
        asset = metadata.get("aws:asset:path")
        where = ("Resources", target)
        if isinstance(asset, str):
            root = os.path.normpath(os.path.join(self.asset_root, asset))
        else:
            uri = props.get("ContentUri", props.get("Content"))
            content = self.ev.text(uri, (*where, "Properties", "ContentUri")) if uri else None
            if content is None or content.startswith("s3://"):
                self._report(codes.MISSING_CODE, where, f"layer {target}: content is not local")
                return None
            root = self._local(content)
        # A Python layer's importable code sits under python/ when the directory has one.
        python_dir = os.path.join(root, "python")
        return python_dir if os.path.isdir(python_dir) else self._checked(root, where)

    def _sam_events(self, props: _Props) -> tuple[EventSource, ...]:
        events = props.get("Events")
        if events is None:
            return ()
        if not isinstance(events, dict):
            self._report(codes.BAD_PROPERTY, props.path("Events"), "Events must be a mapping")
            return ()
        out: list[EventSource] = []
        for name, event in events.items():
            path = props.path("Events", name)
            if not isinstance(event, dict) or not isinstance(event.get("Type"), str):
                self._report(codes.BAD_PROPERTY, path, f"event {name!r} has no Type")
                continue
            kind = event["Type"]
            properties = (
                event.get("Properties") if isinstance(event.get("Properties"), dict) else {}
            )
            assert isinstance(properties, dict)
            location = self.doc.key_location(path)
            if kind not in _SAM_EVENT_TARGETS:
                self.findings.append(codes.unknown_event(kind, self.doc.location(path)))
                out.append(EventSource(kind, None, location))
                continue
            key = _SAM_EVENT_TARGETS[kind]
            target = None
            if key is not None and key in properties:
                target = self.ev.value(properties[key], (*path, "Properties", key))
            out.append(EventSource(kind, target, location))
        return tuple(out)

    def _role(self, logical_id: str, res: dict[str, Any], props: _Props) -> str | None:
        node = self._decided(props.get("Role"), props.path("Role"))
        if node is None:
            return f"{logical_id}Role" if res["Type"] == SERVERLESS_FUNCTION else None
        target = _ref_target(node)
        if target is not None and self.ev.resource_type(target) == "AWS::IAM::Role":
            return target
        return self.ev.text(node, props.path("Role"))

    def _settings(self, res: dict[str, Any], props: _Props) -> tuple[tuple[str, Value], ...]:
        """The function properties that imply permissions, each as its whole (resolved)
        value under its CloudFormation name."""
        out: list[tuple[str, Value]] = []
        for key in SETTING_PROPERTIES:
            node = props.get(key)
            if node is None:
                continue
            resolved = self.ev.resolve(node, props.path(key))
            if resolved is not NO_VALUE:
                out.append((key, to_value(resolved)))
        events = props.get("Events")
        for name, event in events.items() if isinstance(events, dict) else ():
            config = dig(event, "Properties", "DestinationConfig")
            if config is not None:
                path = props.path("Events", name, "Properties", "DestinationConfig")
                out.append((EVENT_DESTINATIONS, self.ev.value(config, path)))
        return tuple(out)

    # -- resources that point at functions --------------------------------------------------

    def _function_id(self, node: Any, functions: Mapping[str, Function]) -> str | None:
        """The function a FunctionName/Arn reference designates (Ref, GetAtt or name)."""
        target = _ref_target(node)
        if target in functions:
            return target
        if isinstance(node, str):
            for logical_id, function in functions.items():
                name = dict(function.settings).get("FunctionName")
                if name is not None and name.text and node.split(":")[-1] == name.text:
                    return logical_id
        return None

    def _attach_event_resources(self, functions: dict[str, Function]) -> None:
        events: dict[str, list[EventSource]] = {}
        settings: dict[str, list[tuple[str, Value]]] = {}
        for logical_id, res in self.resources.items():
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            base: NodePath = ("Resources", logical_id, "Properties")
            location = self.doc.key_location(("Resources", logical_id))
            rtype = res["Type"]
            if rtype == "AWS::Lambda::EventSourceMapping":
                # A mapping without FunctionName pointing here belongs to another template.
                fid = self._function_id(props.get("FunctionName"), functions)
                if fid is None:
                    continue
                source = props.get("EventSourceArn")
                kind = (
                    self._source_kind(source, (*base, "EventSourceArn"))
                    if source is not None
                    else "SelfManagedKafka"
                )
                target = (
                    self.ev.value(source, (*base, "EventSourceArn")) if source is not None else None
                )
                events.setdefault(fid, []).append(EventSource(kind, target, location))
                if "DestinationConfig" in props:
                    path = (*base, "DestinationConfig")
                    config = self.ev.value(props["DestinationConfig"], path)
                    settings.setdefault(fid, []).append((EVENT_DESTINATIONS, config))
            elif rtype == "AWS::Lambda::EventInvokeConfig":
                fid = self._function_id(props.get("FunctionName"), functions)
                if fid is not None:
                    config = self.ev.value(props, base)
                    settings.setdefault(fid, []).append(("EventInvokeConfig", config))
            elif rtype == "AWS::S3::Bucket":
                configs = dig(props, "NotificationConfiguration", "LambdaConfigurations")
                for config in configs if isinstance(configs, list) else ():
                    fid = self._function_id(dig(config, "Function"), functions)
                    if fid is not None:
                        target = Value((self.ev.reference(logical_id, None),))
                        events.setdefault(fid, []).append(EventSource("S3", target, location))
            elif rtype == "AWS::SNS::Subscription" and props.get("Protocol") == "lambda":
                fid = self._function_id(props.get("Endpoint"), functions)
                if fid is not None:
                    target = self.ev.value(props.get("TopicArn"), (*base, "TopicArn"))
                    events.setdefault(fid, []).append(EventSource("SNS", target, location))
            elif rtype == "AWS::Events::Rule":
                targets = props.get("Targets")
                for item in targets if isinstance(targets, list) else ():
                    fid = self._function_id(dig(item, "Arn"), functions)
                    if fid is not None:
                        kind = "Schedule" if "ScheduleExpression" in props else "EventBridgeRule"
                        bus = props.get("EventBusName")
                        target = self.ev.value(bus, (*base, "EventBusName")) if bus else None
                        events.setdefault(fid, []).append(EventSource(kind, target, location))
        for fid, extra in events.items():
            function = functions[fid]
            functions[fid] = replace(function, events=(*function.events, *extra))
        for fid, extra_settings in settings.items():
            function = functions[fid]
            functions[fid] = replace(function, settings=(*function.settings, *extra_settings))

    def _source_kind(self, node: Any, path: NodePath) -> str:
        resolved = self.ev.resolve(node, path)
        for part in string_parts(resolved) if isinstance(resolved, str | Pieces) else ():
            if isinstance(part, TemplateRef) and part.resource_type in _SOURCE_KINDS:
                return _SOURCE_KINDS[part.resource_type]
            if isinstance(part, str) and part.startswith("arn:"):
                service = part.split(":")[2] if part.count(":") >= 2 else ""
                if service in _ARN_KINDS:
                    return _ARN_KINDS[service]
        return "EventSourceMapping"

    # -- role policies ----------------------------------------------------------------------

    def _function_policies(
        self, logical_id: str, res: dict[str, Any], props: _Props, function: Function
    ) -> list[DeclaredPolicy]:
        if res["Type"] == SERVERLESS_FUNCTION and props.get("Role") is None:
            policies = self.roles.sam_function_policies(
                logical_id, props.data, props.path, function
            )
            return [*policies, *self._connectors(logical_id, function.role)]
        role_node = self._decided(props.get("Role"), props.path("Role"))
        target = _ref_target(role_node)
        if target is not None and self.ev.resource_type(target) == "AWS::IAM::Role":
            return [*self.roles.role_policies(target), *self._connectors(logical_id, target)]
        if role_node is None:
            self._report(codes.BAD_PROPERTY, ("Resources", logical_id), "function has no Role")
            return []
        self._report(
            codes.EXTERNAL_ROLE,
            props.path("Role"),
            f"{logical_id}: role {function.role} is not defined in this template; "
            "compare against the live role (--role-arn) instead",
            Severity.NOTE,
        )
        where = props.path("Role")
        return [external_role(function.role, self.doc.location(where), where)]

    def _decided(self, node: Any, path: NodePath) -> Any:
        """``node``, or the branch of its ``Fn::If`` when the condition is decided."""
        branches = self.ev.items([node], path)
        return branches[0][0] if len(branches) == 1 else node

    def _connectors(self, function_id: str, role: str | None) -> list[DeclaredPolicy]:
        """SAM connectors whose source is the function: each grants its role what SAM's
        connector profile says, which is not expanded here (LP435)."""
        found: list[tuple[str, Any, NodePath]] = []
        for logical_id, res in self.resources.items():
            props = res.get("Properties")
            connector = res["Type"] == "AWS::Serverless::Connector"
            if connector and dig(props, "Source", "Id") == function_id:
                found.append((logical_id, props, ("Resources", logical_id)))
        embedded = self.resources[function_id].get("Connectors")
        for name, spec in embedded.items() if isinstance(embedded, dict) else ():
            path: NodePath = ("Resources", function_id, "Connectors", name)
            found.append((f"{function_id}{name}", dig(spec, "Properties"), path))
        out: list[DeclaredPolicy] = []
        for name, props, path in found:
            permissions = dig(props, "Permissions")
            destination = dig(props, "Destination")
            targets = destination if isinstance(destination, list) else [destination]
            ids = [str(dig(t, "Id") or dig(t, "Arn") or "?") for t in targets]
            grants = (
                ", ".join(str(p) for p in permissions) if isinstance(permissions, list) else "?"
            )
            location = self.doc.location(path)
            self.findings.append(
                codes.finding(
                    codes.CONNECTOR_NOT_EXPANDED,
                    location,
                    f"connector {name} grants {function_id}'s role {grants} on "
                    f"{', '.join(ids)}; its statements are not expanded",
                    Severity.NOTE,
                )
            )
            label = f"{name} ({grants} on {', '.join(ids)})"
            out.append(
                DeclaredPolicy(
                    {}, location, f"sam-connector:{name}", False, label, None, role, path
                )
            )
        return out


def template_resource(ev: Evaluator, logical_id: str, res: dict[str, Any]) -> TemplateResource:
    """A CloudFormation resource as a :class:`TemplateResource` (name, customer KMS key)."""
    props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
    assert isinstance(props, dict)
    name_parts = ev.name_parts(logical_id)
    condition = res.get("Condition")
    path = (*ev.resources_path, logical_id)
    return TemplateResource(
        logical_id=logical_id,
        type=res["Type"],
        properties=props,
        location=ev.doc.key_location(path),
        kms_key=_kms_key(ev, (*path, "Properties"), res["Type"], props),
        name=known_pattern(name_parts, name_parts),
        condition=condition if isinstance(condition, str) else None,
        path=path,
    )


def _kms_key(ev: Evaluator, base: NodePath, rtype: str, props: dict[str, Any]) -> Value | None:
    """The customer managed key encrypting a resource, from its encryption properties."""
    key_path: tuple[str, ...] | None = None
    if rtype == "AWS::S3::Bucket":
        rules = dig(props, "BucketEncryption", "ServerSideEncryptionConfiguration")
        for i, rule in enumerate(rules if isinstance(rules, list) else ()):
            default = dig(rule, "ServerSideEncryptionByDefault")
            if isinstance(default, dict) and "KMSMasterKeyID" in default:
                rule_path = (*base, "BucketEncryption", "ServerSideEncryptionConfiguration", i)
                key = (*rule_path, "ServerSideEncryptionByDefault", "KMSMasterKeyID")
                return customer_key(ev.value(default["KMSMasterKeyID"], key))
    elif rtype in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
        key_path = ("KmsMasterKeyId",)
    elif rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        if dig(props, "SSESpecification", "SSEType") == "KMS":
            key_path = ("SSESpecification", "KMSMasterKeyId")
    elif rtype == "AWS::Kinesis::Stream":
        if dig(props, "StreamEncryption", "EncryptionType") == "KMS":
            key_path = ("StreamEncryption", "KeyId")
    elif rtype in ("AWS::SecretsManager::Secret", "AWS::Logs::LogGroup"):
        key_path = ("KmsKeyId",)
    node = dig(props, *key_path) if key_path else None
    if node is None or key_path is None:
        return None
    return customer_key(ev.value(node, (*base, *key_path)))


def customer_key(value: Value) -> Value | None:
    """``value`` unless it names an AWS managed key (``alias/aws/s3``...), whose key policy
    lets the service use it without any permission in the caller's policy."""
    text = value.text or ""
    if text.split(":")[-1].startswith(_AWS_MANAGED_KEY_PREFIXES):
        return None
    return value


def _merge_globals(
    globals_props: dict[str, Any],
    own: dict[str, Any],
    bases: tuple[NodePath, NodePath],
    keys: tuple[str, ...],
    lists: dict[tuple[str, ...], list[NodePath]],
) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (the function wins), lists add up (globals first),
    anything else is overridden; an intrinsic on either side is replaced, not merged.
    ``lists`` records where each item of an added-up list is written."""
    out = dict(globals_props)
    for key, value in own.items():
        current = out.get(key)
        inner = (*keys, key)
        if isinstance(current, dict) and _is_plain_map(current) and _is_plain_map(value):
            out[key] = _merge_globals(current, value, bases, inner, lists)
        elif isinstance(current, list) and isinstance(value, list):
            out[key] = [*current, *value]
            lists[inner] = [(*bases[0], *inner, i) for i in range(len(current))] + [
                (*bases[1], *inner, i) for i in range(len(value))
            ]
        else:
            out[key] = value
    return out


def _is_plain_map(node: Any) -> bool:
    return isinstance(node, dict) and not (
        (len(node) == 1 and next(iter(node)) in ("Ref", "Condition"))
        or any(key.startswith("Fn::") for key in node)
    )


def _is_intrinsic(node: Any) -> bool:
    """A ``{"Ref": ...}`` / ``{"Fn::...": ...}`` node (one key)."""
    if not (isinstance(node, dict) and len(node) == 1):
        return False
    key = str(next(iter(node)))
    return key == "Ref" or key.startswith("Fn::")


def _ref_target(node: Any) -> str | None:
    """The logical id a ``Ref X`` / ``Fn::GetAtt [X, ...]`` node points at."""
    if isinstance(node, dict) and len(node) == 1:
        key, arg = next(iter(node.items()))
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return arg[0]
            if isinstance(arg, str):
                return arg.split(".", 1)[0]
    return None


def dig(node: Any, *keys: str | int) -> Any:
    """``node[k1][k2]...`` through mappings and lists; None as soon as a step is missing."""
    return lookup(node, keys)
