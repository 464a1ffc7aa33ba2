"""The parts of ``terraform show -json`` output the reader needs, indexed by address.

A plan has three views of each resource: ``planned_values`` (values known at plan time;
unknown ones are simply absent), ``resource_changes[].change.after_unknown`` (which of them
will only be known after apply) and ``configuration`` (the expressions, with the references
they make). Data sources read during planning sit in ``prior_state``. Module resources carry
``module.NAME.`` prefixes in planned values but not in configuration, whose references are
relative to their module; this module puts the three together per resource address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from least_priv.infra.cloudformation import dig
from least_priv.infra.positions import NodePath

#: An instance key in an address (``[0]``, ``["blue"]``).
INDEX = re.compile(r"\[[^\]]*\]")
_REFERENCE = re.compile(
    r"^(?P<module>(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)"
    r"(?P<resource>(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?P<index>\[[^\]]*\])?"
    r"(?:\.(?P<attribute>[A-Za-z0-9_]+))?"
)


@dataclass
class PlannedResource:
    """One resource instance of the plan, with its configuration and unknowns."""

    address: str  # module.api.aws_lambda_function.this[0]
    type: str
    name: str
    mode: str  # managed | data
    values: dict[str, Any]
    path: NodePath  # where its values are in the plan JSON
    module: str = ""  # module.api. (with the trailing dot), "" at the root
    after_unknown: Any = field(default_factory=dict)
    expressions: dict[str, Any] = field(default_factory=dict)
    #: The address without instance keys (how configuration and references name it).
    config_address: str = field(init=False)

    def __post_init__(self) -> None:
        self.config_address = INDEX.sub("", self.address)


@dataclass(frozen=True)
class Reference:
    """A reference found in a configuration expression, made absolute."""

    address: str  # module.api.aws_sqs_queue.orders (no instance key)
    attribute: str | None  # arn, name, url ... (None for the bare resource)
    type: str


class PlanIndex:
    """Every resource of a plan by address, with lookups for values and references."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.resources: dict[str, PlannedResource] = {}
        self._by_config: dict[str, list[PlannedResource]] = {}
        self._of_type: dict[tuple[str, ...], list[PlannedResource]] = {}
        self._references: dict[tuple[str, tuple[str | int, ...]], list[Reference]] = {}
        #: ``module.a.module.b.`` → the expressions its module call passes (its inputs).
        self.module_inputs: dict[str, dict[str, Any]] = {}
        variables = plan.get("variables")
        self.variables: dict[str, Any] = {}
        if isinstance(variables, dict):
            for key, spec in variables.items():
                if isinstance(spec, dict) and "value" in spec:
                    self.variables[key] = spec["value"]
        prior = dig(plan, "prior_state", "values", "root_module")
        if isinstance(prior, dict):
            self._walk_values(prior, ("prior_state", "values", "root_module"), "", only_data=True)
        planned = dig(plan, "planned_values", "root_module")
        if isinstance(planned, dict):
            self._walk_values(planned, ("planned_values", "root_module"), "", only_data=False)
        changes = plan.get("resource_changes")
        for change in changes if isinstance(changes, list) else ():
            if isinstance(change, dict) and change.get("address") in self.resources:
                after_unknown = dig(change, "change", "after_unknown")
                self.resources[change["address"]].after_unknown = after_unknown or {}
        for resource in self.resources.values():
            self._by_config.setdefault(resource.config_address, []).append(resource)
        configuration = dig(plan, "configuration", "root_module")
        if isinstance(configuration, dict):
            self._walk_configuration(configuration, "", ("configuration", "root_module"))

    def _walk_values(
        self, module: dict[str, Any], path: NodePath, prefix: str, *, only_data: bool
    ) -> None:
        items = module.get("resources")
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict) or not isinstance(item.get("address"), str):
                continue
            mode = str(item.get("mode", "managed"))
            if only_data and mode != "data":
                continue
            address = item["address"]
            values = item.get("values") if isinstance(item.get("values"), dict) else {}
            assert isinstance(values, dict)
            existing = self.resources.get(address)
            if existing is not None and not values:
                continue  # a deferred data source: keep what prior_state read
            self.resources[address] = PlannedResource(
                address=address,
                type=str(item.get("type", "")),
                name=str(item.get("name", "")),
                mode=mode,
                values=values,
                path=(*path, "resources", i, "values"),
                module=prefix,
            )
        children = module.get("child_modules")
        for i, child in enumerate(children if isinstance(children, list) else ()):
            if isinstance(child, dict) and isinstance(child.get("address"), str):
                inner = f"{child['address']}."
                self._walk_values(child, (*path, "child_modules", i), inner, only_data=only_data)

    def _walk_configuration(self, module: dict[str, Any], prefix: str, path: NodePath) -> None:
        items = module.get("resources")
        for i, item in enumerate(items if isinstance(items, list) else ()):
            config_path: NodePath = (*path, "resources", i, "expressions")
            if not isinstance(item, dict) or not isinstance(item.get("address"), str):
                continue
            expressions = item.get("expressions")
            if not isinstance(expressions, dict):
                continue
            full = prefix + item["address"]
            instances = self._by_config.get(full, [])
            for resource in instances:
                resource.expressions = expressions
            if not instances:  # e.g. a data source read only during apply: configuration only
                resource = PlannedResource(
                    address=full,
                    type=str(item.get("type", "")),
                    name=str(item.get("name", "")),
                    mode=str(item.get("mode", "managed")),
                    values={},
                    path=config_path,
                    module=prefix,
                    expressions=expressions,
                )
                self.resources[full] = resource
                self._by_config[full] = [resource]
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            inner = call.get("module") if isinstance(call, dict) else None
            inputs = call.get("expressions") if isinstance(call, dict) else None
            if isinstance(inputs, dict):
                self.module_inputs[f"{prefix}module.{name}."] = inputs
            if isinstance(inner, dict):
                inner_path = (*path, "module_calls", name, "module")
                self._walk_configuration(inner, f"{prefix}module.{name}.", inner_path)

    # -- lookups ----------------------------------------------------------------------------

    def of_type(self, *types: str) -> list[PlannedResource]:
        """Managed resources of the given types, sorted by address."""
        found = self._of_type.get(types)
        if found is None:
            found = sorted(
                (r for r in self.resources.values() if r.mode == "managed" and r.type in types),
                key=lambda r: r.address,
            )
            self._of_type[types] = found
        return found

    def find(self, address: str) -> PlannedResource | None:
        """The resource at ``address``; for an address without instance key, its only (or
        first) instance."""
        if address in self.resources:
            return self.resources[address]
        instances = self._by_config.get(INDEX.sub("", address), [])
        return instances[0] if instances else None

    def references(self, resource: PlannedResource, *keys: str | int) -> list[Reference]:
        """The references the expression at ``keys`` makes, absolute, most specific first
        (``aws_sqs_queue.q.arn`` before the bare ``aws_sqs_queue.q``)."""
        cache_key = (resource.address, keys)
        cached = self._references.get(cache_key)
        if cached is None:
            cached = self._references[cache_key] = self._parse_references(resource, keys)
        return cached

    def _parse_references(
        self, resource: PlannedResource, keys: tuple[str | int, ...]
    ) -> list[Reference]:
        expression = dig(resource.expressions, *keys)
        refs = _parse(expression, resource.module)
        # A module's input (var.NAME) carries the references its caller passed in: follow
        # them one level up, so a table given to the lambda module is still known.
        for name in _variables(expression):
            inputs = self.module_inputs.get(INDEX.sub("", resource.module), {})
            parent = _parent(resource.module)
            refs.extend(r for r in _parse(inputs.get(name), parent) if r not in refs)
        return sorted(refs, key=lambda r: r.attribute is None)

    def module_input_references(self, resource: PlannedResource, name: str) -> list[Reference]:
        """The references the caller of ``resource``'s module passes as input ``name``."""
        inputs = self.module_inputs.get(INDEX.sub("", resource.module), {})
        refs = _parse(inputs.get(name), _parent(resource.module))
        return sorted(refs, key=lambda r: r.attribute is None)

    def variable_references(self, resource: PlannedResource, *keys: str | int) -> list[str]:
        """Names of the root-module variables (``var.NAME``) the expression at ``keys`` uses;
        a module's variables are not in the plan's ``variables``, so they are left out."""
        if resource.module:
            return []
        return _variables(dig(resource.expressions, *keys))

    def constant(self, resource: PlannedResource, *keys: str | int) -> Any:
        """The ``constant_value`` of the expression at ``keys``, if it is a constant."""
        expression = dig(resource.expressions, *keys)
        return expression.get("constant_value") if isinstance(expression, dict) else None

    def is_unknown(self, resource: PlannedResource, *keys: str | int) -> bool:
        """True when the attribute at ``keys`` is only known after apply."""
        return dig(resource.after_unknown, *keys) is True

    def attribute(self, reference: Reference) -> Any:
        """The planned value of the attribute a reference names (None when unknown)."""
        target = self.find(reference.address)
        if target is None or reference.attribute is None:
            return None
        return target.values.get(reference.attribute)


