"""Parse YAML and JSON into plain data while remembering where every node came from.

CloudFormation and SAM templates are written in YAML with short-form tags (``!Ref``,
``!GetAtt``, ``!Sub`` ...) or in JSON; serverless.yml is YAML; Terraform plans and CDK output
are JSON. Every later stage wants plain data (``dict``/``list``/``str``/``int``/``float``/
``bool``/``None``) with intrinsics in their long form (``{"Ref": ...}``,
``{"Fn::GetAtt": [...]}``), and every finding wants the line of the element it is about.
:func:`parse_file` / :func:`parse_text` give both: a :class:`ParsedDocument` whose ``data`` is
the plain value and whose :meth:`ParsedDocument.location` maps a node path such as
``("Resources", "Fn", "Properties", "Handler")`` to a :class:`~least_priv.model.Location`.

Bad input never raises: an unreadable file, a syntax error, an unknown tag or a duplicate key
becomes an LP4xx finding, and the rest of the document is still returned.

Positions follow :class:`~least_priv.model.Location`: 1-based lines, 0-based columns counted
in characters.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, Literal, TypeAlias

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from least_priv.infra import codes
from least_priv.model import Finding, Location, Severity

#: A path from the document root to a node: mapping keys (str) and list indexes (int).
NodePath: TypeAlias = tuple[str | int, ...]
Format: TypeAlias = Literal["yaml", "json"]

# Short-form tag -> long-form key. From the CloudFormation "Intrinsic function reference"
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
SHORT_FORM_TAGS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Equals": "Fn::Equals",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Not": "Fn::Not",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
    "!ForEach": "Fn::ForEach",
}

# Tags whose operand must be a scalar (a logical id, a name); the others take any shape.
_SCALAR_ONLY = frozenset({"!Ref", "!Condition", "!ImportValue", "!GetAZs", "!Base64"})

_YAML_STR = "tag:yaml.org,2002:str"
_YAML_MERGE = "tag:yaml.org,2002:merge"
_YAML_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_YAML_BINARY = "tag:yaml.org,2002:binary"

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Deeper nesting is malformed or hostile input; readers recurse, so it is cut here.
MAX_DEPTH = 100
#: How many nodes YAML aliases may add by repetition ("billion laughs" input).
ALIAS_BUDGET = 200_000


class ParsedDocument:
    """A parsed YAML/JSON document: plain data, findings, and node positions.

    ``data`` is None when the text does not parse at all (the reason is in ``findings``) or
    is empty. Positions of JSON documents are computed on first use, so a caller that never
    asks for a location pays nothing for them on large Terraform plans.
    """

    __slots__ = ("_json_indexed", "_keys", "_values", "data", "findings", "format", "path", "text")

    def __init__(
        self,
        path: str,
        text: str,
        fmt: Format,
        data: Any,
        findings: Sequence[Finding],
        values: dict[NodePath, tuple[int, int]] | None = None,
        keys: dict[NodePath, tuple[int, int]] | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.format: Format = fmt
        self.data: Any = data
        self.findings: tuple[Finding, ...] = tuple(findings)
        self._values = values if values is not None else {}
        self._keys = keys if keys is not None else {}
        self._json_indexed = fmt != "json" or data is None

    def __repr__(self) -> str:
        return f"ParsedDocument({self.path!r}, format={self.format!r})"

    def _index(self) -> None:
        if not self._json_indexed:
            self._json_indexed = True
            index = _JsonIndex(self.text)
            index.walk()
            self._values, self._keys = index.values, index.keys

    def exact_location(self, path: Iterable[str | int]) -> Location | None:
        """Where the node at ``path`` starts, or None if that exact node is not in the text."""
        self._index()
        pos = self._values.get(tuple(path))
        return None if pos is None else Location(self.path, pos[0], pos[1])

    def location(self, path: Iterable[str | int] = ()) -> Location:
        """Where the node at ``path`` starts; falls back to its nearest ancestor in the text.

        Nodes created by the reader rather than written by the user (the list inside a
        converted ``!GetAtt A.b``, keys inherited through a YAML merge) resolve to the
        element they were made from, so a finding always lands on a real line.
        """
        self._index()
        p = tuple(path)
        while True:
            pos = self._values.get(p)
            if pos is not None:
                return Location(self.path, pos[0], pos[1])
            if not p:
                return Location(self.path, 1, 0)
            p = p[:-1]

    def key_location(self, path: Iterable[str | int]) -> Location:
        """Where the mapping key that names ``path`` starts (else :meth:`location`).

        Block-style YAML puts a nested mapping on the line after its key; a finding about
        "this property" usually reads better on the key's line.
        """
        self._index()
        p = tuple(path)
        pos = self._keys.get(p)
        if pos is not None:
            return Location(self.path, pos[0], pos[1])
        return self.location(p)

    def get(self, path: Iterable[str | int], default: Any = None) -> Any:
        """The plain value at ``path``, or ``default`` when any step is missing."""
        return lookup(self.data, path, default)


def lookup(node: Any, path: Iterable[str | int], default: Any = None) -> Any:
    """``node[k1][k2]...`` through dicts (str keys) and lists (int indexes); ``default`` as
    soon as a step is missing or of the wrong kind."""
    for step in path:
        in_dict = isinstance(step, str) and isinstance(node, dict) and step in node
        in_list = (
            isinstance(step, int)
            and not isinstance(step, bool)
            and isinstance(node, list)
            and 0 <= step < len(node)
        )
        if not (in_dict or in_list):
            return default
        node = node[step]
    return node


def parse_file(path: str | Path, *, fmt: Format | None = None) -> ParsedDocument:
    """Read and parse ``path`` (YAML or JSON, detected by suffix then content).

    The path is recorded in locations as given, so findings print the way the user typed it.
    """
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _failed(shown, fmt, f"cannot read file: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _failed(shown, fmt, f"file is not UTF-8 text (byte {exc.start})")
    return parse_text(text, shown, fmt=fmt)


def parse_text(text: str, path: str = "<text>", *, fmt: Format | None = None) -> ParsedDocument:
    """Parse ``text`` as YAML or JSON; ``path`` is only used in locations.

    Without ``fmt``, a ``.json`` path or text starting with ``{``/``[`` is read as JSON;
    anything else is YAML. JSON that fails to parse in a file not named ``.json`` gets a
    second chance as YAML (a YAML flow mapping also starts with ``{``).
    """
    if fmt is None:
        looks_json = text.lstrip().startswith(("{", "["))
        if path.lower().endswith(".json"):
            return _parse_json(text, path)
        if looks_json:
            doc = _parse_json(text, path)
            if doc.data is not None:
                return doc
            yaml_doc = _parse_yaml(text, path)
            return yaml_doc if yaml_doc.data is not None else doc
        return _parse_yaml(text, path)
    return _parse_json(text, path) if fmt == "json" else _parse_yaml(text, path)


def _failed(path: str, fmt: Format | None, message: str) -> ParsedDocument:
    loc = Location(path)
    found = codes.finding(codes.UNREADABLE_FILE, loc, message, Severity.ERROR)
    return ParsedDocument(path, "", fmt or "yaml", None, [found])


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------


def _parse_yaml(text: str, path: str) -> ParsedDocument:
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column) if mark else Location(path)
        problem = exc.problem or exc.context or "invalid YAML"
        found = codes.finding(codes.SYNTAX_ERROR, loc, f"YAML syntax: {problem}", Severity.ERROR)
        return ParsedDocument(path, text, "yaml", None, [found])
    except yaml.YAMLError as exc:
        found = codes.finding(codes.SYNTAX_ERROR, Location(path), f"YAML: {exc}", Severity.ERROR)
        return ParsedDocument(path, text, "yaml", None, [found])
    if root is None:
        return ParsedDocument(path, text, "yaml", None, [])
    converter = _YamlConverter(path)
    data = converter.convert(root, ())
    return ParsedDocument(
        path, text, "yaml", data, converter.findings, converter.values, converter.keys
    )


class _YamlConverter:
    """Turns a composed PyYAML node tree into plain data, recording every node's start."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.values: dict[NodePath, tuple[int, int]] = {}
        self.keys: dict[NodePath, tuple[int, int]] = {}
        self._scalars = SafeConstructor()
        self._memo: dict[int, tuple[Any, int]] = {}
        self._active: set[int] = set()
        self._count = 0
        self._expanded = 0
        self._limited: set[str] = set()

    def _at(self, node: Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column)

    def _report(self, code: str, node: Node, message: str, severity: Severity) -> None:
        self.findings.append(codes.finding(code, self._at(node), message, severity))

    def convert(self, node: Node, path: NodePath) -> Any:
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column)
        self._count += 1
        if isinstance(node, ScalarNode):
            return self._node(node, path)
        # Collections can be shared through aliases: convert each once, guard the rest.
        key = id(node)
        if len(path) > MAX_DEPTH:
            return self._limit(node, "depth", f"nesting deeper than {MAX_DEPTH} levels")
        if key in self._active:
            return self._limit(node, "cycle", "a YAML alias that contains itself")
        memo = self._memo.get(key)
        if memo is not None:
            # Readers walk a shared subtree at every place it is used: count it each time.
            self._count += memo[1]
            self._expanded += memo[1]
            if self._expanded > ALIAS_BUDGET:
                return self._limit(node, "aliases", "YAML aliases that expand too far")
            return memo[0]
        self._active.add(key)
        before = self._count
        try:
            value = self._node(node, path)
        finally:
            self._active.discard(key)
        self._memo[key] = (value, self._count - before)
        return value

    def _limit(self, node: Node, kind: str, what: str) -> None:
        if kind not in self._limited:
            self._limited.add(kind)
            self._report(codes.TOO_DEEP, node, f"{what}; read as empty", Severity.ERROR)
        return None

    def _node(self, node: Node, path: NodePath) -> Any:
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!") and tag != "!":
            return self._tagged(node, path, tag)
        if not tag.startswith("tag:yaml.org,2002:") and tag != "!":
            self._report(
                codes.UNKNOWN_TAG,
                node,
                f"unknown YAML tag {tag}; its value is read as if it were untagged",
                Severity.WARNING,
            )
        return self._plain(node, path)

    def _plain(self, node: Node, path: NodePath) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, SequenceNode):
            return [self.convert(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return self._mapping(node, path)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        # Timestamps stay strings: "AWSTemplateFormatVersion: 2010-09-09" is a version name,
        # and no template field wants a datetime. Binary stays its base64 text.
        if tag in (_YAML_STR, _YAML_TIMESTAMP, _YAML_BINARY, "!") or not tag.startswith(
            "tag:yaml.org,2002:"
        ):
            return node.value
        build = SafeConstructor.yaml_constructors.get(tag)
        if build is None:
            return node.value
        try:
            return build(self._scalars, node)
        except (ValueError, yaml.YAMLError):
            return node.value

    def _key(self, node: Node) -> str | None:
        if isinstance(node, ScalarNode):
            if node.tag.startswith("!") and not node.tag.startswith("!!"):
                self._report(
                    codes.UNSUPPORTED_KEY,
                    node,
                    f"tagged mapping key {node.tag} {node.value!r} is read as a plain string",
                    Severity.WARNING,
                )
            # Keys stay as written: CloudFormation keys are strings, and "200:" or "true:"
            # in a YAML template mean the text, not a number or a boolean.
            return str(node.value)
        self._report(
            codes.UNSUPPORTED_KEY,
            node,
            "a mapping key must be a plain scalar; this entry is skipped",
            Severity.ERROR,
        )
        return None

    def _mapping(self, node: MappingNode, path: NodePath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merges: list[Node] = []
        explicit: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _YAML_MERGE:
                merges.append(value_node)
            else:
                explicit.append((key_node, value_node))
        if merges:
            out.update(self._merged(merges, path))
        seen: dict[str, Node] = {}
        for key_node, value_node in explicit:
            key = self._key(key_node)
            if key is None:
                continue
            if key in seen:
                first = seen[key]
                self._report(
                    codes.DUPLICATE_KEY,
                    key_node,
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); "
                    "CloudFormation rejects this, other readers keep the last one",
                    Severity.ERROR,
                )
            seen[key] = key_node
            child = (*path, key)
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column)
            out.pop(key, None)  # an explicit key overrides a merged one, in its own place
            out[key] = self.convert(value_node, child)
        return out

    def _merged(self, sources: list[Node], path: NodePath) -> dict[str, Any]:
        """YAML merge keys (``<<: *defaults``): earlier sources win, explicit keys win last."""
        flat: list[Node] = []
        for source in sources:
            if isinstance(source, SequenceNode):
                flat.extend(source.value)
            else:
                flat.append(source)
        out: dict[str, Any] = {}
        for source in reversed(flat):
            if not isinstance(source, MappingNode):
                self._report(
                    codes.BAD_INTRINSIC,
                    source,
                    "a YAML merge key (<<) must name a mapping; ignored",
                    Severity.ERROR,
                )
                continue
            out.update(self._mapping(source, path))
        return out

    def _tagged(self, node: Node, path: NodePath, tag: str) -> Any:
        long_form = SHORT_FORM_TAGS.get(tag)
        if long_form is None:
            self._report(
                codes.UNKNOWN_TAG,
                node,
                f"unknown YAML tag {tag}; not a CloudFormation short form, read as untagged",
                Severity.WARNING,
            )
            return self._plain(node, path)
        inner = (*path, long_form)
        self.keys[inner] = self.values[inner] = self.values[path]
        if isinstance(node, ScalarNode):
            text = node.value
            if tag == "!GetAtt":
                return {long_form: self._getatt(node, text)}
            return {long_form: text}
        if tag in _SCALAR_ONLY:
            shape = "list" if isinstance(node, SequenceNode) else "mapping"
            self._report(
                codes.BAD_INTRINSIC,
                node,
                f"{tag} takes a single name, not a {shape}",
                Severity.ERROR,
            )
        return {long_form: self._plain(node, inner)}

    def _getatt(self, node: ScalarNode, text: str) -> list[str]:
        logical_id, dot, attribute = text.partition(".")
        if not dot or not logical_id or not attribute:
            self._report(
                codes.BAD_INTRINSIC,
                node,
                f"!GetAtt {text!r} should be LogicalId.Attribute",
                Severity.ERROR,
            )
            return [text]
        return [logical_id, attribute]


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def _parse_json(text: str, path: str) -> ParsedDocument:
    duplicates = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        out = dict(items)
        if len(out) != len(items):
            duplicates = True
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        loc = Location(path, exc.lineno, exc.colno - 1)
        found = codes.finding(codes.SYNTAX_ERROR, loc, f"JSON syntax: {exc.msg}", Severity.ERROR)
        return ParsedDocument(path, text, "json", None, [found])
    except RecursionError:
        found = codes.finding(
            codes.SYNTAX_ERROR, Location(path), "JSON nested too deeply to read", Severity.ERROR
        )
        return ParsedDocument(path, text, "json", None, [found])
    findings: list[Finding] = []
    if _deeper_than(data, MAX_DEPTH):
        data = _truncated(data, MAX_DEPTH)
        message = f"nesting deeper than {MAX_DEPTH} levels; read as empty"
        findings.append(codes.finding(codes.TOO_DEEP, Location(path), message, Severity.ERROR))
    if not duplicates:
        return ParsedDocument(path, text, "json", data, findings)
    index = _JsonIndex(text)
    index.walk()
    findings += [
        codes.finding(
            codes.DUPLICATE_KEY,
            Location(path, line, column),
            f"duplicate key {key!r}; CloudFormation rejects this, JSON readers keep the last one",
            Severity.ERROR,
        )
        for key, (line, column) in index.duplicates
    ]
    return ParsedDocument(path, text, "json", data, findings, index.values, index.keys)


_WS = re.compile(r"[ \t\n\r]*")
_BRACKETS = re.compile(r'[\[\]{}"]')


def _skip_collection(text: str, idx: int) -> int:
    """The end of the JSON array/object starting at ``idx``, without recursion."""
    depth = 0
    while True:
        match = _BRACKETS.search(text, idx)
        if match is None:  # pragma: no cover - json.loads accepted this text
            return len(text)
        char = match.group()
        if char == '"':
            idx = int(scanstring(text, match.end())[1])
            continue
        depth += 1 if char in "[{" else -1
        idx = match.end()
        if depth == 0:
            return idx


def _deeper_than(data: Any, limit: int) -> bool:
    """True when ``data`` nests deeper than ``limit`` (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def _truncated(data: Any, limit: int, depth: int = 0) -> Any:
    """``data`` with every collection deeper than ``limit`` replaced by None."""
    if not isinstance(data, dict | list):
        return data
    if depth > limit:
        return None
    if isinstance(data, dict):
        return {key: _truncated(value, limit, depth + 1) for key, value in data.items()}
    return [_truncated(value, limit, depth + 1) for value in data]


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


class _JsonIndex:
    """Walks JSON text that ``json.loads`` already accepted, recording where nodes start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: dict[NodePath, tuple[int, int]] = {}
        self.keys: dict[NodePath, tuple[int, int]] = {}
        self.duplicates: list[tuple[str, tuple[int, int]]] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def _skip(self, idx: int) -> int:
        match = _WS.match(self.text, idx)
        return match.end() if match else idx

    def walk(self) -> None:
        self._value(self._skip(0), ())

    def _value(self, idx: int, path: NodePath) -> int:
        self.values[path] = self._pos(idx)
        text = self.text
        char = text[idx]
        if len(path) >= MAX_DEPTH and char in "[{":
            return _skip_collection(text, idx)  # the reader cut this part anyway
        if char == "{":
            return self._object(idx + 1, path)
        if char == "[":
            return self._array(idx + 1, path)
        if char == '"':
            return int(scanstring(text, idx + 1)[1])
        for literal in _LITERALS:
            if text.startswith(literal, idx):
                return idx + len(literal)
        match = _NUMBER.match(text, idx)
        if match is None:  # pragma: no cover - json.loads accepted this text
            raise AssertionError(f"unexpected JSON at offset {idx}")
        return match.end()

    def _object(self, idx: int, path: NodePath) -> int:
        seen: set[str] = set()
        idx = self._skip(idx)
        if self.text[idx] == "}":
            return idx + 1
        while True:
            key_start = idx
            key, idx = scanstring(self.text, idx + 1)
            child = (*path, key)
            if key in seen:
                self.duplicates.append((key, self._pos(key_start)))
            seen.add(key)
            self.keys[child] = self._pos(key_start)
            idx = self._skip(self._skip(idx) + 1)  # past ':'
            idx = self._skip(self._value(idx, child))
            if self.text[idx] == "}":
                return idx + 1
            idx = self._skip(idx + 1)  # past ','

    def _array(self, idx: int, path: NodePath) -> int:
        idx = self._skip(idx)
        if self.text[idx] == "]":
            return idx + 1
        i = 0
        while True:
            idx = self._skip(self._value(idx, (*path, i)))
            i += 1
            if self.text[idx] == "]":
                return idx + 1
            idx = self._skip(idx + 1)
