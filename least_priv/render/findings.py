"""Findings as text, JSON, SARIF 2.1.0 or GitHub workflow commands.

Every command that reports findings (``generate``, ``diff``, ``lint``, ``check``) prints them
through :func:`render_findings`, so the four formats look the same whatever stage produced
the finding. Output is deterministic: findings are de-duplicated and sorted by location,
then code, then message; nothing depends on the clock or the machine.

Lines and columns are 1-based in every format (``Location.column`` is 0-based; it is
shifted here) because editors, GitHub annotations and SARIF all count from 1.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from least_priv import __version__
from least_priv.lint.codes import FindingCode, code_info
from least_priv.model import Finding, Location, Severity

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# Bumped only if the fingerprint recipe changes: code scanning would then see every alert as
# new, so the version is part of the key.
FINGERPRINT_KEY = "leastPrivFindingHash/v1"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
# GitHub code scanning ranks alerts of rules tagged "security" by this CVSS-like score.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}


def render_findings(
    findings: Iterable[Finding],
    fmt: str,
    *,
    suppressed: Iterable[tuple[Finding, str]] = (),
) -> str:
    """Render ``findings`` in ``fmt`` (one of :data:`FORMATS`); the text ends with a newline.

    ``text`` gives ``path:line:col: LP101 message`` lines; ``json`` an object with the
    findings and a count per severity; ``sarif`` a SARIF 2.1.0 log with rule metadata from
    :mod:`least_priv.lint.codes` and partial fingerprints; ``github`` workflow commands that
    GitHub Actions turns into annotations. An empty list renders as an empty string in
    ``text``/``github`` and as a document with no results in ``json``/``sarif``.

    ``suppressed`` pairs findings silenced in the source with the reason given; ``json``
    lists them apart and ``sarif`` carries them as results with an ``inSource`` suppression
    (so code scanning shows them as dismissed, with the justification); the line formats,
    made for people and annotations, leave them out.
    """
    ordered = sorted(set(findings))
    silenced = sorted(set(suppressed))
    if fmt == "text":
        return "".join(_text_line(f) + "\n" for f in ordered)
    if fmt == "json":
        return _dump(_json_report(ordered, silenced))
    if fmt == "sarif":
        return _dump(_sarif_log(ordered, silenced))
    if fmt == "github":
        return "".join(_github_command(f) + "\n" for f in ordered)
    raise ValueError(f"unknown findings format {fmt!r}; expected one of {', '.join(FORMATS)}")


def fingerprints(findings: Iterable[Finding]) -> dict[Finding, str]:
    """A stable identity for each finding that survives unrelated edits to the file.

    The hash covers the code, the normalised path and the message, not the line, so a
    finding keeps its identity when lines above it move. Identical findings in one file are
    told apart by their order (``<hash>:1``, ``<hash>:2``), as GitHub does for its own line
    hashes. Used for SARIF ``partialFingerprints`` and for baselines.
    """
    seen: Counter[str] = Counter()
    out: dict[Finding, str] = {}
    for finding in sorted(set(findings)):
        key = "\0".join((finding.code, normalise_path(finding.location.path), finding.message))
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        seen[digest] += 1
        out[finding] = f"{digest}:{seen[digest]}"
    return out


def normalise_path(path: str) -> str:
    """``path`` with forward slashes and without a leading ``./``: the same file, one spelling."""
    posix = PureWindowsPath(path).as_posix() if "\\" in path else path
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings there are of each severity (every severity present, zeros included)."""
    counts = Counter(str(f.severity) for f in findings)
    return {str(s): counts.get(str(s), 0) for s in sorted(Severity, reverse=True)}


# ---------------------------------------------------------------------------------------------
# text and github
# ---------------------------------------------------------------------------------------------


def _position(location: Location) -> str:
    if location.line <= 0:
        return location.path
    return f"{location.path}:{location.line}:{location.column + 1}"


