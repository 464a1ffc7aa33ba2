"""A client made for another region (``region_name=``) acts on that region's resources.

The analysis records the region on each call (``CallSite.region``); the policy stage writes
it into ``${Region}`` instead of the function's own region. Writing the function's region
there would be an under-grant (AccessDenied in production: cross-region-replica).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from least_priv.model import (
    CallSite,
    EnvRef,
    Location,
    ParamBinding,
    Requirement,
    TemplateRef,
    Unknown,
    Value,
)
from least_priv.policy import ArnContext, Environment, Scoper
from least_priv.policy.values import expand_env

HERE = Location("src/replicate.py", 21, 8)
FUNCTION = ArnContext("aws", "us-east-1", "123456789012")
TABLE = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
QUEUE = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
PUT_ITEM = Requirement(
    "dynamodb:PutItem", "table", TABLE, (ParamBinding("TableName", "dynamodb_table"),)
)
SEND = Requirement("sqs:SendMessage", "queue", QUEUE, (ParamBinding("QueueUrl", "sqs_queue_url"),))


def put(table: str, region: Value | None) -> CallSite:
    args = (("Item", Value.unknown("order")), ("TableName", Value.literal(table)))
    return CallSite(HERE, "dynamodb", "PutItem", args, region=region)


def resources(site: CallSite, env: Environment | None = None) -> tuple[list[str], list[str]]:
    scoper = Scoper(env or Environment({}), FUNCTION)
    perms = scoper.permissions(site, PUT_ITEM)
    return [p.resource for p in perms], [f.code for f in scoper.findings]


def test_literal_region_replaces_the_functions_region() -> None:
    assert resources(put("orders-dr", Value.literal("eu-west-1"))) == (
        ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-dr"],
        [],
    )


def test_no_region_keeps_the_functions_region() -> None:
    assert resources(put("orders", None)) == (
        ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
        [],
    )


def test_region_from_an_environment_variable_the_template_sets() -> None:
    env = Environment({"DR_REGION": Value.literal("ap-southeast-2")}, complete=True)
    site = put("orders-dr", Value((EnvRef("DR_REGION"),)))
    assert resources(site, env)[0] == [
        "arn:aws:dynamodb:ap-southeast-2:123456789012:table/orders-dr"
    ]


def test_lambdas_own_region_variable_is_the_functions_region() -> None:
    # Lambda sets AWS_REGION itself; the template never does.
    site = put("orders", Value((EnvRef("AWS_REGION"),)))
    assert resources(site) == (["arn:aws:dynamodb:us-east-1:123456789012:table/orders"], [])


def test_unknown_region_is_a_wildcard_and_reported_never_the_functions_region() -> None:
    for region in (Value.unknown("event['region']"), Value((EnvRef("DR_REGION"),))):
        found, codes = resources(put("orders-dr", region))
        assert found == ["arn:aws:dynamodb:*:123456789012:table/orders-dr"]
        assert codes == ["LP308"]


def test_unknown_region_finding_names_the_variable_and_the_call() -> None:
    scoper = Scoper(Environment({}), FUNCTION)
    scoper.permissions(put("orders-dr", Value((EnvRef("DR_REGION"),))), PUT_ITEM)
    (finding,) = scoper.findings
    assert finding.location == HERE
    assert "dynamodb.PutItem" in finding.message
    assert "environment variable DR_REGION" in finding.message


def test_region_of_another_partition_brings_its_partition() -> None:
    found, _ = resources(put("orders", Value.literal("cn-north-1")))
    assert found == ["arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders"]


def test_queue_url_host_region_wins_over_the_clients() -> None:
    # The URL names the queue exactly, region included.
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dr-events"
    site = CallSite(
        HERE,
        "sqs",
        "SendMessage",
        (("QueueUrl", Value.literal(url)),),
        region=Value.literal("us-west-2"),
    )
    perms = Scoper(Environment({}), FUNCTION).permissions(site, SEND)
    assert [p.resource for p in perms] == ["arn:aws:sqs:eu-west-1:123456789012:orders-dr-events"]


def test_template_table_reached_through_another_region_is_not_the_stacks_arn() -> None:
    # A global table's replica: same name, other region. !GetAtt Table.Arn would name the
    # stack's copy, so the permission carries the built ARN in every format.
    ref = TemplateRef("OrdersTable", None, "AWS::DynamoDB::Table", "orders")
    env = Environment({"TABLE": Value((ref,))}, complete=True)
    site = CallSite(
        HERE,
        "dynamodb",
        "PutItem",
        (("TableName", Value((EnvRef("TABLE"),))),),
        region=Value.literal("eu-west-1"),
    )
    (perm,) = Scoper(env, FUNCTION).permissions(site, PUT_ITEM)
    assert perm.resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    assert not any(isinstance(p, TemplateRef) and p.attribute == "Arn" for p in perm.resource_parts)


def test_typed_wildcard_of_an_unbound_requirement_uses_the_clients_region() -> None:
    site = put("orders-dr", Value.literal("eu-west-1"))
    unbound = Requirement("dynamodb:PutItem", "table", TABLE)
    scoper = Scoper(Environment({}), FUNCTION)
    (perm,) = scoper.permissions(site, unbound)
    assert perm.resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/*"
    assert "eu-west-1" in scoper.findings[0].message


def test_region_text_that_is_not_a_region_is_not_trusted() -> None:
    # A value with an unknown piece renders as a pattern, never as a concrete region.
    found, codes = resources(put("orders", Value(("eu-", Unknown("suffix")))))
    assert found == ["arn:aws:dynamodb:*:123456789012:table/orders"]
    assert codes == ["LP308"]


def test_region_from_a_template_parameter_or_the_stacks_own_region() -> None:
    # DR_REGION: !Ref DrRegion (Default: eu-west-1), HOME_REGION: !Ref AWS::Region.
    env = Environment(
        {
            "DR_REGION": Value((TemplateRef("DrRegion", None, None, "eu-west-1"),)),
            "HOME_REGION": Value((TemplateRef("AWS::Region"),)),
            "OTHER_REGION": Value((TemplateRef("OtherRegion"),)),  # no value known
        },
        complete=True,
    )
    dr = resources(put("orders-dr", Value((EnvRef("DR_REGION"),))), env)
    assert dr == (["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-dr"], [])
    home = resources(put("orders", Value((EnvRef("HOME_REGION"),))), env)
    assert home == (["arn:aws:dynamodb:us-east-1:123456789012:table/orders"], [])
    other = resources(put("orders", Value((EnvRef("OTHER_REGION"),))), env)
    assert other == (["arn:aws:dynamodb:*:123456789012:table/orders"], ["LP308"])


def test_reference_holding_an_arn_stays_the_whole_resource_in_json() -> None:
    # An EventBridge destination given as !GetAtt IngestBus.Arn: the JSON resource is that ARN
    # (filled from the context), never the ARN pasted in as the bus's name.
    bus = "arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}"
    put_events = Requirement(
        "events:PutEvents", "event-bus", bus, (ParamBinding("EventBusName", "events_bus"),)
    )
    ref = TemplateRef(
        "IngestBus", "Arn", "AWS::Events::EventBus", "arn:*:events:*:*:event-bus/catalogue-ingest"
    )
    site = CallSite(HERE, "events", "PutEvents", (("EventBusName", Value((ref,))),))
    for client_region in (None, Value.literal("eu-west-1")):
        site = CallSite(HERE, "events", "PutEvents", site.args, region=client_region)
        (perm,) = Scoper(Environment({}), FUNCTION).permissions(site, put_events)
        region = "us-east-1" if client_region is None else "eu-west-1"
        assert perm.resource == f"arn:aws:events:{region}:123456789012:event-bus/catalogue-ingest"


_REGION_PARTS = st.one_of(
    st.sampled_from(["eu-west-1", "us-east-1", "cn-north-1", "eu-", "-1", "", "EU-WEST-1"]),
    st.builds(Unknown, st.sampled_from(["", "event['region']"])),
    st.builds(EnvRef, st.sampled_from(["DR_REGION", "AWS_REGION", "REGION"])),
    st.builds(
        lambda known: TemplateRef("DrRegion", None, None, known),
        st.sampled_from([None, "eu-west-1", "not-a-region"]),
    ),
)


@given(st.lists(_REGION_PARTS, min_size=1, max_size=3), st.booleans())
@settings(max_examples=200, deadline=None)
def test_a_named_region_is_never_quietly_replaced_by_the_functions(
    parts: list[object], known_env: bool
) -> None:
    # Whatever the client's region_name: the ARN's region is the one it names when that can
    # be pinned down, the function's own only when the value is the function's own region,
    # and otherwise '*' with a finding.
    env = Environment({"DR_REGION": Value.literal("ap-south-1")} if known_env else {}, True)
    value = Value(tuple(parts))  # type: ignore[arg-type]
    scoper = Scoper(env, FUNCTION)
    (perm,) = scoper.permissions(put("orders", value), PUT_ITEM)
    region = perm.resource.split(":")[3]
    own = value.parts in ((EnvRef("AWS_REGION"),), ("us-east-1",))
    if region == "us-east-1":
        assert own or Value(value.parts).text == "us-east-1"
    elif region == "*":
        assert [f.code for f in scoper.findings] == ["LP308"]
    else:
        # Exactly what the code names (a misspelt region fails at the endpoint, not in IAM).
        assert not scoper.findings
        assert region == expand_env(value, env).pattern()
