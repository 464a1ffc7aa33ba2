"""How many worker processes a parallel stage starts by default."""

from __future__ import annotations

import os


def default_jobs() -> int:
    """One worker per core this process may run on (its CPU affinity, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
