"""From one call and one catalog requirement to the permissions it needs, scoped.

Each requirement names the request parameters that identify its resource
(``ParamBinding``) and a transform that turns the parameter's string into ARN variables.
This module looks the parameters up in the call, resolves environment variables, runs the
transforms and fills the ARN template. What cannot be pinned down stays ``*`` in the ARN
(a typed wildcard) and is reported with the parameter, the reason and the call's location;
a permission is never dropped.

Template references survive: a parameter whose value is ``!Ref OrdersTable`` (through an
environment variable) yields ``!GetAtt OrdersTable.Arn`` in template formats, and the
table's concrete name in JSON when the template gives one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from least_priv.catalog import transforms
from least_priv.catalog.params import values_at
from least_priv.infra.parts import REGION
from least_priv.model import (
    CallSite,
    EnvRef,
    Finding,
    ParamBinding,
    Part,
    Permission,
    Provenance,
    Requirement,
    Severity,
    TemplateRef,
    Unknown,
    Value,
    join_parts,
)
from least_priv.policy import arn, codes, refs
from least_priv.policy.arn import ArnContext
from least_priv.policy.conditions import request_conditions
from least_priv.policy.document import merge
from least_priv.policy.values import Environment, expand_env

# A call whose parameters take many values (a RequestItems dict with 40 tables) yields one
# resource per combination; past this many the extra values share one wildcard.
_MAX_VALUES_PER_BINDING = 32
_LOCATION_VARIABLES = frozenset({"Partition", "Region", "Account"})
# Lambda sets these to the function's own region (Lambda Developer Guide, "Defined runtime
# environment variables"): a client made with one of them is in the function's region.
_RUNTIME_REGION_VARIABLES = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION"})
# Names below a resource (an object key, an execution id): unknown is the normal case for
# them, and the resource above still scopes the permission.
_SUB_RESOURCE_VARIABLES = frozenset(
    {"ObjectName", "ExecutionId", "StreamLabel", "LogStreamName", "Qualifier"}
)
_SENTINEL = "lpref{}sentinel"
_TEMPLATE_PLACEHOLDER = re.compile(r"\$\{[^}]*\}+")
_ARN_PARTITION = re.compile(r"arn:(aws[a-z-]*):")
# A region name as AWS writes them (us-east-1, eu-isoe-west-1): anything else is not one.
_REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


@dataclass(frozen=True, slots=True)
class _Bound:
    """What one parameter value contributes: ARN variables as parts, and maybe a whole ARN."""

    variables: tuple[tuple[str, tuple[Part, ...]], ...]
    whole: TemplateRef | None = None

    @staticmethod
    def of(variables: Mapping[str, tuple[Part, ...]], whole: TemplateRef | None = None) -> _Bound:
        """A binding result with its variables in a canonical (hashable) order."""
        return _Bound(tuple(sorted(variables.items())), whole)


@dataclass
class Scoper:
    """Scopes requirements of calls against one function's environment and ARN context."""

    env: Environment
    context: ArnContext = field(default_factory=ArnContext)
    findings: list[Finding] = field(default_factory=list)
    _named: set[str] = field(default_factory=set, repr=False)

    def permissions(
        self, call: CallSite, requirement: Requirement, *, report_unbound: bool = True
    ) -> list[Permission]:
        """The permissions ``requirement`` of ``call`` needs, each on its scoped resource.

        ``report_unbound=False`` is for requirements whose resource is a wildcard by nature
        (a network interface Lambda creates): no finding for having no binding.
        """
        provenance = (code_provenance(call, requirement),)
        extra = request_conditions(call, requirement.action, self.env)
        conditions = tuple(sorted(set(requirement.conditions) | set(extra)))
        if requirement.arn_template is None:
            return [Permission(requirement.action, "*", conditions, provenance, ("*",))]
        context = self.call_context(call)
        if not requirement.bindings and report_unbound:
            self._report(
                codes.UNSCOPED_RESOURCE,
                call,
                f"{requirement.action}: no request parameter of {call.service}."
                f"{call.operation} names its {requirement.resource_type or 'resource'}; "
                f"granted on {self._typed_wildcard(requirement, context)}",
            )
        options = [self._bind(call, requirement, b) for b in _bindings_in_use(call, requirement)]
        out: list[Permission] = []
        for combo in itertools.product(*options):
            parts = self._resource(requirement, combo, context)
            out.append(
                Permission(
                    requirement.action,
                    arn.json_form(parts),
                    conditions,
                    provenance,
                    parts,
                )
            )
        return out

    def call_permissions(
        self, call: CallSite, requirements: Iterable[Requirement]
    ) -> list[Permission]:
        """Every permission one call needs.

        Side-effect requirements without a resource of their own (KMS for a customer managed
        key, "only when the target is encrypted") depend on the target: when it is a
        template resource, the template says whether and with which key it is encrypted
        (see ``policy.encryption``), so they are left to that; otherwise the key is unknown
        and the permission is granted on any key, limited by its condition, with a note.
        """
        requirements = list(requirements)
        main = [r for r in requirements if r.kind != "side-effect"]
        out: list[Permission] = []
        for requirement in main:
            out.extend(self.permissions(call, requirement))
        targets_template = any(arn.has_reference(p.resource_parts) for p in out)
        for requirement in requirements:
            if requirement.kind != "side-effect":
                continue
            if requirement.bindings:
                out.extend(self.permissions(call, requirement))
                continue
            if targets_template:
                continue
            out.extend(self.permissions(call, requirement, report_unbound=False))
            self._report(
                codes.UNKNOWN_KEY,
                call,
                f"{requirement.action}: {requirement.reason or 'needed through the service'}; "
                "the key is not known, so any key is granted"
                + (" through the calling service only" if requirement.conditions else ""),
                Severity.NOTE,
            )
        return out

    def call_context(self, call: CallSite) -> ArnContext:
        """The ARN context of ``call``: a client made for another region acts in that region.

        A region the analysis could not pin down is ``*`` (reported), never the function's own
        region: that would under-grant whenever the client really names another one. Partition
        and account stay the function's (a region of another partition brings its own).
        """
        if call.region is None:
            return self.context
        value = expand_env(call.region, self.env)
        first = value.parts[0] if len(value.parts) == 1 else None
        if isinstance(first, EnvRef) and first.name in _RUNTIME_REGION_VARIABLES:
            return self.context
        if first == REGION:  # a variable the template sets to !Ref AWS::Region
            return self.context
        # A template parameter with a known value (DrRegion: eu-west-1) is as good as a literal;
        # template formats keep the reference (${DrRegion}), so another value deploys right.
        region = value.pattern() if value.is_string else None
        reference = first if isinstance(first, TemplateRef) and first not in refs.PSEUDO else None
        if region is None or not _REGION_NAME.fullmatch(region):
            self._report(
                codes.UNKNOWN_REGION,
                call,
                f"{call.service}.{call.operation}: {_region_text(value)}; the region in its "
                "resources' ARNs is '*'",
            )
            return ArnContext(self.context.partition, "*", self.context.account)
        other = arn.partition_of(region)
        partition = other if other != "aws" else self.context.partition or other
        return ArnContext(partition, region, self.context.account, reference)

    # -- one binding ---------------------------------------------------------------------------

    def _bind(self, call: CallSite, req: Requirement, binding: ParamBinding) -> list[_Bound]:
        found = values_at(call, binding.param)
        if found is None:
            self._report(
                codes.MISSING_PARAMETER,
                call,
                f"{req.action}: {call.service}.{call.operation} does not pass {binding.param} "
                f"visibly (arguments built elsewhere?); {_left_open(binding, req)}",
            )
            return [self._bind_value(call, req, binding, Value.unknown(), report=False)]
        if not found:
            found = [Value.unknown(f"{binding.param} is empty")]
        values: list[Value] = []
        for value in found[:_MAX_VALUES_PER_BINDING]:
            values.append(expand_env(value, self.env))
        if len(found) > _MAX_VALUES_PER_BINDING:
            values.append(Value.unknown(f"more than {_MAX_VALUES_PER_BINDING} values"))
        bound = [self._bind_value(call, req, binding, v) for v in values]
        return sorted(set(bound), key=_bound_key)

    def _bind_value(
        self,
        call: CallSite,
        req: Requirement,
        binding: ParamBinding,
        value: Value,
        *,
        report: bool = True,
    ) -> _Bound:
        value = _copy_source_text(binding, value)
        if report:
            self._report_unknowns(call, req, binding, value)
        from_template = any(isinstance(p, TemplateRef) for p in value.parts)
        value = self._with_context(value)
        if not value.is_string:
            if report:
                self._report(
                    codes.UNSCOPED_RESOURCE,
                    call,
                    f"{req.action}: {binding.param} is a structure, not the string the "
                    f"parameter takes; {_left_open(binding, req)}",
                )
            value = Value.unknown(f"{binding.param} is not a string")
        # An environment variable still unresolved here has no trustworthy value: its code
        # default is a guess when the deployed environment is unknown.
        text = Value(
            tuple(Unknown() if isinstance(p, EnvRef) else p for p in value.parts)
        ).pattern()
        json_vars = transforms.apply(binding.transform, text)
        if json_vars is not None and report:
            self._report_unscoped(call, req, binding, value, json_vars)
        if json_vars is None:
            if "*" not in text:
                self._report(
                    codes.UNINTERPRETABLE_VALUE,
                    call,
                    f"{req.action}: {binding.param}={text!r} does not fit {binding.transform}; "
                    f"{_left_open(binding, req)}",
                )
            json_vars = transforms.apply(binding.transform, "*") or {}
        partition = _ARN_PARTITION.match(text)
        if partition is not None and json_vars:
            # An ARN names its partition; the transforms give region and account only.
            json_vars = {"Partition": partition.group(1), **json_vars}
        if from_template:
            # A template resource lives in the stack's partition, region and account: where
            # its ARN pattern says "*" for them, the deployment context knows better.
            json_vars = {
                k: v for k, v in json_vars.items() if not (k in _LOCATION_VARIABLES and v == "*")
            }
        plain = {k: arn.text_parts(v) for k, v in json_vars.items()}
        template_refs = [p for p in value.parts if isinstance(p, TemplateRef)]
        if not template_refs:
            return _Bound.of(plain)
        if len(value.parts) == 1:
            ref = template_refs[0]
            whole = refs.arn_ref(ref, req.arn_template)
            if whole is None and (ref.known or "").startswith("arn:"):
                # A parameter (or any reference) whose value is the ARN itself.
                whole = ref
            if whole is not None:
                return _Bound.of(plain, whole)
        return _Bound.of(self._reference_variables(binding, value, plain))

    def _reference_variables(
        self, binding: ParamBinding, value: Value, plain: Mapping[str, tuple[Part, ...]]
    ) -> Mapping[str, tuple[Part, ...]]:
        # Run the transform on a text where each reference is a unique placeholder name,
        # then put the (name-yielding) references back where the placeholders land.
        placeholders: dict[str, TemplateRef] = {}
        pieces: list[str] = []
        for part in value.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            if not isinstance(part, TemplateRef):
                pieces.append("*")
                continue
            name = refs.name_ref(part)
            if name is None or (part.known or "").startswith("/"):
                # No reference gives the name, or the name's leading "/" is dropped in the
                # ARN (SSM: parameter/app/x for "/app/x") while the reference would keep it.
                pieces.append(part.known or "*")
                continue
            token = _SENTINEL.format(len(placeholders))
            placeholders[token] = TemplateRef(
                name.logical_id, name.attribute, name.resource_type, part.known
            )
            pieces.append(token)
        referenced = transforms.apply(binding.transform, "".join(pieces))
        if referenced is None or not placeholders:
            return plain
        out: dict[str, tuple[Part, ...]] = {}
        for key, text in referenced.items():
            out[key] = _with_placeholders(text, placeholders, plain.get(key))
        return out

    # -- the resource ------------------------------------------------------------------------

    def _resource(
        self, req: Requirement, combo: tuple[_Bound, ...], context: ArnContext
    ) -> tuple[Part, ...]:
        assert req.arn_template is not None
        # A template resource's own ARN is in the stack's region, not in the one a client made
        # for another region reaches (a global table's replica): that ARN is built instead.
        if len(combo) == 1 and combo[0].whole is not None and context == self.context:
            whole = combo[0].whole
            # The JSON form is the ARN template filled with what is known (the template's
            # own pattern for the reference leaves the deployment context out).
            filled = arn.fill(req.arn_template, dict(combo[0].variables), self.context)
            known = _known_or_none(filled)
            return (TemplateRef(whole.logical_id, whole.attribute, whole.resource_type, known),)
        merged: dict[str, tuple[Part, ...]] = {}
        for bound in combo:
            merged.update(dict(bound.variables))
        return arn.fill(req.arn_template, merged, context)

    def _with_context(self, value: Value) -> Value:
        """Pseudo parameters (``${AWS::Region}`` in a ``!Sub``) replaced by the context's value."""
        parts: list[Part] = []
        for part in value.parts:
            if isinstance(part, TemplateRef) and part in refs.PSEUDO:
                variable = {"AWS::Partition": "Partition", "AWS::Region": "Region"}.get(
                    part.logical_id, "Account"
                )
                parts.append(self.context.pseudo(variable) or part)
            elif isinstance(part, str) and "${" in part:
                # "${filename}" in a presigned POST key is filled in by S3; in a policy it
                # would be read as an IAM policy variable. Any value may stand there.
                pieces = _TEMPLATE_PLACEHOLDER.split(part)
                for index, piece in enumerate(pieces):
                    if index:
                        parts.append(Unknown("placeholder filled in at request time"))
                    parts.append(piece)
            else:
                parts.append(part)
        return Value(tuple(parts), value.mapping, value.sequence)

    def _typed_wildcard(self, req: Requirement, context: ArnContext) -> str:
        assert req.arn_template is not None
        return arn.json_form(arn.fill(req.arn_template, {}, context))

    # -- findings ----------------------------------------------------------------------------

    def _report_unknowns(
        self, call: CallSite, req: Requirement, binding: ParamBinding, value: Value
    ) -> None:
        for part in value.parts:
            if isinstance(part, EnvRef):
                default = f" (code default {part.default!r})" if part.default is not None else ""
                self._report(
                    codes.UNRESOLVED_ENV,
                    call,
                    f"{req.action}: {binding.param} comes from environment variable "
                    f"{part.name}{default}, which neither the template nor --env sets; "
                    f"that part of the resource is '*'",
                )
            elif (
                isinstance(part, TemplateRef)
                and part.known is None
                and part not in refs.PSEUDO
                and part.logical_id not in self._named
            ):
                # Once per resource: every call on it has the same story.
                self._named.add(part.logical_id)
                self._report(
                    codes.GENERATED_NAME,
                    call,
                    f"{req.action}: {binding.param} is {part.logical_id}"
                    f"{'.' + part.attribute if part.attribute else ''}, named at deploy time; "
                    "JSON output uses '*' for it, template formats reference it",
                    Severity.NOTE,
                )

    def _report_unscoped(
        self,
        call: CallSite,
        req: Requirement,
        binding: ParamBinding,
        value: Value,
        variables: Mapping[str, str],
    ) -> None:
        # Judged on what the transform made of the value: the resource is not pinned down
        # when every name it determines is wholly unknown. An unknown object key in a known
        # bucket (bucket/*) is still scoped to the bucket; sub-resource names don't count.
        names = {k: v for k, v in variables.items() if k not in _LOCATION_VARIABLES}
        primary = {k: v for k, v in names.items() if k not in _SUB_RESOURCE_VARIABLES}
        if not primary or any(v != "*" for v in primary.values()):
            return
        if any(isinstance(p, (EnvRef, TemplateRef)) for p in value.parts):
            return  # reported as an unset variable or a generated name
        reasons = sorted(
            {
                p.reason
                for p in value.parts
                if isinstance(p, Unknown) and p.reason and "not known" not in p.reason
            }
        )
        why = f" ({'; '.join(reasons)})" if reasons else ""
        self._report(
            codes.UNSCOPED_RESOURCE,
            call,
            f"{req.action}: {binding.param} is not known statically{why}; "
            + _left_open(binding, req),
        )

    def _report(
        self,
        code: str,
        call: CallSite,
        message: str,
        severity: Severity = Severity.WARNING,
    ) -> None:
        self.findings.append(codes.finding(code, call.location, message, severity))


