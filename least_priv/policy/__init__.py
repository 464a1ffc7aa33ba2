"""Policy building: scoped permissions, configuration-implied permissions, documents.

The pipeline (``least_priv.api``) uses it in three steps:

1. :class:`Scoper` turns each (call, catalog requirement) into ``Permission``s on the
   resource the call touches, resolving environment variables (:class:`Environment`) and
   filling ARNs from :class:`ArnContext`; what cannot be pinned down becomes a typed wildcard
   plus an LP3xx finding.
2. :func:`implied_permissions` adds what the function's configuration needs (logs, VPC,
   pollers, dead-letter queue, X-Ray, KMS).
3. :func:`merge` and :func:`build_documents` group permissions into sorted statements with
   content-derived Sids, optionally compacted and split to IAM's size limits.

:func:`build_permissions` (calls and their requirements → merged permissions) and
:func:`build_document` (permissions → one document) are the contract's short forms.
"""

from __future__ import annotations

from least_priv.policy.arn import ArnContext
from least_priv.policy.document import (
    INLINE_TOTAL_LIMIT,
    MANAGED_POLICY_LIMIT,
    Built,
    build_document,
    compact_actions,
    merge,
    size,
    statements,
)
from least_priv.policy.document import build as build_documents
from least_priv.policy.implied import implied_permissions
from least_priv.policy.scope import Scoper, build_permissions
from least_priv.policy.values import Environment, expand_env

__all__ = [
    "INLINE_TOTAL_LIMIT",
    "MANAGED_POLICY_LIMIT",
    "ArnContext",
    "Built",
    "Environment",
    "Scoper",
    "build_document",
    "build_documents",
    "build_permissions",
    "compact_actions",
    "expand_env",
    "implied_permissions",
    "merge",
    "size",
    "statements",
]
