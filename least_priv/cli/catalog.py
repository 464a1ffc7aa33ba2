"""``least-priv catalog lookup|info``: ask the service catalog from the shell."""

from __future__ import annotations

import json
from typing import Any

import click

from least_priv.catalog import get_catalog
from least_priv.catalog.render import (
    action_record,
    action_text,
    helper_record,
    helper_text,
    info_text,
    operation_record,
    operation_text,
)

EXIT_UNKNOWN = 2


@click.group()
def catalog() -> None:
    """Look up operations and actions in the service catalog."""


def _emit(data: dict[str, Any], fmt: str, text: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _unknown(message: str, suggestions: list[str]) -> int:
    hint = f" (closest: {', '.join(suggestions)})" if suggestions else ""
    click.echo(f"error: {message}{hint}", err=True)
    return EXIT_UNKNOWN


@catalog.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def lookup(name: str, fmt: str) -> int:
    """Look up CLIENT.METHOD (s3.list_objects_v2) or an IAM ACTION (s3:GetObject)."""
    cat = get_catalog()
    if ":" in name:
        info = cat.action(name)
        if info is None:
            return _unknown(f"unknown IAM action {name!r}", cat.closest_actions(name))
        record = action_record(cat, info)
        _emit(record, fmt, action_text(record))
        return 0
    client, sep, method = name.partition(".")
    if not sep or not method:
        return _unknown(f"expected CLIENT.METHOD or prefix:Action, got {name!r}", [])
    if not cat.has_client(client):
        return _unknown(f"unknown client {client!r}", cat.closest_clients(client))
    operation = cat.operation_for_method(client, method)
    if operation is None and cat.operation(client, method) is not None:
        operation = method  # CamelCase operation names are accepted too
    if operation is None:
        helper = cat.helper(client, method)
        if helper is not None:
            record = helper_record(cat, helper)
            _emit(record, fmt, helper_text(record))
            return 0
        suggestions = [f"{client}.{m}" for m in cat.closest_methods(client, method)]
        return _unknown(f"client {client!r} has no method {method!r}", suggestions)
    op_info = cat.operation(client, operation)
    assert op_info is not None  # operation_for_method only names existing operations
    record = operation_record(cat, op_info)
    _emit(record, fmt, operation_text(record))
    return 0


@catalog.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def info(fmt: str) -> int:
    """Sources, versions, data dates and coverage counts of the catalog."""
    data = get_catalog().info()
    _emit(data, fmt, info_text(data))
    return 0
