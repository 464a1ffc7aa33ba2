"""Cross-check the evaluator against moto's own IAM enforcement (server mode, 127.0.0.1).

Enforcement is switched on per case (see ``moto_auth``). moto checks the
action and, for most services, the resource ``*``; it reads Action/NotAction, Allow/Deny and
wildcards, so the policies here stay inside that common ground (exact-case action names,
``Resource: "*"``, no conditions). Where both engines speak, they must agree.
"""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv import aws
from least_priv.evaluate import Decision, PolicySet, PolicySource, Request, evaluate, parse_policy
from least_priv.model import Location

from .moto_auth import enforcing

# (boto3 client, method, IAM action moto checks). Read-only list calls: they succeed on an
# empty account, so the only way to fail is AccessDenied.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("sqs", "list_queues", "sqs:ListQueues"),
    ("sns", "list_topics", "sns:ListTopics"),
    ("dynamodb", "list_tables", "dynamodb:ListTables"),
    ("kms", "list_keys", "kms:ListKeys"),
    ("logs", "describe_log_groups", "logs:DescribeLogGroups"),
    ("kinesis", "list_streams", "kinesis:ListStreams"),
    ("ec2", "describe_vpcs", "ec2:DescribeVpcs"),
    ("iam", "list_roles", "iam:ListRoles"),
)

ACTION_PATTERNS = (
    "*",
    "sqs:*",
    "sqs:List*",
    "dynamodb:ListTables",
    "dynamodb:*",
    "kms:List*",
    "logs:Describe*",
    "ec2:Describe*",
    "iam:*",
    "kinesis:*",
    "*:List*",
    "sns:ListTopics",
)


@functools.cache
def _principal(endpoint: str) -> tuple[str, tuple[tuple[str, str, Any], ...]]:
    """One IAM user and its clients for the whole module: building boto3 clients is the
    slow part, and only the user's policies change between cases."""
    iam = aws.client("iam", endpoint_url=endpoint)
    user = f"xcheck-{uuid.uuid4().hex[:10]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    session = boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name="us-east-1",
    )
    clients = tuple(
        (action, method, session.client(service, endpoint_url=endpoint))
        for service, method, action in OPERATIONS
    )
    return user, clients


def _moto_allows(endpoint: str, documents: list[dict[str, Any]]) -> dict[str, bool]:
    iam = aws.client("iam", endpoint_url=endpoint)
    user, clients = _principal(endpoint)
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    for i, doc in enumerate(documents):
        iam.put_user_policy(UserName=user, PolicyName=f"p{i}", PolicyDocument=json.dumps(doc))
    out: dict[str, bool] = {}
    with enforcing(endpoint):
        for action, method, client in clients:
            try:
                getattr(client, method)()
                out[action] = True
            except client.exceptions.ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                assert status == 403, exc
                out[action] = False
    return out


def _ours(documents: list[dict[str, Any]]) -> dict[str, bool]:
    parsed = tuple(
        parse_policy(doc, PolicySource(f"p{i}", "inline", Location("xcheck")))
        for i, doc in enumerate(documents)
    )
    policies = PolicySet(parsed)
    return {
        action: evaluate(Request(action, "*"), policies).decision is Decision.ALLOWED
        for _s, _m, action in OPERATIONS
    }


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


SCENARIOS: list[list[dict[str, Any]]] = [
    [_policy({"Effect": "Allow", "Action": ["sqs:ListQueues", "dynamodb:List*"], "Resource": "*"})],
    [
        _policy(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*", "kms:*"], "Resource": "*"},
        )
    ],
    [_policy({"Effect": "Allow", "NotAction": ["sns:*", "kms:*"], "Resource": "*"})],
    [
        _policy(
            {
                "Effect": "Allow",
                "Action": ["logs:Describe*", "kinesis:*", "sqs:*"],
                "Resource": "*",
            },
            {"Effect": "Deny", "NotAction": ["logs:*", "sqs:*"], "Resource": "*"},
        )
    ],
    [
        _policy({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
        _policy({"Effect": "Deny", "Action": "ec2:DescribeVpcs", "Resource": "*"}),
    ],
    [],
]


def test_fixed_scenarios_agree_with_moto(moto_server: str) -> None:
    for documents in SCENARIOS:
        assert _ours(documents) == _moto_allows(moto_server, documents), documents


_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "kind": st.sampled_from(["Action", "Action", "NotAction"]),
        "patterns": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3),
    }
).map(lambda s: {"Effect": s["Effect"], s["kind"]: s["patterns"], "Resource": "*"})


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(_statement, min_size=1, max_size=3), min_size=1, max_size=2))
def test_random_policies_agree_with_moto(moto_server: str, statements: list[list[Any]]) -> None:
    documents = [_policy(*group) for group in statements]
    assert _ours(documents) == _moto_allows(moto_server, documents), documents
