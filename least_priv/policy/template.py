"""Resources of template-format policies: keys for grouping, and ``${...}`` text.

Template formats (SAM, CloudFormation, serverless, Terraform) reference resources of the
template instead of writing their names: two tables CloudFormation names at deploy time
have the same JSON resource (``table/*``) but different references. Statements for those
formats are grouped by :func:`template_key` — the resource in CloudFormation ``!Sub`` syntax
(``arn:${AWS::Partition}:s3:::${Uploads}/*``, ``${OrdersTable.Arn}``) — and the renderers turn
the permission's parts into each format's own syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from least_priv.model import Part, Permission, TemplateRef


def template_key(permission: Permission) -> str:
    """The grouping key of a permission's resource in template formats."""
    if not permission.resource_parts:
        return permission.resource
    return sub_text(permission.resource_parts, sub_reference)


def sub_reference(ref: TemplateRef) -> str:
    """``${Id}`` / ``${Id.Attr}``: a reference inside CloudFormation ``Fn::Sub`` text."""
    return "${" + ref.logical_id + ("." + ref.attribute if ref.attribute else "") + "}"


def sub_escape(text: str) -> str:
    """Literal text inside ``Fn::Sub``: ``${`` is written ``${!`` so it is not a reference."""
    return text.replace("${", "${!")


def sub_text(
    parts: Sequence[Part],
    reference: Callable[[TemplateRef], str],
    escape: Callable[[str], str] = sub_escape,
) -> str:
    """``parts`` as one string: ``escape``d literal text, ``*`` for unknowns and
    ``reference(ref)`` for references (CloudFormation ``Fn::Sub`` syntax by default)."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(escape(part))
        elif isinstance(part, TemplateRef):
            out.append(reference(part))
        else:
            out.append("*")
    text = "".join(out)
    while "**" in text:
        text = text.replace("**", "*")
    return text


def single_reference(parts: Sequence[Part]) -> TemplateRef | None:
    """The reference when ``parts`` is exactly one (``!GetAtt X.Arn`` / ``!Ref X``)."""
    if len(parts) == 1 and isinstance(parts[0], TemplateRef):
        return parts[0]
    return None


def has_references(parts: Sequence[Part]) -> bool:
    """True when any part is a template reference (pseudo parameters included)."""
    return any(isinstance(p, TemplateRef) for p in parts)
