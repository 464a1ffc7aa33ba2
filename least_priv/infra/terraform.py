"""terraform reader: not written yet; reports that instead of returning nothing silently."""

from __future__ import annotations

from least_priv.infra import codes
from least_priv.infra.positions import ParsedDocument
from least_priv.infra.template import Template, make_template
from least_priv.model import Location, Severity


def read_terraform_plan(
    doc: ParsedDocument,
) -> Template:
    """Placeholder: a finding says the terraform reader is not available in this build."""
    found = codes.finding(
        codes.UNKNOWN_TEMPLATE,
        Location(doc.path),
        "terraform input is recognised but its reader is not available in this build",
        Severity.ERROR,
    )
    return make_template(
        path=doc.path,
        kind="terraform",
        functions=(),
        resources=(),
        findings=[found],
        documents=[doc],
    )
