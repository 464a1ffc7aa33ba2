"""Helpers for the CloudTrail tests: realistic records and files in CloudTrail's layout."""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "trail"
INVICTUS = FIXTURES / "invictus"
MERGE_DYNAMIC = FIXTURES / "merge-dynamic"
INVICTUS_ACCOUNT = "123837392027"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "trail_fixture_builder", MERGE_DYNAMIC / "build_trail.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = _load_builder()
ROLE = BUILDER.ROLE
ACCOUNT = BUILDER.ACCOUNT
REGION = BUILDER.REGION


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """A CloudTrail record of the report-exporter role (see fixtures/trail/merge-dynamic)."""
    return BUILDER.record  # type: ignore[no-any-return]


def write_trail(path: Path, records: list[dict[str, Any]], *, gz: bool = True) -> Path:
    """Write ``{"Records": [...]}`` as CloudTrail delivers it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"Records": records}).encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def layout_path(root: Path, day: str, name: str, region: str = REGION) -> Path:
    """``root/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/name``."""
    y, m, d = day.split("-")
    return root / "AWSLogs" / ACCOUNT / "CloudTrail" / region / y / m / d / name
