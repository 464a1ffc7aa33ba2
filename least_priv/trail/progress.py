"""A one-line progress display on a terminal; silent when stderr is not one."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Files, records and matches so far, redrawn at most five times a second."""

    def __init__(self, total_files: int, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._total = total_files
        self._last = 0.0

    def update(self, files: int, records: int, matched: int, *, force: bool = False) -> None:
        """Redraw with the current counters (throttled unless ``force``)."""
        if not self._enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        self._stream.write(
            f"\rCloudTrail: {files}/{self._total} files, {records:,} records, {matched:,} matched"
        )
        self._stream.flush()

    def close(self) -> None:
        """End the progress line."""
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()
