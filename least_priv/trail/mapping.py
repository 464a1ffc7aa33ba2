"""Map one CloudTrail record to the IAM permissions it exercised.

``eventSource`` names the service endpoint (``monitoring.amazonaws.com``), ``eventName``
the API call, mostly under the SDK's operation name. The catalog owns operation → action
data; this module only bridges CloudTrail's naming to it (:mod:`least_priv.trail.quirks`)
and reads resources from the record:

1. ``resources[]`` ARNs that fit the action's ARN template, else
2. the catalog's parameter bindings applied to ``requestParameters`` (CloudTrail spells
   ``Bucket`` as ``bucketName`` and ``TableName`` as ``tableName``), else
3. the ARN template with the record's partition, region and account and ``*`` for the
   rest: a typed wildcard, reported, never a dropped permission.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from least_priv.catalog import transforms
from least_priv.model import CallSite, Location, Requirement, Value
from least_priv.policy.arn import ArnContext, fill, json_form, text_parts
from least_priv.policy.arn import partition_of as region_partition
from least_priv.policy.arn import variables as arn_variables
from least_priv.trail import quirks
from least_priv.trail.records import Record

_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_LOCATION_VARS = ("Partition", "Region", "Account")
# iam:PassRole is never logged, but a logged call that passed a role proves it was needed;
# other dependent/side-effect actions (ec2:CreateTags ...) depend on request content a
# record may not show, and the calls they stand for are logged on their own when made.
_PASS_ROLE = "iam:PassRole"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")
# A denied call's message names the action and resource exactly; prefer it to a mapping.
_DENIED_MESSAGE = re.compile(
    r"not authorized to perform: (?P<action>[A-Za-z0-9-]+:[A-Za-z0-9]+)"
    r"(?: on resource: \"?(?P<resource>[^\s\"]+)\"?)?"
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "Client.UnauthorizedOperation",
        "AuthorizationError",
        "AuthorizationErrorException",
        "UnauthorizedAccess",
        "UnauthorizedException",
        "KMS.AccessDeniedException",
    }
)
# CloudTrail's requestParameters keys for SDK parameters, where lowerCamel is not enough.
_PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "bucket": ("bucketName",),
}
_CLOUDTRAIL_KEYS = {alias: sdk for sdk, aliases in _PARAM_ALIASES.items() for alias in aliases}
_WHERE = Location("cloudtrail")
_USES_CACHE = 65536


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an (eventSource, eventName) pair means in IAM terms.

    ``status`` is ``mapped`` (``requirements`` hold the actions), ``no-permission`` (the
    event needs none; ``reason`` says why) or ``unmapped`` (nothing known).
    """

    status: str
    requirements: tuple[Requirement, ...] = ()
    reason: str = ""
    operation: str = ""  # "client:Operation" when an SDK operation stands behind the event
    # Every "client:Operation" of the event's endpoint with that name, preferred first
    # (sesv2 and ses both have SendEmail under email.amazonaws.com); the request's
    # parameter names pick among them per record.
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Use:
    """One permission a record exercised (or was denied): action, resource, and how sure."""

    action: str
    resource: str
    denied: bool = False
    resolved: bool = True  # False when the resource is a typed wildcard


