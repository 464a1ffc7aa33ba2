"""Switching moto's IAM enforcement on and off in server mode.

moto checks identity policies once its request counter passes
``INITIAL_NO_AUTH_ACTION_COUNT``; a running server takes a new threshold from a POST to
``/moto-api/reset-auth`` (``0``: enforce from now on, ``inf``: off again).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


def set_auth_threshold(endpoint: str, threshold: str) -> None:
    """Set moto's no-auth request threshold (``"0"`` or ``"inf"``)."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=threshold.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@contextmanager
def enforcing(endpoint: str) -> Iterator[None]:
    """moto enforces IAM inside the block; always switched off again (the server is shared)."""
    set_auth_threshold(endpoint, "0")
    try:
        yield
    finally:
        set_auth_threshold(endpoint, "inf")
