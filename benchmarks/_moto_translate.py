"""Translate an IAM policy into what moto 5.2's IAM enforcement understands.

The proof harness (``benchmarks/prove.py``) gives a moto principal the policy least-priv
generated. moto does not evaluate IAM the way AWS does, so a faithful policy would be denied
for reasons that say nothing about the policy. This module bridges exactly those gaps and no
others; it never changes what the tool emits, only the copy handed to moto:

1. **Action names.** moto builds the action from the request's signing name and the API
   operation (``monitoring:PutMetricData``, ``sqs:SendMessageBatch``, ``s3:HeadBucket``,
   ``dynamodb:TransactWriteItems``) where IAM uses other names. Every action is kept and the
   moto spelling of each operation that the catalog maps to it is added
   (``Catalog.operations_for_action``), so removing an IAM action removes its moto spellings
   too (the minimality runs depend on that). The caller chooses which operations spell an
   action: ``prove.translate`` keeps those of the action's own service that always need it
   (SageMaker jobs also need ``iam:PassRole``, CreateTable needs ``TagResource`` only with
   tags: granting their moto spelling would grant the operation itself).
2. **Resources.** moto checks the resource ARN only for S3 and SQS (and IAM roles); every
   other service is evaluated against ``*``, so a scoped resource would be wrongly denied. For
   those services the copy uses ``*``: the proof is action-level there, resource-level for S3
   and SQS (``RESOURCE_CHECKED``).
3. **Conditions.** moto evaluates a condition against an empty request context and denies, so
   conditions are dropped; they are checked by the project's own evaluator instead.
4. **DeleteObjects.** moto authorises the batch delete (as ``s3:DeleteObject``) against the
   bucket ARN instead of each key, then refuses every key; the copy also grants
   ``s3:DeleteObject`` on the bucket of each object pattern it holds.
5. **GetQueueUrl.** moto takes the queue of an SQS request from its ``QueueUrl`` parameter,
   which GetQueueUrl does not have (it names the queue), so it evaluates that action against
   ``*``; the copy grants ``sqs:GetQueueUrl`` on ``*`` (``UNSCOPED_IN_MOTO``).
6. **Patterns.** moto matches with a regular expression built by replacing ``*`` only, so
   regex metacharacters in a resource (``.``, ``?``, ``+``...) are escaped and ``?`` becomes
   "any one character".

Each statement is split into one statement per action so that the resource rule applies per
service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Services for which moto 5.2 compares the request's resource ARN with the policy's.
RESOURCE_CHECKED = frozenset({"s3", "sqs"})
#: Actions of those services that moto nevertheless evaluates against ``*``.
UNSCOPED_IN_MOTO = frozenset({"sqs:getqueueurl"})

OperationsForAction = Callable[[str], Iterable[tuple[str, str]]]


def moto_pattern(resource: str) -> str:
    """An IAM resource pattern rewritten for moto's ``*``-only regex matching.

    moto turns the pattern into a regex by replacing ``*`` with ``.*``; escaping the rest and
    turning ``?`` into ``.`` first makes its match the IAM one. The result is only meant for
    moto, never for AWS.
    """
    out: list[str] = []
    for ch in resource:
        if ch == "*":
            out.append("*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _bucket_of(resource: str) -> str:
    """``arn:aws:s3:::bucket/key*`` -> ``arn:aws:s3:::bucket`` (``*`` stays ``*``)."""
    if not resource.startswith("arn:") or resource.count(":") < 5:
        return resource
    head, _, rest = resource.rpartition(":")
    return f"{head}:{rest.split('/', 1)[0]}"


def moto_actions(
    action: str, operations_for_action: OperationsForAction, signing_names: Mapping[str, str]
) -> list[str]:
    """The IAM action plus moto's ``<signing name>:<Operation>`` for each mapped operation."""
    names = {action}
    for client, operation in operations_for_action(action):
        signing = signing_names.get(client)
        if signing:
            names.add(f"{signing}:{operation}")
    return sorted(names)


def to_moto(
    document: Mapping[str, Any],
    operations_for_action: OperationsForAction,
    signing_names: Mapping[str, str],
) -> dict[str, Any]:
    """The moto copy of an identity policy (see the module docstring for every rule)."""
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    out: list[dict[str, Any]] = []
    for st in statements:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        resources = st.get("Resource", "*")
        resources = [resources] if isinstance(resources, str) else list(resources)
        for action in sorted(actions):
            service = action.split(":", 1)[0].lower()
            if service in RESOURCE_CHECKED and action.lower() not in UNSCOPED_IN_MOTO:
                wanted = set(resources)
                if action.lower() == "s3:deleteobject":
                    wanted |= {_bucket_of(r) for r in resources}
                res = sorted({moto_pattern(r) for r in wanted})
            else:
                res = ["*"]
            out.append(
                {
                    "Effect": st.get("Effect", "Allow"),
                    "Action": moto_actions(action, operations_for_action, signing_names),
                    "Resource": res,
                }
            )
    return {"Version": "2012-10-17", "Statement": out}


def without_action(document: Mapping[str, Any], action: str) -> dict[str, Any]:
    """A copy of ``document`` with ``action`` removed from every statement (case-insensitive).

    Statements left without actions are dropped. Used by the minimality runs.
    """
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    kept: list[dict[str, Any]] = []
    for st in statements:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        rest = [a for a in actions if a.lower() != action.lower()]
        if rest:
            kept.append({**st, "Action": rest})
    return {"Version": document.get("Version", "2012-10-17"), "Statement": kept}
