"""Permissions a function's configuration implies, whatever its code does.

Lambda acts with the execution role for more than the handler's own calls: it writes logs,
creates network interfaces in a VPC, polls queues and streams for event source mappings,
sends failed events to a dead-letter queue or destination, sends traces to X-Ray and decrypts
environment variables encrypted with a customer key. Each permission here is derived only
when the setting is configured, is scoped like a code permission (the same ARN templates,
transforms and template references) and carries ``Provenance(source="config")``.

Sources (AWS Lambda Developer Guide): "Lambda execution role" (AWSLambdaBasicExecutionRole),
"Giving Lambda functions access to resources in an Amazon VPC"
(AWSLambdaVPCAccessExecutionRole), "Using Lambda with Amazon SQS / Kinesis / DynamoDB"
(the *ExecutionRole managed policies), "Asynchronous invocation" (dead-letter queues and
destinations), "Configuring file system access" (elasticfilesystem:ClientMount and
ClientWrite, the access point as condition), "Using AWS X-Ray" (AWSXRayDaemonWriteAccess,
the two actions Lambda itself needs) and "Securing environment variables" (kms:Decrypt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from least_priv.model import (
    CallSite,
    Condition,
    EventSource,
    Function,
    Location,
    ParamBinding,
    Part,
    Permission,
    Provenance,
    Requirement,
    Severity,
    TemplateRef,
    Unknown,
    Value,
)
from least_priv.policy import arn, codes
from least_priv.policy.scope import Scoper
from least_priv.policy.values import expand_env

_P = "arn:${Partition}"
_LOG_GROUP = _P + ":logs:${Region}:${Account}:log-group:${LogGroupName}:*"
_LOG_STREAMS = _P + ":logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:*"
_QUEUE = _P + ":sqs:${Region}:${Account}:${QueueName}"
_TOPIC = _P + ":sns:${Region}:${Account}:${TopicName}"
_FUNCTION = _P + ":lambda:${Region}:${Account}:function:${FunctionName}"
_BUS = _P + ":events:${Region}:${Account}:event-bus/${EventBusName}"
_STREAM = _P + ":kinesis:${Region}:${Account}:stream/${StreamName}"
_TABLE_STREAM = _P + ":dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}"
_KEY = _P + ":kms:${Region}:${Account}:key/${KeyId}"
_ENI = _P + ":ec2:${Region}:${Account}:network-interface/*"
_EC2 = _P + ":ec2:${Region}:${Account}:"
_FILE_SYSTEM = _P + ":elasticfilesystem:${Region}:${Account}:file-system/*"

TARGET = "Target"  # placeholder parameter, renamed after the setting when used


def _req(action: str, template: str | None) -> Requirement:
    """A requirement whose resource is fixed by its template (or '*' without one)."""
    return Requirement(action, None, template)


def _typed(action: str, iam_type: str, template: str, transform: str) -> Requirement:
    """A requirement on the configured target, read by a catalog transform."""
    return Requirement(action, iam_type, template, (ParamBinding(TARGET, transform),))


_LOGS = (
    _typed("logs:CreateLogGroup", "log-group", _LOG_GROUP, "logs_group"),
    _typed("logs:CreateLogStream", "log-stream", _LOG_STREAMS, "logs_group"),
    _typed("logs:PutLogEvents", "log-stream", _LOG_STREAMS, "logs_group"),
)
_VPC = (
    _req("ec2:CreateNetworkInterface", _ENI),
    _req("ec2:DeleteNetworkInterface", _ENI),
    _req("ec2:AssignPrivateIpAddresses", _ENI),
    _req("ec2:UnassignPrivateIpAddresses", _ENI),
    _req("ec2:DescribeNetworkInterfaces", None),
    _req("ec2:DescribeSubnets", None),
)
_XRAY = (_req("xray:PutTraceSegments", None), _req("xray:PutTelemetryRecords", None))
_POLLERS: dict[str, tuple[Requirement, ...]] = {
    "SQS": tuple(
        _typed(f"sqs:{a}", "queue", _QUEUE, "sqs_queue_arn")
        for a in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
    ),
    "Kinesis": (
        *(
            _typed(f"kinesis:{a}", "stream", _STREAM, "kinesis_stream_arn")
            for a in (
                "DescribeStream",
                "DescribeStreamSummary",
                "GetRecords",
                "GetShardIterator",
                "ListShards",
            )
        ),
    ),
    "DynamoDB": (
        *(
            _typed(f"dynamodb:{a}", "stream", _TABLE_STREAM, "dynamodb_stream_arn")
            for a in ("DescribeStream", "GetRecords", "GetShardIterator")
        ),
        _req("dynamodb:ListStreams", None),
    ),
}
# Push sources: the service invokes the function through its resource policy; the execution
# role needs nothing for them.
_PUSH = frozenset(
    {
        "Api",
        "HttpApi",
        "S3",
        "SNS",
        "Schedule",
        "ScheduleV2",
        "EventBridgeRule",
        "CloudWatchEvent",
        "CloudWatchLogs",
        "IoTRule",
        "AlexaSkill",
        "AlexaSmartHome",
        "ALB",  # the load balancer invokes the function through its resource policy
        "WebSocket",  # API Gateway WebSocket routes, like REST/HTTP APIs
        "Cognito",
        "FunctionUrl",
        "EventBridge",
        "CloudWatch",
        "Cloudwatch",
    }
)
_DESTINATIONS: dict[str, Requirement] = {
    "SQS": _typed("sqs:SendMessage", "queue", _QUEUE, "sqs_queue_arn"),
    "SNS": _typed("sns:Publish", "topic", _TOPIC, "sns_topic_arn"),
    "Lambda": _typed("lambda:InvokeFunction", "function", _FUNCTION, "lambda_function"),
    "EventBridge": _typed("events:PutEvents", "event-bus", _BUS, "events_bus"),
}
_ENV_KEY = _typed("kms:Decrypt", "key", _KEY, "kms_key")


@dataclass(frozen=True, slots=True)
class _Need:
    """One configured setting and what it needs: requirements applied to ``target``."""

    setting: str
    detail: str
    requirements: Sequence[Requirement]
    target: Value | None
    location: Location


def implied_permissions(function: Function, scoper: Scoper) -> list[Permission]:
    """Everything ``function``'s configuration needs from its role, scoped and explained.

    Findings (unknown targets, unmodelled event sources) go to ``scoper.findings``.
    """
    out: list[Permission] = _vpc_members(function, scoper)
    for need in _needs(function, scoper):
        # The setting stands in for the request parameter, so findings name the setting.
        param = need.setting.replace(".", " ")
        args = () if need.target is None else ((param, need.target),)
        call = CallSite(need.location, "lambda", need.setting, args)
        provenance = (Provenance("config", need.location, need.detail),)
        for requirement in need.requirements:
            bindings = tuple(ParamBinding(param, b.transform) for b in requirement.bindings)
            requirement = replace(requirement, bindings=bindings)
            for perm in scoper.permissions(call, requirement, report_unbound=False):
                out.append(
                    Permission(
                        perm.action,
                        perm.resource,
                        perm.conditions,
                        provenance,
                        perm.resource_parts,
                    )
                )
    return out


def _vpc_members(function: Function, scoper: Scoper) -> list[Permission]:
    """ec2:CreateNetworkInterface on the subnets and security groups VpcConfig names."""
    config = dict(function.settings).get("VpcConfig")
    if config is None or not _present(config):
        return []
    where = function.location or Location(function.code_root)
    provenance = (Provenance("config", where, "VpcConfig: network interfaces in the VPC"),)
    out: list[Permission] = []
    for key, kind in (("SubnetIds", "subnet"), ("SecurityGroupIds", "security-group")):
        members = _field(config, key)
        items = members.sequence if members is not None and members.sequence else None
        if items is None:
            # A list the template builds at deploy time (an import, a parameter): any of them.
            items = (Value.unknown(f"VpcConfig.{key} not known"),)
        for item in items:
            value = expand_env(item, scoper.env)
            parts = arn.fill(_EC2 + kind + "/${Id}", {"Id": _id_parts(value)}, scoper.context)
            out.append(
                Permission(
                    "ec2:CreateNetworkInterface", arn.json_form(parts), (), provenance, parts
                )
            )
    return out


def _id_parts(value: Value) -> tuple[Part, ...]:
    # Ids are plain strings; references keep their known value or stay unknown.
    if not value.is_string or not value.parts:
        return (Unknown(),)
    return tuple(
        p
        if isinstance(p, str)
        else (p.known if isinstance(p, TemplateRef) and p.known else Unknown())
        for p in value.parts
    )


def _needs(function: Function, scoper: Scoper) -> Iterable[_Need]:
    where = function.location or Location(function.code_root)
    settings = dict(function.settings)
    yield _Need(
        "Logging",
        "writes its logs to CloudWatch Logs",
        _LOGS,
        _log_group(function, scoper, where),
        where,
    )
    if _present(settings.get("VpcConfig")):
        yield _Need("VpcConfig", "VpcConfig: network interfaces in the VPC", _VPC, None, where)
    if _tracing_active(settings):
        yield _Need("Tracing", "Tracing: Active sends traces to X-Ray", _XRAY, None, where)
    key = settings.get("KmsKeyArn")
    if _present(key):
        yield _Need(
            "KmsKeyArn",
            "KmsKeyArn: environment variables encrypted with this key",
            (_ENV_KEY,),
            key,
            where,
        )
    yield from _dead_letter(settings, where)
    yield from _destinations(settings, where)
    for setting, config in function.settings:
        if setting == "EventSourceDestinationConfig":
            yield from _on_failure(config, where)
    file_systems = settings.get("FileSystemConfigs")
    if file_systems is not None and _present(file_systems):
        yield from _file_systems(file_systems, where)
    for event in function.events:
        yield from _poller(event, where, scoper)


def _present(value: Value | None) -> bool:
    if value is None:
        return False
    if value.mapping is not None:
        return bool(value.mapping)
    if value.sequence is not None:
        return bool(value.sequence)
    if not value.is_literal:
        return bool(value.parts)  # a reference or a deploy-time value: set
    return value.text not in ("", "false", "False")


def _text(value: Value | None, *path: str) -> str | None:
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return None if value is None else value.text


def _field(value: Value | None, *path: str) -> Value | None:
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return value


def _log_group(function: Function, scoper: Scoper, where: Location) -> Value:
    settings = dict(function.settings)
    custom = _field(settings.get("LoggingConfig"), "LogGroup")
    if custom is not None:
        return custom
    name = settings.get("FunctionName")
    if name is not None and name.is_string:
        return Value(("/aws/lambda/", *name.parts))
    # Without FunctionName, CloudFormation generates the name at deploy time; referencing
    # the function from its own role's policy would be a circular dependency.
    scoper.findings.append(
        codes.finding(
            codes.GENERATED_NAME,
            where,
            f"{function.name} has no FunctionName, so its log group name is generated at "
            "deploy time: logs are granted on /aws/lambda/*. Set FunctionName (or "
            "LoggingConfig.LogGroup) to scope them",
            Severity.NOTE,
        )
    )
    return Value(("/aws/lambda/", *Value.unknown(f"{function.name} has no FunctionName").parts))


def _tracing_active(settings: dict[str, Value]) -> bool:
    sam = settings.get("Tracing")
    if sam is not None and sam.text == "Active":
        return True
    return _text(settings.get("TracingConfig"), "Mode") == "Active"


def _destination(
    setting: str, config: Value | None, target: Value, detail: str, where: Location
) -> Iterable[_Need]:
    """What sending to a destination needs; its kind from ``Type`` or from the target."""
    kind = _text(config, "Type") or _kind_of_arn(target)
    requirement = _DESTINATIONS.get(kind or "")
    if requirement is not None:
        yield _Need(setting, detail.format(kind=kind), (requirement,), target, where)


def _dead_letter(settings: dict[str, Value], where: Location) -> Iterable[_Need]:
    for key in ("DeadLetterQueue", "DeadLetterConfig"):
        config = settings.get(key)
        target = _field(config, "TargetArn")
        if target is not None:
            yield from _destination(
                key, config, target, key + ": failed events go to this {kind}", where
            )


def _destinations(settings: dict[str, Value], where: Location) -> Iterable[_Need]:
    config = _field(settings.get("EventInvokeConfig"), "DestinationConfig")
    for outcome in ("OnSuccess", "OnFailure"):
        destination = _field(config, outcome)
        target = _field(destination, "Destination")
        if target is not None:
            detail = "EventInvokeConfig " + outcome + " destination ({kind})"
            yield from _destination("EventInvokeConfig", destination, target, detail, where)


def _on_failure(config: Value, where: Location) -> Iterable[_Need]:
    # An event source mapping's on-failure destination (SQS queue or SNS topic).
    target = _field(config, "OnFailure", "Destination")
    if target is not None:
        detail = "event source mapping sends failed batches to this {kind}"
        yield from _destination("EventSourceDestinationConfig", None, target, detail, where)


def _file_systems(configs: Value, where: Location) -> Iterable[_Need]:
    for config in configs.sequence or (configs,):
        access_point = _text(config, "Arn")
        conditions: tuple[Condition, ...] = ()
        if access_point is not None and "*" not in access_point:
            conditions = (
                Condition("StringEquals", "elasticfilesystem:AccessPointArn", (access_point,)),
            )
        requirements = tuple(
            Requirement(action, None, _FILE_SYSTEM, (), conditions)
            for action in ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
        )
        yield _Need(
            "FileSystemConfigs",
            "FileSystemConfigs: mounts an EFS access point",
            requirements,
            None,
            where,
        )


def _kind_of_arn(target: Value) -> str | None:
    for part in target.parts:
        if isinstance(part, TemplateRef):
            resource_type = part.resource_type or ""
            for marker, kind in (
                ("SQS", "SQS"),
                ("SNS", "SNS"),
                ("Lambda", "Lambda"),
                ("Events", "EventBridge"),
                ("sqs", "SQS"),
                ("sns", "SNS"),
                ("lambda", "Lambda"),
                ("event_bus", "EventBridge"),
            ):
                if marker in resource_type:
                    return kind
        if isinstance(part, str):
            for service, kind in (
                (":sqs:", "SQS"),
                (":sns:", "SNS"),
                (":lambda:", "Lambda"),
                (":events:", "EventBridge"),
            ):
                if service in part:
                    return kind
    return None


def _poller(event: EventSource, where: Location, scoper: Scoper) -> Iterable[_Need]:
    location = event.location or where
    requirements = _POLLERS.get(event.kind)
    if requirements is not None:
        target = event.target or Value.unknown(f"{event.kind} event source without a target")
        yield _Need(
            f"Events {event.kind}",
            f"{event.kind} event source mapping polls it",
            requirements,
            target,
            location,
        )
        return
    if event.kind not in _PUSH:
        scoper.findings.append(
            codes.finding(
                codes.IMPLIED_NOT_MODELLED,
                location,
                f"event source {event.kind}: what its poller needs from the role is not "
                "derived; grant it by hand",
                Severity.NOTE,
            )
        )
