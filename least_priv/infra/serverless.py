"""serverless reader: not written yet; reports that instead of returning nothing silently."""

from __future__ import annotations

from collections.abc import Mapping

from least_priv.infra import codes
from least_priv.infra.positions import ParsedDocument
from least_priv.infra.template import Template, make_template
from least_priv.model import Location, Severity


def read_serverless(
    doc: ParsedDocument,
    *,
    options: Mapping[str, str] | None = None,
    stage: str | None = None,
) -> Template:
    """Placeholder: a finding says the serverless reader is not available in this build."""
    found = codes.finding(
        codes.UNKNOWN_TEMPLATE,
        Location(doc.path),
        "serverless input is recognised but its reader is not available in this build",
        Severity.ERROR,
    )
    return make_template(
        path=doc.path,
        kind="serverless",
        functions=(),
        resources=(),
        findings=[found],
        documents=[doc],
    )
