"""Lower a libcst module to the analysis IR: plain JSON-able lists, one per node.

The IR keeps exactly what the interpreter needs (names, attributes, calls with their
arguments, string pieces, assignments, control flow, definitions, imports) and drops the
rest (whitespace, comments, type annotations except dataclass fields). Being plain lists it
is cheap to build, cheap to walk, and serialisable as JSON, so a later run can cache it per
file (issue 9). Calls and attribute loads carry their source position.

Expression nodes (first item is the tag; ``line`` is -1 until positions are resolved)::

    ["name", id]                     ["attr", obj, attr, line, col]
    ["call", func, args, kwargs, site, line, col]   args: [expr | ["star", expr]]
                                              kwargs: [[name | None, expr]]
    ["str", text]  ["num", text]  ["const", "None" | "True" | "False"]
    ["fstr", [text | ["fx", expr, plain]]]   plain: no conversion and no format spec
    ["bin", op, left, right]         ["bool", op, [values]]
    ["sub", obj, index | None]       ["slice", obj, [bounds]]
    ["dict", [[key | None, value]]]  ["list", [items]]
    ["ifexp", test, body, orelse]    ["lambda", params, body, index, line, col]
    ["await", expr]   ["yield", expr | None]   ["yieldfrom", expr]   ["walrus", target, value]
    ["comp", elt, [[target, iter, [ifs]]]]      ["dcomp", key, value, [[target, iter, [ifs]]]]
    ["other", [subexpressions]]

Statements::

    ["assign", [targets], value]  ["augassign", target, value]  ["annassign", target, value]
    ["expr", e]  ["return", e | None]  ["if", test, body, orelse]  ["while", test, body, orelse]
    ["for", target, iter, body, orelse]  ["try", body, [[type, name, body]], orelse, final]
    ["with", [[ctx, target | None]], body]  ["match", subject, [[guard, body]]]
    ["def", {...}]  ["class", {...}]  ["global", [names]]
    ["import", [[dotted, asname | None]]]  ["from", module, level, [[name, asname]] | "*"]
"""

from __future__ import annotations

import ast
from typing import Any

import libcst as cst

from least_priv.analysis.positions import node_positions

IR = list[Any]


