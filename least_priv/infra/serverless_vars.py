"""serverless.yml variables: ``${self:...}``, ``${opt:...}``, ``${sls:stage}``, ``${env:...}``,
``${param:...}``, ``${file(...):...}``, ``${aws:region}`` and their fallbacks.

Resolution is offline and deterministic: ``${env:NAME}`` is not read from the machine running
least-priv (that would make output depend on who runs it); ``${ssm:...}``, ``${cf:...}``,
``${s3:...}`` need AWS. Those take their fallback (``${env:TABLE, 'orders'}``) or become an
unknown part with an LP412 note. Variables nest (``${self:custom.tables.${sls:stage}}``) and
resolve inside out, as the Serverless Framework does.

A string that is not fully known is kept in the resolved data with *tokens* standing for
its unknown parts; :meth:`Variables.parts` turns such a string back into value parts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from least_priv.infra import codes
from least_priv.infra.cfn_eval import Pieces
from least_priv.infra.parts import ACCOUNT, REGION
from least_priv.infra.positions import NodePath, ParsedDocument, parse_file
from least_priv.model import Finding, Part, Severity, Unknown, join_parts

_INNERMOST = re.compile(r"\$\{([^${}]*)\}")
_TOKEN = re.compile("\x00(\\d+)\x00")
_SOURCE = re.compile(r"^(self|opt|sls|env|param|aws|file\([^)]*\)|ssm|cf|s3|strToBool)")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_KEPT = re.compile("\x01(\\d+)\x01")


class Variables:
    """Resolves the variables of one serverless.yml (``doc``)."""

    def __init__(
        self,
        doc: ParsedDocument,
        *,
        options: Mapping[str, str] | None = None,
        stage: str | None = None,
    ) -> None:
        self.doc = doc
        self.config: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        self.options = dict(options or {})
        if stage is not None:
            self.options["stage"] = stage
        self.findings: set[Finding] = set()
        self._tokens: list[Part] = []
        self._busy: set[str] = set()
        self._files: dict[str, Any] = {}
        self.region: str | None = None
        self.stage = self._stage()
        provider = self.config.get("provider")
        region = provider.get("region") if isinstance(provider, dict) else None
        resolved = self.resolve(region, ("provider", "region")) if isinstance(region, str) else None
        self.region = self.options.get("region") or self.known(resolved)

    # -- public -----------------------------------------------------------------------------

    def resolve(self, node: Any, path: NodePath) -> Any:
        """``node`` with every variable substituted (unknown parts as tokens)."""
        if isinstance(node, str):
            return self._string(node, path)
        if isinstance(node, list):
            return [self.resolve(item, (*path, i)) for i, item in enumerate(node)]
        if isinstance(node, dict):
            return {key: self.resolve(item, (*path, key)) for key, item in node.items()}
        return node

    def parts(self, text: str) -> tuple[Part, ...]:
        """A resolved string as value parts (tokens back to their unknown parts)."""
        out: list[Part] = []
        pos = 0
        for match in _TOKEN.finditer(text):
            out.append(text[pos : match.start()])
            out.append(self._tokens[int(match.group(1))])
            pos = match.end()
        out.append(text[pos:])
        return join_parts(out)

    def pieces(self, node: Any) -> Any:
        """Resolved data with every partly unknown string turned into ``Pieces``, the form
        the CloudFormation evaluator takes as an already evaluated value."""
        if isinstance(node, str):
            return Pieces(self.parts(node)) if _TOKEN.search(node) else node
        if isinstance(node, list):
            return [self.pieces(item) for item in node]
        if isinstance(node, dict):
            return {key: self.pieces(item) for key, item in node.items()}
        return node

    def known(self, text: Any) -> str | None:
        """The resolved string when it has no unknown part."""
        return text if isinstance(text, str) and not _TOKEN.search(text) else None

    def token(self, part: Part) -> str:
        """A token standing for ``part`` inside a resolved string."""
        self._tokens.append(part)
        return f"\x00{len(self._tokens) - 1}\x00"

    # -- internals --------------------------------------------------------------------------

    def _stage(self) -> str:
        if "stage" in self.options:
            return self.options["stage"]
        provider = self.config.get("provider")
        raw = provider.get("stage") if isinstance(provider, dict) else None
        if isinstance(raw, str):
            self.stage = "dev"  # what ${sls:stage} means while provider.stage itself resolves
            resolved = self._string(raw, ("provider", "stage"))
            if isinstance(resolved, str) and not _TOKEN.search(resolved):
                return resolved
        return "dev"

    def _report(self, path: NodePath, message: str) -> None:
        location = self.doc.location(path)
        self.findings.add(
            codes.finding(codes.UNRESOLVED_VARIABLE, location, message, Severity.NOTE)
        )

    def _string(self, text: str, path: NodePath) -> Any:
        """Resolve the variables of one string, innermost first."""
        # ${AWS::Region} and ${LogicalId} are CloudFormation's (Fn::Sub), not the
        # framework's: they are set aside and put back untouched.
        kept: list[str] = []
        # Each pass replaces one ${...} by text without variables, so this many suffice.
        for _ in range(text.count("${") + 1):
            match = _INNERMOST.search(text)
            if match is None:
                break
            if not _is_variable(match.group(1)):
                kept.append(match.group(0))
                replacement = f"\x01{len(kept) - 1}\x01"
                text = text[: match.start()] + replacement + text[match.end() :]
                continue
            value = self._variable(match.group(1), path)
            if match.group(0) == text and not isinstance(value, str):
                return value  # the whole string is one variable holding a list/map/number
            text = text[: match.start()] + _as_text(value, self) + text[match.end() :]
        return _KEPT.sub(lambda m: kept[int(m.group(1))], text) if kept else text

    def _variable(self, body: str, path: NodePath) -> Any:
        """The value of one ``${...}`` body: the first alternative that resolves."""
        alternatives = _split_alternatives(body)
        for alternative in alternatives:
            value = self._alternative(alternative.strip(), path)
            if value is not None:
                return value
        self._report(path, f"${{{body}}} has no value offline and no fallback")
        return self.token(Unknown(f"${{{body}}}"))

    def _alternative(self, text: str, path: NodePath) -> Any:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        if _NUMBER.match(text):
            return text
        if _TOKEN.fullmatch(text):
            return text  # an inner variable that already resolved to an unknown part
        match = _SOURCE.match(text)
        if match is None or (match.end() < len(text) and text[match.end()] != ":"):
            return text or None  # a bare literal fallback: ${opt:stage, dev}
        source, address = match.group(1), text[match.end() + 1 :]
        if _TOKEN.search(address):
            return None
        return self._source(source, address.strip(), path)

    def _source(self, source: str, address: str, path: NodePath) -> Any:
        if source == "self":
            return self._self(address, path)
        if source == "opt":
            return self.options.get(address)
        if source == "sls":
            return self.stage if address == "stage" else None
        if source == "aws":
            if address == "region":
                return self.region if self.region is not None else self.token(REGION)
            if address == "accountId":
                return self.token(ACCOUNT)
            return None
        if source == "param":
            return self._param(address, path)
        if source.startswith("file("):
            return self._file(source[5:-1].strip(), address, path)
        # env, ssm, cf, s3, strToBool: only known at deploy time (or not reproducible)
        return None

    def _self(self, address: str, path: NodePath) -> Any:
        if address in self._busy:
            self._report(path, f"${{self:{address}}} refers to itself")
            return None
        self._busy.add(address)
        try:
            steps = address.split(".") if address else []
            node: Any = self.config
            for i, key in enumerate(steps):
                if isinstance(node, str) and "${" in node:
                    # custom.limits: ${file(limits.yml)} — resolve before looking inside.
                    node = self.resolve(node, tuple(steps[:i]))
                if isinstance(node, dict) and key in node:
                    node = node[key]
                elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                    node = node[int(key)]
                else:
                    return None
            return self.resolve(node, tuple(steps))
        finally:
            self._busy.discard(address)

    def _param(self, name: str, path: NodePath) -> Any:
        if name in self.options:
            return self.options[name]
        params = self.config.get("params")
        if isinstance(params, dict):
            for stage in (self.stage, "default"):
                block = params.get(stage)
                if isinstance(block, dict) and name in block:
                    return self.resolve(block[name], ("params", stage, name))
        return None

    def _file(self, relative: str, address: str, path: NodePath) -> Any:
        relative = relative.strip("'\"")
        if not relative.endswith((".yml", ".yaml", ".json")):
            self._report(path, f"file({relative}) is code, not data; its value is unknown")
            return None
        base = os.path.dirname(self.doc.path)
        full = os.path.normpath(os.path.join(base, relative))
        if full not in self._files:
            parsed = parse_file(full)
            self.findings.update(parsed.findings)
            self._files[full] = parsed.data
        node = self._files[full]
        for key in address.split(".") if address else []:
            node = node.get(key) if isinstance(node, dict) else None
        return self.resolve(node, path) if node is not None else None


def _is_variable(body: str) -> bool:
    """True when ``${body}`` is a framework variable (its first alternative names a source);
    anything else (``AWS::Region``, ``Bucket.Arn``) belongs to CloudFormation."""
    first = _split_alternatives(body)[0].strip()
    match = _SOURCE.match(first)
    return match is not None and (match.end() == len(first) or first[match.end()] == ":")


def _split_alternatives(body: str) -> list[str]:
    """``opt:stage, self:provider.stage, 'dev'`` → its comma-separated alternatives
    (commas inside quotes or ``file(...)`` parentheses do not split)."""
    out: list[str] = []
    depth = 0
    quote = ""
    current: list[str] = []
    for char in body:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            out.append("".join(current))
            current = []
            continue
        current.append(char)
    out.append("".join(current))
    return out


def _as_text(value: Any, variables: Variables) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return variables.token(Unknown("a list or mapping inside a string"))
