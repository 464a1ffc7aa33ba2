"""End-to-end proof on moto: the generated policy is sufficient, and which parts are needed.

Usage::

    .venv/bin/python benchmarks/prove.py [--case NAME ...] [--policy generated|expected]
                                          [--endpoint URL] [--json FILE]

For every corpus case with a ``prove.json`` (the cases whose handler runs with boto3 alone and
whose services moto serves), the harness:

1. starts moto in server mode on 127.0.0.1 (or uses ``--endpoint``), resets it, and creates
   the resources the case's template declares (``declared_resources``) plus the seed data and
   deploy-time values of ``prove.json`` (``setup`` steps, run with IAM enforcement off);
   ``prove.json`` also lists realistic ``events``, invoked in order (one per route or
   branch, so that the run exercises the whole handler);
2. creates an IAM user whose only permission is the policy under test, translated for moto's
   quirks by ``_moto_translate`` (the tool's output itself is never changed), then switches
   IAM enforcement on;
3. imports the handler fresh and calls it in-process with the case's events, boto3
   pointed at moto through the standard variables (``AWS_ENDPOINT_URL``, keys, region) and
   its default session reset; the handler code is not modified;
4. **sufficiency**: the run completes without AccessDenied and the case's post-run checks
   hold (they catch denials an API reports inside a successful response);
5. **calibration**: a run with an empty policy must be denied; when it is not, the handler
   made no call moto enforces and the table says the proof is vacuous for that case;
6. **minimality**: for every action of the policy, a run without it either fails with
   AccessDenied (``needed``) or does not (``not exercised``: this event does not use it, or
   moto does not check it, e.g. configuration permissions such as CloudWatch Logs).

What the proof covers per service is reported: action level everywhere moto enforces IAM,
resource level only for S3 and SQS (``_moto_translate.RESOURCE_CHECKED``). Conditions and
resource scoping elsewhere are checked by the project's own evaluator, not here. moto's
signature re-check of non-S3 requests is switched off while proving (it rejects valid
REST GETs); authentication by access key and the action check stay on.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import re
import socket
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import _moto_translate  # noqa: E402  (sibling module of this script)
import accuracy  # noqa: E402

ACCOUNT = "123456789012"  # moto's default account, and the corpus's
REGION = "us-east-1"
PROOF_USER = "lambda-proof"
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",
        "AuthorizationErrorException",
        "UnauthorizedOperation",
    }
)
_ADMIN_KEYS = {"aws_access_key_id": "proofadmin", "aws_secret_access_key": "proofadmin"}
_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class ProveError(ValueError):
    """A malformed ``prove.json``."""


@dataclass(frozen=True)
class ProveSpec:
    """How to deploy and invoke one case on moto (``prove.json``)."""

    events: tuple[dict[str, Any], ...]
    env: dict[str, str] = field(default_factory=dict)
    setup: tuple[dict[str, Any], ...] = ()
    checks: tuple[dict[str, Any], ...] = ()


def load_spec(case: accuracy.Case) -> ProveSpec | None:
    """The case's ``prove.json``, or None when the case is not eligible for the moto proof.

    ``env`` holds the function's environment as the deployment resolves it (queue URLs,
    ARNs), and may use ``${NAME}`` for values saved by ``setup`` steps. Each setup step is
    ``{"client": "s3", "call": "put_object", "params": {...}, "save": {"NAME": "a.b"}}``.
    ``checks`` run after the handler with enforcement off, ``{"client", "call", "params",
    "path", "equals"}``: they catch denials an API reports without raising (DeleteObjects
    lists per-key AccessDenied in its response, SNS PublishBatch in ``Failed``).
    """
    path = case.directory / "prove.json"
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    events = raw.get("events") if isinstance(raw, dict) else None
    if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
        raise ProveError(f"{case.name}: prove.json needs a non-empty 'events' list")
    unknown = sorted(set(raw) - {"events", "env", "setup", "checks"})
    if unknown:
        raise ProveError(f"{case.name}: unknown prove.json keys {unknown}")
    env = raw.get("env", {})
    setup = raw.get("setup", [])
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise ProveError(f"{case.name}: 'env' must map names to strings")
    if not isinstance(setup, list):
        raise ProveError(f"{case.name}: 'setup' must be a list")
    checks = raw.get("checks", [])
    if not isinstance(checks, list):
        raise ProveError(f"{case.name}: 'checks' must be a list")
    for step in setup:
        if not isinstance(step, dict) or not {"client", "call"} <= set(step):
            raise ProveError(f"{case.name}: setup step needs 'client' and 'call': {step!r}")
    for check in checks:
        if not isinstance(check, dict) or not {"client", "call", "path", "equals"} <= set(check):
            raise ProveError(f"{case.name}: check needs client, call, path, equals: {check!r}")
    return ProveSpec(events=tuple(events), env=env, setup=tuple(setup), checks=tuple(checks))


# ---------------------------------------------------------------------------------------------
# moto
# ---------------------------------------------------------------------------------------------


class Moto:
    """A moto server endpoint plus the switches the proof needs (reset, IAM enforcement)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._admins: dict[str, Any] = {}

    def _post(self, path: str, data: bytes = b"") -> None:
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def reset(self) -> None:
        """Forget every resource of every service (IAM included)."""
        self._post("/moto-api/reset")

    def enforce_iam(self, on: bool) -> None:
        """Switch moto's IAM enforcement on (from the next request) or off."""
        self._post("/moto-api/reset-auth", b"0" if on else b"inf")

    def admin(self, service: str) -> Any:
        """A client that is only used while enforcement is off (setup, principal creation)."""
        if service not in self._admins:
            import boto3

            session = boto3.session.Session(
                region_name=REGION, botocore_session=_botocore_session(), **_ADMIN_KEYS
            )
            self._admins[service] = session.client(service, endpoint_url=self.url)
        return self._admins[service]