class _Lowerer:
    """One module's conversion; collects positioned nodes for a single position pass."""

    def __init__(self) -> None:
        self.positioned: dict[cst.CSTNode, IR] = {}
        self.names: set[str] = set()

    # -- statements -------------------------------------------------------------------------

    def block(self, body: Any) -> list[IR]:
        """The IR of a sequence of statements."""
        out: list[IR] = []
        for stmt in body:
            self.statement(stmt, out)
        return out

    def suite(self, node: cst.BaseSuite) -> list[IR]:
        return self.block(node.body)

    def statement(self, stmt: cst.CSTNode, out: list[IR]) -> None:
        """Append the IR of one statement (a simple line may hold several) to ``out``."""
        if isinstance(stmt, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            for small in stmt.body:
                self.small(small, out)
            return
        handler = getattr(self, "stmt_" + type(stmt).__name__, None)
        if handler is not None:
            out.append(handler(stmt))

    def small(self, node: cst.BaseSmallStatement, out: list[IR]) -> None:
        if isinstance(node, cst.Assign):
            out.append(
                ["assign", [self.expr(t.target) for t in node.targets], self.expr(node.value)]
            )
        elif isinstance(node, cst.Expr):
            out.append(["expr", self.expr(node.value)])
        elif isinstance(node, cst.AnnAssign):
            value = None if node.value is None else self.expr(node.value)
            out.append(["annassign", self.expr(node.target), value])
        elif isinstance(node, cst.AugAssign):
            out.append(["augassign", self.expr(node.target), self.expr(node.value)])
        elif isinstance(node, cst.Return):
            out.append(["return", None if node.value is None else self.expr(node.value)])
        elif isinstance(node, cst.Import):
            out.append(["import", [[_dotted(a.name), _asname(a.asname)] for a in node.names]])
        elif isinstance(node, cst.ImportFrom):
            module = "" if node.module is None else _dotted(node.module)
            names: Any
            if isinstance(node.names, cst.ImportStar):
                names = "*"
            else:
                names = [[_dotted(a.name), _asname(a.asname)] for a in node.names]
            out.append(["from", module, len(node.relative), names])
        elif isinstance(node, cst.Global):
            out.append(["global", [n.name.value for n in node.names]])
        elif isinstance(node, cst.Raise):
            parts = [self.expr(e) for e in (node.exc, node.cause) if e is not None]
            out.append(["expr", ["other", parts]])
        elif isinstance(node, cst.Assert):
            parts = [self.expr(e) for e in (node.test, node.msg) if e is not None]
            out.append(["expr", ["other", parts]])
        elif isinstance(node, cst.Del):
            out.append(["expr", ["other", [self.expr(node.target)]]])

    def stmt_If(self, node: cst.If) -> IR:
        orelse: list[IR] = []
        if isinstance(node.orelse, cst.If):
            orelse = [self.stmt_If(node.orelse)]
        elif isinstance(node.orelse, cst.Else):
            orelse = self.suite(node.orelse.body)
        return ["if", self.expr(node.test), self.suite(node.body), orelse]

    def stmt_While(self, node: cst.While) -> IR:
        orelse = [] if node.orelse is None else self.suite(node.orelse.body)
        return ["while", self.expr(node.test), self.suite(node.body), orelse]

    def stmt_For(self, node: cst.For) -> IR:
        orelse = [] if node.orelse is None else self.suite(node.orelse.body)
        return ["for", self.expr(node.target), self.expr(node.iter), self.suite(node.body), orelse]

    def stmt_Try(self, node: cst.Try | cst.TryStar) -> IR:
        handlers = []
        for h in node.handlers:
            name = None
            if h.name is not None and isinstance(h.name.name, cst.Name):
                name = h.name.name.value
            handlers.append(
                [None if h.type is None else self.expr(h.type), name, self.suite(h.body)]
            )
        orelse = [] if node.orelse is None else self.suite(node.orelse.body)
        final = [] if node.finalbody is None else self.suite(node.finalbody.body)
        return ["try", self.suite(node.body), handlers, orelse, final]

    stmt_TryStar = stmt_Try

    def stmt_With(self, node: cst.With) -> IR:
        items = []
        for item in node.items:
            target = None if item.asname is None else self.expr(item.asname.name)
            items.append([self.expr(item.item), target])
        return ["with", items, self.suite(node.body)]

    def stmt_Match(self, node: cst.Match) -> IR:
        cases = []
        for case in node.cases:
            guard = None if case.guard is None else self.expr(case.guard)
            cases.append([guard, self.suite(case.body)])
        return ["match", self.expr(node.subject), cases]

    def stmt_FunctionDef(self, node: cst.FunctionDef) -> IR:
        return [
            "def",
            {
                "name": node.name.value,
                "params": self.params(node.params),
                "body": self.suite(node.body),
                "decos": [self.expr(d.decorator) for d in node.decorators],
                "line": 0,
            },
        ]

    def stmt_ClassDef(self, node: cst.ClassDef) -> IR:
        return [
            "class",
            {
                "name": node.name.value,
                "bases": [self.expr(a.value) for a in node.bases],
                "body": self.suite(node.body),
                "decos": [self.expr(d.decorator) for d in node.decorators],
            },
        ]

    def params(self, params: cst.Parameters) -> list[IR]:
        out: list[IR] = []
        for p in (*params.posonly_params, *params.params):
            out.append([p.name.value, None if p.default is None else self.expr(p.default), "pos"])
        if isinstance(params.star_arg, cst.Param):
            out.append([params.star_arg.name.value, None, "vararg"])
        for p in params.kwonly_params:
            out.append(
                [p.name.value, None if p.default is None else self.expr(p.default), "kwonly"]
            )
        if params.star_kwarg is not None:
            out.append([params.star_kwarg.name.value, None, "kwarg"])
        return out

    # -- expressions ------------------------------------------------------------------------

    def expr(self, node: cst.CSTNode) -> IR:
        """The IR of an expression (see the module docstring for the shapes)."""
        kind = type(node)
        if kind is cst.Name:
            value = node.value  # type: ignore[attr-defined]
            if value in ("None", "True", "False"):
                return ["const", value]
            self.names.add(value)
            return ["name", value]
        if kind is cst.Attribute:
            self.names.add(node.attr.value)  # type: ignore[attr-defined]
            ir: IR = ["attr", self.expr(node.value), node.attr.value, -1, 0]  # type: ignore[attr-defined]
            self.positioned[node] = ir
            return ir
        if kind is cst.Call:
            args: list[IR] = []
            kwargs: list[IR] = []
            for arg in node.args:  # type: ignore[attr-defined]
                value = self.expr(arg.value)
                if arg.keyword is not None:
                    kwargs.append([arg.keyword.value, value])
                elif arg.star == "**":
                    kwargs.append([None, value])
                elif arg.star == "*":
                    args.append(["star", value])
                else:
                    args.append(value)
            # A number per call site, so instances made at different sites stay apart.
            site = len(self.positioned)
            ir = ["call", self.expr(node.func), args, kwargs, site, -1, 0]  # type: ignore[attr-defined]
            self.positioned[node] = ir
            return ir
        if kind is cst.SimpleString:
            text = node.evaluated_value  # type: ignore[attr-defined]
            if isinstance(text, bytes):
                return ["other", []]
            return ["str", text]
        if kind is cst.ConcatenatedString:
            return [
                "bin",
                "+",
                self.expr(node.left),  # type: ignore[attr-defined]
                self.expr(node.right),  # type: ignore[attr-defined]
            ]
        if kind is cst.FormattedString:
            return ["fstr", self.fstring(node)]  # type: ignore[arg-type]
        if kind is cst.Integer or kind is cst.Float or kind is cst.Imaginary:
            return ["num", node.value]  # type: ignore[attr-defined]
        if kind is cst.BinaryOperation:
            op = {cst.Add: "+", cst.Modulo: "%"}.get(type(node.operator), "?")  # type: ignore[attr-defined]
            return ["bin", op, self.expr(node.left), self.expr(node.right)]  # type: ignore[attr-defined]
        if kind is cst.BooleanOperation:
            op = "or" if isinstance(node.operator, cst.Or) else "and"  # type: ignore[attr-defined]
            return ["bool", op, [self.expr(node.left), self.expr(node.right)]]  # type: ignore[attr-defined]
        if kind is cst.Subscript:
            elements = node.slice  # type: ignore[attr-defined]
            index: IR | None = None
            rest: list[IR] = []
            if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                index = self.expr(elements[0].slice.value)
            elif len(elements) == 1 and isinstance(elements[0].slice, cst.Slice):
                value = self.expr(node.value)  # type: ignore[attr-defined]
                bounds = [self.expr(c) for c in _slice_parts(elements[0].slice)]
                return ["slice", value, bounds]
            else:
                for el in elements:
                    rest.extend(self.expr(c) for c in _slice_parts(el.slice))
            ir = ["sub", self.expr(node.value), index]  # type: ignore[attr-defined]
            return ir if not rest else ["other", [ir, *rest]]
        if kind is cst.Dict:
            items: list[IR] = []
            for el in node.elements:  # type: ignore[attr-defined]
                if isinstance(el, cst.DictElement):
                    items.append([self.expr(el.key), self.expr(el.value)])
                else:
                    items.append([None, self.expr(el.value)])
            return ["dict", items]
        if kind is cst.List or kind is cst.Tuple or kind is cst.Set:
            return ["list", [self.element(el) for el in node.elements]]  # type: ignore[attr-defined]
        if kind is cst.IfExp:
            return [
                "ifexp",
                self.expr(node.test),  # type: ignore[attr-defined]
                self.expr(node.body),  # type: ignore[attr-defined]
                self.expr(node.orelse),  # type: ignore[attr-defined]
            ]
        if kind is cst.Lambda:
            number = len(self.positioned)
            params = self.params(node.params)  # type: ignore[attr-defined]
            ir = ["lambda", params, self.expr(node.body), number, -1, 0]  # type: ignore[attr-defined]
            self.positioned[node] = ir
            return ir
        if kind is cst.Await:
            return ["await", self.expr(node.expression)]  # type: ignore[attr-defined]
        if kind is cst.Yield:
            value = node.value  # type: ignore[attr-defined]
            if isinstance(value, cst.From):
                return ["yieldfrom", self.expr(value.item)]
            return ["yield", None if value is None else self.expr(value)]
        if kind is cst.NamedExpr:
            return ["walrus", self.expr(node.target), self.expr(node.value)]  # type: ignore[attr-defined]
        if kind in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            return ["comp", self.expr(node.elt), self.comp_for(node.for_in)]  # type: ignore[attr-defined]
        if kind is cst.DictComp:
            for_in = self.comp_for(node.for_in)  # type: ignore[attr-defined]
            key = self.expr(node.key)  # type: ignore[attr-defined]
            return ["dcomp", key, self.expr(node.value), for_in]  # type: ignore[attr-defined]
        if kind is cst.StarredElement:
            return ["other", [self.expr(node.value)]]  # type: ignore[attr-defined]
        # Comparisons, unary operators, slices, ellipsis ...: keep sub-expressions so calls
        # inside them are still seen.
        return ["other", [self.expr(c) for c in _expression_children(node)]]

    def element(self, el: cst.BaseElement) -> IR:
        if isinstance(el, cst.StarredElement):
            return ["star", self.expr(el.value)]
        return self.expr(el.value)

    def comp_for(self, node: cst.CompFor) -> list[IR]:
        out: list[IR] = []
        current: cst.CompFor | None = node
        while current is not None:
            ifs = [self.expr(i.test) for i in current.ifs]
            out.append([self.expr(current.target), self.expr(current.iter), ifs])
            current = current.inner_for_in
        return out

    def fstring(self, node: cst.FormattedString) -> list[Any]:
        parts: list[Any] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(_unescape(part.value, node.prefix))
            elif isinstance(part, cst.FormattedStringExpression):
                plain = part.conversion is None and part.format_spec is None
                parts.append(["fx", self.expr(part.expression), plain])
        return parts


def _slice_parts(node: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(node, cst.Index):
        return [node.value]
    if isinstance(node, cst.Slice):
        return [p for p in (node.lower, node.upper, node.step) if p is not None]
    return []


def _expression_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Direct sub-expressions of an expression we do not model, so calls inside count."""
    if isinstance(node, cst.Comparison):
        return [node.left, *(c.comparator for c in node.comparisons)]
    if isinstance(node, cst.UnaryOperation):
        return [node.expression]
    return [c for c in node.children if isinstance(c, cst.BaseExpression)]


def _unescape(text: str, prefix: str) -> str:
    """The value of an f-string's literal piece (source text: doubled braces, escapes)."""
    text = text.replace("{{", "{").replace("}}", "}")
    if "\\" not in text or "r" in prefix.lower():
        return text
    try:
        value = ast.literal_eval('"""' + text.replace('"', '\\"') + '"""')
    except (SyntaxError, ValueError):
        return text
    return value if isinstance(value, str) else text


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return _dotted(node.value) + "." + node.attr.value
    return ""


def _asname(asname: cst.AsName | None) -> str | None:
    if asname is None or not isinstance(asname.name, cst.Name):
        return None
    return asname.name.value


class PendingPositions:
    """Positions of a module's calls, attributes and lambdas, computed on first need.

    Most modules never need one (no AWS call, no finding), so the code generation pass that
    finds positions (about a quarter of the parse time) runs only for those that do. The
    libcst tree is kept until then and released after.
    """

    __slots__ = ("_module", "_nodes")

    def __init__(self, module: cst.Module, nodes: dict[cst.CSTNode, IR]) -> None:
        self._module: cst.Module | None = module
        self._nodes = nodes

    def resolve(self) -> None:
        """Fill line and column into every positioned IR node (idempotent)."""
        if self._module is None:
            return
        positions = node_positions(self._module, self._nodes)
        for node, ir in self._nodes.items():
            ir[-2], ir[-1] = positions.get(node, (0, 0))
        self._module = None
        self._nodes = {}


def lower_module(module: cst.Module) -> tuple[list[IR], frozenset[str], PendingPositions]:
    """The IR statements of ``module``, every name it references (for a cheap "is this
    function used?" test), and its positions to resolve when a location is needed.

    Positioned nodes (calls, attributes, lambdas) hold line ``-1`` until resolved.
    """
    lowerer = _Lowerer()
    body = lowerer.block(module.body)
    return body, frozenset(lowerer.names), PendingPositions(module, lowerer.positioned)
