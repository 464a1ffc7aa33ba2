"""Lint IAM policies and templates: a registry of rules with stable ``LP1xx`` codes.

Public API: :func:`lint_paths`, :func:`lint_text` and :class:`LintResult` (from
:mod:`least_priv.lint.engine`), :func:`check_template` (from :mod:`least_priv.lint.check`).

Kept import-light on purpose: other stages import :mod:`least_priv.lint.codes` to register
their finding codes, and must not pay for the rules or the catalog when they do; the API
above is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from least_priv.lint.check import CheckResult, check_template
    from least_priv.lint.engine import LintResult, lint_paths, lint_text

_LAZY = {
    "LintResult": "least_priv.lint.engine",
    "lint_paths": "least_priv.lint.engine",
    "lint_text": "least_priv.lint.engine",
    "CheckResult": "least_priv.lint.check",
    "check_template": "least_priv.lint.check",
}

__all__ = ["CheckResult", "LintResult", "check_template", "lint_paths", "lint_text"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
