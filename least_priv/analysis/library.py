"""Libraries that call AWS on the caller's behalf: Powertools for AWS Lambda (Python).

The table below is data: each entry says which operations a Powertools function, provider
method or constructor performs, and which of its arguments fill which request parameter.

Source: Powertools for AWS Lambda (Python) documentation, docs.powertools.aws.dev/lambda/
python/latest/ — "Parameters" (IAM permissions table: get_parameter → ssm:GetParameter,
get_parameters → ssm:GetParametersByPath, get_parameters_by_name → ssm:GetParameter and
ssm:GetParameters, get_secret → secretsmanager:GetSecretValue, set_parameter →
ssm:PutParameter, set_secret → secretsmanager:PutSecretValue and CreateSecret,
DynamoDBProvider → dynamodb:GetItem / dynamodb:Query, get_app_config/AppConfigProvider →
appconfig:StartConfigurationSession and GetLatestConfiguration), "Idempotency" (required IAM
permissions: dynamodb:GetItem, PutItem, UpdateItem, DeleteItem on the table), "Streaming"
(S3Object: s3:GetObject; it also sends HeadObject for the size, which needs s3:GetObject),
"Feature flags" (AppConfigStore: the same AppConfig data-plane calls) and "Data masking"
(AWSEncryptionSDKProvider: kms:GenerateDataKey to encrypt, kms:Decrypt to decrypt).
Module paths are matched by package and final name, so ``parameters.get_parameter`` and
``parameters.ssm.get_parameter`` are the same entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from least_priv.analysis.values import (
    Atom,
    Atoms,
    DictA,
    LibraryA,
    ListA,
    Opaque,
    Str,
    argument,
    one,
    to_value,
)
from least_priv.model import CallKind, Value

if TYPE_CHECKING:
    from least_priv.analysis.interpreter import Frame
    from least_priv.analysis.sdk import Args, Kwargs, Loc, SdkSemantics

_PREFIX = "aws_lambda_powertools.utilities."


@dataclass(frozen=True, slots=True)
class Op:
    """One operation: request parameter ← (positional index, keyword name) or stored state."""

    service: str
    operation: str
    params: tuple[tuple[str, int, str], ...] = ()  # (request param, position or -1, keyword)
    state: tuple[tuple[str, str], ...] = ()  # (request param, constructor argument kept)


_APPCONFIG = (
    Op(
        "appconfigdata",
        "StartConfigurationSession",
        (("ConfigurationProfileIdentifier", 0, "name"),),
        (("ApplicationIdentifier", "application"), ("EnvironmentIdentifier", "environment")),
    ),
    Op("appconfigdata", "GetLatestConfiguration"),
)
_IDEMPOTENCY = tuple(
    Op("dynamodb", op, (), (("TableName", "table_name"),))
    for op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem")
)

#: Module functions: "package.name" → operations.
FUNCTIONS: dict[str, tuple[Op, ...]] = {
    "parameters.get_parameter": (
        Op("ssm", "GetParameter", (("Name", 0, "name"), ("WithDecryption", -1, "decrypt"))),
    ),
    "parameters.get_parameters": (
        Op("ssm", "GetParametersByPath", (("Path", 0, "path"), ("WithDecryption", -1, "decrypt"))),
    ),
    "parameters.get_parameters_by_name": (
        Op("ssm", "GetParameters", (("Names", 0, "parameters"),)),
        Op("ssm", "GetParameter", (("Name", 0, "parameters"),)),
    ),
    "parameters.get_secret": (Op("secretsmanager", "GetSecretValue", (("SecretId", 0, "name"),)),),
    "parameters.get_app_config": (
        Op(
            "appconfigdata",
            "StartConfigurationSession",
            (
                ("ConfigurationProfileIdentifier", 0, "name"),
                ("EnvironmentIdentifier", 1, "environment"),
                ("ApplicationIdentifier", 2, "application"),
            ),
        ),
        Op("appconfigdata", "GetLatestConfiguration"),
    ),
    "parameters.set_parameter": (Op("ssm", "PutParameter", (("Name", 0, "name"),)),),
    "parameters.set_secret": (
        Op("secretsmanager", "PutSecretValue", (("SecretId", 0, "name"),)),
        Op("secretsmanager", "CreateSecret", (("Name", 0, "name"),)),
    ),
}

#: Constructors: "package.Class" → (object kind, constructor arguments kept, operations the
#: constructor itself implies — for objects whose only purpose is to read AWS).
CONSTRUCTORS: dict[str, tuple[str, tuple[str, ...], tuple[Op, ...]]] = {
    "parameters.SSMProvider": ("ssm-provider", (), ()),
    "parameters.SecretsProvider": ("secrets-provider", (), ()),
    "parameters.DynamoDBProvider": ("dynamodb-provider", ("table_name",), ()),
    "parameters.AppConfigProvider": ("appconfig-provider", ("environment", "application"), ()),
    "idempotency.DynamoDBPersistenceLayer": ("idempotency-dynamodb", ("table_name",), ()),
    "streaming.S3Object": (
        "s3-object",
        ("bucket", "key"),
        (
            Op("s3", "GetObject", (), (("Bucket", "bucket"), ("Key", "key"))),
            Op("s3", "HeadObject", (), (("Bucket", "bucket"), ("Key", "key"))),
        ),
    ),
    "feature_flags.AppConfigStore": (
        "appconfig-store",
        ("environment", "application", "name"),
        (
            Op(
                "appconfigdata",
                "StartConfigurationSession",
                (),
                (
                    ("ApplicationIdentifier", "application"),
                    ("EnvironmentIdentifier", "environment"),
                    ("ConfigurationProfileIdentifier", "name"),
                ),
            ),
            Op("appconfigdata", "GetLatestConfiguration"),
        ),
    ),
    "data_masking.AWSEncryptionSDKProvider": (
        "kms-provider",
        ("keys",),
        (
            Op("kms", "GenerateDataKey", (), (("KeyId", "keys"),)),
            Op("kms", "Decrypt", (), (("KeyId", "keys"),)),
        ),
    ),
}

#: Methods of the objects above: (kind, method) → operations.
METHODS: dict[tuple[str, str], tuple[Op, ...]] = {
    ("ssm-provider", "get"): (Op("ssm", "GetParameter", (("Name", 0, "name"),)),),
    ("ssm-provider", "get_multiple"): (Op("ssm", "GetParametersByPath", (("Path", 0, "path"),)),),
    ("ssm-provider", "get_parameters_by_name"): FUNCTIONS["parameters.get_parameters_by_name"],
    ("ssm-provider", "set"): (Op("ssm", "PutParameter", (("Name", 0, "name"),)),),
    ("secrets-provider", "get"): (
        Op("secretsmanager", "GetSecretValue", (("SecretId", 0, "name"),)),
    ),
    ("secrets-provider", "set"): FUNCTIONS["parameters.set_secret"],
    ("dynamodb-provider", "get"): (Op("dynamodb", "GetItem", (), (("TableName", "table_name"),)),),
    ("dynamodb-provider", "get_multiple"): (
        Op("dynamodb", "Query", (), (("TableName", "table_name"),)),
    ),
    ("appconfig-provider", "get"): _APPCONFIG,
    ("appconfig-provider", "get_multiple"): _APPCONFIG,
}

#: Decorators/functions that use a persistence layer passed to them.
PERSISTENCE_USERS = frozenset({"idempotency.idempotent", "idempotency.idempotent_function"})


def short_name(dotted: str) -> str | None:
    """The table key of a Powertools name, relative to ``aws_lambda_powertools.utilities``.

    ``parameters.ssm.get_parameter`` and ``parameters.get_parameter`` share one entry.
    """
    if not dotted.startswith(_PREFIX):
        return None
    parts = dotted[len(_PREFIX) :].split(".")
    return f"{parts[0]}.{parts[-1]}"


def _op_args(
    op: Op, args: Args, kwargs: Kwargs, state: dict[str, Value]
) -> list[tuple[str, Atoms]]:
    out: list[tuple[str, Atoms]] = []
    for param, position, keyword in op.params:
        value = argument(args, kwargs, position, keyword)
        if value is None:
            continue
        if param in ("Names", "Name") and keyword == "parameters":
            # get_parameters_by_name({"/a": {...}, "/b": {...}}): the names are the keys.
            keys = [k for atom in value if isinstance(atom, DictA) for k, _ in atom.items]
            if param == "Names":
                value = one(ListA(tuple(keys)))
            else:
                value = frozenset(a for k in keys for a in k) or value
        out.append((param, value))
    for param, kept in op.state:
        if kept in state:
            out.append((param, one(Str(state[kept]))))
    return out


def _emit_all(
    sem: SdkSemantics,
    ops: tuple[Op, ...],
    args: Args,
    kwargs: Kwargs,
    state: dict[str, Value],
    via: str,
    f: Frame,
    loc: Loc,
) -> None:
    for op in ops:
        sem.emit(
            op.service,
            op.operation,
            _op_args(op, args, kwargs, state),
            CallKind.LIBRARY,
            via,
            f,
            loc,
        )


def external(
    sem: SdkSemantics, dotted: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
) -> Atoms | None:
    """A call of a Powertools function or constructor; None for anything else."""
    name = short_name(dotted)
    if name is None:
        return None
    if name in FUNCTIONS:
        _emit_all(sem, FUNCTIONS[name], args, kwargs, {}, name, f, loc)
        return one(Opaque(f"<result of {name}>"))
    if name in CONSTRUCTORS:
        kind, kept, ops = CONSTRUCTORS[name]
        state: dict[str, Value] = {}
        for i, arg_name in enumerate(kept):
            value = (
                args[i] if i < len(args) else next((v for k, v in kwargs if k == arg_name), None)
            )
            if value is not None:
                state[arg_name] = _state_value(value)
        _emit_all(sem, ops, [], [], state, name, f, loc)
        return one(LibraryA(kind, tuple(sorted(state.items()))))
    if name in PERSISTENCE_USERS:
        for key, value in kwargs:
            if key == "persistence_store":
                for atom in value:
                    _persistence(sem, atom, name, f, loc)
        return one(Opaque(dotted + "()"))
    return None


def _state_value(atoms: Atoms) -> Value:
    lists = [a for a in atoms if isinstance(a, ListA)]
    if len(lists) == 1 and len(atoms) == 1 and len(lists[0].items) == 1:
        return to_value(lists[0].items[0])
    return to_value(atoms)


def _persistence(sem: SdkSemantics, atom: Atom, via: str, f: Frame, loc: Loc) -> None:
    if isinstance(atom, LibraryA) and atom.kind == "idempotency-dynamodb":
        _emit_all(sem, _IDEMPOTENCY, [], [], dict(atom.args), via, f, loc)


def method(
    sem: SdkSemantics, atom: LibraryA, name: str, args: Args, kwargs: Kwargs, f: Frame, loc: Loc
) -> Atoms | None:
    """A method of a Powertools object (provider ``get``...)."""
    ops = METHODS.get((atom.kind, name))
    if ops is None:
        return one(Opaque(f"<{atom.kind}.{name}()>"))
    _emit_all(sem, ops, args, kwargs, dict(atom.args), f"{atom.kind}.{name}", f, loc)
    return one(Opaque(f"<result of {atom.kind}.{name}>"))