def _bindings_in_use(call: CallSite, requirement: Requirement) -> list[ParamBinding]:
    """The bindings that apply to this call.

    Several parameters may name the same resource (sns Publish: ``TopicArn`` or
    ``TargetArn``): the ones the call passes are used, an absent alternative is not a
    missing parameter. When none of them is passed, the first stands for the group.
    """
    passed = [b for b in requirement.bindings if values_at(call, b.param) is not None]
    filled: set[str] = set()
    for binding in passed:
        filled |= _names(binding)
    out: list[ParamBinding] = []
    absent: set[str] = set()
    for binding in requirement.bindings:
        if binding in passed:
            out.append(binding)
            continue
        names = _names(binding)
        if names and (names <= filled or names <= absent):
            continue
        absent |= names
        out.append(binding)
    return out


def _left_open(binding: ParamBinding, requirement: Requirement) -> str:
    """What a finding says stays open in the ARN because of this binding."""
    used = set(arn.variables(requirement.arn_template or ""))
    names = sorted(_names(binding) & used) or ["the resource name"]
    return f"{', '.join(names)} stay{'s' if len(names) == 1 else ''} '*' in the resource"


def _names(binding: ParamBinding) -> frozenset[str]:
    return transforms.OUTPUTS.get(binding.transform, frozenset()) - _LOCATION_VARIABLES


