"""Shared helpers of the lint tests: SARIF validation, running from the repository root."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "fixtures" / "lint" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root: findings carry paths as given, goldens hold
    repo-relative ones."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def validate_sarif() -> Callable[[str], dict[str, Any]]:
    """Parse SARIF text and validate it against the OASIS SARIF 2.1.0 schema."""
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA_PATH.read_text()))

    def check(text: str) -> dict[str, Any]:
        log: dict[str, Any] = json.loads(text)
        validator.validate(log)
        return log

    return check