def _parse(expression: Any, module: str) -> list[Reference]:
    """The resource references of a configuration expression, made absolute from the
    module (``module.a.``) the expression is written in."""
    found = expression.get("references") if isinstance(expression, dict) else None
    out: list[Reference] = []
    for text in found if isinstance(found, list) else ():
        if not isinstance(text, str):
            continue
        match = _REFERENCE.match(text)
        if match is None or text.startswith(("var.", "local.", "path.", "each.", "count.")):
            continue
        target = match.group("resource")
        rtype = target.split(".")[-2]
        if rtype == "module":
            continue  # a module output: the plan does not say which resource it is
        reference = Reference(
            module + match.group("module") + target, match.group("attribute"), rtype
        )
        if reference not in out:
            out.append(reference)
    return out


def _variables(expression: Any) -> list[str]:
    """The ``var.NAME`` names an expression uses."""
    found = expression.get("references") if isinstance(expression, dict) else None
    names = {
        text[len("var.") :].split(".")[0]
        for text in (found if isinstance(found, list) else ())
        if isinstance(text, str) and text.startswith("var.")
    }
    return sorted(names)


def _parent(module: str) -> str:
    """``module.a.module.b.`` → ``module.a.``; the root module is ``""``."""
    parts = module.split(".")
    # module.a.module.b. splits into [module, a, module, b, ""]: drop the last call.
    return ".".join(parts[:-3]) + "." if len(parts) > 3 else ""
