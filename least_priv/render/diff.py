"""A diff result as a terminal table, a pull-request comment (Markdown) or JSON.

All three are pure functions of a :class:`~least_priv.diff.DiffResult`, sorted the same way,
so the same input gives the same bytes. The replacement policy is rendered by the caller in
the user's policy format and passed in as text with its code-fence language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from least_priv.diff import ConditionalEntry, DiffResult, ExcessEntry, MissingEntry
from least_priv.evaluate.patterns import has_wildcard
from least_priv.model import Provenance
from least_priv.render.findings import render_findings
from least_priv.render.tables import markdown_table, text_table

FORMATS: tuple[str, ...] = ("text", "markdown", "json", "sarif", "github")

_EXCESS_ORDER = {"service": 0, "action": 1, "resource": 2}
_UNUSED_SHOWN = 200


def render_diff(
    result: DiffResult, fmt: str, *, replacement: str = "", replacement_lang: str = "json"
) -> str:
    """Render ``result`` in one of :data:`FORMATS`."""
    if fmt == "text":
        return render_text(result, replacement)
    if fmt == "markdown":
        return render_markdown(result, replacement, replacement_lang)
    if fmt == "json":
        return render_json(result, replacement)
    if fmt in ("sarif", "github"):
        # For code scanning: every entry as an LP60x finding at its call site or statement.
        return render_findings((*result.findings, *result.as_findings()), fmt)
    raise ValueError(f"unknown diff format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _excess_sorted(result: DiffResult) -> list[ExcessEntry]:
    return sorted(
        result.excess,
        key=lambda e: (_EXCESS_ORDER.get(e.kind, 9), e.statement, e.action.lower(), e.resource),
    )


def _excess_rows(result: DiffResult) -> list[list[str]]:
    """Excess as table rows; the concrete actions one statement grants in vain share a row.

    JSON keeps one entry per action; a reader of a table wants "5 actions of this statement
    are never used", not five rows saying so.
    """
    rows: list[list[str]] = []
    groups: dict[int, list[str]] = {}
    where: dict[tuple[str, str, str], int] = {}
    for e in _excess_sorted(result):
        if e.kind not in ("service", "action") or e.used or has_wildcard(e.action):
            rows.append([e.kind, e.statement, e.message])
            continue
        service = e.action.split(":", 1)[0] if e.kind == "service" else ""
        key = (e.kind, e.statement, service)
        if key not in where:
            where[key] = len(rows)
            groups[len(rows)] = []
            rows.append([e.kind, e.statement, ""])
        groups[where[key]].append(e.action)
    for (kind, _statement, service), index in where.items():
        actions = groups[index]
        names = ", ".join(f"`{a}`" for a in actions)
        if kind == "service":
            rows[index][2] = f"{names}: the code uses no {service} action"
        elif len(actions) == 1:
            rows[index][2] = f"{names}: the code never needs it"
        else:
            rows[index][2] = f"{names}: the code needs none of these {len(actions)} actions"
    return rows


def _sites(provenance: Sequence[Provenance]) -> list[str]:
    out: list[str] = []
    for p in provenance:
        text = str(p.location) if p.location is not None else p.detail or p.source
        if p.source == "observed" and p.count:
            text = f"{text} (CloudTrail, {p.count}x)"
        if text not in out:
            out.append(text)
    return out


def _need_row(entry: MissingEntry | ConditionalEntry, code: Callable[[str], str]) -> list[str]:
    """Action, resource, why, call sites: one row of the missing or conditional table."""
    sites = ", ".join(code(site) for site in _sites(entry.provenance)) or "-"
    return [code(entry.action), code(entry.resource), "; ".join(entry.reasons), sites]


def _summary(result: DiffResult) -> str:
    return (
        f"{len(result.missing)} missing, {len(result.excess)} excess, "
        f"{len(result.conditional)} conditional ({len(result.required)} required permissions "
        "checked)"
    )


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


# A requirement that could not be read in full proves nothing about the role.
_INCOMPLETE = "incomplete: an input could not be read (LP610/LP624), so nothing is proved"


def render_text(result: DiffResult, replacement: str = "") -> str:
    """A plain-text report with one table per section."""
    lines = [f"least-priv diff against {result.label}", _summary(result), ""]
    if result.missing:
        lines.append("MISSING: the code needs these, the role does not allow them")
        rows = [_need_row(m, str) for m in result.missing]
        lines += [*text_table(["ACTION", "RESOURCE", "WHY", "NEEDED BY"], rows, indent="  "), ""]
    if result.excess:
        lines.append("EXCESS: the role grants these, the code never needs them")
        rows = _excess_rows(result)
        lines += [*text_table(["LEVEL", "STATEMENT", "DETAIL"], rows, indent="  "), ""]
    if result.conditional:
        lines.append("CONDITIONAL: the tool cannot decide these")
        rows = [_need_row(c, str) for c in result.conditional]
        lines += [*text_table(["ACTION", "RESOURCE", "WHY", "NEEDED BY"], rows, indent="  "), ""]
    if result.incomplete:
        lines += [_INCOMPLETE + ".", ""]
    elif not (result.missing or result.excess or result.conditional):
        lines += ["The role grants exactly what the code needs.", ""]
    if result.findings:
        lines += ["FINDINGS", render_findings(result.findings, "text").rstrip("\n"), ""]
    if replacement and (result.missing or result.excess):
        lines += ["REPLACEMENT (least-privilege policy for this code)", replacement.rstrip("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def render_markdown(result: DiffResult, replacement: str = "", lang: str = "json") -> str:
    """A Markdown report sized for a pull-request comment."""
    if result.missing:
        verdict = "**missing permissions: the deploy would hit AccessDenied**"
    elif result.incomplete:
        verdict = f"**{_INCOMPLETE}**"
    else:
        verdict = "no missing permissions"
    lines = [
        f"### least-priv diff: {result.label}",
        "",
        f"{verdict}. {_summary(result)}.",
        "",
    ]
    if result.missing:
        lines += ["#### Missing", ""]
        rows = [_need_row(m, _code) for m in result.missing]
        lines += [*markdown_table(["Action", "Resource", "Why", "Needed by"], rows), ""]
    if result.excess:
        lines += ["#### Excess", ""]
        rows = _excess_rows(result)
        lines += [*markdown_table(["Level", "Statement", "Detail"], rows), ""]
    if result.conditional:
        lines += ["#### Conditional", ""]
        rows = [_need_row(c, _code) for c in result.conditional]
        lines += [*markdown_table(["Action", "Resource", "Why", "Needed by"], rows), ""]
    if result.findings:
        lines += [
            "<details><summary>Findings</summary>",
            "",
            "```text",
            render_findings(result.findings, "text").rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    if replacement and (result.missing or result.excess):
        lines += [
            "<details><summary>Least-privilege replacement</summary>",
            "",
            f"```{lang}",
            replacement.rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def _provenance(provenance: Sequence[Provenance]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for p in provenance:
        item: dict[str, object] = {"source": p.source}
        if p.location is not None:
            item["location"] = str(p.location)
        if p.detail:
            item["detail"] = p.detail
        if p.count:
            item["count"] = p.count
        out.append(item)
    return out


def _need_json(entry: MissingEntry | ConditionalEntry) -> dict[str, object]:
    """A missing or conditional entry: what is needed, why, where, and which statements."""
    out: dict[str, object] = {"action": entry.action, "resource": entry.resource}
    if isinstance(entry, MissingEntry):
        out["decision"] = str(entry.decision)
    out.update(
        {
            "reasons": list(entry.reasons),
            "statements": list(entry.statements),
            "call_sites": _sites(entry.provenance),
            "provenance": _provenance(entry.provenance),
        }
    )
    return out


def _excess_json(e: ExcessEntry) -> dict[str, object]:
    return {
        "kind": e.kind,
        "action": e.action,
        "resource": e.resource,
        "statement": e.statement,
        "location": str(e.location) if e.location is not None else None,
        "grants": e.grants,
        "unused_count": len(e.unused),
        "unused": list(e.unused[:_UNUSED_SHOWN]),
        "used": [{"action": a, "resource": r} for a, r in e.used],
        "message": e.message,
    }


def render_json(result: DiffResult, replacement: str = "") -> str:
    """The report as one JSON object: ``missing``, ``excess``, ``conditional`` lists and more."""
    data: dict[str, object] = {
        "role": result.label,
        "summary": {
            "missing": len(result.missing),
            "excess": len(result.excess),
            "conditional": len(result.conditional),
            "required": len(result.required),
        },
        "missing": [_need_json(m) for m in result.missing],
        "excess": [_excess_json(e) for e in _excess_sorted(result)],
        "conditional": [_need_json(c) for c in result.conditional],
        "findings": json.loads(render_findings(result.findings, "json"))["findings"],
        "replacement": [d.to_json() for d in result.replacement],
    }
    if replacement:
        data["replacement_text"] = replacement
    return json.dumps(data, indent=2) + "\n"
