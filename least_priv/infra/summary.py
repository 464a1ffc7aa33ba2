"""A template as plain JSON: for reports, debugging (``least-priv`` ``--report``) and the
golden files of the fixtures.

Values keep their structure: a string value is a list of parts (literal strings,
``{"ref": ...}`` for template references, ``{"unknown": reason}``), a mapping value a JSON
object, a sequence value ``{"list": [...]}``. Paths are made relative to ``relative_to``
when given, so the output does not depend on where the repository lives.
"""

from __future__ import annotations

import os
from typing import Any

from least_priv.infra.template import DeclaredPolicy, Template, TemplateResource
from least_priv.model import EnvRef, Finding, Function, Location, Part, TemplateRef, Value


def part_to_json(part: Part) -> Any:
    """One value part as JSON."""
    if isinstance(part, str):
        return part
    if isinstance(part, TemplateRef):
        out: dict[str, Any] = {"ref": part.logical_id}
        if part.attribute is not None:
            out["attribute"] = part.attribute
        if part.resource_type is not None:
            out["type"] = part.resource_type
        if part.known is not None:
            out["known"] = part.known
        return out
    if isinstance(part, EnvRef):
        return {"env": part.name, "default": part.default}
    return {"unknown": part.reason}


def value_to_json(value: Value) -> Any:
    """A :class:`Value` as JSON (see the module docstring for the shape)."""
    if value.mapping is not None:
        return {
            (key.text if key.text is not None else key.pattern()): value_to_json(item)
            for key, item in value.mapping
        }
    if value.sequence is not None:
        return {"list": [value_to_json(item) for item in value.sequence]}
    return [part_to_json(part) for part in value.parts]


def _path(path: str, relative_to: str | None) -> str:
    if relative_to is None or not path:
        return path
    return os.path.relpath(path, relative_to)


def location_to_json(location: Location | None, relative_to: str | None = None) -> str | None:
    """``path:line:column`` with the path made relative."""
    if location is None:
        return None
    return str(Location(_path(location.path, relative_to), location.line, location.column))


def function_to_json(function: Function, relative_to: str | None = None) -> dict[str, Any]:
    """A :class:`Function` record as JSON."""
    return {
        "name": function.name,
        "code_root": _path(function.code_root, relative_to),
        "handler": function.handler,
        "runtime": function.runtime,
        "env": {name: value_to_json(value) for name, value in function.env},
        "layers": [_path(layer, relative_to) for layer in function.layers],
        "events": [
            {
                "kind": event.kind,
                "target": None if event.target is None else value_to_json(event.target),
                "location": location_to_json(event.location, relative_to),
            }
            for event in function.events
        ],
        "role": function.role,
        "settings": [[key, value_to_json(value)] for key, value in function.settings],
        "location": location_to_json(function.location, relative_to),
    }


def policy_to_json(policy: DeclaredPolicy, relative_to: str | None = None) -> dict[str, Any]:
    """A :class:`DeclaredPolicy` as JSON."""
    return {
        "origin": policy.origin,
        "name": policy.name,
        "role": policy.role,
        "expandable": policy.expandable,
        "arn": policy.arn,
        "location": location_to_json(policy.location, relative_to),
        "document": policy.document,
    }


def resource_to_json(resource: TemplateResource, relative_to: str | None = None) -> dict[str, Any]:
    """A :class:`TemplateResource` as JSON (without its raw properties)."""
    return {
        "type": resource.type,
        "name": resource.name,
        "kms_key": None if resource.kms_key is None else value_to_json(resource.kms_key),
        "location": location_to_json(resource.location, relative_to),
    }


def finding_to_json(found: Finding, relative_to: str | None = None) -> str:
    """``path:line:col: CODE severity message``."""
    where = location_to_json(found.location, relative_to)
    return f"{where}: {found.code} {found.severity} {found.message}"


def template_to_json(template: Template, relative_to: str | None = None) -> dict[str, Any]:
    """Everything :func:`~least_priv.infra.load_template` read, as JSON."""
    return {
        "kind": template.kind,
        "functions": [function_to_json(f, relative_to) for f in template.functions],
        "role_policies": {
            f.name: [policy_to_json(p, relative_to) for p in template.role_policies(f.name)]
            for f in template.functions
        },
        "resources": {
            logical_id: resource_to_json(resource, relative_to)
            for logical_id, resource in template.resources.items()
        },
        "findings": [finding_to_json(f, relative_to) for f in template.findings],
    }
