"""Expand an injected-helper call (``upload_file``, ``copy``, presigned URLs) into operations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from least_priv.model import CallSite, Part, Value

if TYPE_CHECKING:
    from least_priv.catalog.catalog import Catalog
    from least_priv.catalog.records import HelperCall


def expand(cat: Catalog, call: CallSite) -> list[CallSite]:
    """One CallSite per operation the helper may perform (see ``Catalog.expand_helper``)."""
    if call.operation == "generate_presigned_url":
        return _presigned_url(cat, call)
    info = cat.helper(call.service, call.operation)
    if info is None:
        return []
    via = call.via or call.operation
    return [
        CallSite(
            location=call.location,
            service=call.service,
            operation=step.operation,
            args=_request_args(step, call),
            kind=call.kind,
            via=via,
            function=call.function,
        )
        for step in info.calls
    ]


def _presigned_url(cat: Catalog, call: CallSite) -> list[CallSite]:
    method = call.arg("ClientMethod")
    name = method.text if method is not None else None
    if name is None:
        return []
    operation = cat.operation_for_method(call.service, name)
    if operation is None:
        return []
    params = call.arg("Params")
    args: list[tuple[str, Value]] = []
    for key, value in (params.mapping or ()) if params is not None else ():
        if key.text is not None:
            args.append((key.text, value))
    return [
        CallSite(
            location=call.location,
            service=call.service,
            operation=operation,
            args=tuple(sorted(args)),
            kind=call.kind,
            via=call.via or f"generate_presigned_url({name})",
            function=call.function,
        )
    ]


def _request_args(step: HelperCall, call: CallSite) -> tuple[tuple[str, Value], ...]:
    args: dict[str, Value] = {}
    for request_param, path in step.params:
        if request_param == "*":
            # ExtraArgs: every literal key becomes a request parameter (SSEKMSKeyId, ACL ...).
            extra = call.arg(path.split(".", 1)[0])
            for key, item in (extra.mapping or ()) if extra is not None else ():
                if key.text is not None:
                    args.setdefault(key.text, item)
            continue
        value = _argument(call, path)
        if value is None:
            continue
        if request_param.endswith(".*"):
            # The helper's argument is the key of a request map (batch_writer's table name).
            args[request_param[:-2]] = Value(mapping=((value, Value.unknown("items")),))
        elif request_param == "CopySource":
            args[request_param] = _copy_source_string(value)
        else:
            args[request_param] = value
    return tuple(sorted(args.items()))


def _argument(call: CallSite, path: str) -> Value | None:
    head, _, member = path.partition(".")
    value = call.arg(head)
    if value is None or not member:
        return value
    if value.mapping is not None:
        return value.get(member)
    if head == "CopySource":
        return _copy_source_member(value, member)
    return Value.unknown(f"{path} not known")


def _copy_source_member(value: Value, member: str) -> Value | None:
    """Bucket/Key of a CopySource given as the string ``bucket/key``."""
    text = value.text
    if text is None:
        return Value.unknown("CopySource not known")
    bucket, _, key = text.lstrip("/").partition("/")
    key = key.split("?versionId=", 1)[0]
    if member == "Bucket":
        return Value.literal(bucket)
    if member == "Key":
        return Value.literal(key) if key else Value.unknown("key not known")
    return None


def _copy_source_string(value: Value) -> Value:
    """CopySource as the ``bucket/key`` string the s3_copy_source transform reads."""
    if value.mapping is None:
        return value
    bucket: Value = value.get("Bucket") or Value.unknown("bucket")
    key: Value = value.get("Key") or Value.unknown("key")
    parts: tuple[Part, ...] = (*bucket.parts, "/", *key.parts)
    version = value.get("VersionId")
    if version is not None:
        parts = (*parts, "?versionId=", *version.parts)
    return Value(parts)
