"""Operations whose resource is named by an id-like request parameter are scoped to it.

Reported from CloudTrail: ssm:GetDocument (Name) and ec2:GetPasswordData /
DescribeInstanceAttribute (InstanceId) ended as typed wildcards; the same gap ran across
the common Lambda clients (1,216 required rows with a template variable and no binding,
549 left: ids minted by the call itself, or multi-resource actions kept as they were).
"""

from __future__ import annotations

import pytest

from least_priv.catalog import get_catalog, transforms
from least_priv.model import Requirement

from .calls import call, list_value, lit

CAT = get_catalog()


def required(client: str, operation: str, **args: object) -> list[Requirement]:
    reqs = CAT.requirements(call(client, operation, **args))  # type: ignore[arg-type]
    return [r for r in reqs if r.kind == "required"]


def bound(req: Requirement) -> set[tuple[str, str]]:
    return {(b.param, b.transform) for b in req.bindings}


@pytest.mark.parametrize(
    ("client", "operation", "param", "transform", "variable"),
    [
        ("ec2", "GetPasswordData", "InstanceId", "id:InstanceId", "InstanceId"),
        ("ec2", "DescribeInstanceAttribute", "InstanceId", "id:InstanceId", "InstanceId"),
        ("ec2", "DeleteVolume", "VolumeId", "id:VolumeId", "VolumeId"),
        ("ec2", "DeleteSecurityGroup", "GroupId", "id:SecurityGroupId", "SecurityGroupId"),
        ("ssm", "GetDocument", "Name", "ssm_document", "DocumentName"),
        ("ssm", "DescribeDocument", "Name", "ssm_document", "DocumentName"),
        ("ssm", "GetAutomationExecution", "AutomationExecutionId", "id:AutomationExecutionId",
         "AutomationExecutionId"),
        ("glue", "StartJobRun", "JobName", "id:JobName", "JobName"),
        ("glue", "GetCrawler", "Name", "id:CrawlerName", "CrawlerName"),
        ("lambda", "GetEventSourceMapping", "UUID", "id:UUID", "UUID"),
        ("rekognition", "SearchFacesByImage", "CollectionId", "id:CollectionId", "CollectionId"),
        ("cloudwatch", "GetDashboard", "DashboardName", "id:DashboardName", "DashboardName"),
        ("polly", "GetLexicon", "Name", "id:LexiconName", "LexiconName"),
    ],
)  # fmt: skip
def test_the_id_parameter_binds_the_resource(
    client: str, operation: str, param: str, transform: str, variable: str
) -> None:
    reqs = required(client, operation, **{param: lit("x-1")})
    assert reqs, (client, operation)
    primary = [r for r in reqs if r.arn_template and r.arn_template.endswith(f"${{{variable}}}")]
    assert primary and (param, transform) in bound(primary[0])


def test_a_list_of_ids_binds_each() -> None:
    reqs = required("ec2", "StopInstances", InstanceIds=list_value(lit("i-1"), lit("i-2")))
    assert [bound(r) for r in reqs] == [{("InstanceIds[]", "id:InstanceId")}]


def test_create_vpc_is_about_the_vpc_not_an_ipam_pool() -> None:
    """The VPC id is minted by the call: the row stays the vpc type, a typed wildcard."""
    reqs = required("ec2", "CreateVpc", CidrBlock=lit("10.0.0.0/16"))
    assert [(r.resource_type, r.bindings) for r in reqs] == [("vpc", ())]


def test_create_vpc_from_an_ipam_pool_also_needs_the_pool() -> None:
    """Allocating the CIDR from an IPAM pool is authorised on the pool as well."""
    reqs = required("ec2", "CreateVpc", Ipv4IpamPoolId=lit("ipam-pool-0a1b2c3d4e5f67890"))
    assert sorted((r.resource_type or "", sorted(bound(r))) for r in reqs) == [
        ("ipam-pool", [("Ipv4IpamPoolId", "id:IpamPoolId")]),
        ("vpc", []),
    ]


def test_multi_resource_actions_keep_their_resource_choice() -> None:
    """ec2:CreateSubnet names subnet and vpc; a VpcId binding must not move the row to the
    VPC (the except list in bindings.yaml)."""
    reqs = required("ec2", "CreateSubnet", VpcId=lit("vpc-1"))
    assert [r.resource_type for r in reqs] == ["subnet"]


def test_optional_only_resources_still_authorise_against_star() -> None:
    """sesv2 suppression calls name an optional tenant; without one IAM checks "*"."""
    reqs = required("sesv2", "ListSuppressedDestinations")
    assert [(r.resource_type, r.arn_template) for r in reqs] == [(None, None)]


def test_identifier_transform_keeps_the_text_and_refuses_arns() -> None:
    assert transforms.apply("id:InstanceId", "i-0abc") == {"InstanceId": "i-0abc"}
    assert transforms.apply("id:InstanceId", "i-*") == {"InstanceId": "i-*"}
    assert transforms.apply("id:InstanceId", "arn:aws:ec2:us-east-1:1:instance/i-1") is None


def test_ssm_document_names_aws_owned_documents_without_account() -> None:
    assert transforms.apply("ssm_document", "AWS-RunShellScript") == {
        "DocumentName": "AWS-RunShellScript",
        "Account": "*",
    }


@pytest.mark.parametrize(
    ("client", "operation", "action"),
    [
        ("accessanalyzer", "GetFindingV2", "access-analyzer:GetFinding"),
        ("accessanalyzer", "ListFindingsV2", "access-analyzer:ListFindings"),
        ("glue", "GetDataQualityResultV2", "glue:GetDataQualityResult"),
        ("glue", "ListDataQualityResultsV2", "glue:ListDataQualityResults"),
    ],
)
def test_v2_operations_use_the_action_of_their_first_version(
    client: str, operation: str, action: str
) -> None:
    info = CAT.operation(client, operation)
    assert info is not None and not info.unresolved
    assert info.actions == (action,)
    assert f"{client}.{operation}" not in CAT.unresolved()
