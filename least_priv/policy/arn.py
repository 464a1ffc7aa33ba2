"""ARN templates filled from variables, keeping template references as parts.

A catalog ARN template looks like ``arn:${Partition}:dynamodb:${Region}:${Account}:table/
${TableName}``. Filling it yields a tuple of :data:`~least_priv.model.Part`: literal text,
``TemplateRef`` (a resource of the template, or a pseudo parameter such as
``AWS::Region``) and ``Unknown`` (renders as ``*``). The JSON form and every template
format are rendered from the same parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from least_priv.infra.parts import ACCOUNT, PARTITION, REGION
from least_priv.model import Part, TemplateRef, Unknown, Value, join_parts
from least_priv.policy import refs

_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True, slots=True)
class ArnContext:
    """Partition, region and account to write into ARNs; None leaves them open.

    Open fields are ``*`` in JSON and pseudo parameters (``${AWS::Region}``) in template
    formats.
    """

    partition: str | None = None
    region: str | None = None
    account: str | None = None
    #: The template value ``region`` comes from (a parameter), for template formats.
    region_ref: TemplateRef | None = None

    @staticmethod
    def of(partition: str | None, region: str | None, account: str | None) -> ArnContext:
        """A context whose partition, when not given, follows from the region if given."""
        return ArnContext(partition or partition_of(region), region, account)

    def pseudo(self, variable: str) -> Part | None:
        """The part for ``Partition``/``Region``/``Account``; None for other variables."""
        if variable == "Partition":
            return self.partition if self.partition else PARTITION
        if variable == "Region":
            if self.region_ref is not None:
                return self.region_ref
            return self.region if self.region else REGION
        if variable == "Account":
            return self.account if self.account else ACCOUNT
        return None


# Region name prefixes of the partitions other than "aws" (AWS General Reference, "Regions
# and Zones" / partition endpoints data): a region determines its partition.
_PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def partition_of(region: str | None) -> str | None:
    """The partition a region belongs to; None when no region is given."""
    if not region or "*" in region:
        return None
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def variables(template: str) -> list[str]:
    """The variable names of an ARN template, in order."""
    return _VARIABLE.findall(template)


def fill(
    template: str, values: Mapping[str, tuple[Part, ...]], context: ArnContext
) -> tuple[Part, ...]:
    """``template`` with each ``${Var}`` replaced by ``values[Var]``.

    ``Partition``/``Region``/``Account`` not given by ``values`` come from ``context``; any
    other missing variable is unknown (``*``): a typed wildcard, never a guess.
    """
    parts: list[Part] = []
    pos = 0
    for match in _VARIABLE.finditer(template):
        parts.append(template[pos : match.start()])
        name = match.group(1)
        if name in values:
            parts.extend(values[name])
        else:
            pseudo = context.pseudo(name)
            parts.append(pseudo if pseudo is not None else Unknown(name))
        pos = match.end()
    parts.append(template[pos:])
    return join_parts(parts)


def text_parts(text: str) -> tuple[Part, ...]:
    """A pattern string as parts: ``*`` runs become ``Unknown``, the rest literal text."""
    pieces = re.split(r"(\*+)", text)
    return join_parts(Unknown() if piece.startswith("*") else piece for piece in pieces)


def json_form(parts: tuple[Part, ...]) -> str:
    """The IAM JSON pattern of ``parts``: references by their known value, else ``*``."""
    return Value(parts).pattern()


def has_reference(parts: Iterable[Part]) -> bool:
    """True when some part references a template resource (not a pseudo parameter)."""
    return any(isinstance(p, TemplateRef) and p not in refs.PSEUDO for p in parts)
