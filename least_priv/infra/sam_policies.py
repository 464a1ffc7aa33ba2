"""SAM policy templates (``DynamoDBCrudPolicy: {TableName: ...}``) expanded to statements.

The table lives in ``data/sam_policy_templates.json`` (its ``_source`` key names the AWS
page it was written from). Statements there use Fn::Sub syntax: ``${TableName}`` for the
template's parameters, ``${AWS::Partition}``-style pseudo parameters that stay as they are.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


@cache
def _table() -> dict[str, Any]:
    text = resources.files("least_priv.infra").joinpath("data/sam_policy_templates.json")
    data = json.loads(text.read_text())
    templates: dict[str, Any] = data["templates"]
    return templates


def template_names() -> list[str]:
    """Every SAM policy template this table can expand, sorted."""
    return sorted(_table())


def template_parameters(name: str) -> list[str] | None:
    """The parameter names of template ``name``, or None if the table lacks it."""
    entry = _table().get(name)
    return None if entry is None else list(entry["Parameters"])


def expand(name: str, values: dict[str, str]) -> list[dict[str, Any]] | None:
    """The statements of template ``name`` with its parameters substituted.

    ``values`` maps each parameter to its text (already rendered from the template's
    intrinsics). A missing parameter keeps its ``${Name}`` placeholder so the gap stays
    visible. None when the table does not know the template.
    """
    entry = _table().get(name)
    if entry is None:
        return None

    def substitute(node: Any) -> Any:
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
        if isinstance(node, list):
            return [substitute(item) for item in node]
        if isinstance(node, dict):
            return {key: substitute(item) for key, item in node.items()}
        return node

    statements: list[dict[str, Any]] = substitute(copy.deepcopy(entry["Statement"]))
    return statements
