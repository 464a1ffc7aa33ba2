"""Turn a request parameter's string into the ARN template variables it determines.

A transform is a pure function ``(text) -> dict[str, str] | None``. ``text`` is the IAM-style
pattern of the parameter (known parts verbatim, unknown parts as ``*``); the result maps
ARN template variable names (``BucketName``, ``Region`` ...) to pattern strings, or is None
when the text cannot be what the parameter expects (the caller then falls back to ``*``).

Transforms never widen or narrow what the caller gives: a ``*`` in the input stays a ``*``
in every variable it touches, so a partly unknown value yields a typed wildcard, never a
guess. ``OUTPUTS`` records, per transform, every variable it may return; the catalog
generator uses it to attach a binding only to requirements whose ARN template uses one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Transform = Callable[[str], "dict[str, str] | None"]

_REGISTRY: dict[str, Transform] = {}
OUTPUTS: dict[str, frozenset[str]] = {}

# arn:partition:service:region:account:resource — resource may itself contain ':' and '/'.
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")


def _transform(name: str, *outputs: str) -> Callable[[Transform], Transform]:
    def register(func: Transform) -> Transform:
        _REGISTRY[name] = func
        OUTPUTS[name] = frozenset(outputs)
        return func

    return register


def names() -> list[str]:
    """Every registered transform name, sorted."""
    return sorted(_REGISTRY)


def apply(name: str, text: str) -> dict[str, str] | None:
    """Run transform ``name`` on ``text``; None when the text does not fit the parameter.

    Raises ``KeyError`` for an unknown transform name: that is a bug in the catalog data,
    which a test guards against.
    """
    if not text:
        return None
    return _REGISTRY[name](text)


def _split_arn(text: str, service: str | None = None) -> tuple[str, str, str] | None:
    """(region, account, resource) of an ARN; None when ``text`` is not one for ``service``."""
    match = _ARN.match(text)
    if match is None:
        return None
    _, svc, region, account, resource = match.groups()
    if service is not None and svc not in (service, "*"):
        return None
    return region, account, resource


def _located(region: str, account: str, **values: str) -> dict[str, str]:
    """Variables from an ARN; empty region/account fields stay out (the template keeps ``*``)."""
    out = dict(values)
    if region:
        out["Region"] = region
    if account:
        out["Account"] = account
    return out


def _after(resource: str, *prefixes: str) -> str | None:
    """``resource`` without the first of ``prefixes`` it starts with (``*`` matches any)."""
    if resource == "*":
        return "*"
    for prefix in prefixes:
        if resource.startswith(prefix):
            return resource[len(prefix) :]
    return None


def _plain(name: str, var: str, post: Callable[[str], str] = str) -> None:
    """Register a transform for a parameter that is the resource's name itself."""

    def transform(text: str) -> dict[str, str] | None:
        return {var: post(text)}

    _REGISTRY[name] = transform
    OUTPUTS[name] = frozenset({var})


def _from_arn(
    text: str, service: str, var: str, *prefixes: str, post: Callable[[str], str] = str
) -> dict[str, str] | None:
    """``var`` (+ Region, Account) from an ARN of ``service`` whose resource part starts with
    one of ``prefixes``; None when ``text`` is not such an ARN."""
    arn = _split_arn(text, service)
    if arn is None:
        return None
    region, account, resource = arn
    rest = _after(resource, *prefixes) if prefixes else resource
    if rest is None:
        return None
    return _located(region, account, **{var: post(rest) if rest != "*" else "*"})


def _name_or_arn(
    name: str,
    var: str,
    service: str,
    *prefixes: str,
    post: Callable[[str], str] = str,
    names: bool = True,
) -> None:
    """Register a transform for a parameter given as a name or as an ARN of ``service``.

    ``prefixes`` are the resource-type prefixes of the ARN's resource part (``table/``);
    ``post`` trims what follows to the name (``orders/stream/...`` → ``orders``);
    ``names=False`` for parameters that only take ARNs.
    """

    def transform(text: str) -> dict[str, str] | None:
        if not text.startswith("arn:"):
            if names or text == "*":
                return {var: text}
            return None
        return _from_arn(text, service, var, *prefixes, post=post)

    _REGISTRY[name] = transform
    OUTPUTS[name] = frozenset({var, "Region", "Account"})


