"""Shared helpers of the lint tests: SARIF validation against the official schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "fixtures" / "lint" / "sarif" / "sarif-schema-2.1.0.json"
)


@pytest.fixture(scope="session")
def validate_sarif() -> Callable[[str], dict[str, Any]]:
    """Parse SARIF text and validate it against the OASIS SARIF 2.1.0 schema."""
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA_PATH.read_text()))

    def check(text: str) -> dict[str, Any]:
        log: dict[str, Any] = json.loads(text)
        validator.validate(log)
        return log

    return check
