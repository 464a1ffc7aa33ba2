"""Infrastructure-as-code readers: SAM/CloudFormation, CDK output, serverless.yml, Terraform.

``load_template(path)`` detects the kind by content and returns a :class:`Template`:
functions (``least_priv.model.Function``), resources, declared role policies and findings.
``least_priv.infra.positions`` parses YAML/JSON keeping node positions for findings.
"""

from __future__ import annotations

from least_priv.infra.loader import detect_kind, load_template, select_functions
from least_priv.infra.positions import NodePath, ParsedDocument, parse_file, parse_text
from least_priv.infra.template import DeclaredPolicy, Template, TemplateResource

__all__ = [
    "DeclaredPolicy",
    "NodePath",
    "ParsedDocument",
    "Template",
    "TemplateResource",
    "detect_kind",
    "load_template",
    "parse_file",
    "parse_text",
    "select_functions",
]