def _first(separator: str) -> Callable[[str], str]:
    return lambda rest: rest.split(separator, 1)[0]


# ---------------------------------------------------------------------------------------------
# Resources named by a plain name or by an ARN
# ---------------------------------------------------------------------------------------------

_plain("s3_key", "ObjectName")
_plain("dynamodb_index", "IndexName")
_name_or_arn("dynamodb_table", "TableName", "dynamodb", "table/", post=_first("/"))
_plain("sqs_queue_name", "QueueName")
_name_or_arn("sqs_queue_arn", "QueueName", "sqs", names=False)
# A subscription ARN is topic-arn:uuid; its topic is what the policy names.
_name_or_arn("sns_topic_arn", "TopicName", "sns", post=_first(":"), names=False)
# CreateTopic's Name; a FIFO topic's ".fifo" suffix is part of its name and ARN.
_plain("sns_topic_name", "TopicName")
_plain("kinesis_stream_name", "StreamName")
_name_or_arn(
    "kinesis_stream_arn", "StreamName", "kinesis", "stream/", post=_first("/"), names=False
)
_plain("firehose_stream_name", "DeliveryStreamName")
# A version or alias ARN (name:1, name:prod) authorises against the qualified machine.
_name_or_arn("sfn_state_machine_arn", "StateMachineName", "states", "stateMachine:", names=False)
_plain("sfn_state_machine_name", "StateMachineName")
_name_or_arn("events_bus", "EventBusName", "events", "event-bus/")
# A rule ARN is ...:rule/name, or ...:rule/bus/name on a custom bus.
_name_or_arn("events_rule", "RuleName", "events", "rule/", post=lambda r: r.rsplit("/", 1)[-1])
_plain("scheduler_group", "GroupName")
_plain("scheduler_schedule", "ScheduleName")
_plain("lambda_qualifier", "Qualifier")


@_transform("lambda_function_any_qualifier", "FunctionName", "Region", "Account")
def _lambda_function_any_qualifier(text: str) -> dict[str, str] | None:
    # A call that passes a Qualifier not known statically: the function at any version or
    # alias ("name:*"); a qualifier already in the name is kept.
    found = _lambda_function(text)
    if found is None or ":" in found["FunctionName"] or found["FunctionName"] == "*":
        return found
    return {**found, "FunctionName": found["FunctionName"] + ":*"}


# LayerName takes a name or a layer ARN (…:layer:name[:version]).
_name_or_arn("lambda_layer", "LayerName", "lambda", "layer:", post=_first(":"))
# AppConfig identifiers may be an id or a name, but ARNs hold ids (7 lower-case letters and
# digits, e.g. "abc1234"); a name cannot be turned into its id statically, so it is "*".
_APPCONFIG_ID = re.compile(r"^(?=.*[0-9])(?=.*[a-z])[a-z0-9]{7}$")


def _appconfig_id(text: str) -> str:
    return text if _APPCONFIG_ID.match(text) else "*"