@cache
def _shared_loader() -> Any:
    import botocore.loaders

    return botocore.loaders.create_loader()


def _botocore_session() -> Any:
    """A new botocore session (no cached credentials) sharing one data loader.

    Loading endpoints and service models dominates a run; sharing the loader's cache keeps
    every session fresh where it matters (credentials from the environment) without paying
    for the JSON again.
    """
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _shared_loader())
    return session


@contextlib.contextmanager
def moto_server() -> Iterator[Moto]:
    """A moto server on 127.0.0.1 for the duration of the block."""
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs a line per request and a traceback for every action moto lacks; the
    # harness reports those failures itself.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield Moto(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@contextlib.contextmanager
def _signature_recheck_off() -> Iterator[None]:
    # moto re-signs non-S3 requests to compare signatures and gets REST GETs wrong; the proof
    # is about authorisation, so that one check is disabled while proving and restored after.
    from moto.iam.access_control import IAMRequest

    original = IAMRequest.check_signature
    IAMRequest.check_signature = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        IAMRequest.check_signature = original  # type: ignore[method-assign]


# ---------------------------------------------------------------------------------------------
# Deploying a case
# ---------------------------------------------------------------------------------------------


def _sub(value: object, parameters: Mapping[str, str]) -> str | None:
    """A template string value: literals and ``Fn::Sub`` over parameter defaults only.

    A plain string that still holds ``${...}`` (a serverless.yml variable) is not a name.
    """
    if isinstance(value, str):
        return None if "${" in value else value
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        names = _VAR.findall(text)
        if all(n in parameters for n in names):
            return _VAR.sub(lambda m: parameters[m.group(1)], text)
    return None


@dataclass(frozen=True)
class Declared:
    """A resource the template declares and the harness knows how to create."""

    kind: str  # "bucket" | "table" | "queue" | "topic" | "stream" | "bus" | "secret"
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)


_CFN_KINDS = {
    "AWS::S3::Bucket": ("bucket", "BucketName"),
    "AWS::DynamoDB::Table": ("table", "TableName"),
    "AWS::Serverless::SimpleTable": ("table", "TableName"),
    "AWS::SQS::Queue": ("queue", "QueueName"),
    "AWS::SNS::Topic": ("topic", "TopicName"),
    "AWS::Kinesis::Stream": ("stream", "Name"),
    "AWS::Events::EventBus": ("bus", "Name"),
}
_TF_KINDS = {
    "aws_s3_bucket": ("bucket", "bucket"),
    "aws_dynamodb_table": ("table", "name"),
    "aws_sqs_queue": ("queue", "name"),
    "aws_sns_topic": ("topic", "name"),
    "aws_kinesis_stream": ("stream", "name"),
    "aws_secretsmanager_secret": ("secret", "name"),
}


def _tf_resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _tf_resources(child)


