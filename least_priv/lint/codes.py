"""The registry of finding codes: one place where every stage documents the codes it emits.

A finding carries only its code; reports that describe rules (SARIF ``tool.driver.rules``,
``least-priv lint --list-rules``, docs) look the code up here. Each stage registers its
codes once, at import time of the module that emits them::

    from least_priv.lint.codes import FindingCode, register_codes

    register_codes(
        FindingCode(
            code="LP201",
            name="unparseable-file",
            summary="A Python file could not be parsed.",
            help="What ... Why ... Example ... Fix ...",
            severity=Severity.ERROR,
        ),
    )

This module is deliberately import-light (no catalog, no rules) so that any stage can use it.
A code nobody registered still renders: it gets a generic description from its range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from least_priv.model import Severity

_CODE = re.compile(r"^LP[1-9]\d\d$")

# The code ranges of docs/architecture.md: the fallback description of an unregistered code.
_RANGES: dict[str, str] = {
    "1": "lint rule on policies and templates",
    "2": "code analysis",
    "3": "policy building",
    "4": "infrastructure template",
    "5": "CloudTrail",
    "6": "diff / check",
    "7": "service catalog",
}


@dataclass(frozen=True, order=True, slots=True)
class FindingCode:
    """What one finding code means: the text a reader of a report needs to act on it.

    ``name`` is a short kebab-case slug (``action-wildcard``); ``summary`` one sentence;
    ``help`` a paragraph (Markdown allowed) saying what, why it matters, an example and the
    fix. ``severity`` is the default severity the emitting stage uses. ``tags`` classify
    the code for code-scanning UIs (``security``, ``correctness``, ``input``).
    """

    code: str
    name: str
    summary: str
    help: str = ""
    severity: Severity = Severity.WARNING
    tags: tuple[str, ...] = ()


_REGISTRY: dict[str, FindingCode] = {}


def register_codes(*codes: FindingCode) -> None:
    """Record what ``codes`` mean; registering the same description twice is harmless.

    Two different descriptions for one code are a bug in our code (two stages claiming the
    same code), so that raises.
    """
    for info in codes:
        if not _CODE.match(info.code):
            raise ValueError(f"finding code {info.code!r} is not of the form LP123")
        if not info.name or not info.summary:
            raise ValueError(f"finding code {info.code} needs a name and a summary")
        known = _REGISTRY.get(info.code)
        if known is not None and known != info:
            raise ValueError(f"finding code {info.code} is registered twice, differently")
        _REGISTRY[info.code] = info


def code_info(code: str) -> FindingCode:
    """The description of ``code``; a generic one from its range when nobody registered it."""
    known = _REGISTRY.get(code)
    if known is not None:
        return known
    stage = _RANGES.get(code[2:3], "least-priv") if _CODE.match(code) else "least-priv"
    return FindingCode(code=code, name=code.lower(), summary=f"A {stage} finding ({code}).")


def registered_codes() -> list[FindingCode]:
    """Every registered code, sorted by code."""
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]