_plain("appconfig_application", "ApplicationId", _appconfig_id)
_plain("appconfig_environment", "EnvironmentId", _appconfig_id)
_plain("appconfig_profile", "ConfigurationProfileId", _appconfig_id)
_plain("athena_workgroup", "WorkGroupName")
_plain("athena_data_catalog", "DataCatalogName")
_plain("glue_database", "DatabaseName")
_plain("glue_table", "TableName")
# CatalogId is the account id of the Data Catalog.
_plain("glue_catalog", "Account")
_plain("bedrock_knowledge_base", "KnowledgeBaseId")
_plain("bedrock_agent", "AgentId")
_plain("bedrock_agent_alias", "AgentAliasId")
_name_or_arn("bedrock_guardrail", "GuardrailId", "bedrock", "guardrail/")
# A log group ARN as DescribeLogGroups returns it ends in ":*".
_name_or_arn(
    "logs_group", "LogGroupName", "logs", "log-group:", post=lambda r: r.removesuffix(":*")
)
_plain("logs_stream", "LogStreamName")
_plain("iot_thing", "ThingName")
_plain("iot_client", "ClientId")
_plain("iot_topic", "TopicName")
_plain("cloudwatch_alarm", "AlarmName")
_name_or_arn("ecs_cluster", "ClusterName", "ecs", "cluster/")
_name_or_arn("iam_role_arn", "RoleNameWithPath", "iam", "role/", names=False)
# SageMaker lower-cases resource names in ARNs (SageMaker developer guide, "ARNs").
_plain("sagemaker_endpoint", "EndpointName", str.lower)
_plain("sagemaker_inference_component", "InferenceComponentName", str.lower)
_plain("ssm_instance", "InstanceId")
# An activity ARN (arn:aws:states:r:a:activity:name) names the activity.
_name_or_arn("sfn_activity_arn", "ActivityName", "states", "activity:", names=False)


def _identifier(var: str) -> None:
    """Register ``id:<var>``: the parameter is the identifier the ARN holds verbatim.

    Ids a service mints (``i-0abc``, ``vpc-1``, a Glue job name, an event source mapping
    UUID) appear unchanged in the resource's ARN. Such parameters never take an ARN; one
    passed anyway is not guessed at (None: the caller keeps the typed wildcard).
    """

    def transform(text: str) -> dict[str, str] | None:
        return None if text.startswith("arn:") else {var: text}

    _REGISTRY[f"id:{var}"] = transform
    OUTPUTS[f"id:{var}"] = frozenset({var})


