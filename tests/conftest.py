"""Shared pytest fixtures: golden-file updating and a moto server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files beside fixtures instead of comparing with them.",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text (or JSON-able data) with a golden file; ``--update-golden`` rewrites it."""
    update = bool(request.config.getoption("--update-golden"))

    def check(path: Path, actual: object) -> None:
        if isinstance(actual, str):
            text = actual
        else:
            text = json.dumps(actual, indent=2, sort_keys=True) + "\n"
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-golden and review")
            path.write_text(text)
            return
        assert text == path.read_text(), f"{path} differs (review, then --update-golden)"

    return check


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real moto HTTP endpoint on 127.0.0.1 for the whole session; yields its URL.

    Tests that use it talk to it through boto3 with ``endpoint_url``; credentials are fake.
    """
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
