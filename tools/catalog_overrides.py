"""The reviewed, hand-kept tables in ``least_priv/service_maps/overrides/*.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

OVERRIDES_DIR = Path(__file__).resolve().parent.parent / "least_priv" / "service_maps" / "overrides"


class OverrideError(Exception):
    """An override row that does not match the pinned data (caught by --check and tests)."""


@dataclass
class Overrides:
    """The hand-kept, reviewed tables in ``service_maps/overrides/``."""

    prefixes: dict[str, dict[str, str]]
    operations: dict[str, dict[str, Any]]
    permissionless: dict[str, dict[str, str]]
    bindings: dict[str, list[dict[str, Any]]]
    side_effects: dict[str, Any] = field(default_factory=dict)
    helpers: dict[str, Any] = field(default_factory=dict)
    event_sources: dict[str, dict[str, str]] = field(default_factory=dict)
    resource_sets: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path = OVERRIDES_DIR) -> Overrides:
        """Read every override table (a missing optional table is empty)."""

        def read(name: str) -> Any:
            path = directory / name
            if not path.exists():
                return {}
            return yaml.safe_load(path.read_text()) or {}

        return cls(
            prefixes=read("prefixes.yaml"),
            operations=read("operations.yaml"),
            permissionless=read("permissionless.yaml"),
            bindings=read("bindings.yaml"),
            side_effects=read("side_effects.yaml"),
            helpers=read("helpers.yaml"),
            event_sources=read("event_sources.yaml"),
            resource_sets=read("resource_sets.yaml") or [],
        )

    def count(self) -> int:
        """Reviewed mapping rows: prefixes, operation overrides, rules, permissionless."""
        rows = self.rows()
        return rows["prefixes"] + rows["operations"] + rows["rules"] + rows["permissionless"]

    def _side_effect_rows(self) -> int:
        """Reviewed side-effect entries: per-operation KMS, member, call, version and S3 rows."""
        spec = self.side_effects
        total = sum(len(e.get("ops", {})) for e in spec.get("kms", {}).values())
        total += sum(
            len(m) for ops in spec.get("member_actions", {}).values() for m in ops.values()
        )
        total += sum(
            len(op["rows"]) for ops in spec.get("calls", {}).values() for op in ops.values()
        )
        total += sum(len(v) for k, v in spec.get("versioned", {}).items() if k != "member")
        total += sum(len(rows) for rows in spec.get("s3_locations", {}).values())
        total += len(spec.get("tag_on_create", {}).get("actions", {}))
        return total + len(spec.get("pass_role", {}).get("profiles", {}))

    def rows(self) -> dict[str, int]:
        """Reviewed rows per table."""
        ops = rules = 0
        for table in self.operations.values():
            for key, value in table.items():
                if key == "_rules":
                    rules += len(value)
                else:
                    ops += 1
        return {
            "prefixes": len(self.prefixes),
            "operations": ops,
            "rules": rules,
            "permissionless": sum(len(r) for r in self.permissionless.values()),
            "bindings": sum(len(r) for r in self.bindings.values()),
            "helpers": sum(len(r) for r in self.helpers.values()),
            "resource_sets": len(self.resource_sets),
            "side_effects": self._side_effect_rows(),
        }