# One per ARN variable that bindings.yaml binds with "id:<Variable>" (source: each
# service's API Reference gives the parameter's format; the Service Authorization
# Reference's ARN template shows it verbatim).
for _var in (
    # ec2
    "AllocationId", "ApplicationStatusCheckId", "CapacityManagerDataExportId",
    "CapacityReservationFleetId", "CapacityReservationId", "CarrierGatewayId",
    "ClientVpnEndpointId", "CustomerGatewayId", "DhcpOptionsId", "EgressOnlyInternetGatewayId",
    "FleetId", "FpgaImageId", "ImageId", "InstanceConnectEndpointId", "InstanceEventWindowId",
    "InstanceId", "InternetGatewayId", "IpamExternalResourceVerificationTokenId", "IpamId",
    "IpamInternetRegistryAssociationId", "IpamPolicyId", "IpamPoolAllocationId", "IpamPoolId",
    "IpamPrefixListResolverId", "IpamPrefixListResolverTargetId",
    "IpamResourceDiscoveryAssociationId", "IpamResourceDiscoveryId", "IpamScopeId", "Ipv6PoolEc2Id",
    "LaunchTemplateId", "LocalGatewayId",
    "LocalGatewayRouteTableVirtualInterfaceGroupAssociationId",
    "LocalGatewayRouteTableVpcAssociationId", "LocalGatewayRoutetableId",
    "LocalGatewayVirtualInterfaceGroupId", "LocalGatewayVirtualInterfaceId", "NatGatewayId",
    "NetworkInsightsAccessScopeAnalysisId", "NetworkInsightsAccessScopeId",
    "NetworkInsightsAnalysisId", "NetworkInsightsPathId", "NetworkInterfaceId", "PrefixListId",
    "RouteServerEndpointId", "RouteServerId", "RouteServerPeerId", "RouteTableId",
    "SecondaryNetworkId", "SecondarySubnetId", "SecurityGroupId", "SnapshotId",
    "SpotFleetRequestId", "SpotInstanceRequestId", "SubnetId", "TrafficMirrorFilterId",
    "TrafficMirrorSessionId", "TrafficMirrorTargetId", "TransitGatewayAttachmentId",
    "TransitGatewayConnectPeerId", "TransitGatewayId", "TransitGatewayMeteringPolicyId",
    "TransitGatewayMulticastDomainId", "TransitGatewayPolicyTableId",
    "TransitGatewayRouteTableAnnouncementId", "TransitGatewayRouteTableId",
    "VerifiedAccessEndpointId", "VerifiedAccessGroupId", "VerifiedAccessInstanceId",
    "VerifiedAccessTrustProviderId", "VolumeId", "VpcEncryptionControlId", "VpcEndpointId",
    "VpcId", "VpcPeeringConnectionId", "VpnConcentratorId", "VpnConnectionId", "VpnGatewayId",
    # ssm (maintenance windows and OpsItems are "ResourceId" in their ARNs)
    "AssociationId", "AutomationExecutionId", "CloudConnectorId", "SessionId", "SyncName",
    "ResourceId", "PatchBaselineIdResourceId",
    # other common Lambda clients
    "AlarmMuteRuleName", "DashboardName", "MetricStreamName", "InsightRuleName",
    "CapacityReservationName", "JobId", "DocumentClassifierName", "FlywheelName",
    "GlobalTableName", "ArchiveName", "ReplayName", "EventSourceName", "EndpointName",
    "BlueprintName", "CrawlerName", "DevEndpointName",
    "JobName", "RegistryName", "RulesetName", "TransformId", "TriggerName", "WorkflowName",
    "CapacityProviderName", "UUID", "DeliveryDestinationName", "DestinationName",
    "LookupTableName", "CollectionId", "ContactListName", "TenantName", "ReportId",
    "AdapterId", "AdapterVersion", "GroupName", "LexiconName", "DelegationRequestId",
):  # fmt: skip
    _identifier(_var)


@_transform("ssm_document", "DocumentName", "Region", "Account")
def _ssm_document(text: str) -> dict[str, str] | None:
    # A document name or ARN. AWS-owned documents (AWS-RunShellScript, AmazonCloudWatch-...)
    # have no account in their ARN (arn:aws:ssm:us-east-1::document/AWS-RunShellScript), so
    # the account is "*", which also matches the empty field.
    if text.startswith("arn:"):
        return _from_arn(text, "ssm", "DocumentName", "document/")
    if text.startswith(("AWS", "Amazon")):
        return {"DocumentName": text, "Account": "*"}
    return {"DocumentName": text}


# ---------------------------------------------------------------------------------------------
# S3
# ---------------------------------------------------------------------------------------------


@_transform("s3_bucket", "BucketName", "AccessPointName", "Region", "Account")
def _s3_bucket(text: str) -> dict[str, str] | None:
    # Bucket may be a plain name or an access-point ARN (requests then authorise against the
    # access point's resource, not the bucket's).
    arn = _split_arn(text, "s3")
    if arn is None:
        if text.startswith("arn:"):
            return None
        return {"BucketName": text}
    region, account, resource = arn
    name = _after(resource, "accesspoint/")
    if name is None:
        if not region and not account:  # arn:aws:s3:::bucket
            return {"BucketName": resource.split("/", 1)[0]}
        return None
    return _located(region, account, AccessPointName=name.split("/", 1)[0])


@_transform("s3_prefix", "ObjectName")
def _s3_prefix(text: str) -> dict[str, str] | None:
    # A listing prefix: the objects it may return are every key below it.
    return {"ObjectName": text if text.endswith("*") else text + "*"}


