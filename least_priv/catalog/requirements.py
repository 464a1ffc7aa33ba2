"""``Catalog.requirements(call)``: the rows of an operation, narrowed by what the call passes.

Steps, each of which may only keep or widen what is granted when the call's content is not
known:
1. rows with ``when``/``unless`` selectors (DynamoDB Query on an index vs. the table, a
   role ARN that is passed, tags given at creation; ``@kms`` rows on request);
2. request-content rules (``rules.py``): conditional rows kept when the call needs them, or
   all of them — with the reason saying so — when the arguments do not tell;
3. service defaults (``=primary``) for parameters the call may leave out, and alternative
   bindings of one ARN variable split into separate requirements;
4. resource switches decided by parameter values: an S3 access-point ARN in ``Bucket``, a
   Bedrock inference-profile id in ``modelId``, a KMS alias (``kms:RequestAlias``), a Lambda
   ``Qualifier``, the identities a literal SES sender may be verified as.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from least_priv.catalog import transforms
from least_priv.catalog.catalog import operation_rows, requirement_of
from least_priv.catalog.params import CONSTANT, sometimes_missing, values_at
from least_priv.catalog.rules import RULES
from least_priv.model import CallKind, CallSite, Condition, ParamBinding, Requirement

if TYPE_CHECKING:
    from least_priv.catalog.catalog import Catalog

KMS_SELECTOR = "@kms"  # rows that apply when the target resource uses a customer managed key
UNDECIDED = "request content not known, so every possibility is granted"


def requirements_for(
    cat: Catalog, call: CallSite, *, kms_encrypted: bool = False
) -> list[Requirement]:
    """See module docstring. Unknown client/operation → [] (the caller reports it).

    ``kms_encrypted`` adds the KMS rows that apply when the resource the call touches is
    encrypted with a customer managed key (known from the template, not from the call).
    """
    info = cat.operation(call.service, call.operation)
    if info is None:
        if cat.helper(call.service, call.operation) is not None or call.kind in (
            CallKind.HELPER,
            CallKind.PRESIGN,
        ):
            return _merge(
                requirements_for(cat, sub, kms_encrypted=kms_encrypted)
                for sub in cat.expand_helper(call)
            )
        return []
    if info.permissionless is not None:
        return []
    if info.unresolved:
        return [
            Requirement(
                action=f"{info.prefix}:*",
                kind="required",
                reason=f"{info.client}.{info.operation} is not mapped to an IAM action "
                "(catalog unresolved list); every action of the service is granted",
            )
        ]
    rows = [
        r
        for r in operation_rows(call.service, call.operation)
        if _selected(r, call, kms_encrypted=kms_encrypted)
    ]
    rows = _apply_rule(info.rule, rows, call)
    out: list[Requirement] = []
    for row in rows:
        for req in _alternatives(_with_defaults(requirement_of(row), row, call), call):
            out.extend(_switch_resource(cat, req, call))
    return _merge([out])


_PLACE = frozenset({"Region", "Account"})


def _alternatives(req: Requirement, call: CallSite) -> list[Requirement]:
    """One requirement per alternative source of the same ARN variable.

    SNS Publish names its topic by ``TopicArn`` or ``TargetArn``; a transaction names tables
    in several item kinds. Such bindings are alternatives, not parts of one ARN: each
    becomes its own requirement, so every binding in a requirement fills different
    variables. Alternatives the call does not pass are dropped — unless it passes none.
    """
    if len(req.bindings) < 2:
        return [req]
    groups: dict[frozenset[str], list[ParamBinding]] = {}
    for binding in req.bindings:
        key = transforms.OUTPUTS[binding.transform] - _PLACE
        groups.setdefault(key, []).append(binding)
    if all(len(g) == 1 for g in groups.values()):
        return [req]
    choices: list[list[ParamBinding]] = []
    for group in groups.values():
        passed = [b for b in group if values_at(call, b.param) is not None]
        choices.append(passed or group)
    return [replace(req, bindings=tuple(sorted(combo))) for combo in itertools.product(*choices)]


def _with_defaults(req: Requirement, row: dict[str, Any], call: CallSite) -> Requirement:
    """Add the service default (``=primary``) for a parameter the call may leave out."""
    defaults: dict[str, str] = row.get("d", {})
    if not defaults:
        return req
    bindings = list(req.bindings)
    for binding in req.bindings:
        default = defaults.get(binding.param)
        if default is None or not sometimes_missing(call, binding.param):
            continue
        if not values_at(call, binding.param):
            bindings.remove(binding)
        bindings.append(ParamBinding(CONSTANT + default, binding.transform))
    return replace(req, bindings=tuple(sorted(set(bindings))))


def _selected(row: dict[str, Any], call: CallSite, *, kms_encrypted: bool) -> bool:
    when = row.get("w")
    unless = row.get("x")
    if when == KMS_SELECTOR:
        return kms_encrypted
    # A selector path the call does not pass (None), or whose known structure has no such
    # member ([]), deselects the row; an unknown structure keeps it.
    if when is not None and not values_at(call, when):
        return False
    return not (unless is not None and values_at(call, unless))


def _apply_rule(
    name: str | None, rows: list[dict[str, Any]], call: CallSite
) -> list[dict[str, Any]]:
    if name is None:
        return rows
    rule = RULES[name]
    needed = rule.decide(call)
    # A needed action that stands in for another (s3:GetObjectVersion for s3:GetObject on a
    # versioned copy source) drops the other's rows on the same parameters.
    replaced = {rule.replaces[a]: a for a in needed or () if a in rule.replaces}
    out: list[dict[str, Any]] = []
    for row in rows:
        stand_in = replaced.get(row["a"])
        if stand_in is not None and "k" not in row:
            params = {b[0] for b in row.get("b", [])}
            if params and params <= set(rule.bindings.get(stand_in, ())):
                continue
        narrowed = dict(row)
        keep = rule.bindings.get(row["a"])
        if keep is not None and "b" in row:
            narrowed["b"] = [b for b in row["b"] if b[0] in keep]
        if row.get("k") != "conditional" or row["a"] not in rule.actions:
            out.append(narrowed)
        elif needed is None:
            narrowed["r"] = f"{row.get('r', rule.reason)}; {UNDECIDED}"
            out.append(narrowed)
        elif row["a"] in needed:
            out.append(narrowed)
    return out


# ---------------------------------------------------------------------------------------------
# Resource switches
# ---------------------------------------------------------------------------------------------


def _pattern(call: CallSite, param: str) -> str | None:
    values = values_at(call, param)
    if not values:
        return None
    patterns = {v.pattern() for v in values}
    return patterns.pop() if len(patterns) == 1 else None


def _switch_resource(cat: Catalog, req: Requirement, call: CallSite) -> list[Requirement]:
    prefix = req.action.split(":", 1)[0]
    if req.resource_type == "key":
        return [_kms_request_alias(cat, req, call)]
    if req.resource_type == "function" and call.arg("Qualifier") is not None:
        return [_lambda_qualified(req, call)]
    if any(b.transform == "s3_copy_source" for b in req.bindings):
        req = _copy_source_members(req, call)
    if prefix == "s3" and req.resource_type in ("object", "bucket"):
        return _s3_access_point(cat, req, call)
    if prefix == "bedrock" and req.resource_type in _BEDROCK_MODEL_TYPES:
        return _bedrock_model(cat, req, call)
    if req.resource_type == "identity" and any(b.transform == "ses_sender" for b in req.bindings):
        return _ses_sender_identities(req, call)
    return [req]


def _ses_sender_identities(req: Requirement, call: CallSite) -> list[Requirement]:
    """A known sender address: one requirement per identity SES may authorise it by.

    The address itself, its domain and each parent domain (down to two labels) can be the
    verified identity; naming them exactly beats ``*acme.example``. An address that is not
    fully known keeps the ses_sender pattern.
    """
    sender = next(b for b in req.bindings if b.transform == "ses_sender")
    values = values_at(call, sender.param) or []
    texts = [v.text for v in values]
    if not texts or any(t is None or "@" not in t for t in texts):
        return [req]
    out: list[Requirement] = []
    rest = tuple(b for b in req.bindings if b != sender)
    for text in texts:
        assert text is not None
        address = text.rsplit("<", 1)[-1].rstrip("> ").strip()
        labels = address.rpartition("@")[2].split(".")
        identities = [address] + [".".join(labels[i:]) for i in range(len(labels) - 1)]
        for identity in identities:
            binding = ParamBinding(CONSTANT + identity, "ses_identity")
            out.append(replace(req, bindings=tuple(sorted((*rest, binding)))))
    return out


def _copy_source_members(req: Requirement, call: CallSite) -> Requirement:
    """``CopySource={"Bucket": ..., "Key": ...}`` binds through its members, not as text."""
    source = next(b for b in req.bindings if b.transform == "s3_copy_source")
    found = values_at(call, source.param)
    if not found or any(v.mapping is None for v in found):
        return req
    members = (
        ParamBinding(f"{source.param}.Bucket", "s3_bucket"),
        ParamBinding(f"{source.param}.Key", "s3_key"),
    )
    rest = tuple(b for b in req.bindings if b != source)
    return replace(req, bindings=tuple(sorted((*rest, *members))))


def _lambda_qualified(req: Requirement, call: CallSite) -> Requirement:
    """A call with a Qualifier is authorised against the qualified function ARN.

    An unqualified ARN in a policy does not cover ``name:alias`` (Lambda developer guide,
    "Resources and conditions for Lambda actions"), so the binding becomes the qualified
    name when both parts are known, else the function at any qualifier.
    """
    function = next((b for b in req.bindings if b.transform == "lambda_function"), None)
    if function is None:
        return req
    name = call.arg(function.param)
    qualifier = call.arg("Qualifier")
    known = name.text if name is not None else None
    suffix = qualifier.text if qualifier is not None else None
    if known is not None and suffix is not None and known.count(":") in (0, 2, 6):
        # name, acct:function:name or the full ARN: none carries a qualifier yet.
        binding = ParamBinding(f"{CONSTANT}{known}:{suffix}", "lambda_function")
    else:
        binding = ParamBinding(function.param, "lambda_function_any_qualifier")
    rest = tuple(b for b in req.bindings if b != function)
    return replace(req, bindings=tuple(sorted((*rest, binding))))


def _kms_request_alias(cat: Catalog, req: Requirement, call: CallSite) -> Requirement:
    """A key named through an alias: any key, but only when requested through that alias."""
    key = next((b for b in req.bindings if b.transform == "kms_key"), None)
    text = _pattern(call, key.param) if key else None
    alias = transforms.kms_alias_name(text) if text else None
    info = cat.action(req.action)
    if alias is None or info is None or "kms:RequestAlias" not in info.condition_keys:
        return req
    # kms:RequestAlias is a string condition; "*" in a partly known alias stays a wildcard.
    operator = "StringLike" if "*" in alias else "StringEquals"
    condition = Condition(operator, "kms:RequestAlias", (alias,))
    return replace(req, conditions=tuple(sorted({*req.conditions, condition})))


def _s3_access_point(cat: Catalog, req: Requirement, call: CallSite) -> list[Requirement]:
    bucket = next((b for b in req.bindings if b.transform == "s3_bucket"), None)
    text = _pattern(call, bucket.param) if bucket else None
    if text is None or not (text.startswith("arn:") and ":accesspoint/" in text):
        return [req]
    target = "accesspointobject" if req.resource_type == "object" else "accesspoint"
    rtype = cat.resource_type("s3", target)
    if rtype is None:
        return [req]
    return [replace(req, resource_type=target, arn_template=rtype.arn)]


_BEDROCK_MODEL_TYPES = (
    "foundation-model",
    "inference-profile",
    "application-inference-profile",
    "provisioned-model",
    "custom-model",
    "imported-model",
    "prompt",
    "default-prompt-router",
    "prompt-router",
)


def _bedrock_model(cat: Catalog, req: Requirement, call: CallSite) -> list[Requirement]:
    model = next((b for b in req.bindings if b.transform == "bedrock_model"), None)
    if model is None:
        return [req]
    text = _pattern(call, model.param) or "*"
    kind = transforms.bedrock_model_kind(text)
    kinds = [kind] if kind else ["foundation-model", "inference-profile"]
    out: list[Requirement] = []
    for k in kinds:
        rtype = cat.resource_type("bedrock", k)
        if rtype is None:
            continue
        reason = req.reason
        if kind is None:
            reason = _join(
                reason, f"modelId may be a foundation model or an inference profile; {UNDECIDED}"
            )
        out.append(replace(req, resource_type=k, arn_template=rtype.arn, reason=reason))
        if k == "inference-profile":
            # Invoking through a cross-region profile also needs the model in every Region
            # the profile routes to (Bedrock user guide, "Prerequisites for inference
            # profiles").
            fm = cat.resource_type("bedrock", "foundation-model")
            if fm is not None:
                out.append(
                    Requirement(
                        action=req.action,
                        resource_type="foundation-model",
                        arn_template=fm.arn,
                        bindings=(ParamBinding(model.param, "bedrock_profile_model"),),
                        kind=req.kind,
                        reason=_join(reason, "the foundation model behind the inference profile"),
                    )
                )
    return out or [req]


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _merge(groups: Any) -> list[Requirement]:
    """Union of requirement lists, without repeats, in a stable order."""
    seen: set[Requirement] = set()
    out: list[Requirement] = []
    for group in groups:
        for req in group:
            if req not in seen:
                seen.add(req)
                out.append(req)
    return sorted(out)
