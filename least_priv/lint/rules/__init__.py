"""The lint rules, one module per family. Importing a module registers its rules."""

from __future__ import annotations

import importlib

RULE_MODULES: tuple[str, ...] = (
    "wildcards",
    "resources",
    "negation",
    "passrole",
    "escalation",
    "unknown",
    "managed",
    "structure",
)


def load_rules() -> None:
    """Import every rule module (idempotent), filling ``least_priv.lint.rule.RULES``."""
    for name in RULE_MODULES:
        importlib.import_module(f"{__name__}.{name}")