@_transform("s3_copy_source", "BucketName", "ObjectName", "AccessPointName", "Region", "Account")
def _s3_copy_source(text: str) -> dict[str, str] | None:
    # CopySource is "bucket/key", "/bucket/key", "bucket/key?versionId=..." or an access-point
    # ARN "arn:aws:s3:region:acct:accesspoint/name/object/key".
    text = text.split("?versionId=", 1)[0]
    arn = _split_arn(text, "s3")
    if arn is not None:
        region, account, resource = arn
        rest = _after(resource, "accesspoint/")
        if rest is None:
            return None
        name, _, key = rest.partition("/object/")
        return _located(region, account, AccessPointName=name, ObjectName=key or "*")
    text = text.lstrip("/")
    bucket, sep, key = text.partition("/")
    if not sep:
        # "*" (wholly unknown) or a bucket without key: the key may be anything.
        return {"BucketName": bucket or "*", "ObjectName": "*"}
    return {"BucketName": bucket, "ObjectName": key or "*"}


_S3_VHOST = re.compile(
    r"^https?://(?P<bucket>[^/]+?)\.s3[.-](?:[^/]*\.)?amazonaws\.com/(?P<key>.*)$"
)
_S3_PATH = re.compile(r"^https?://s3[.-](?:[^/]*\.)?amazonaws\.com/(?P<bucket>[^/]+)/(?P<key>.*)$")


@_transform("s3_uri", "BucketName", "ObjectName")
def _s3_uri(text: str) -> dict[str, str] | None:
    # s3://bucket/key, virtual-hosted https://bucket.s3.region.amazonaws.com/key and
    # path-style https://s3.region.amazonaws.com/bucket/key (S3 User Guide, "Methods for
    # accessing a bucket").
    if text == "*":
        return {"BucketName": "*", "ObjectName": "*"}
    if text.startswith("s3://"):
        bucket, _, key = text[len("s3://") :].partition("/")
        return {"BucketName": bucket or "*", "ObjectName": key or "*"}
    match = _S3_VHOST.match(text) or _S3_PATH.match(text)
    if match is None:
        return None
    return {"BucketName": match["bucket"], "ObjectName": match["key"] or "*"}


@_transform("s3_uri_prefix", "BucketName", "ObjectName")
def _s3_uri_prefix(text: str) -> dict[str, str] | None:
    # An S3 location objects are written below (s3://results/athena/ → athena/*).
    found = _s3_uri(text)
    if found is None:
        return None
    key = found["ObjectName"]
    return {**found, "ObjectName": key if key.endswith("*") else key + "*"}


# ---------------------------------------------------------------------------------------------
# DynamoDB
# ---------------------------------------------------------------------------------------------


@_transform("dynamodb_stream_arn", "TableName", "StreamLabel", "Region", "Account")
def _dynamodb_stream_arn(text: str) -> dict[str, str] | None:
    arn = _split_arn(text, "dynamodb")
    if arn is None:
        return None
    region, account, resource = arn
    rest = _after(resource, "table/")
    if rest is None:
        return None
    if rest == "*":
        return _located(region, account, TableName="*", StreamLabel="*")
    table, sep, label = rest.partition("/stream/")
    return _located(region, account, TableName=table, StreamLabel=label if sep else "*")


# ---------------------------------------------------------------------------------------------
# SQS queue URLs, Step Functions executions
# ---------------------------------------------------------------------------------------------

# https://sqs.us-east-1.amazonaws.com/123456789012/orders (current form),
# https://us-east-1.queue.amazonaws.com/123456789012/orders and
# https://queue.amazonaws.com/123456789012/orders (legacy forms; the last is us-east-1).
_SQS_URL = re.compile(r"^(?:https?://)?(?P<host>[^/]*)/(?P<account>[^/]+)/(?P<queue>[^/]+)/?$")


_REGION = re.compile(r"\b[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+\b")


