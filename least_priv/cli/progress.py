"""A one-line progress bar for long ``generate`` runs, drawn only on a terminal.

The library reports progress as ``(phase, done, total)`` (see ``GenerateOptions.progress``);
this turns it into ``analysing functions [#####.....] 80/200`` on stderr. When stderr is not a
terminal (CI logs, pipes, tests) nothing is written at all, so logs and captured output stay
exactly what they were.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_LABELS = {
    "parse": "parsing modules",
    "analyse": "analysing functions",
    "functions": "writing policies",
}
_WIDTH = 30


class ProgressBar:
    """Callable progress sink; redraws at most ten times a second, and on each phase's end."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = self._stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` items of ``phase`` are finished."""
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = _WIDTH * done // total
        label = _LABELS.get(phase, phase)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._stream.write(f"\r\x1b[2K{label} [{bar}] {done}/{total}")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the bar so that findings printed next start on a clean line."""
        if self._shown:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._shown = False