def _text_line(finding: Finding) -> str:
    return f"{_position(finding.location)}: {finding.code} {finding.message}"


def _escape_data(text: str) -> str:
    # The escaping the Actions runner undoes for a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(finding: Finding) -> str:
    loc = finding.location
    props = [f"file={_escape_property(loc.path)}"] if loc.path else []
    if loc.line > 0:
        props += [f"line={loc.line}", f"col={loc.column + 1}"]
    info = code_info(finding.code)
    props.append(f"title={_escape_property(f'{finding.code} {info.name}')}")
    command = _GITHUB_COMMAND[finding.severity]
    return f"::{command} {','.join(props)}::{_escape_data(finding.message)}"


# ---------------------------------------------------------------------------------------------
# json
# ---------------------------------------------------------------------------------------------


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _json_item(finding: Finding, fingerprint: str) -> dict[str, object]:
    loc = finding.location
    return {
        "code": finding.code,
        "rule": code_info(finding.code).name,
        "severity": str(finding.severity),
        "message": finding.message,
        "path": loc.path,
        "line": loc.line if loc.line > 0 else None,
        "column": loc.column + 1 if loc.line > 0 else None,
        "fingerprint": fingerprint,
    }


def _json_report(ordered: list[Finding], silenced: list[tuple[Finding, str]]) -> dict[str, object]:
    prints = fingerprints([*ordered, *(f for f, _ in silenced)])
    report: dict[str, object] = {
        "findings": [_json_item(f, prints[f]) for f in ordered],
        "summary": severity_counts(ordered),
    }
    if silenced:
        report["suppressed"] = [{**_json_item(f, prints[f]), "reason": r} for f, r in silenced]
    return report


# ---------------------------------------------------------------------------------------------
# SARIF 2.1.0
# ---------------------------------------------------------------------------------------------


def artifact_uri(path: str) -> str:
    """The SARIF ``artifactLocation.uri`` of ``path``: relative URI reference, or file URI."""
    posix = normalise_path(path)
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix, safe="/")
    if PureWindowsPath(path).is_absolute():
        return "file:///" + quote(posix, safe="/:")
    return quote(posix, safe="/")


def _sarif_rule(info: FindingCode) -> dict[str, object]:
    help_text = info.help or info.summary
    rule: dict[str, object] = {
        "id": info.code,
        "name": _pascal(info.name),
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[info.severity]},
    }
    properties: dict[str, object] = {}
    if info.tags:
        properties["tags"] = list(info.tags)
    if "security" in info.tags:
        properties["security-severity"] = _SECURITY_SEVERITY[info.severity]
    if properties:
        rule["properties"] = properties
    return rule


def _pascal(slug: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in slug.replace("_", "-").split("-"))


def _sarif_location(location: Location) -> dict[str, object]:
    uri = artifact_uri(location.path)
    # Relative paths are resolved against the checkout root by code scanning; absolute paths
    # are already complete file URIs and must not name a base.
    artifact = {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": "%SRCROOT%"}
    physical: dict[str, object] = {"artifactLocation": artifact}
    if location.line > 0:
        physical["region"] = {"startLine": location.line, "startColumn": location.column + 1}
    return {"physicalLocation": physical}


def _sarif_log(ordered: list[Finding], silenced: list[tuple[Finding, str]]) -> dict[str, object]:
    everything = [*((f, None) for f in ordered), *silenced]
    codes = sorted({f.code for f, _ in everything})
    index = {code: i for i, code in enumerate(codes)}
    # Fingerprints over kept and suppressed alike: suppressing one of two identical findings
    # must not change the identity of the other.
    prints = fingerprints(f for f, _ in everything)
    results = []
    for f, reason in everything:
        result: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_sarif_location(f.location)] if f.location.path else [],
            "partialFingerprints": {FINGERPRINT_KEY: prints[f]},
        }
        if reason is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": reason}]
        results.append(result)
    driver = {
        "name": "least-priv",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_sarif_rule(code_info(code)) for code in codes],
    }
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