@_transform("sqs_queue_url", "QueueName", "Region", "Account")
def _sqs_queue_url(text: str) -> dict[str, str] | None:
    if text == "*":
        return {"QueueName": "*"}
    match = _SQS_URL.match(text)
    if match is None:
        return None
    host = match["host"]
    out = {"QueueName": match["queue"], "Account": match["account"]}
    region = _REGION.search(host)
    if region is not None and "amazonaws" in host:
        # sqs.<region>, sqs-fips.<region>, <region>.queue, vpce-....sqs.<region>.vpce
        out["Region"] = region.group(0)
    elif host in ("queue.amazonaws.com", "sqs.amazonaws.com"):
        out["Region"] = "us-east-1"
    elif host.startswith(("localhost", "127.0.0.1")):
        pass  # a local endpoint (moto, localstack) says nothing about the region
    elif "*" in host:
        out["Region"] = "*"
    else:
        return None
    return out


@_transform("sfn_execution_arn", "StateMachineName", "ExecutionId", "Region", "Account")
def _sfn_execution_arn(text: str) -> dict[str, str] | None:
    if text == "*":
        return {"StateMachineName": "*", "ExecutionId": "*"}
    arn = _split_arn(text, "states")
    if arn is None:
        return None
    region, account, resource = arn
    rest = _after(resource, "execution:", "express:")
    if rest is None:
        return None
    machine, _, execution = rest.partition(":")
    return _located(region, account, StateMachineName=machine, ExecutionId=execution or "*")


# ---------------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------------


@_transform("lambda_function", "FunctionName", "Region", "Account")
def _lambda_function(text: str) -> dict[str, str] | None:
    # Accepted forms (Lambda API reference, FunctionName): name, name:qualifier,
    # account:function:name[:qualifier] (partial ARN) and the full ARN. A qualified name
    # authorises against the qualified ARN, so the qualifier stays in FunctionName.
    if text.startswith("arn:"):
        return _from_arn(text, "lambda", "FunctionName", "function:")
    account, sep, rest = text.partition(":function:")
    if sep:
        return _located("", account, FunctionName=rest)
    return {"FunctionName": text}


# ---------------------------------------------------------------------------------------------
# Secrets Manager, SSM, KMS
# ---------------------------------------------------------------------------------------------

# Secrets Manager treats an ARN ending in "-" + six characters as complete (docs: "Finding a
# secret from a partial ARN"); anything else is a partial ARN or a name, which the secret's
# ARN extends by that random suffix. A pattern that already ends in the suffix's wildcard
# (the ARN of a secret the template creates) is complete too.
_SECRET_SUFFIX = re.compile(r"-(?:[A-Za-z0-9]{6}|\?{6})$")


def _with_secret_suffix(name: str) -> str:
    if name.endswith("*"):
        return name
    return name + "-??????"


@_transform("secretsmanager_secret", "SecretId", "Region", "Account")
def _secretsmanager_secret(text: str) -> dict[str, str] | None:
    if not text.startswith("arn:"):
        return {"SecretId": _with_secret_suffix(text)}

    def complete(name: str) -> str:
        return name if _SECRET_SUFFIX.search(name) else _with_secret_suffix(name)

    return _from_arn(text, "secretsmanager", "SecretId", "secret:", post=complete)


@_transform("ssm_parameter", "ParameterNameWithoutLeadingSlash", "Region", "Account")
def _ssm_parameter(text: str) -> dict[str, str] | None:
    if text.startswith("arn:"):
        return _from_arn(
            text,
            "ssm",
            "ParameterNameWithoutLeadingSlash",
            "parameter/",
            "parameter",
            post=_ssm_name,
        )
    return {"ParameterNameWithoutLeadingSlash": _ssm_name(text) or "*"}


def _ssm_name(name: str) -> str:
    # "/app/db" and "app" are both valid names; the ARN joins them with one slash. A
    # version or label selector ("/app/db:3", "/app/db:prod") is not part of the resource
    # ARN (names cannot contain ':'), so it is dropped.
    return name.lstrip("/").split(":", 1)[0]


