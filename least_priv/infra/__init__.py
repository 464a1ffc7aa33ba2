"""Infrastructure-as-code readers: SAM/CloudFormation, CDK output, serverless.yml, Terraform.

``least_priv.infra.positions`` parses YAML/JSON keeping node positions; the template readers
build on it.
"""

from __future__ import annotations

from least_priv.infra.positions import NodePath, ParsedDocument, parse_file, parse_text

__all__ = ["NodePath", "ParsedDocument", "parse_file", "parse_text"]
