"""The progress line: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

from least_priv.trail.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal() -> None:
    stream = _Terminal()
    bar = Progress(55, stream)
    bar.update(3, 1200, 7, force=True)
    bar.update(4, 1300, 7)  # throttled: within 0.2 s of the last draw
    bar.close()
    assert stream.getvalue() == "\rCloudTrail: 3/55 files, 1,200 records, 7 matched\n"


def test_progress_is_silent_when_piped() -> None:
    stream = io.StringIO()
    bar = Progress(55, stream)
    bar.update(3, 1200, 7, force=True)
    bar.close()
    assert stream.getvalue() == ""