@_transform("ssm_parameter_path", "ParameterNameWithoutLeadingSlash")
def _ssm_parameter_path(text: str) -> dict[str, str] | None:
    # GetParametersByPath authorises against the path (parameter/app for "/app"); "app*"
    # also covers the parameters below it, should a reader check those, without guessing.
    path = text.strip("/")
    return {"ParameterNameWithoutLeadingSlash": path + "*" if path and path != "*" else "*"}


@_transform("kms_alias", "Alias", "Region", "Account")
def _kms_alias(text: str) -> dict[str, str] | None:
    # AliasName of CreateAlias/UpdateAlias/DeleteAlias: "alias/x" (or an alias ARN).
    if text.startswith("arn:"):
        arn = _split_arn(text, "kms")
        rest = _after(arn[2], "alias/") if arn else None
        return None if arn is None or rest is None else _located(arn[0], arn[1], Alias=rest)
    if text == "*":
        return {"Alias": "*"}
    return {"Alias": text[len("alias/") :]} if text.startswith("alias/") else None


@_transform("kms_key", "KeyId", "Region", "Account")
def _kms_key(text: str) -> dict[str, str] | None:
    # KeyId accepts a key id, key ARN, alias name ("alias/x") or alias ARN. A request made
    # through an alias is authorised against the key it points to, which the code does not
    # name: the key becomes "*" (the catalog narrows it with a kms:RequestAlias condition).
    if text.startswith("alias/"):
        return {"KeyId": "*"}
    if not text.startswith("arn:"):
        return {"KeyId": text}
    arn = _split_arn(text, "kms")
    if arn is None:
        return None
    region, account, resource = arn
    if resource.startswith("alias/"):
        return _located(region, account, KeyId="*")
    key = _after(resource, "key/")
    return None if key is None else _located(region, account, KeyId=key)


def kms_alias_name(text: str) -> str | None:
    """``alias/x`` for a KeyId that names an alias (name or alias ARN), else None."""
    if text.startswith("alias/"):
        return text
    arn = _split_arn(text, "kms")
    if arn is not None and arn[2].startswith("alias/"):
        return arn[2]
    return None


# ---------------------------------------------------------------------------------------------
# Bedrock, SES, Cognito, IAM, ECS, PartiQL
# ---------------------------------------------------------------------------------------------


@_transform("bedrock_model", "ResourceId", "Region", "Account")
def _bedrock_model(text: str) -> dict[str, str] | None:
    # modelId: a foundation model id, an inference profile id or ARN, an application
    # inference profile ARN, a provisioned model ARN ... The resource id is the last path
    # segment; which resource type applies is decided by the catalog (see bedrock_model_kind).
    if text.startswith("arn:"):
        arn = _split_arn(text, "bedrock")
        if arn is None:
            return None
        region, account, resource = arn
        _, sep, ident = resource.partition("/")
        if not sep:
            return None
        return _located(region, account, ResourceId=ident)
    return {"ResourceId": text}


_INFERENCE_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global.")


def bedrock_model_kind(text: str) -> str | None:
    """The bedrock resource type a modelId names, or None when it cannot be told apart.

    Cross-region inference profile ids carry a geography prefix (``us.anthropic...``);
    bare ids (``anthropic.claude...``) are foundation models (Bedrock user guide, "Supported
    Regions and models for inference profiles").
    """
    if text.startswith("arn:"):
        arn = _split_arn(text, "bedrock")
        if arn is None:
            return None
        kind = arn[2].split("/", 1)[0]
        return kind if kind and "*" not in kind else None
    if text.startswith("*"):
        return None
    if text.startswith(_INFERENCE_PROFILE_PREFIXES):
        return "inference-profile"
    return "foundation-model"


