"""Renderers: one pure function per output format, text in, nothing printed.

Policy formats (``least-priv generate --format``):

* ``json`` — the IAM policy document (a list of documents after ``--split``; an object keyed
  by function when a template's functions are all generated);
* ``sam`` — the ``Policies:`` block of an ``AWS::Serverless::Function``;
* ``cfn`` — an ``AWS::IAM::Role`` with inline policies, or ``AWS::IAM::ManagedPolicy``
  resources when the inline limit would be exceeded;
* ``terraform`` — ``data "aws_iam_policy_document"`` blocks;
* ``serverless`` — ``provider.iam.role.statements`` (per-function ``iamRoleStatements``
  for several functions);
* ``text`` — a human summary.

Template formats reference template resources (``!GetAtt OrdersTable.Arn``) and use pseudo
parameters for an unknown partition, region or account. ``explain`` and ``report`` describe
why each permission is there. Findings are rendered by :mod:`least_priv.render.findings`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for annotations: `least_priv.render.findings` (used by lint, diff, check) must not
    # pay for importing the generate pipeline through this package's __init__.
    from least_priv.api import GenerateResult

POLICY_FORMATS: tuple[str, ...] = ("json", "sam", "cfn", "terraform", "serverless", "text")


def render_policy(result: GenerateResult, fmt: str) -> str:
    """``result`` in policy format ``fmt`` (one of :data:`POLICY_FORMATS`), ending in a newline."""
    return _renderer(fmt)(result)


def _renderer(fmt: str) -> Callable[[GenerateResult], str]:
    # Imported on use: each format pulls in only what it needs (PyYAML for the YAML ones).
    if fmt == "json":
        from least_priv.render.policy_json import render_json

        return render_json
    if fmt == "sam":
        from least_priv.render.sam import render_sam

        return render_sam
    if fmt == "cfn":
        from least_priv.render.cfn import render_cfn

        return render_cfn
    if fmt == "terraform":
        from least_priv.render.terraform import render_terraform

        return render_terraform
    if fmt == "serverless":
        from least_priv.render.serverless import render_serverless

        return render_serverless
    if fmt == "text":
        from least_priv.render.text import render_text

        return render_text
    raise ValueError(f"unknown policy format {fmt!r}; expected one of {', '.join(POLICY_FORMATS)}")


def logical_name(name: str, fallback: str = "Function") -> str:
    """An alphanumeric CloudFormation logical id from a function name."""
    from least_priv.policy.document import camel

    return camel(name) or fallback