def partition_of(region: str) -> str:
    """The ARN partition of a record's region (``cn-north-1`` → ``aws-cn``; none → aws)."""
    return region_partition(region) or "aws"


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the template's ARNs, one named group per variable.

    Groups are lazy but the last, so ``arn:aws:s3:::b/k/x.json`` splits as bucket ``b``
    and key ``k/x.json``; a variable used twice is named once.
    """
    parts = _VAR.split(template)
    regex: list[str] = []
    seen: set[str] = set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part))
            continue
        lazy = "?" if i < len(parts) - 2 or parts[-1] else ""
        if part in seen or not part.isidentifier():
            regex.append(f".*{lazy}")
        else:
            seen.add(part)
            regex.append(f"(?P<{part}>.*{lazy})")
    return re.compile("^" + "".join(regex) + "$")


def fill_template(template: str, variables: dict[str, str]) -> str:
    """An ARN template with its ``${Var}``s replaced; unknown ones become ``*``."""
    context = ArnContext(
        variables.get("Partition"), variables.get("Region"), variables.get("Account")
    )
    values = {name: text_parts(text) for name, text in variables.items()}
    return json_form(fill(template, values, context))


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def collapse_object_key(key: str) -> str:
    """An S3 key reduced to its folder and extension (``in/2023/a.jpg`` → ``in/2023/*.jpg``).

    Observed object keys are unbounded (one per upload); a policy, the aggregation and the
    Athena query all need a bounded set, and "this folder, this kind of file" is what a
    reviewer grants (and what code like ``f"exports/{id}.json"`` yields). Idempotent.
    """
    head, sep, base = key.rpartition("/")
    extension = _EXTENSION.search(base)
    return f"{head}{sep}*{extension.group(0) if extension else ''}"


# Names minted per call (one per upload, one per Lambda container): kept exact they make
# an unbounded policy and an unbounded tally, so they are reduced as a reviewer would.
_UNBOUNDED: dict[str, Callable[[str], str]] = {
    "ObjectName": collapse_object_key,
    "LogStreamName": lambda _name: "*",
}


class EventMapper:
    """Maps records to :class:`Use`s through the catalog; caches per event name."""

    def __init__(self, catalog: Any | None = None) -> None:
        self._uses: dict[tuple[object, ...], list[Use]] = {}
        if catalog is None:
            from least_priv.catalog import get_catalog

            catalog = get_catalog()
        self._cat = catalog
        self._resolved: dict[tuple[str, str], Resolution] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}

    # -- names ---------------------------------------------------------------------------

    def clients(self, event_source: str) -> list[str]:
        """The SDK clients an event source can stand for, the catalog's preferred one first.

        Several clients share an endpoint (``bedrock.amazonaws.com``: bedrock,
        bedrock-runtime, bedrock-agent ...); the catalog lists them all. The source's
        first label is a last resort for endpoints the catalog has not indexed.
        """
        out = list(self._cat.clients_for_event_source(event_source))
        stem = event_source.split(".", 1)[0]
        if self._cat.has_client(stem):
            out.append(stem)
        return list(dict.fromkeys(c for c in out if self._cat.has_client(c)))

    def resolve(self, event_source: str, event_name: str) -> Resolution:
        """What the event means in IAM terms (cached)."""
        key = (event_source, event_name)
        known = self._resolved.get(key)
        if known is None:
            known = self._resolve(event_source, event_name)
            self._resolved[key] = known
        return known

    def _resolve(self, event_source: str, event_name: str) -> Resolution:
        reason = quirks.no_permission_reason(event_source, event_name)
        if reason is not None:
            return Resolution("no-permission", reason=reason)
        name = quirks.strip_version(event_source, event_name)
        renamed = quirks.RENAMED.get((event_source, name))
        candidates = (
            [(renamed.client, renamed.operation)]
            if renamed is not None
            else [(client, name) for client in self.clients(event_source)]
        )
        mapped: list[tuple[str, tuple[Requirement, ...]]] = []
        for client, operation in candidates:
            info = self._cat.operation(client, operation)
            if info is None:
                continue
            if info.permissionless and not mapped:
                return Resolution("no-permission", reason=info.permissionless)
            reqs = tuple(
                r for r in info.requirements if r.kind == "required" or r.action == _PASS_ROLE
            )
            if not reqs and info.actions and not info.unresolved:
                reqs = tuple(Requirement(a) for a in info.actions)
            if reqs:
                mapped.append((f"{client}:{operation}", reqs))
        if mapped:
            operation, reqs = mapped[0]
            others = tuple(op for op, _ in mapped) if len(mapped) > 1 else ()
            return Resolution("mapped", reqs, operation=operation, alternatives=others)
        return self._naive(event_source, name)

    def _operation_for(self, resolution: Resolution, params: dict[str, Any]) -> str:
        """The candidate operation that fits the logged request best.

        Ranked by the request's parameters the candidate binds to a resource, then by those
        it knows at all (``source`` is SES v1's, ``fromEmailAddress`` v2's); a tie, or a
        request without parameters, keeps the catalog's preferred client.
        """
        if not resolution.alternatives or not params:
            return resolution.operation
        keys = {_CLOUDTRAIL_KEYS.get(k, k).lower() for k in params}

        def overlap(candidate: str) -> tuple[int, int]:
            client, _, operation = candidate.partition(":")
            info = self._cat.operation(client, operation)
            if info is None:
                return (-1, -1)
            bound = {
                b.param.split(".", 1)[0].removesuffix("[]").lower()
                for r in info.requirements
                for b in r.bindings
            }
            return (len(keys & bound), len(keys & {i.lower() for i in info.inputs}))

        scores = [overlap(c) for c in resolution.alternatives]
        return resolution.alternatives[scores.index(max(scores))]

    def _naive(self, event_source: str, name: str) -> Resolution:
        """``prefix:EventName`` when the catalog knows that action (no SDK operation)."""
        prefixes = [self._cat.prefix(c) for c in self.clients(event_source)]
        prefixes.append(event_source.split(".", 1)[0])
        for prefix in dict.fromkeys(prefixes):
            info = self._cat.action(f"{prefix}:{name}")
            if info is None:
                continue
            templates = [rt.arn for rt, required in info.resource_types if required]
            template = templates[0] if len(templates) == 1 else None
            return Resolution("mapped", (Requirement(info.action, arn_template=template),))
        return Resolution("unmapped")

    # -- resources -----------------------------------------------------------------------

    def uses(self, record: Record) -> list[Use]:
        """The permissions one record exercised (denied ones flagged).

        Identical requests (a function reading the same parameter on every invocation)
        are mapped once: the result is cached on the request's content.
        """
        denied = (record.errorCode or "") in DENIED_CODES
        key = (
            record.eventSource,
            record.eventName,
            record.awsRegion,
            record.recipientAccountId,
            denied,
            record.errorMessage if denied else None,
            _content_key(bytes(record.requestParameters)),
            tuple(r.ARN for r in record.resources or ()),
        )
        known = self._uses.get(key)
        if known is None:
            known = list(self._uses_of(record, denied))
            if len(self._uses) >= _USES_CACHE:
                self._uses.clear()  # crude but bounded; hit rates come from repeats
            self._uses[key] = known
        return known

    def _uses_of(self, record: Record, denied: bool) -> Iterator[Use]:
        if denied and record.errorMessage:
            match = _DENIED_MESSAGE.search(record.errorMessage)
            if match is not None:
                yield Use(match["action"], match["resource"] or "*", denied=True)
                return
        resolution = self.resolve(record.eventSource or "", record.eventName or "")
        if resolution.status != "mapped":
            return
        params = record.parameters()
        for req in self._requirements(resolution, params):
            if req.action == _PASS_ROLE and req.kind != "required":
                # Only when the request really passed a role (catalog rows may be
                # dependent or side-effect, with or without a binding).
                for arn in sorted(set(_role_arns(params))):
                    yield Use(_PASS_ROLE, arn, denied=denied)
                continue
            if req.arn_template is None:
                yield Use(req.action, "*", denied=denied)
                continue
            for resource, resolved in self._resources(req, record, params):
                yield Use(req.action, resource, denied=denied, resolved=resolved)

    def _requirements(
        self, resolution: Resolution, params: dict[str, Any]
    ) -> tuple[Requirement, ...]:
        """The catalog's requirements for the request as logged (content rules applied).

        A logged ``GetObject`` with a ``versionId`` used ``s3:GetObjectVersion``; without
        one, ``s3:GetObject``. Side effects (KMS ...) are not taken: when they happen they
        are logged as calls of their own.
        """
        if not resolution.operation:
            return resolution.requirements
        client, _, operation = self._operation_for(resolution, params).partition(":")
        info = self._cat.operation(client, operation)
        if info is None:
            return resolution.requirements
        call = CallSite(_WHERE, client, operation, _arguments(info.inputs, params))
        reqs = tuple(
            r
            for r in self._cat.requirements(call)
            if r.kind == "required" or r.action == _PASS_ROLE
        )
        return reqs or resolution.requirements

    def _resources(
        self, req: Requirement, record: Record, params: dict[str, Any]
    ) -> Iterable[tuple[str, bool]]:
        template = req.arn_template or "*"
        pattern = self._patterns.get(template)
        if pattern is None:
            pattern = self._patterns[template] = _template_pattern(template)
        listed: set[tuple[str, bool]] = set()
        for item in record.resources or ():
            match = pattern.match(item.ARN or "")
            if match is None:
                continue
            found = {k: v for k, v in match.groupdict().items() if v is not None}
            if any(name in found for name in _UNBOUNDED):
                for name, collapse in _UNBOUNDED.items():
                    if name in found:
                        found[name] = collapse(found[name])
                listed.add((fill_template(template, found), True))
            else:
                listed.add((item.ARN or "", True))
        if listed:
            return sorted(listed)
        region = record.awsRegion or ""
        base = {"Partition": partition_of(region)}
        if region:
            base["Region"] = region
        if record.recipientAccountId:
            base["Account"] = record.recipientAccountId
        filled: list[tuple[str, bool]] = []
        for values in self._bound(req, params) or [{}]:
            variables = {**base, **values}
            for name, collapse in _UNBOUNDED.items():
                if name in values:
                    variables[name] = collapse(values[name])
            needed = [v for v in arn_variables(template) if v not in _LOCATION_VARS]
            resolved = all(v in variables for v in needed)
            filled.append((fill_template(template, variables), resolved))
        return sorted(set(filled))

    def _bound(self, req: Requirement, params: dict[str, Any]) -> list[dict[str, str]]:
        """Template variables from the request, one dict per resource the call named."""
        combos: list[dict[str, str]] = [{}]
        for binding in req.bindings:
            if binding.param.startswith("="):
                # A constant the catalog fixed (a service default, the identity a
                # request-content rule derived from the sender).
                texts = [binding.param[1:]]
            else:
                texts = list(_param_values(params, binding.param.split(".")))
            results = [r for t in texts if (r := transforms.apply(binding.transform, t))]
            if not results:
                continue
            combos = [{**c, **r} for c in combos for r in results]
        return [c for c in combos if c]


def _content_key(raw: bytes) -> bytes:
    """The request as a cache key: itself when short, else a digest (bounded memory)."""
    return raw if len(raw) <= 256 else hashlib.blake2b(raw, digest_size=16).digest()


def _sdk_key(key: str) -> str:
    """CloudTrail's lowerCamel request key as the SDK's PascalCase (``putRequest``)."""
    return key[:1].upper() + key[1:]


def _value(value: Any) -> Value | None:
    """A logged request value as the analysis' ``Value`` (what catalog rules read)."""
    if value is None:
        return None
    if isinstance(value, dict):
        items = [(Value.literal(_sdk_key(str(k))), _value(v)) for k, v in value.items()]
        return Value(mapping=tuple((k, v) for k, v in items if v is not None))
    if isinstance(value, list):
        return Value(sequence=tuple(v for v in map(_value, value) if v is not None))
    if isinstance(value, bool):
        return Value.literal("true" if value else "false")
    return Value.literal(str(value))


def _arguments(inputs: Iterable[str], params: dict[str, Any]) -> tuple[tuple[str, Value], ...]:
    """Request parameters under the SDK's names (``bucketName`` → ``Bucket``)."""
    names = {name.lower(): name for name in inputs}
    out: dict[str, Value] = {}
    for key, raw in params.items():
        name = names.get(key.lower()) or names.get(_CLOUDTRAIL_KEYS.get(key, "").lower())
        value = _value(raw)
        if name and value is not None:
            out[name] = value
    return tuple(sorted(out.items()))


def _role_arns(value: Any) -> Iterator[str]:
    """Every role ARN anywhere in the request (the roles a call passes)."""
    if isinstance(value, str):
        if _ROLE_ARN.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _role_arns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _role_arns(item)


def _lookup(container: dict[str, Any], name: str) -> Any:
    if name in container:
        return container[name]
    lowered = name.lower()
    for alias in _PARAM_ALIASES.get(lowered, ()):
        if alias in container:
            return container[alias]
    for key, value in container.items():
        if key.lower() == lowered:
            return value
    return None


def _param_values(value: Any, path: list[str]) -> Iterator[str]:
    """Strings at a dotted parameter path (``*`` = every key of a map, lists flattened)."""
    if isinstance(value, list):
        for item in value:
            yield from _param_values(item, path)
        return
    if not path:
        if isinstance(value, str):
            yield value
        return
    if not isinstance(value, dict):
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if not rest:
            yield from (k for k in value if isinstance(k, str))
            return
        for item in value.values():
            yield from _param_values(item, rest)
        return
    found = _lookup(value, head)
    if found is not None:
        yield from _param_values(found, rest)