@_transform("bedrock_profile_model", "ResourceId", "Region")
def _bedrock_profile_model(text: str) -> dict[str, str] | None:
    # The foundation model a cross-region inference profile routes to: the profile id
    # without its geography prefix, in any Region the profile may route to.
    ids = _bedrock_model(text)
    if ids is None:
        return None
    ident = ids["ResourceId"]
    for geo in _INFERENCE_PROFILE_PREFIXES:
        if ident.startswith(geo):
            return {"ResourceId": ident[len(geo) :], "Region": "*"}
    return {"ResourceId": "*", "Region": "*"}


# An identity as managed (an address or a domain), or its ARN.
_name_or_arn("ses_identity", "IdentityName", "ses", "identity/")


@_transform("ses_sender", "IdentityName", "Region", "Account")
def _ses_sender(text: str) -> dict[str, str] | None:
    # SES authorises a send against the verified identity it uses: the sender address, or
    # its domain, or a parent domain (whose verification covers subdomains). "*" + the last
    # two labels matches all of them: "Shop <noreply@mail.acme.example>" → *acme.example.
    if text.startswith("arn:"):
        return _from_arn(text, "ses", "IdentityName", "identity/")
    match = re.search(r"<([^<>]*)>\s*$", text)
    address = match.group(1) if match else text.strip()
    _, at, domain = address.rpartition("@")
    if not at:
        return {"IdentityName": address}
    tail = ".".join(domain.split(".")[-2:])
    return {"IdentityName": "*" if "*" in tail or not tail else "*" + tail}


_plain("ses_configuration_set", "ConfigurationSetName")
_plain("ses_template", "TemplateName")


@_transform("cognito_user_pool", "UserPoolId", "Region")
def _cognito_user_pool(text: str) -> dict[str, str] | None:
    # A pool id is "<region>_<suffix>"; the region in it is the pool's region.
    region, sep, _ = text.partition("_")
    if sep and region and "*" not in region:
        return {"UserPoolId": text, "Region": region}
    return {"UserPoolId": text}


@_transform("iam_role_name", "RoleNameWithPath")
def _iam_role_name(text: str) -> dict[str, str] | None:
    # A bare role name matches the role at any path.
    return {"RoleNameWithPath": text if text.startswith("*") else "*" + text}


@_transform("iam_user_name", "UserNameWithPath")
def _iam_user_name(text: str) -> dict[str, str] | None:
    return {"UserNameWithPath": text if text.startswith("*") else "*" + text}


@_transform("ecs_task_definition", "TaskDefinitionFamilyName", "TaskDefinitionRevisionNumber")
def _ecs_task_definition(text: str) -> dict[str, str] | None:
    # family, family:revision or the ARN; an unrevisioned family runs its latest revision.
    if text.startswith("arn:"):
        arn = _split_arn(text, "ecs")
        if arn is None:
            return None
        text = _after(arn[2], "task-definition/") or ""
        if not text:
            return None
    family, _, revision = text.partition(":")
    return {"TaskDefinitionFamilyName": family, "TaskDefinitionRevisionNumber": revision or "*"}


# "SELECT * FROM "orders"."by-user" WHERE ..." — the first quoted or bare identifier after
# FROM / INTO / UPDATE / DELETE FROM, optionally followed by ."index".
_PARTIQL_TARGET = re.compile(
    r"\b(?:FROM|INTO|UPDATE)\s+(\"[^\"]*\"|[A-Za-z0-9_.*-]+)(?:\s*\.\s*(\"[^\"]*\"|[A-Za-z0-9_*-]+))?",
    re.IGNORECASE,
)


@_transform("dynamodb_partiql_table", "TableName")
def _dynamodb_partiql_table(text: str) -> dict[str, str] | None:
    # An index read ("table"."index") is authorised on the index ARN, which is the table ARN
    # followed by /index/<name>; folding that into TableName keeps one template.
    match = _PARTIQL_TARGET.search(text)
    if match is None:
        return {"TableName": "*"} if "*" in text else None
    table = match.group(1).strip('"')
    index = match.group(2)
    if index:
        return {"TableName": f"{table}/index/{index.strip(chr(34))}"}
    return {"TableName": table}
