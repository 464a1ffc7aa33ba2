"""Offline evaluation of CloudFormation intrinsic functions.

The evaluator turns a template node (plain data with long-form intrinsics, as
:mod:`~least_priv.infra.positions` returns it) into three things a caller may want:

* :meth:`Evaluator.value` — a :class:`~least_priv.model.Value` whose parts keep template
  references (``TemplateRef`` with the resource type and, when the template pins the name,
  ``known``), for environment variables, event sources and settings;
* :meth:`Evaluator.document` — plain JSON for a policy document, with references rendered
  as text (``arn:${AWS::Partition}:s3:::orders-dev/*``) and ``${Id.Attr}`` where nothing
  better is known;
* :meth:`Evaluator.condition` — a template condition decided from parameter values.

What cannot be known offline (``Fn::ImportValue``, a parameter without value, a condition on
one) becomes an ``Unknown`` part plus an LP4xx finding at the node; the caller never gets a
silently wrong literal.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from least_priv.infra import codes
from least_priv.infra.parts import PARAMETER, expand_format, known_pattern, render
from least_priv.infra.positions import NodePath, ParsedDocument
from least_priv.infra.resource_types import CLOUDFORMATION
from least_priv.model import Finding, Part, Severity, TemplateRef, Unknown, Value, join_parts


class _NoValue:
    """``AWS::NoValue``: the property or list item is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


