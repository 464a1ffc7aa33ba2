"""Values as the policy stage sees them: environment resolved, request parameters looked up.

The analysis leaves ``EnvRef`` parts where code reads ``os.environ``; the function's IaC
environment (or ``--env``) replaces them here by the *parts* of the environment value, so a
variable set to ``!Ref OrdersTable`` keeps its ``TemplateRef`` for the template renderers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from least_priv.model import EnvRef, Part, Value

# Environment values may name other variables (serverless ${env:...}); a chain this long is a
# cycle, and the rest stays unresolved.
_MAX_ENV_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Environment:
    """What the function's environment variables hold.

    ``complete`` says the variables are all known (they come from the function's template):
    a name absent from ``values`` is then really unset at run time, so ``os.environ.get(NAME,
    default)`` takes its default. Without a template the deployed environment is unknown and
    a default is only a guess, so the part stays unresolved (a wildcard and a finding).
    """

    values: Mapping[str, Value]
    complete: bool = False


def expand_env(value: Value, env: Environment) -> Value:
    """``value`` with every resolvable ``EnvRef`` replaced by the variable's parts."""
    return _expand(value, env, 0)


def _expand(value: Value, env: Environment, depth: int) -> Value:
    parts: list[Part] = []
    for part in value.parts:
        parts.extend(_expand_part(part, env, depth))
    mapping = None
    if value.mapping is not None:
        mapping = tuple((_expand(k, env, depth), _expand(v, env, depth)) for k, v in value.mapping)
    sequence = None
    if value.sequence is not None:
        sequence = tuple(_expand(v, env, depth) for v in value.sequence)
    return Value(tuple(parts), mapping, sequence)


def _expand_part(part: Part, env: Environment, depth: int) -> tuple[Part, ...]:
    if not isinstance(part, EnvRef):
        return (part,)
    bound = env.values.get(part.name)
    if bound is not None and bound.is_string and depth < _MAX_ENV_DEPTH:
        return _expand(bound, env, depth + 1).parts or ("",)
    if bound is None and env.complete and part.default is not None:
        return (part.default,)
    return (part,)