def _copy_source_text(binding: ParamBinding, value: Value) -> Value:
    # boto3 documents CopySource as "bucket/key" or as {"Bucket": ..., "Key": ...}; the
    # transform reads the string form.
    if binding.transform != "s3_copy_source" or value.mapping is None:
        return value
    bucket = value.get("Bucket") or Value.unknown("CopySource bucket")
    key = value.get("Key") or Value.unknown("CopySource key")
    if not (bucket.is_string and key.is_string):
        return value
    return Value((*bucket.parts, "/", *key.parts))


def code_provenance(call: CallSite, requirement: Requirement) -> Provenance:
    """Why a permission is there: the call, how it was written, and the requirement kind."""
    detail = f"{call.service}.{call.operation}"
    if call.via:
        detail += f" via {call.via}"
    if call.region is not None:
        # Why the ARN names another region than the function's (or '*').
        detail += f" with region_name={_shown_region(call.region)}"
    if requirement.kind != "required":
        detail += f" ({requirement.kind}"
        detail += f": {requirement.reason})" if requirement.reason else ")"
    return Provenance("code", call.location, detail)


def build_permissions(
    calls: Iterable[tuple[CallSite, Iterable[Requirement]]],
    env: Environment,
    context: ArnContext,
) -> tuple[tuple[Permission, ...], list[Finding]]:
    """Scoped, merged permissions for (call, catalog requirements) pairs, and findings.

    The library form of what ``api.generate`` does for code: a caller that brings its own
    call sites (another front end, a test) gets the same permissions.
    """
    scoper = Scoper(env, context)
    out: list[Permission] = []
    for call, requirements in calls:
        out.extend(scoper.call_permissions(call, requirements))
    return merge(out), sorted(set(scoper.findings))