class _Missing:
    """A value that cannot be known offline, inside :meth:`Evaluator.plain` answers."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Missing()


@dataclass(frozen=True, slots=True)
class Pieces:
    """A string that is not fully literal: its parts, to be kept in resolved data."""

    parts: tuple[Part, ...]


_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC = re.compile(r"\{\{resolve:([a-z-]+):[^}]*\}\}")
_OFFLINE_ONLY = {
    "Fn::ImportValue": "an export of another stack",
    "Fn::GetAZs": "the availability zones of the deploy region",
    "Fn::Cidr": "a CIDR computed at deploy time",
    "Fn::Transform": "a macro expanded at deploy time",
    "Fn::ForEach": "a loop expanded by the LanguageExtensions transform",
}
_CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not")


class Evaluator:
    """Evaluates intrinsics of one template; collects findings as it goes.

    ``parameters`` override parameter defaults (``--parameter Stage=prod``). ``implicit``
    names resources the template does not list but its transform creates (SAM's
    ``ServerlessRestApi``, ``<Function>Role``) with their types, so references to them are
    not reported as dangling. ``resources``/``resources_path`` give the resources and where
    they are written when they are not the document's top-level ``Resources`` (serverless'
    ``resources.Resources``). A ``Pieces`` object in the input is taken as already evaluated.
    """

    def __init__(
        self,
        doc: ParsedDocument,
        *,
        parameters: Mapping[str, str] | None = None,
        implicit: Mapping[str, str] | None = None,
        resources: Mapping[str, Any] | None = None,
        resources_path: NodePath = ("Resources",),
    ) -> None:
        data = doc.data if isinstance(doc.data, dict) else {}
        self.doc = doc
        self.findings: set[Finding] = set()
        self.resources: dict[str, Any] = dict(
            resources if resources is not None else _dict(data.get("Resources"))
        )
        self.parameters: dict[str, Any] = _dict(data.get("Parameters"))
        self.mappings: dict[str, Any] = _dict(data.get("Mappings"))
        self.conditions: dict[str, Any] = _dict(data.get("Conditions"))
        self.resources_path = resources_path
        self.overrides = dict(parameters or {})
        self.implicit = dict(implicit or {})
        self._condition_cache: dict[str, bool | None] = {}
        self._names: dict[str, tuple[Part, ...] | None] = {}
        self._busy: set[str] = set()
        self._functions: dict[str, Callable[[Any, NodePath], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._getatt,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": self._base64,
            "Fn::ToJsonString": self._to_json_string,
            "Fn::Length": self._length,
        }

    # -- reporting --------------------------------------------------------------------------

    def report(self, code: str, path: NodePath, message: str, severity: Severity) -> None:
        """Record a finding at the node ``path`` of the template."""
        self.findings.add(codes.finding(code, self.doc.location(path), message, severity))

    # -- public views -----------------------------------------------------------------------

    def resolve(self, node: Any, path: NodePath) -> Any:
        """``node`` with intrinsics evaluated: plain data, ``Pieces`` for partial strings,
        ``NO_VALUE`` for a removed value."""
        if isinstance(node, dict):
            if len(node) == 1:
                key, arg = next(iter(node.items()))
                handler = self._functions.get(key)
                if handler is not None:
                    return handler(arg, (*path, key))
                if key in _OFFLINE_ONLY:
                    self.report(
                        codes.UNSUPPORTED_INTRINSIC,
                        path,
                        f"{key} is {_OFFLINE_ONLY[key]}; its value is unknown offline",
                        Severity.NOTE,
                    )
                    return Pieces((Unknown(f"{key}"),))
                if key in _CONDITION_FUNCTIONS:
                    decided = self._decide(node, path)
                    return UNKNOWN_PIECES if decided is None else decided
            out: dict[str, Any] = {}
            for key, child in node.items():
                value = self.resolve(child, (*path, key))
                if value is not NO_VALUE:
                    out[key] = value
            return out
        if isinstance(node, list):
            items = [self.resolve(child, (*path, i)) for i, child in enumerate(node)]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(node, str) and "{{resolve:" in node:
            return _pieces_or_text(self._dynamic(node, path))
        return node

    def items(self, node: Any, path: NodePath) -> list[tuple[Any, NodePath]]:
        """The entries of a policy list with item-level ``Fn::If`` decided: the chosen
        branch, nothing for ``AWS::NoValue``, and both branches when the condition cannot be
        decided offline (the role may get either, so both count as declared)."""
        out: list[tuple[Any, NodePath]] = []
        for i, item in enumerate(node if isinstance(node, list) else ()):
            out.extend(self._branches(item, (*path, i)))
        return out

    def _branches(self, item: Any, path: NodePath) -> list[tuple[Any, NodePath]]:
        arg = item.get("Fn::If") if isinstance(item, dict) and len(item) == 1 else None
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return [] if item == {"Ref": "AWS::NoValue"} else [(item, path)]
        inner = (*path, "Fn::If")
        decided = self.condition(arg[0], (*inner, 0))
        chosen = [1] if decided is True else [2] if decided is False else [1, 2]
        return [pair for i in chosen for pair in self._branches(arg[i], (*inner, i))]

    def value(self, node: Any, path: NodePath) -> Value:
        """``node`` as a :class:`Value` (references kept as ``TemplateRef`` parts)."""
        return to_value(self.resolve(node, path))

    def document(self, node: Any, path: NodePath) -> Any:
        """``node`` as plain JSON for a policy document (references rendered as text)."""
        return self._render(self.resolve(node, path))

    def text(self, node: Any, path: NodePath) -> str | None:
        """``node`` rendered as a document string, or None when it is not string-like."""
        rendered = self.document(node, path)
        if isinstance(rendered, bool):
            return "true" if rendered else "false"
        if isinstance(rendered, str | int | float):
            return str(rendered)
        return None

    def plain(self, resolved: Any) -> Any:
        """Exact plain data for a resolved value, or ``UNKNOWN`` if any part is not exact."""
        if isinstance(resolved, Pieces):
            out: list[str] = []
            for part in resolved.parts:
                if isinstance(part, str):
                    out.append(part)
                elif (
                    isinstance(part, TemplateRef)
                    and part.known is not None
                    and (part.resource_type == PARAMETER or not _is_pattern(part.known))
                ):
                    out.append(part.known)
                else:
                    return UNKNOWN
            return "".join(out)
        if isinstance(resolved, list):
            items = [self.plain(item) for item in resolved]
            return UNKNOWN if any(item is UNKNOWN for item in items) else items
        if isinstance(resolved, dict):
            pairs = {key: self.plain(item) for key, item in resolved.items()}
            return UNKNOWN if any(item is UNKNOWN for item in pairs.values()) else pairs
        if resolved is NO_VALUE:
            return UNKNOWN
        return resolved

    def condition(self, name: str, path: NodePath) -> bool | None:
        """The truth of template condition ``name``; None when it depends on unknowns."""
        if name in self._condition_cache:
            return self._condition_cache[name]
        if name not in self.conditions:
            self.report(
                codes.UNRESOLVED_REFERENCE,
                path,
                f"condition {name!r} is not defined in Conditions",
                Severity.WARNING,
            )
            return None
        self._condition_cache[name] = None  # a cycle decides nothing
        result = self._decide(self.conditions[name], ("Conditions", name))
        self._condition_cache[name] = result
        return result

    def resource_type(self, logical_id: str) -> str | None:
        """The type of a resource of the template (or one its transform creates)."""
        res = self.resources.get(logical_id)
        if isinstance(res, dict) and isinstance(res.get("Type"), str):
            return str(res["Type"])
        return self.implicit.get(logical_id)

    def reference(self, logical_id: str, attribute: str | None) -> TemplateRef:
        """The ``TemplateRef`` for ``Ref`` (attribute None) or ``Fn::GetAtt`` on a resource."""
        rtype = self.resource_type(logical_id)
        name = self.name_parts(logical_id)
        expanded = self.attribute_parts(logical_id, attribute)
        return TemplateRef(logical_id, attribute, rtype, known_pattern(name, expanded))

    def name_parts(self, logical_id: str) -> tuple[Part, ...] | None:
        """The physical name of a resource as parts, when its properties give one."""
        if logical_id in self._names:
            return self._names[logical_id]
        kind = CLOUDFORMATION.get(self.resource_type(logical_id) or "")
        res = self.resources.get(logical_id)
        result: tuple[Part, ...] | None = None
        if kind and kind.name_property and isinstance(res, dict) and logical_id not in self._busy:
            props = res.get("Properties")
            if isinstance(props, dict) and kind.name_property in props:
                self._busy.add(logical_id)
                try:
                    path = (*self.resources_path, logical_id, "Properties", kind.name_property)
                    resolved = self.resolve(props[kind.name_property], path)
                finally:
                    self._busy.discard(logical_id)
                if isinstance(resolved, str | Pieces):
                    result = string_parts(resolved)
        self._names[logical_id] = result
        return result

    def attribute_parts(self, logical_id: str, attribute: str | None) -> tuple[Part, ...] | None:
        """What ``Ref``/``Fn::GetAtt`` of a resource evaluates to, as parts, if known."""
        kind = CLOUDFORMATION.get(self.resource_type(logical_id) or "")
        fmt = kind.format(attribute) if kind else None
        if fmt is None:
            return None
        return expand_format(fmt, self.name_parts(logical_id))

    # -- rendering --------------------------------------------------------------------------

    def render_parts(self, parts: tuple[Part, ...]) -> str:
        """Value parts as policy-document text (``${AWS::Region}`` kept, references rendered
        to what they evaluate to, else ``${Id.Attr}``)."""
        return render(parts, self._render_ref)

    def _render(self, resolved: Any) -> Any:
        if isinstance(resolved, Pieces):
            return render(resolved.parts, self._render_ref)
        if isinstance(resolved, list):
            return [self._render(item) for item in resolved]
        if isinstance(resolved, dict):
            return {key: self._render(item) for key, item in resolved.items()}
        return resolved

    def _render_ref(self, ref: TemplateRef) -> str | None:
        if ref.logical_id in self._busy:
            return None
        parts = self.attribute_parts(ref.logical_id, ref.attribute)
        if parts is None:
            return None
        self._busy.add(ref.logical_id)
        try:
            return render(parts, self._render_ref)
        finally:
            self._busy.discard(ref.logical_id)

    # -- intrinsic functions ----------------------------------------------------------------

    def _ref(self, arg: Any, path: NodePath) -> Any:
        if not isinstance(arg, str):
            self.report(codes.BAD_INTRINSIC, path, "Ref takes a name", Severity.ERROR)
            return UNKNOWN_PIECES
        if arg == "AWS::NoValue":
            return NO_VALUE
        if arg.startswith("AWS::"):
            return Pieces((TemplateRef(arg),))
        if arg in self.parameters:
            return self._parameter(arg, path)
        if self.resource_type(arg) is not None:
            return Pieces((self.reference(arg, None),))
        self.report(
            codes.UNRESOLVED_REFERENCE,
            path,
            f"Ref {arg!r}: no parameter or resource of that name in the template",
            Severity.WARNING,
        )
        return Pieces((Unknown(f"Ref {arg}"),))

    def _dynamic(self, text: str, path: NodePath) -> list[Part]:
        """Text with ``{{resolve:ssm:...}}`` / ``{{resolve:secretsmanager:...}}`` dynamic
        references as unknown parts: CloudFormation reads them at deploy time."""
        if "{{resolve:" not in text:
            return [text]
        parts: list[Part] = []
        pos = 0
        for match in _DYNAMIC.finditer(text):
            parts.append(text[pos : match.start()])
            parts.append(Unknown(match.group(0)))
            self.report(
                codes.UNRESOLVED_VARIABLE,
                path,
                f"{match.group(0)} is read from {match.group(1)} at deploy time; "
                "its value is unknown offline",
                Severity.NOTE,
            )
            pos = match.end()
        parts.append(text[pos:])
        return parts

    def _parameter(self, name: str, path: NodePath) -> Any:
        spec = _dict(self.parameters.get(name))
        ptype = str(spec.get("Type", "String"))
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            self.report(
                codes.UNRESOLVED_VARIABLE,
                path,
                f"parameter {name!r} is read from SSM at deploy time; its value is unknown",
                Severity.NOTE,
            )
            return Pieces((TemplateRef(name, None, PARAMETER, None),))
        raw = self.overrides.get(name, spec.get("Default"))
        if raw is None:
            self.report(
                codes.UNRESOLVED_VARIABLE,
                path,
                f"parameter {name!r} has no default and no value was given; "
                "pass it to pin the resource down",
                Severity.NOTE,
            )
            return Pieces((TemplateRef(name, None, PARAMETER, None),))
        text = _scalar_text(raw)
        if ptype.startswith("List<") or ptype == "CommaDelimitedList":
            return [item.strip() for item in text.split(",")] if text else []
        return Pieces((TemplateRef(name, None, PARAMETER, text),))

    def _getatt(self, arg: Any, path: NodePath) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
            arg = [logical_id, attribute]
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            self.report(
                codes.BAD_INTRINSIC,
                path,
                "Fn::GetAtt takes [LogicalId, Attribute]",
                Severity.ERROR,
            )
            return UNKNOWN_PIECES
        attribute = self.plain(self.resolve(arg[1], (*path, 1)))
        if not isinstance(attribute, str) or not attribute:
            self.report(
                codes.BAD_INTRINSIC, path, "Fn::GetAtt attribute is not a name", Severity.ERROR
            )
            return UNKNOWN_PIECES
        if self.resource_type(arg[0]) is None:
            self.report(
                codes.UNRESOLVED_REFERENCE,
                path,
                f"Fn::GetAtt {arg[0]}.{attribute}: no resource {arg[0]!r} in the template",
                Severity.WARNING,
            )
            return Pieces((Unknown(f"GetAtt {arg[0]}.{attribute}"),))
        return Pieces((self.reference(arg[0], attribute),))

    def _sub(self, arg: Any, path: NodePath) -> Any:
        variables: dict[str, Any] = {}
        template = arg
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            template = arg[0]
            for key, node in arg[1].items():
                variables[key] = self.resolve(node, (*path, 1, key))
        if not isinstance(template, str):
            self.report(codes.BAD_INTRINSIC, path, "Fn::Sub takes a string", Severity.ERROR)
            return UNKNOWN_PIECES
        parts: list[Part] = []
        pos = 0
        for match in _SUB_VAR.finditer(template):
            parts.extend(self._dynamic(template[pos : match.start()], path))
            pos = match.end()
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            if name in variables:
                resolved = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                logical_id, _, attribute = name.partition(".")
                resolved = self._getatt([logical_id, attribute], path)
            else:
                resolved = self._ref(name, path)
            parts.extend(string_parts(resolved))
        parts.extend(self._dynamic(template[pos:], path))
        return _pieces_or_text(parts)

    def _join(self, arg: Any, path: NodePath) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            self.report(
                codes.BAD_INTRINSIC, path, "Fn::Join takes [delimiter, list]", Severity.ERROR
            )
            return UNKNOWN_PIECES
        delimiter = self.plain(self.resolve(arg[0], (*path, 0)))
        items = self.resolve(arg[1], (*path, 1))
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return Pieces((Unknown("Fn::Join of a list only known at deploy time"),))
        parts: list[Part] = []
        for i, item in enumerate(items):
            if i:
                parts.append(delimiter)
            parts.extend(string_parts(item))
        return _pieces_or_text(parts)

    def _if(self, arg: Any, path: NodePath) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            self.report(
                codes.BAD_INTRINSIC, path, "Fn::If takes [Condition, then, else]", Severity.ERROR
            )
            return UNKNOWN_PIECES
        decided = self.condition(arg[0], (*path, 0))
        if decided is True:
            return self.resolve(arg[1], (*path, 1))
        if decided is False:
            return self.resolve(arg[2], (*path, 2))
        then = self.resolve(arg[1], (*path, 1))
        other = self.resolve(arg[2], (*path, 2))
        if then == other:
            return then
        self.report(
            codes.UNRESOLVED_VARIABLE,
            path,
            f"condition {arg[0]!r} cannot be decided offline; the value is unknown",
            Severity.NOTE,
        )
        return Pieces((Unknown(f"Fn::If {arg[0]}"),))

    def _select(self, arg: Any, path: NodePath) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            self.report(codes.BAD_INTRINSIC, path, "Fn::Select takes [index, list]", Severity.ERROR)
            return UNKNOWN_PIECES
        index = self.plain(self.resolve(arg[0], (*path, 0)))
        items = self.resolve(arg[1], (*path, 1))
        try:
            position = int(index)
        except (TypeError, ValueError):
            return Pieces((Unknown("Fn::Select index"),))
        if isinstance(items, list) and 0 <= position < len(items):
            return items[position]
        if isinstance(items, list):
            self.report(
                codes.BAD_INTRINSIC,
                path,
                f"Fn::Select index {position} out of range",
                Severity.ERROR,
            )
        return Pieces((Unknown("Fn::Select of a list only known at deploy time"),))

    def _split(self, arg: Any, path: NodePath) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            self.report(
                codes.BAD_INTRINSIC, path, "Fn::Split takes [delimiter, string]", Severity.ERROR
            )
            return UNKNOWN_PIECES
        delimiter = self.plain(self.resolve(arg[0], (*path, 0)))
        source = self.plain(self.resolve(arg[1], (*path, 1)))
        if isinstance(delimiter, str) and delimiter and isinstance(source, str):
            return source.split(delimiter)
        return Pieces((Unknown("Fn::Split of a string only known at deploy time"),))

    def _find_in_map(self, arg: Any, path: NodePath) -> Any:
        if not (isinstance(arg, list) and len(arg) in (3, 4)):
            self.report(
                codes.BAD_INTRINSIC,
                path,
                "Fn::FindInMap takes [MapName, TopKey, SecondKey]",
                Severity.ERROR,
            )
            return UNKNOWN_PIECES
        keys = [self.plain(self.resolve(arg[i], (*path, i))) for i in range(3)]
        default: Any = NO_VALUE
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            default = self.resolve(arg[3]["DefaultValue"], (*path, 3, "DefaultValue"))
        if any(not isinstance(k, str | int) for k in keys):
            return default if default is not NO_VALUE else Pieces((Unknown("Fn::FindInMap"),))
        node: Any = self.mappings
        for key in keys:
            node = node.get(str(key)) if isinstance(node, dict) else None
        if node is None:
            if default is not NO_VALUE:
                return default
            self.report(
                codes.UNRESOLVED_REFERENCE,
                path,
                "Fn::FindInMap: no entry " + "/".join(str(k) for k in keys) + " in Mappings",
                Severity.WARNING,
            )
            return Pieces((Unknown("Fn::FindInMap"),))
        return self.resolve(node, ("Mappings", *(str(k) for k in keys)))

    def _base64(self, arg: Any, path: NodePath) -> Any:
        text = self.plain(self.resolve(arg, path))
        if isinstance(text, str):
            return base64.b64encode(text.encode()).decode()
        return Pieces((Unknown("Fn::Base64 of a value only known at deploy time"),))

    def _to_json_string(self, arg: Any, path: NodePath) -> Any:
        data = self.plain(self.resolve(arg, path))
        if data is UNKNOWN:
            return Pieces((Unknown("Fn::ToJsonString of values only known at deploy time"),))
        return json.dumps(data, separators=(",", ":"))

    def _length(self, arg: Any, path: NodePath) -> Any:
        items = self.resolve(arg, path)
        return len(items) if isinstance(items, list) else Pieces((Unknown("Fn::Length"),))

    # -- conditions -------------------------------------------------------------------------

    def _decide(self, node: Any, path: NodePath) -> bool | None:
        if isinstance(node, bool):
            return node
        if not (isinstance(node, dict) and len(node) == 1):
            self.report(codes.BAD_INTRINSIC, path, "not a condition function", Severity.ERROR)
            return None
        key, arg = next(iter(node.items()))
        inner = (*path, key)
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg, inner)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left = self.plain(self.resolve(arg[0], (*inner, 0)))
            right = self.plain(self.resolve(arg[1], (*inner, 1)))
            if left is UNKNOWN or right is UNKNOWN:
                return None
            return _scalar_text(left) == _scalar_text(right)
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
            results = [self._decide(item, (*inner, i)) for i, item in enumerate(arg)]
            decisive = bool(key == "Fn::Or")  # True decides Or, False decides And
            if decisive in results:
                return decisive
            return None if None in results else not decisive
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            result = self._decide(arg[0], (*inner, 0))
            return None if result is None else not result
        self.report(
            codes.BAD_INTRINSIC, path, f"malformed condition function {key}", Severity.ERROR
        )
        return None


UNKNOWN_PIECES = Pieces((Unknown("malformed intrinsic"),))


def _dict(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _is_pattern(text: str) -> bool:
    return "*" in text or "?" in text


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pieces_or_text(parts: list[Part]) -> str | Pieces:
    merged = join_parts(parts)
    if all(isinstance(p, str) for p in merged):
        return "".join(p for p in merged if isinstance(p, str))
    return Pieces(merged)


def string_parts(resolved: Any) -> tuple[Part, ...]:
    """A resolved value used where a string is expected, as parts."""
    if isinstance(resolved, Pieces):
        return resolved.parts
    if isinstance(resolved, str):
        return (resolved,)
    if isinstance(resolved, bool | int | float):
        return (_scalar_text(resolved),)
    if resolved is NO_VALUE:
        return ()
    return (Unknown("a list or mapping where a string is expected"),)


def to_value(resolved: Any) -> Value:
    """A resolved value as a :class:`Value` (lists → ``sequence``, dicts → ``mapping``)."""
    if isinstance(resolved, list):
        return Value(sequence=tuple(to_value(item) for item in resolved))
    if isinstance(resolved, dict):
        return Value(
            mapping=tuple((Value.literal(key), to_value(item)) for key, item in resolved.items())
        )
    if resolved is None:
        return Value.unknown("null")
    return Value(string_parts(resolved))