def declared_resources(template: Path) -> list[Declared]:
    """The named resources of a template that the proof creates, in template order.

    Reads CloudFormation/SAM/CDK ``Resources`` (serverless.yml's ``resources.Resources``
    too) and Terraform plans' planned values. Resources without a literal (or
    parameter-default ``!Sub``) name are skipped: CloudFormation would invent the name, and
    the case's ``prove.json`` then names what it needs.
    """
    from least_priv.infra import parse_file

    data = parse_file(template).data
    if not isinstance(data, dict):
        return []
    out: list[Declared] = []
    if "planned_values" in data:
        for res in _tf_resources(data["planned_values"].get("root_module", {})):
            kind = _TF_KINDS.get(str(res.get("type")))
            values = res.get("values") or {}
            if kind and isinstance(values.get(kind[1]), str):
                out.append(Declared(kind[0], values[kind[1]], values))
        return out
    resources = data.get("Resources") or (data.get("resources") or {}).get("Resources") or {}
    parameters = {
        name: str(p["Default"])
        for name, p in (data.get("Parameters") or {}).items()
        if isinstance(p, dict) and "Default" in p
    }
    for res in resources.values():
        if not isinstance(res, dict):
            continue
        kind = _CFN_KINDS.get(str(res.get("Type")))
        props = res.get("Properties") or {}
        name = _sub(props.get(kind[1]), parameters) if kind else None
        if kind and name:
            out.append(Declared(kind[0], name, props))
    return out


