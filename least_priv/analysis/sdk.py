"""AWS SDK semantics for the interpreter: sessions, clients, resources, calls, findings.

Where a client comes from (``boto3.client``, sessions, aioboto3/aiobotocore, botocore
sessions, ``resource.meta.client``), what a method call means (operation, paginator, waiter,
presigned URL, injected helper) and how boto3 resources map to operations (sub-resources,
actions, collections, batch actions, waiters, lazy loads) — all driven by the catalog and
boto3's resource models, never by per-service code here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import re
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from least_priv.analysis import codes, library, sdkdata
from least_priv.analysis.values import (
    HOME,
    NOTHING,
    Atom,
    Atoms,
    ClientA,
    CollectionA,
    Const,
    DictA,
    DynamicAttrA,
    LibraryA,
    ListA,
    Opaque,
    Origin,
    PaginatorA,
    ResourceA,
    SdkMethodA,
    ServiceResourceA,
    SessionA,
    Str,
    Unk,
    WaiterA,
    alternatives,
    argument,
    concat,
    derived_opaque,
    derived_unknown,
    keyword,
    literal,
    one,
    replace_placeholder,
    to_value,
    union,
    unknown,
)
from least_priv.model import (
    CallKind,
    CallSite,
    EnvRef,
    Finding,
    Location,
    Part,
    TemplateRef,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from least_priv.analysis.interpreter import Frame

Args = list[Atoms]
Kwargs = list[tuple[str | None, Atoms]]
#: Where a call is: the positioned IR node (resolved lazily) or a plain (line, column).
Loc = tuple[int, int] | list[Any]

_SESSION_FACTORIES = frozenset(
    {
        "boto3.Session",
        "boto3.session.Session",
        "boto3._get_default_session",
        "aioboto3.Session",
        "aioboto3.session.Session",
        "botocore.session.get_session",
        "botocore.session.Session",
        "aiobotocore.session.get_session",
        "aiobotocore.session.AioSession",
        "aiobotocore.session.ClientCreatorContext",
    }
)
_CLIENT_FACTORIES = frozenset({"boto3.client", "aioboto3.client"})
_RESOURCE_FACTORIES = frozenset({"boto3.resource", "aioboto3.resource"})
#: botocore's client configuration; its region_name applies when the factory names none.
_CONFIG_FACTORIES = frozenset(
    {"botocore.config.Config", "botocore.client.Config", "aiobotocore.config.AioConfig"}
)
#: Client attributes and methods that make no request.
_CLIENT_LOCAL = frozenset(
    {
        "meta",
        "exceptions",
        "close",
        "can_paginate",
        "waiter_names",
        "get_available_waiters",
        "__aenter__",
        "__aexit__",
        "__enter__",
        "__exit__",
    }
)


def _texts(atoms: Atoms | None, env: Mapping[str, str]) -> list[str | None]:
    if not atoms:
        return []
    return [known_text(a, env) for a in atoms if not _is_none(a)]


def known_text(atom: Atom, env: Mapping[str, str]) -> str | None:
    """The string an atom holds when it is known, resolving environment references.

    Used where the analysis needs a name to go on (a service, a method, a paginator): there
    ``boto3.client(os.environ["SERVICE"])`` is as good as a literal when ``env`` gives it.
    """
    if not isinstance(atom, Str) or not atom.value.is_string:
        return None
    pieces: list[str] = []
    for part in atom.value.parts:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, EnvRef) and (env.get(part.name) or part.default) is not None:
            pieces.append(env.get(part.name) or part.default or "")
        else:
            return None
    return "".join(pieces) if pieces else None


def _is_none(atom: Atom) -> bool:
    return isinstance(atom, Const) and atom.text == "None"


class SdkSemantics:
    """Mixin for ``Interpreter``: the AWS-specific part of evaluation."""

    calls: set[CallSite]
    findings: set[Finding]
    #: How the SDK object being used was made (credentials, region); see ``Origin``.
    origin: Origin = HOME
    #: Environment values known for the function (IaC or --env), for names the analysis
    #: needs to go on; request parameters keep their EnvRef either way.
    env: Mapping[str, str]
    reported: dict[tuple[str, Location], Finding]
    deferred_unknown_methods: list[str] | None

    # Provided by the interpreter.
    def path_of(self, module: str) -> str:  # pragma: no cover - overridden
        """The path of a module as shown in findings (the interpreter provides it)."""
        raise NotImplementedError

    def position(self, module: str, loc: Loc) -> tuple[int, int]:  # pragma: no cover
        """Line and column of a location (the interpreter provides it)."""
        raise NotImplementedError

    def call_atom(
        self, atom: Atom, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms:  # pragma: no cover - overridden
        """Call a value (the interpreter provides it)."""
        raise NotImplementedError

    # -- reporting --------------------------------------------------------------------------

    def report_unknown_method(self, f: Frame, loc: Loc, message: str) -> None:
        """LP213, unless another alternative of the receiver may still perform the call."""
        if self.deferred_unknown_methods is not None:
            self.deferred_unknown_methods.append(message)
        else:
            self.report(codes.UNKNOWN_METHOD, f, loc, message)

    def report(self, code: str, f: Frame, loc: Loc, message: str) -> None:
        """Record a finding at a place in the current module, once per code and place.

        The same call evaluated in several contexts would otherwise repeat the finding with
        only the description of the untraceable value changing.
        """
        line, column = self.position(f.module, loc)
        found = codes.finding(code, self.path_of(f.module), line, column, message)
        key = (found.code, found.location)
        if key not in self.reported:
            self.reported[key] = found
            self.findings.add(found)

    def emit(
        self,
        service: str,
        operation: str,
        args: list[tuple[str, Atoms]],
        kind: CallKind,
        via: str,
        f: Frame,
        loc: Loc,
    ) -> None:
        """Record a call, once per combination of known alternative argument values.

        A call on an object made with explicit credentials is authorised against another
        identity: it becomes an LP216 note instead of a call of this function's role.
        """
        if self.origin.foreign:
            self.report(
                codes.OTHER_CREDENTIALS,
                f,
                loc,
                f"{service}.{operation} runs with credentials passed explicitly (e.g. from "
                "sts:AssumeRole), so it needs permission on that identity, not on this role",
            )
            return
        names = [name for name, _ in args]
        choices = [alternatives(atoms) for _, atoms in args]
        combos = 1
        for options in choices:
            combos *= len(options)
        if combos > 16:
            choices = [[to_value(atoms)] for _, atoms in args]
        location = Location(self.path_of(f.module), *self.position(f.module, loc))
        for combo in itertools.product(*choices):
            call = CallSite(
                location,
                service,
                operation,
                tuple(sorted(zip(names, combo, strict=True))),
                kind,
                via,
                f.function,
                self.origin.region,
            )
            if kind in (CallKind.HELPER, CallKind.PRESIGN):
                expanded = sdkdata.expand_helper(call)
                if not expanded:
                    self.report(
                        codes.UNKNOWN_METHOD,
                        f,
                        loc,
                        f"{service} `{operation}` with these arguments cannot be mapped to an "
                        "operation (method name not literal or not known)",
                    )
                self.calls.update(dataclasses.replace(c, region=call.region) for c in expanded)
            else:
                self.calls.add(call)

    # -- factories --------------------------------------------------------------------------

    def sdk_external(
        self, dotted: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms | None:
        """Calls of outside code the SDK semantics know (factories, Powertools)."""
        if dotted in _SESSION_FACTORIES:
            return frozenset(SessionA("boto3", o) for o in _origins(HOME, kwargs))
        if dotted in _CLIENT_FACTORIES:
            return self.make(ClientA, args, kwargs, f, loc, HOME)
        if dotted in _RESOURCE_FACTORIES:
            return self.make(ServiceResourceA, args, kwargs, f, loc, HOME)
        if dotted in _CONFIG_FACTORIES:
            region = keyword(kwargs, "region_name")
            kept = (("region", to_value(region)),) if region is not None else ()
            return one(LibraryA("client-config", kept))
        return library.external(self, dotted, args, kwargs, f, loc)

    def make(
        self,
        kind: type[ClientA] | type[ServiceResourceA],
        args: Args,
        kwargs: Kwargs,
        f: Frame,
        loc: Loc,
        origin: Origin,
    ) -> Atoms:
        """A client or service resource for each service name the argument may hold."""
        names = _texts(argument(args, kwargs, 0, "service_name"), self.env)
        out: set[Atom] = set()
        for name in names or [None]:
            if name is not None and not sdkdata.has_client(name):
                self.report(
                    codes.UNKNOWN_CLIENT_NAME,
                    f,
                    loc,
                    f"boto3 has no service named {name!r}; calls on this client are not analysed",
                )
                continue
            out.update(kind(name, o) for o in _origins(origin, kwargs))
        return frozenset(out)

    # -- attributes ---------------------------------------------------------------------------

    def sdk_attribute(self, atom: Atom, name: str, f: Frame, loc: Loc) -> Atoms | None:
        """``atom.name`` for SDK objects; None when ``atom`` is not one."""
        with self._acting_as(atom):
            return self._sdk_attribute(atom, name, f, loc)

    def sdk_method(
        self, atom: Atom, name: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms | None:
        """``atom.name(...)`` for SDK objects; None when ``atom`` is not one."""
        with self._acting_as(atom):
            return self._sdk_method(atom, name, args, kwargs, f, loc)

    def sdk_iterate(self, atom: Atom, f: Frame) -> Atoms:
        """Iterating SDK objects: collections yield resources (and list when bare)."""
        with self._acting_as(atom):
            return self._sdk_iterate(atom, f)

    @contextlib.contextmanager
    def _acting_as(self, atom: Atom) -> Iterator[None]:
        previous = self.origin
        found = getattr(atom, "origin", HOME)
        self.origin = found if isinstance(found, Origin) else HOME
        try:
            yield
        finally:
            self.origin = previous

    def _sdk_attribute(self, atom: Atom, name: str, f: Frame, loc: Loc) -> Atoms | None:
        """What ``sdk_attribute`` does, with the receiver's credentials in effect."""
        if isinstance(atom, ClientA):
            if name == "meta":
                return one(LibraryA("client-meta", _meta_args(atom.service or "", atom.origin)))
            if name in _CLIENT_LOCAL:
                return one(Opaque(f"<client.{name}>"))
            return one(SdkMethodA(atom, name))
        if isinstance(atom, ServiceResourceA | ResourceA):
            return self.resource_attribute(atom, name, f, loc)
        if isinstance(atom, LibraryA) and atom.kind in ("client-meta", "resource-meta"):
            service = dict(atom.args)["service"].text or None
            if name == "client" and atom.kind == "resource-meta":
                return one(ClientA(service, _meta_origin(atom.args)))
            return one(Opaque(f"<meta.{name}>"))
        if isinstance(atom, CollectionA | PaginatorA | WaiterA | SessionA | LibraryA):
            return one(SdkMethodA(atom, name))
        return None

    def sdk_dynamic_attribute(self, atom: Atom, tried: str) -> Atoms | None:
        """``getattr(client, <computed>)``."""
        if isinstance(atom, ClientA | ServiceResourceA | ResourceA):
            service = atom.service
            return one(DynamicAttrA(service, tried))
        return None

    def resource_attribute(
        self, atom: ServiceResourceA | ResourceA, name: str, f: Frame, loc: Loc
    ) -> Atoms:
        """Identifiers, collections, sub-resources, and lazily loaded attributes."""
        if atom.service is None:
            return unknown(f"attribute {name} of a resource of unknown service")
        if name == "meta":
            return one(LibraryA("resource-meta", _meta_args(atom.service, atom.origin)))
        rtype = atom.rtype if isinstance(atom, ResourceA) else ""
        entry = sdkdata.resource_index(atom.service).get(rtype, {}).get(name)
        identifiers = atom.identifiers if isinstance(atom, ResourceA) else ()
        if entry is not None:
            if entry["kind"] == "identifier":
                return one(Str(dict(identifiers).get(entry["name"], Value.unknown(name))))
            if entry["kind"] == "collection":
                via = f"{rtype or atom.service}.{name}"
                return one(
                    CollectionA(
                        atom.service,
                        rtype,
                        entry["name"],
                        identifiers,
                        (),
                        via,
                        True,
                        *self.position(f.module, loc),
                        atom.origin,
                    )
                )
            return one(SdkMethodA(atom, name))
        if name in ("load", "reload", "get_available_subresources") or name.startswith(
            "wait_until"
        ):
            return one(SdkMethodA(atom, name))
        if sdkdata.helper(atom.service, f"{rtype}.{name}") is not None:
            return one(SdkMethodA(atom, name))
        if isinstance(atom, ResourceA):
            load = sdkdata.resource_definition(atom.service, rtype).get("load")
            if load:
                request = load["request"]
                args = self.request_args(request, identifiers, [], [])
                self.emit(
                    atom.service,
                    request["operation"],
                    args,
                    CallKind.RESOURCE,
                    f"{rtype}.{name}",
                    f,
                    loc,
                )
            return one(Str(Value.unknown(f"{rtype}.{name}")))
        return unknown(f"attribute {name}")

    # -- calls on SDK objects -----------------------------------------------------------------

    def sdk_call(self, atom: Atom, args: Args, kwargs: Kwargs, f: Frame, loc: Loc) -> Atoms | None:
        """Calling an SDK value directly (a method taken as a value, a dynamic attribute)."""
        if isinstance(atom, SdkMethodA):
            return self.sdk_method(atom.owner, atom.name, args, kwargs, f, loc) or unknown("call")
        if isinstance(atom, DynamicAttrA):
            self.report(
                codes.DYNAMIC_METHOD,
                f,
                loc,
                f"method of a {atom.service or 'AWS'} client chosen by a computed name "
                f"({atom.tried}); the operation cannot be known and is not in the policy",
            )
            return unknown("dynamic call")
        return None

    def _sdk_method(
        self, atom: Atom, name: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms | None:
        """What ``sdk_method`` does, with the receiver's credentials in effect."""
        if isinstance(atom, SessionA):
            if name in ("client", "create_client"):
                return self.make(ClientA, args, kwargs, f, loc, atom.origin)
            if name == "resource":
                return self.make(ServiceResourceA, args, kwargs, f, loc, atom.origin)
            return one(Opaque(f"<session.{name}()>"))
        if isinstance(atom, ClientA):
            return self.client_method(atom, name, args, kwargs, f, loc)
        if isinstance(atom, PaginatorA):
            if name == "paginate":
                page = self.paginate_or_wait(atom, kwargs, f, loc)
                if page is not None:
                    return one(ListA((page,)))
            return one(Opaque("<page iterator>"))
        if isinstance(atom, WaiterA):
            if name == "wait":
                self.paginate_or_wait(atom, kwargs, f, loc)
            return one(Opaque("<waiter>"))
        if isinstance(atom, ServiceResourceA | ResourceA):
            return self.resource_method(atom, name, args, kwargs, f, loc)
        if isinstance(atom, CollectionA):
            return self.collection_method(atom, name, kwargs, f, loc)
        if isinstance(atom, LibraryA):
            return library.method(self, atom, name, args, kwargs, f, loc)
        if isinstance(atom, SdkMethodA | DynamicAttrA):
            return self.sdk_call(atom, args, kwargs, f, loc)
        if isinstance(atom, Opaque) and atom.dotted.startswith("<response of "):
            return one(Opaque(atom.dotted))
        return None

    def client_method(
        self, client: ClientA, name: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms:
        """``client.name(...)``: an operation, paginator/waiter factory, presign or helper."""
        service = client.service
        if name in _CLIENT_LOCAL:
            return one(Opaque(f"<client.{name}()>"))
        if service is None:
            self.report(
                codes.UNKNOWN_SERVICE,
                f,
                loc,
                f"`{name}` is called on a client whose service name is not known statically; "
                "its permission is not in the policy",
            )
            return unknown("response")
        if name in ("get_paginator", "get_waiter"):
            setting = "operation_name" if name == "get_paginator" else "waiter_name"
            texts = _texts(argument(args, kwargs, 0, setting), self.env)
            kind: type[PaginatorA] | type[WaiterA] = (
                PaginatorA if name == "get_paginator" else WaiterA
            )
            return frozenset(kind(service, t, client.origin) for t in texts or [None])
        named = [(k, v) for k, v in kwargs if k is not None]
        if name == "_make_api_call":
            return self.raw_api_call(client, args, kwargs, f, loc)
        if name == "generate_presigned_url":
            method = argument(args, kwargs, 0, "ClientMethod") or unknown("ClientMethod")
            params = argument(args, kwargs, 1, "Params")
            call_args = [("ClientMethod", method)] + ([("Params", params)] if params else [])
            self.emit(service, name, call_args, CallKind.PRESIGN, "generate_presigned_url", f, loc)
            return one(Str(Value.unknown("presigned URL")))
        info = sdkdata.helper(service, name)
        if info is not None:
            positional = list(zip(info.arguments, args, strict=False))
            if name == "generate_presigned_post":
                # S3 replaces ${filename} in a POST policy's key with the uploaded file's name.
                named = [(k, _uploader_key(v) if k == "Key" else v) for k, v in named]
                positional = [(k, _uploader_key(v) if k == "Key" else v) for k, v in positional]
            self.emit(
                service,
                name,
                positional + [(k, v) for k, v in named if k],
                CallKind.PRESIGN if name.startswith("generate_presigned") else CallKind.HELPER,
                name,
                f,
                loc,
            )
            return one(Opaque(f"<response of {service}.{name}>"))
        operation = sdkdata.operation_for_method(service, name)
        if operation is None:
            self.report_unknown_method(
                f,
                loc,
                f"{service} client has no method `{name}` in the catalog; not in the policy",
            )
            return unknown("response")
        call_args = [(k, v) for k, v in named if k]
        self.emit(service, operation, call_args, CallKind.CLIENT, name, f, loc)
        known = _response(service, operation, dict(call_args), self.origin)
        return known if known is not None else one(Opaque(f"<response of {service}.{name}>"))

    def raw_api_call(
        self, client: ClientA, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms:
        """``client._make_api_call("PutItem", {...})``: botocore's own entry point, which
        takes the operation name and the request as a dict."""
        assert client.service is not None
        names = _texts(argument(args, kwargs, 0, "operation_name"), self.env)
        params = argument(args, kwargs, 1, "api_params")
        dicts = [a for a in params or () if isinstance(a, DictA)]
        call_args: list[tuple[str, Atoms]] = []
        for item_key, item_value in dicts[0].items if len(dicts) == 1 else ():
            key_texts = _texts(item_key, self.env)
            if len(key_texts) == 1 and key_texts[0] is not None:
                call_args.append((key_texts[0], item_value))
        known = {op for op in names if op and sdkdata.operation_info_exists(client.service, op)}
        if not known:
            self.report(
                codes.DYNAMIC_METHOD,
                f,
                loc,
                f"{client.service} _make_api_call with operation {names or '(computed)'} that "
                "the catalog does not know; not in the policy",
            )
        for operation in sorted(known):
            self.emit(
                client.service, operation, call_args, CallKind.CLIENT, "_make_api_call", f, loc
            )
        return unknown("response")

    def paginate_or_wait(
        self, paginator: PaginatorA | WaiterA, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms | None:
        """``paginator.paginate(**params)`` / ``waiter.wait(**params)``: the operation behind it.

        The paginator's or waiter's own settings (PaginationConfig, WaiterConfig) are not
        request parameters. Returns what is known of one page (a response), if anything.
        """
        if isinstance(paginator, PaginatorA):
            what, setting, kind = "paginator", "PaginationConfig", CallKind.PAGINATOR
            via = f"get_paginator({paginator.name}).paginate"
            lookup = sdkdata.paginator_operation
        else:
            what, setting, kind = "waiter", "WaiterConfig", CallKind.WAITER
            via = f"get_waiter({paginator.name}).wait"
            lookup = sdkdata.waiter_operation
        operation = lookup(paginator.service, paginator.name) if paginator.name else None
        if operation is None:
            self.report(
                codes.DYNAMIC_METHOD,
                f,
                loc,
                f"{paginator.service} {what} name {paginator.name or '(computed)'} is not "
                "known; the operation behind it is not in the policy",
            )
            return None
        args = [(k, v) for k, v in kwargs if k and k != setting]
        self.emit(paginator.service, operation, args, kind, via, f, loc)
        return _response(paginator.service, operation, dict(args), self.origin)

    # -- resources ----------------------------------------------------------------------------

    def request_args(
        self,
        request: dict[str, Any],
        identifiers: tuple[tuple[str, Value], ...],
        kwargs: Kwargs,
        extra: list[tuple[str, Atoms]],
    ) -> list[tuple[str, Atoms]]:
        """A resource model request's parameters: identifiers, constants, then the caller's."""
        ids = dict(identifiers)
        out: dict[str, Atoms] = {}
        for param in request.get("params", ()):
            target = re.split(r"[.\[]", param["target"], maxsplit=1)[0]
            source = param.get("source")
            if source == "identifier":
                known = ids.get(param["name"])
                if known is None:
                    continue
                if target == param["target"]:
                    out[target] = one(Str(known))
                else:
                    # Batch actions fill a structure: Delete.Objects[*].Key from each item.
                    head, _, rest = param["target"].replace("[]", "[*]").partition(".")
                    inner = _nested(rest, one(Str(known))) if rest else one(Str(known))
                    out[target] = one(ListA((inner,))) if head.endswith("[*]") else inner
            elif source in ("string", "integer", "boolean"):
                out.setdefault(target, one(Str(Value.literal(str(param.get("value"))))))
        for name, atoms in extra:
            out.setdefault(name, atoms)
        for key, atoms in kwargs:
            if key is not None:
                out[key] = atoms
        return sorted(out.items(), key=lambda kv: kv[0])

    def new_resource(
        self,
        service: str,
        spec: dict[str, Any],
        parent_ids: tuple[tuple[str, Value], ...],
        args: Args,
        kwargs: Kwargs,
        request_args: dict[str, Atoms],
        via: str,
        operation: str = "",
        origin: Origin = HOME,
    ) -> Atoms:
        """The resources a ``has``/action/collection definition produces.

        An identifier given as one of a few known strings (``Table(name)`` in a loop over
        names) gives one resource per string, so each keeps its own name.
        """
        parent = dict(parent_ids)
        choices: list[list[tuple[str, Value]]] = []
        position = 0
        for ident in spec.get("identifiers", ()):
            target = ident["target"]
            source = ident.get("source")
            values: list[Value]
            if source == "identifier":
                values = [parent.get(ident.get("name", ""), Value.unknown(target))]
            elif source == "input":
                given = (
                    args[position]
                    if position < len(args)
                    else keyword(kwargs, sdkdata.snake(target))
                )
                position += 1
                values = alternatives(given) if given is not None else [Value.unknown(target)]
            elif source == "requestParameter":
                path = re.split(r"[.\[]", ident.get("path", ""), maxsplit=1)[0]
                found = request_args.get(path)
                values = alternatives(found) if found is not None else [Value.unknown(target)]
            else:
                derived = _derived_response(
                    service, operation, ident.get("path", ""), request_args, origin
                )
                values = [derived or Value.unknown(f"{target} from the response")]
            choices.append([(target, v) for v in values])
        count = 1
        for options in choices:
            count *= len(options)
        if count > 16:
            # Too many combinations: one resource whose varying identifiers are unknown
            # (broader, never narrower than the truth).
            choices = [
                options if len(options) == 1 else [(options[0][0], Value.unknown("one of several"))]
                for options in choices
            ]
        combos = itertools.product(*choices)
        return frozenset(ResourceA(service, spec["type"], combo, via, origin) for combo in combos)

    def resource_method(
        self,
        atom: ServiceResourceA | ResourceA,
        name: str,
        args: Args,
        kwargs: Kwargs,
        f: Frame,
        loc: Loc,
    ) -> Atoms:
        """Actions, sub-resources, loads, waiters and injected helpers of a resource."""
        service = atom.service
        if service is None:
            self.report(
                codes.UNKNOWN_SERVICE,
                f,
                loc,
                f"`{name}` is called on a resource whose service name is not known statically",
            )
            return unknown("resource")
        rtype = atom.rtype if isinstance(atom, ResourceA) else ""
        identifiers = atom.identifiers if isinstance(atom, ResourceA) else ()
        label = rtype or "ServiceResource"
        entry = sdkdata.resource_index(service).get(rtype, {}).get(name)
        definition = sdkdata.resource_definition(service, rtype)
        if entry is not None and entry["kind"] == "has":
            spec = entry["def"]["resource"]
            return self.new_resource(
                service, spec, identifiers, args, kwargs, {}, f"{label}.{name}", "", atom.origin
            )
        if entry is not None and entry["kind"] == "action":
            request = entry["def"]["request"]
            call_args = self.request_args(request, identifiers, kwargs, [])
            self.emit(
                service,
                request["operation"],
                call_args,
                CallKind.RESOURCE,
                f"{label}.{name}",
                f,
                loc,
            )
            spec = entry["def"].get("resource")
            if spec:
                made = self.new_resource(
                    service,
                    spec,
                    identifiers,
                    [],
                    [],
                    dict(call_args),
                    f"{label}.{name}",
                    request["operation"],
                    atom.origin,
                )
                # A path ending in [] (Queue.receive_messages → Messages[]) returns a list.
                return one(ListA((made,))) if "[]" in spec.get("path", "") else made
            return one(Opaque(f"<response of {service}.{request['operation']}>"))
        if entry is not None and entry["kind"] == "waiter":
            waiter = entry["def"]
            operation = sdkdata.waiter_operation(service, sdkdata.snake(waiter["waiterName"]))
            if operation is not None:
                call_args = self.request_args(waiter, identifiers, kwargs, [])
                self.emit(service, operation, call_args, CallKind.WAITER, f"{label}.{name}", f, loc)
            return one(Const("None"))
        if name in ("load", "reload") and definition.get("load"):
            request = definition["load"]["request"]
            call_args = self.request_args(request, identifiers, [], [])
            self.emit(
                service,
                request["operation"],
                call_args,
                CallKind.RESOURCE,
                f"{label}.{name}",
                f,
                loc,
            )
            return one(Const("None"))
        helper = sdkdata.helper(service, f"{rtype}.{name}")
        if helper is not None:
            names = sdkdata.identifier_params(service, rtype)
            id_args = [(names.get(k, k), one(Str(v))) for k, v in identifiers]
            id_args = [(k, v) for k, v in id_args if k in helper.identifiers]
            positional = list(zip(helper.arguments, args, strict=False))
            named = [(k, v) for k, v in kwargs if k]
            self.emit(
                service,
                f"{rtype}.{name}",
                id_args + positional + named,
                CallKind.HELPER,
                f"{label}.{name}",
                f,
                loc,
            )
            if name == "batch_writer":
                return one(Opaque("<batch writer>"))
            return one(Opaque(f"<response of {label}.{name}>"))
        if name == "get_available_subresources":
            return unknown("sub-resources")
        self.report_unknown_method(
            f,
            loc,
            f"{service} {label} has no action or helper `{name}` in boto3's resource model",
        )
        return unknown("response")

    def collection_method(
        self, coll: CollectionA, name: str, kwargs: Kwargs, f: Frame, loc: Loc
    ) -> Atoms:
        """``all``/``filter``/``limit``/``page_size``/``pages`` list; batch actions act."""
        definition = self.collection_definition(coll)
        if definition is None:
            return unknown("collection")
        if name in ("all", "filter", "limit", "page_size", "iterator", "pages"):
            params = coll.params + tuple(
                (k, to_value(v)) for k, v in kwargs if k is not None and name == "filter"
            )
            via = f"{coll.via}.{name}"
            self.list_collection(coll, params, via, f, loc)
            if name == "pages":
                return one(ListA((self.collection_items(coll, definition),)))
            return one(
                CollectionA(
                    coll.service,
                    coll.owner,
                    coll.name,
                    coll.identifiers,
                    params,
                    via,
                    False,
                    *self.position(f.module, loc),
                    coll.origin,
                )
            )
        item_type = definition.get("resource", {}).get("type", "")
        batch = sdkdata.resource_definition(coll.service, item_type).get("batchActions", {})
        for action_name, action in batch.items():
            if sdkdata.snake(action_name) == name:
                if coll.managed:
                    self.list_collection(coll, coll.params, f"{coll.via}.{name}", f, loc)
                request = action["request"]
                # Batch requests read the identifiers of the items (ObjectSummary.BucketName).
                items = [
                    a for a in self.collection_items(coll, definition) if isinstance(a, ResourceA)
                ]
                item_ids = items[0].identifiers if len(items) == 1 else ()
                args = self.request_args(request, item_ids, kwargs, [])
                args = [(k, v) for k, v in args if k in _top_level_targets(request)]
                self.emit(
                    coll.service,
                    request["operation"],
                    args,
                    CallKind.RESOURCE,
                    f"{coll.via}.{name}",
                    f,
                    loc,
                )
                return one(Opaque("<batch response>"))
        self.report_unknown_method(
            f,
            loc,
            f"{coll.service} collection {coll.name} has no method `{name}` in boto3's "
            "resource model",
        )
        return unknown("collection")

    def collection_definition(self, coll: CollectionA) -> dict[str, Any] | None:
        """The hasMany entry behind a collection."""
        owner = sdkdata.resource_definition(coll.service, coll.owner)
        found: dict[str, Any] | None = owner.get("hasMany", {}).get(coll.name)
        return found

    def list_collection(
        self, coll: CollectionA, params: tuple[tuple[str, Value], ...], via: str, f: Frame, loc: Loc
    ) -> None:
        """The list operation a collection pages through."""
        definition = self.collection_definition(coll)
        if definition is None or "request" not in definition:
            return
        request = definition["request"]
        extra = [(k, one(Str(v))) for k, v in params]
        args = self.request_args(request, coll.identifiers, [], extra)
        self.emit(coll.service, request["operation"], args, CallKind.RESOURCE, via, f, loc)

    def collection_items(self, coll: CollectionA, definition: dict[str, Any]) -> Atoms:
        """The resources a collection yields."""
        spec = definition.get("resource")
        if not spec:
            return unknown("collection item")
        request = definition.get("request", {})
        request_args = dict(
            self.request_args(
                request, coll.identifiers, [], [(k, one(Str(v))) for k, v in coll.params]
            )
        )
        return self.new_resource(
            coll.service,
            spec,
            coll.identifiers,
            [],
            [],
            request_args,
            f"{coll.via}[]",
            request.get("operation", ""),
            coll.origin,
        )

    def _sdk_iterate(self, atom: Atom, f: Frame) -> Atoms:
        """What ``sdk_iterate`` does, with the receiver's credentials in effect."""
        if isinstance(atom, CollectionA):
            definition = self.collection_definition(atom)
            if definition is None:
                return unknown("collection item")
            if atom.managed:
                self.list_collection(atom, atom.params, atom.via, f, (atom.line, atom.column))
            return self.collection_items(atom, definition)
        if isinstance(atom, Opaque):
            return derived_opaque(atom, "[]")
        if isinstance(atom, Unk):
            return derived_unknown("element of", atom)
        return unknown("element")

    def sdk_subscript(self, atom: Atom, index: Atoms, f: Frame) -> Atoms:
        """``atom[index]`` for outside values: responses stay outside values."""
        if isinstance(atom, Opaque):
            return derived_opaque(atom, "[]")
        if isinstance(atom, Unk):
            return derived_unknown("item of", atom)
        return NOTHING

    # -- honesty ------------------------------------------------------------------------------

    def unknown_receiver(self, atom: Unk | Opaque, name: str, f: Frame, loc: Loc) -> None:
        """A call that looks like an AWS operation on a value nobody can trace.

        That is an untraceable value, or an object from code outside the given roots (a
        library returning a client): never objects of the standard library, nor responses.
        """
        if isinstance(atom, Opaque):
            root = atom.dotted.split(".", 1)[0]
            if atom.dotted.startswith("<") or root in sys.stdlib_module_names:
                # Objects the analysis made itself (responses, batch writers) or stdlib ones.
                return
            origin = f"it comes from code outside the analysed roots: {atom.dotted}"
        else:
            origin = atom.reason
        # The regex keeps ordinary method calls (.get, .items, .strip) from loading the
        # catalog's action index at all.
        if _OPERATION_SHAPE.match(name) and name in sdkdata.operation_method_names():
            self.report(
                codes.UNKNOWN_ORIGIN,
                f,
                loc,
                f"`.{name}(...)` looks like an AWS call, but the object it is called on cannot "
                f"be traced to a client ({origin}); not in the policy",
            )


#: Response values whose shape follows from the request: (service, operation, response path)
#: → (request parameter, parts before it, parts after it). Sources: Amazon SQS Developer
#: Guide, "Queue and message identifiers" (a queue URL is
#: https://sqs.<region>.amazonaws.com/<account>/<queue-name>); Amazon S3 API Reference,
#: ListObjectsV2/ListObjects "Prefix" (every key listed begins with the prefix).
#: Stand-ins resolved per call: the client's region, the caller's account.
_CLIENT_REGION = Unknown("<client region>")
_CALLER_ACCOUNT = Unknown("<caller account>")
#: CloudFormation's pseudo parameters (the same records least_priv.infra uses): the policy
#: stage replaces them with the function's region and account.
_PSEUDO_REGION = TemplateRef("AWS::Region")
_PSEUDO_ACCOUNT = TemplateRef("AWS::AccountId")
_QUEUE_URL_PREFIX: tuple[Part, ...] = (
    "https://sqs.",
    _CLIENT_REGION,
    ".amazonaws.com/",
    _CALLER_ACCOUNT,
    "/",
)
_KEY_REST: tuple[Part, ...] = (Unknown("rest of a listed key"),)
_DERIVED_RESPONSES: dict[tuple[str, str, str], tuple[str, tuple[Part, ...], tuple[Part, ...]]] = {
    ("sqs", "GetQueueUrl", "QueueUrl"): ("QueueName", _QUEUE_URL_PREFIX, ()),
    ("sqs", "CreateQueue", "QueueUrl"): ("QueueName", _QUEUE_URL_PREFIX, ()),
    ("s3", "ListObjectsV2", "Contents[].Key"): ("Prefix", (), _KEY_REST),
    ("s3", "ListObjects", "Contents[].Key"): ("Prefix", (), _KEY_REST),
}


def _derived_response(
    service: str, operation: str, path: str, request_args: dict[str, Atoms], origin: Origin
) -> Value | None:
    """A response member whose value follows from the request (a queue URL from its name).

    A queue URL names the region the client talks to and the queue owner's account (the
    caller's unless QueueOwnerAWSAccountId says otherwise).
    """
    rule = _DERIVED_RESPONSES.get((service, operation, path))
    if rule is None or rule[0] not in request_args:
        return None
    given = to_value(request_args[rule[0]])
    if not given.is_string:
        return None
    owner = request_args.get("QueueOwnerAWSAccountId")
    stand_ins: dict[Part, tuple[Part, ...]] = {
        _CLIENT_REGION: origin.region.parts if origin.region is not None else (_PSEUDO_REGION,),
        _CALLER_ACCOUNT: to_value(owner).parts if owner is not None else (_PSEUDO_ACCOUNT,),
    }
    pieces = [stand_ins.get(part, (part,)) for part in rule[1]]
    return concat([*pieces, given.parts, rule[2]])


def _response(
    service: str, operation: str, request_args: dict[str, Atoms], origin: Origin
) -> Atoms | None:
    """What the analysis knows of an operation's response (None: nothing)."""
    shape: Atoms | None = None
    for svc, op, path in _DERIVED_RESPONSES:
        if (svc, op) != (service, operation):
            continue
        value = _derived_response(service, operation, path, request_args, origin)
        if value is not None:
            member = _nested(path.replace("[]", "[*]"), one(Str(value)))
            shape = member if shape is None else union(shape, member)
    return shape


def _nested(path: str, value: Atoms) -> Atoms:
    """``Delete.Objects[*].Key`` = v as dicts and lists: {Delete: {Objects: [{Key: v}]}}."""
    head, _, rest = path.partition(".")
    inner = _nested(rest, value) if rest else value
    if head.endswith("[*]"):
        return one(DictA(((literal(head[:-3]), one(ListA((inner,)))),)))
    return one(DictA(((literal(head), inner),)))


#: The shape of a botocore method name: a verb, then words (``put_item``, ``list_objects_v2``),
#: or one of the one-word operations.
_OPERATION_SHAPE = re.compile(
    r"^[a-z]+_[a-z0-9_]+$|^(invoke|publish|query|scan|converse|decrypt|encrypt|sign|verify)$"
)


def _explicit_credentials(kwargs: Kwargs) -> bool:
    """True when a session/client gets credentials other than the function's own."""
    for key, value in kwargs:
        if key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            own = all(
                isinstance(a, Str)
                and len(a.value.parts) == 1
                and isinstance(a.value.parts[0], EnvRef)
                and a.value.parts[0].name.startswith("AWS_")
                for a in value
            )
            if not own:
                return True
    return False


def _origins(base: Origin, kwargs: Kwargs) -> list[Origin]:
    """``base`` with what a factory call's keywords change: credentials and region.

    ``region_name=None`` is the default region (botocore's), not a region named "None";
    a region that may be one of a few (``region if region else None``) gives one origin
    each, so no region is left out.
    """
    foreign = base.foreign or _explicit_credentials(kwargs)
    region = keyword(kwargs, "region_name")
    if region is None:
        configured = _config_region(kwargs)
        return [Origin(foreign, configured if configured is not None else base.region)]
    regions: set[Value | None] = set()
    for atom in region:
        if isinstance(atom, Const) and atom.text == "None":
            regions.add(base.region)
        else:
            regions.add(to_value(one(atom)))
    return [Origin(foreign, r) for r in sorted(regions, key=repr)]


def _config_region(kwargs: Kwargs) -> Value | None:
    """``config=Config(region_name=...)``: botocore uses it when region_name is not given."""
    config = keyword(kwargs, "config")
    regions = {
        dict(a.args).get("region")
        for a in config or ()
        if isinstance(a, LibraryA) and a.kind == "client-config"
    }
    regions.discard(None)
    if not regions:
        return None
    # Several configurations with different regions: any of them (the policy writes '*').
    return regions.pop() if len(regions) == 1 else Value.unknown("one of several regions")


def _meta_args(service: str, origin: Origin) -> tuple[tuple[str, Value], ...]:
    args = [
        ("foreign", Value.literal("yes" if origin.foreign else "no")),
        ("service", Value.literal(service)),
    ]
    if origin.region is not None:
        args.append(("region", origin.region))
    return tuple(args)


def _meta_origin(args: tuple[tuple[str, Value], ...]) -> Origin:
    known = dict(args)
    return Origin(known["foreign"].text == "yes", known.get("region"))


def _uploader_key(atoms: Atoms) -> Atoms:
    return replace_placeholder(atoms, "${filename}", "file name chosen by the uploader")


def _top_level_targets(request: dict[str, Any]) -> set[str]:
    return {re.split(r"[.\[]", p["target"], maxsplit=1)[0] for p in request.get("params", ())}
