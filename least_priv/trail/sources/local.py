"""Local files and folders: a copy of the trail bucket, single files, exports."""

from __future__ import annotations

import os
from pathlib import Path

from least_priv.model import Finding
from least_priv.trail import codes
from least_priv.trail.engine import Input
from least_priv.trail.layout import LayoutFilter

SUFFIXES = (".json", ".json.gz", ".gz", ".jsonl", ".jsonl.gz", ".ndjson", ".csv", ".csv.gz")


def local_inputs(path: str, layout: LayoutFilter) -> tuple[list[Input], list[Finding]]:
    """The files to read under ``path``, in a stable order.

    A file named on the command line is always read; inside a folder, files of the S3
    layout outside the window's delivery days (or the asked account/region) are skipped
    by path, and files without a CloudTrail-like suffix are ignored.
    """
    root = Path(path)
    if root.is_file():
        return [Input(str(root), root.stat().st_size)], []
    if not root.is_dir():
        return [], [codes.finding(path, codes.UNREADABLE, "no such file or folder")]
    found: list[Input] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and layout.wants_dir(os.path.join(folder, d))
        )
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            full = os.path.join(folder, name)
            if layout.wants(full):
                found.append(Input(full, os.path.getsize(full)))
    return found, []