def _key_schema(props: Mapping[str, Any]) -> dict[str, Any]:
    if "PrimaryKey" in props:  # AWS::Serverless::SimpleTable
        pk = props["PrimaryKey"]
        kind = {"String": "S", "Number": "N", "Binary": "B"}.get(pk.get("Type", "String"), "S")
        return {
            "KeySchema": [{"AttributeName": pk["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": pk["Name"], "AttributeType": kind}],
        }
    if "hash_key" in props:  # Terraform aws_dynamodb_table
        attrs = {a["name"]: a["type"] for a in props.get("attribute", []) if "name" in a}
        key = props["hash_key"]
        return {
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": attrs.get(key, "S")}],
        }
    schema: dict[str, Any] = {
        "KeySchema": props.get("KeySchema", []),
        "AttributeDefinitions": props.get("AttributeDefinitions", []),
    }
    if props.get("GlobalSecondaryIndexes"):
        schema["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return schema


def create_declared(moto: Moto, declared: Sequence[Declared]) -> None:
    """Create the declared resources in moto (enforcement must be off)."""
    for res in declared:
        if res.kind == "bucket":
            moto.admin("s3").create_bucket(Bucket=res.name)
        elif res.kind == "table":
            moto.admin("dynamodb").create_table(
                TableName=res.name, BillingMode="PAY_PER_REQUEST", **_key_schema(res.properties)
            )
        elif res.kind == "queue":
            attrs = {"FifoQueue": "true"} if res.properties.get("FifoQueue") else {}
            if res.properties.get("ContentBasedDeduplication"):
                attrs["ContentBasedDeduplication"] = "true"
            moto.admin("sqs").create_queue(QueueName=res.name, Attributes=attrs)
        elif res.kind == "topic":
            moto.admin("sns").create_topic(Name=res.name)
        elif res.kind == "stream":
            shards = int(res.properties.get("ShardCount", res.properties.get("shard_count", 1)))
            moto.admin("kinesis").create_stream(StreamName=res.name, ShardCount=shards)
        elif res.kind == "bus":
            moto.admin("events").create_event_bus(Name=res.name)
        elif res.kind == "secret":
            moto.admin("secretsmanager").create_secret(Name=res.name, SecretString="{}")


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _expand(value: Any, saved: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _VAR.sub(lambda m: saved.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_expand(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, saved) for k, v in value.items()}
    return value


def run_setup(moto: Moto, spec: ProveSpec) -> dict[str, str]:
    """Run the case's setup steps; return the values they saved (for ``${NAME}``)."""
    saved: dict[str, str] = {"ENDPOINT": moto.url}
    for step in spec.setup:
        params = _expand(step.get("params", {}), saved)
        response = getattr(moto.admin(step["client"]), step["call"])(**params)
        for name, path in (step.get("save") or {}).items():
            saved[name] = str(_dig(response, path))
    return saved


def create_principal(moto: Moto, policy: Mapping[str, Any]) -> tuple[str, str]:
    """An IAM user whose only permission is ``policy``; returns its access key pair."""
    iam = moto.admin("iam")
    iam.create_user(UserName=PROOF_USER)
    iam.put_user_policy(
        UserName=PROOF_USER, PolicyName="generated", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName=PROOF_USER)["AccessKey"]
    return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


# ---------------------------------------------------------------------------------------------
# Invoking a handler
# ---------------------------------------------------------------------------------------------


class _Context:
    """The parts of the Lambda context object handlers commonly read."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2026/01/01/[$LATEST]proof"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@dataclass(frozen=True)
class Outcome:
    """One handler run: ``ok``, ``denied`` (AccessDenied), ``incomplete`` (the handler
    returned but a check found its work undone: a denial reported inside a response) or
    ``error`` (anything else)."""

    status: str
    detail: str = ""


def _denied(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError, WaiterError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ClientError):
            code = str(current.response.get("Error", {}).get("Code", ""))
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            # moto answers JSON-protocol services with an XML error body, which botocore
            # cannot parse: the code is then just "403" and the real code is in the text.
            if code in DENIED_CODES or (status == 403 and "AccessDenied" in str(current)):
                return True
            if status == 403 and code in ("403", "Forbidden"):  # HEAD: no error body at all
                return True
        if isinstance(current, WaiterError):
            last = current.last_response or {}
            code = str(last.get("Error", {}).get("Code", ""))
            status = last.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in DENIED_CODES or status == 403 or "AccessDenied" in str(last):
                return True
        current = current.__cause__ or current.__context__
    return False


def _module_name(handler: str) -> tuple[str, str]:
    module, _, function = handler.rpartition(".")
    return module.replace("/", "."), function


@contextlib.contextmanager
def _lambda_runtime(case: accuracy.Case, env: Mapping[str, str]) -> Iterator[None]:
    """Environment, import path and a clean boto3 for one in-process invocation."""
    import boto3

    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    before = set(sys.modules)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(key, None)
    os.environ.update(env)
    sys.path[:0] = [str(p) for p in case.paths]
    # A fresh default session, as a new Lambda execution environment has: it reads the
    # credentials from the environment set above on first use.
    boto3.DEFAULT_SESSION = boto3.session.Session(botocore_session=_botocore_session())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
        roots = tuple(str(p) for p in case.paths)
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(roots):
                del sys.modules[name]
        boto3.DEFAULT_SESSION = None


def invoke(
    case: accuracy.Case,
    spec: ProveSpec,
    moto: Moto,
    keys: tuple[str, str],
    saved: Mapping[str, str],
) -> Outcome:
    """Run the case's handler once against moto with the given credentials."""
    assert case.handler is not None
    env = {k: str(_expand(v, saved)) for k, v in spec.env.items()}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": keys[0],
            "AWS_SECRET_ACCESS_KEY": keys[1],
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": moto.url,
            "AWS_LAMBDA_FUNCTION_NAME": case.function or case.name,
        }
    )
    module_name, function = _module_name(case.handler)
    with _lambda_runtime(case, env):
        try:
            handler = getattr(importlib.import_module(module_name), function)
            for event in spec.events:
                handler(_expand(event, saved), _Context(case.function or case.name))
        except Exception as exc:  # the handler's failure is the measurement
            status = "denied" if _denied(exc) else "error"
            return Outcome(status, f"{type(exc).__name__}: {exc}"[:300])
    return Outcome("ok")


# ---------------------------------------------------------------------------------------------
# The proof of one case
# ---------------------------------------------------------------------------------------------


@cache
def _signing_name(client: str) -> str:
    import botocore.session

    model = botocore.session.get_session().get_service_model(client)
    return str(model.signing_name or model.endpoint_prefix)


def translate(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The moto copy of ``policy`` using the catalog's operation mapping."""
    from least_priv.catalog import get_catalog

    cat = get_catalog()
    signing: dict[str, str] = {}

    def spells(action: str, client: str, operation: str) -> bool:
        # Only operations of the action's own service (iam:PassRole and kms:Decrypt are also
        # needed by hundreds of other services' operations), and only those that always
        # need this action (CreateTable needs TagResource only with tags) — unless the
        # operation has no always-required action at all (TransactWriteItems: its per-item
        # actions are all the IAM names moto's single check can stand for).
        if (cat.prefix(client) or "").lower() != action.split(":", 1)[0].lower():
            return False
        info = cat.operation(client, operation)
        required = {a.lower() for a in (info.actions if info else ())}
        return not required or action.lower() in required

    def operations(action: str) -> list[tuple[str, str]]:
        pairs = [(c, op) for c, op in cat.operations_for_action(action) if spells(action, c, op)]
        for client, _ in pairs:
            if client not in signing:
                signing[client] = _signing_name(client)
        return pairs

    # Resolve signing names first so to_moto sees every client of every action.
    for st in policy.get("Statement", []):
        actions = st.get("Action", [])
        for action in [actions] if isinstance(actions, str) else actions:
            operations(action)
    return _moto_translate.to_moto(policy, operations, signing)


# IAM rejects an empty Statement list; GetCallerIdentity needs no permission anyway.
_NOTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
}


@dataclass
class CaseProof:
    """The proof of one case; ``actions`` maps each policy action to its minimality verdict."""

    name: str
    sufficient: bool
    outcome: Outcome
    baseline: str = ""  # outcome status with an empty policy: "ok" means nothing was enforced
    actions: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        return {
            "name": self.name,
            "sufficient": self.sufficient,
            "outcome": {"status": self.outcome.status, "detail": self.outcome.detail},
            "empty_policy": self.baseline,
            "actions": dict(sorted(self.actions.items())),
            "services": dict(sorted(self.services.items())),
            "error": self.error,
        }


def _actions_of(policy: Mapping[str, Any]) -> list[str]:
    found: set[str] = set()
    for st in policy.get("Statement", []):
        actions = st.get("Action", [])
        found.update([actions] if isinstance(actions, str) else actions)
    return sorted(found, key=str.lower)


def run_checks(moto: Moto, spec: ProveSpec, saved: Mapping[str, str]) -> str:
    """Run the post-conditions; return the first failure ("" when all hold)."""
    for check in spec.checks:
        response = getattr(moto.admin(check["client"]), check["call"])(
            **_expand(check.get("params", {}), saved)
        )
        try:
            actual = _dig(response, check["path"])
        except (KeyError, IndexError):
            actual = None
        if actual != check["equals"]:
            return f"{check['call']} {check['path']} = {actual!r}, expected {check['equals']!r}"
    return ""


def run_once(
    case: accuracy.Case, spec: ProveSpec, moto: Moto, policy: Mapping[str, Any]
) -> Outcome:
    """Deploy the case fresh, give the principal ``policy`` (translated), invoke once."""
    moto.enforce_iam(False)
    moto.reset()
    try:
        try:
            if case.template is not None:
                create_declared(moto, declared_resources(case.template))
            saved = run_setup(moto, spec)
            keys = create_principal(moto, translate(policy))
        except Exception as exc:  # a broken deployment is the harness's failure: report it
            return Outcome("error", f"setup: {type(exc).__name__}: {exc}"[:300])
        moto.enforce_iam(True)
        with _signature_recheck_off():
            outcome = invoke(case, spec, moto, keys, saved)
        moto.enforce_iam(False)
        if outcome.status == "ok":
            failed = run_checks(moto, spec, saved)
            if failed:
                return Outcome("incomplete", failed)
        return outcome
    finally:
        moto.enforce_iam(False)


def coverage(actions: Sequence[str]) -> dict[str, str]:
    """What the proof checks for each service prefix of the policy."""
    out: dict[str, str] = {}
    for action in actions:
        prefix = action.split(":", 1)[0].lower()
        if prefix in _moto_translate.RESOURCE_CHECKED:
            out[prefix] = "action+resource"
        else:
            out.setdefault(prefix, "action")
    return out


def prove_case(
    case: accuracy.Case,
    spec: ProveSpec,
    moto: Moto,
    policy: Mapping[str, Any],
    configured: Collection[str] = (),
) -> CaseProof:
    """Sufficiency with the whole policy, then minimality action by action.

    ``configured`` names the actions that only the function's configuration needs (Lambda
    itself uses them: logs, pollers, ENIs ...); an in-process run never exercises those, and
    the verdict says so.
    """
    full = run_once(case, spec, moto, policy)
    actions = _actions_of(policy)
    proof = CaseProof(case.name, full.status == "ok", full, services=coverage(actions))
    if not proof.sufficient:
        return proof
    # Calibration: with no permission at all the run must be denied, unless the handler makes
    # no call that moto enforces; then the proof is vacuous and the table says so.
    proof.baseline = run_once(case, spec, moto, _NOTHING).status
    for action in actions:
        reduced = _moto_translate.without_action(policy, action)
        outcome = run_once(case, spec, moto, reduced)
        verdict = {
            "denied": "needed",
            "incomplete": "needed",
            "ok": "not exercised",
        }.get(outcome.status, f"error: {outcome.detail}")
        if verdict == "not exercised" and action in configured:
            verdict = "not exercised (configuration)"
        proof.actions[action] = verdict
    return proof


def configuration_actions(case: accuracy.Case) -> frozenset[str]:
    """Actions of the generated policy whose only provenance is the function's configuration."""
    from least_priv.api import generate

    out: set[str] = set()
    for fp in generate(accuracy.generate_options(case)).functions:
        for perm in fp.permissions:
            if perm.provenance and all(p.source == "config" for p in perm.provenance):
                out.add(perm.action)
    return frozenset(out)


def policy_for(case: accuracy.Case, which: str) -> dict[str, Any]:
    """The policy under test: the tool's (``generated``) or the hand-written one."""
    if which == "expected":
        data = json.loads((case.directory / "expected.json").read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data
    from least_priv.api import generate

    result = generate(accuracy.generate_options(case))
    statements: list[Any] = []
    for fp in result.functions:
        for doc in fp.documents:
            statements.extend(doc.to_json()["Statement"])  # type: ignore[arg-type]
    return {"Version": "2012-10-17", "Statement": statements}


def render(proofs: Sequence[CaseProof]) -> str:
    """A text table: sufficiency, needed / not exercised counts, coverage per service."""
    width = max([len("function"), *(len(p.name) for p in proofs)])
    head = f"{'function':<{width}}  sufficient  empty-policy  needed  unexercised  coverage"
    lines = [head, "-" * len(head)]
    for p in proofs:
        needed = sum(1 for v in p.actions.values() if v == "needed")
        idle = sum(1 for v in p.actions.values() if v.startswith("not exercised"))
        cover = ", ".join(f"{k}={v}" for k, v in sorted(p.services.items()))
        verdict = "yes" if p.sufficient else f"NO ({p.outcome.status})"
        lines.append(
            f"{p.name:<{width}}  {verdict:<10}  {p.baseline or '-':<12}  {needed:>6}  {idle:>11}"
            f"  {cover}"
        )
    sufficient = sum(1 for p in proofs if p.sufficient)
    vacuous = sorted(p.name for p in proofs if p.baseline == "ok")
    lines.append("-" * len(head))
    lines.append(f"sufficient: {sufficient}/{len(proofs)}")
    lines.append(
        "not denied with an empty policy (nothing moto enforces was called): "
        + (", ".join(vacuous) or "none")
    )
    for p in proofs:
        if not p.sufficient:
            lines.append(f"  {p.name}: {p.outcome.status}: {p.outcome.detail} {p.error}".rstrip())
        for action, verdict in sorted(p.actions.items()):
            if verdict.startswith("error"):
                lines.append(f"  {p.name}: {action}: {verdict}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Prove every eligible case; exit 1 when a policy is not sufficient."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument("--policy", choices=("generated", "expected"), default="generated")
    parser.add_argument("--endpoint", help="use this running moto server instead of a new one")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    cases = [c for c in accuracy.discover() if not args.case or c.name in args.case]
    eligible = [(c, s) for c in cases if (s := load_spec(c)) is not None]
    with contextlib.ExitStack() as stack:
        moto = Moto(args.endpoint) if args.endpoint else stack.enter_context(moto_server())
        proofs: list[CaseProof] = []
        for case, spec in eligible:
            try:
                policy = policy_for(case, args.policy)
            except Exception as exc:  # the tool failing on a case is reported, not hidden
                proofs.append(
                    CaseProof(case.name, False, Outcome("error"), error=f"generate: {exc}")
                )
                continue
            configured = configuration_actions(case) if args.policy == "generated" else ()
            proofs.append(prove_case(case, spec, moto, policy, configured))
    sys.stdout.write(render(proofs))
    if args.json:
        data = {"policy": args.policy, "cases": [p.to_json() for p in proofs]}
        args.json.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0 if all(p.sufficient for p in proofs) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
