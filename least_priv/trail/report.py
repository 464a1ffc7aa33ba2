"""Text, Markdown and JSON views of an observation and of a merge report (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from least_priv.model import Permission, Provenance
from least_priv.render.tables import markdown_table, text_table
from least_priv.trail.merge import MergeResult
from least_priv.trail.observe import Observation


def _observed(perm: Permission) -> Provenance | None:
    return next((p for p in perm.provenance if p.source == "observed"), None)


def _code_sites(perm: Permission) -> str:
    """Where the code or the template asks for the permission."""
    return ", ".join(
        str(p.location)
        for p in perm.provenance
        if p.source != "observed" and p.location is not None
    )


def _usage_rows(perms: Sequence[Permission]) -> list[list[str]]:
    rows = []
    for perm in perms:
        seen = _observed(perm) or Provenance("observed")
        rows.append([perm.action, perm.resource, str(seen.count), seen.first_seen, seen.last_seen])
    return rows


_USAGE_HEADER = ("action", "resource", "count", "first seen", "last seen")


def observation_text(obs: Observation) -> str:
    """A table of observed permissions, then the denied ones, then a summary line."""
    lines = [f"Observed usage of {obs.role_arn} in [{obs.window.since}, {obs.window.until})"]
    if obs.permissions:
        lines += ["", *text_table(_USAGE_HEADER, _usage_rows(obs.permissions))]
    else:
        lines += ["", "(no permission used)"]
    if obs.denied:
        lines += ["", "Denied (missing permissions, not granted):"]
        lines += text_table(_USAGE_HEADER, _usage_rows(obs.denied))
    s = obs.stats
    lines += [
        "",
        f"{s.files} files ({s.prefiltered_files} skipped unparsed: the role is not in them), "
        f"{s.records} records read, {s.matched} of the role, "
        f"{s.outside_window} outside the window"
        + (f", {s.duplicates} delivered twice (counted once)" if s.duplicates else ""),
    ]
    return "\n".join(lines) + "\n"


def _provenance_json(perm: Permission) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for p in perm.provenance:
        item: dict[str, object] = {"source": p.source}
        if p.location is not None:
            item["location"] = str(p.location)
        if p.detail:
            item["detail"] = p.detail
        if p.source == "observed":
            item.update(count=p.count, first_seen=p.first_seen, last_seen=p.last_seen)
        out.append(item)
    return out


def permission_json(perm: Permission) -> dict[str, object]:
    """A permission with its provenance as plain JSON data."""
    item: dict[str, object] = {"action": perm.action, "resource": perm.resource}
    if perm.conditions:
        item["conditions"] = [
            {"operator": c.operator, "key": c.key, "values": list(c.values)}
            for c in perm.conditions
        ]
    item["provenance"] = _provenance_json(perm)
    return item


def observation_json(obs: Observation) -> str:
    """The observation as JSON (stable key order, no timestamps but the window's)."""
    s = obs.stats
    data = {
        "role_arn": obs.role_arn,
        "window": {"since": obs.window.since, "until": obs.window.until},
        "permissions": [permission_json(p) for p in obs.permissions],
        "denied": [permission_json(p) for p in obs.denied],
        "stats": {
            "files": s.files,
            "records": s.records,
            "matched": s.matched,
            "outside_window": s.outside_window,
            "malformed": s.malformed,
            "duplicates": s.duplicates,
        },
        "findings": [
            {
                "code": f.code,
                "severity": str(f.severity),
                "location": str(f.location),
                "message": f.message,
            }
            for f in obs.findings
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def merge_report_markdown(result: MergeResult) -> str:
    """The three tables of ``--merge report`` (and the denied calls), as Markdown."""
    lines: list[str] = []

    def section(title: str, header: Sequence[str], rows: list[list[str]], empty: str) -> None:
        """Append one titled Markdown table (or the ``empty`` sentence) to ``lines``."""
        lines.extend(["", f"### {title}", ""])
        if not rows:
            lines.append(empty)
            return
        lines.extend(markdown_table(header, rows))

    section(
        "Observed in CloudTrail, not found in the code",
        _USAGE_HEADER,
        _usage_rows(result.observed_not_in_code),
        "None: every observed call is explained by the code.",
    )
    section(
        "Needed by the code, observable, never used in the window",
        ("action", "resource", "code"),
        [[p.action, p.resource, _code_sites(p)] for p in result.unused_in_window],
        "None.",
    )
    section(
        "Needed by the code, not observable in CloudTrail by default",
        ("action", "resource", "why", "code"),
        [
            [u.permission.action, u.permission.resource, u.reason, _code_sites(u.permission)]
            for u in result.unobservable
        ],
        "None.",
    )
    if result.denied:
        section(
            "Denied in CloudTrail (missing permissions)",
            _USAGE_HEADER,
            _usage_rows(result.denied),
            "",
        )
    return "\n".join(lines).lstrip("\n") + "\n"