def _with_placeholders(
    text: str, placeholders: Mapping[str, TemplateRef], fallback: tuple[Part, ...] | None
) -> tuple[Part, ...]:
    parts: list[Part] = []
    rest = text
    while rest:
        hits = [(rest.find(t), t) for t in placeholders if t in rest]
        if not hits:
            parts.extend(arn.text_parts(rest))
            break
        index, token = min(hits)
        parts.extend(arn.text_parts(rest[:index]))
        parts.append(placeholders[token])
        rest = rest[index + len(token) :]
    result = join_parts(parts)
    if fallback is not None and not any(isinstance(p, TemplateRef) for p in result):
        return fallback
    return result


def _known_or_none(parts: tuple[Part, ...]) -> str | None:
    text = arn.json_form(parts)
    return None if text == "*" else text


def _bound_key(bound: _Bound) -> str:
    return repr(bound)


def _shown_region(value: Value) -> str:
    """A client's region as written in the code: literal text, ``$NAME`` for variables."""
    pieces = []
    for part in value.parts:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, EnvRef):
            pieces.append(f"${part.name}")
        elif isinstance(part, TemplateRef):
            pieces.append(part.known or f"!Ref {part.logical_id}")
        else:
            pieces.append("*")
    return "".join(pieces) or "*"


def _region_text(value: Value) -> str:
    """Why a client's region is not known, naming the variable when there is one."""
    first = value.parts[0] if len(value.parts) == 1 else None
    if isinstance(first, EnvRef):
        return (
            f"the client's region_name comes from environment variable {first.name}, which "
            "neither the template nor --env sets"
        )
    if isinstance(first, TemplateRef):
        return f"the client's region_name is {first.logical_id}, whose value is not known"
    shown = value.pattern() if value.is_string else "a structure"
    if shown != "*" and not _REGION_NAME.fullmatch(shown):
        return f"the client's region_name {shown!r} is not a region name known statically"
    return "the client's region_name is not known statically"
