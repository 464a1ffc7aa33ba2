"""Baselines: accept today's findings so CI fails only on new ones.

``--write-baseline`` records the fingerprint of every current finding
(:func:`least_priv.render.findings.fingerprints`: code + path + message, not the line, so
edits above a finding do not make it "new"). ``--baseline FILE`` then drops findings whose
fingerprint is recorded. The file is sorted JSON, meant to be committed and reviewed; the
message is stored beside each fingerprint so the review is readable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from least_priv.model import Finding
from least_priv.render.findings import fingerprints, normalise_path

BASELINE_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be used (missing, not JSON, wrong shape)."""


def baseline_text(findings: Iterable[Finding]) -> str:
    """The baseline file content for ``findings``."""
    prints = fingerprints(findings)
    entries = sorted(
        (
            {
                "code": f.code,
                "path": normalise_path(f.location.path),
                "message": f.message,
                "fingerprint": fp,
            }
            for f, fp in prints.items()
        ),
        key=lambda e: (e["path"], e["code"], e["fingerprint"]),
    )
    data = {"version": BASELINE_VERSION, "tool": "least-priv", "findings": entries}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_baseline(path: str, findings: Iterable[Finding]) -> None:
    """Write the baseline of ``findings`` to ``path``."""
    Path(path).write_text(baseline_text(findings), encoding="utf-8")


def load_baseline(path: str) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from exc
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"baseline {path} is not a least-priv baseline (version {BASELINE_VERSION}); "
            "write one with --write-baseline"
        )
    return frozenset(
        str(e["fingerprint"]) for e in entries if isinstance(e, dict) and "fingerprint" in e
    )


def split_by_baseline(
    findings: Iterable[Finding], known: frozenset[str]
) -> tuple[list[Finding], list[Finding]]:
    """``(new, baselined)``: findings not in the baseline, and those that are."""
    new: list[Finding] = []
    old: list[Finding] = []
    for finding, fp in sorted(fingerprints(findings).items()):
        (old if fp in known else new).append(finding)
    return new, old
