"""The quota preflight against botocore's own Stubber: real request shapes, canned AWS answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from shared.aws.availability_zones import account_zones
from tests.conftest import OfflinePlan
from tooling.deploy.preflight import PreflightError
from tooling.deploy.quotas import Demand, check_quotas, demand_of

REGION = "us-east-1"
ENV_TAG = "tag:Environment"


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any, Stubber, Stubber]]:
    session = botocore.session.Session()
    credentials = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "x"}
    ec2 = session.create_client("ec2", region_name=REGION, **credentials)
    quotas = session.create_client("service-quotas", region_name=REGION, **credentials)
    with Stubber(ec2) as ec2_stub, Stubber(quotas) as quota_stub:
        yield ec2, quotas, ec2_stub, quota_stub
        ec2_stub.assert_no_pending_responses()
        quota_stub.assert_no_pending_responses()


def quota(code: str, value: float) -> dict[str, Any]:
    return {"Quota": {"QuotaCode": code, "Value": value}}


def stub_quotas(stub: Stubber, eips: float | None = None) -> None:
    """Applied values for VPCs and NATs; the EIP quota never changed (only AWS's default)."""
    if eips is None:
        stub.add_client_error(
            "get_service_quota",
            "NoSuchResourceException",
            expected_params={"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"},
        )
        stub.add_response(
            "get_aws_default_service_quota",
            quota("L-0263D0A3", 5.0),
            {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"},
        )
    else:
        stub.add_response(
            "get_service_quota",
            quota("L-0263D0A3", eips),
            {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"},
        )
    stub.add_response(
        "get_service_quota",
        quota("L-F678F1CE", 5.0),
        {"ServiceCode": "vpc", "QuotaCode": "L-F678F1CE"},
    )
    stub.add_response(
        "get_service_quota",
        quota("L-FE5A380F", 5.0),
        {"ServiceCode": "vpc", "QuotaCode": "L-FE5A380F"},
    )


def stub_usage(
    stub: Stubber, environment: str, *, eips: int, own_eips: int, vpcs: int, own_vpcs: int
) -> None:
    mine = [{"Name": ENV_TAG, "Values": [environment]}]
    live = [{"Name": "state", "Values": ["pending", "available"]}]
    addresses = [{"AllocationId": f"eipalloc-{i}", "Domain": "vpc"} for i in range(eips)]
    stub.add_response(
        "describe_addresses",
        {"Addresses": addresses},
        {"Filters": [{"Name": "domain", "Values": ["vpc"]}]},
    )
    stub.add_response("describe_addresses", {"Addresses": addresses[:own_eips]}, {"Filters": mine})
    all_vpcs = [{"VpcId": f"vpc-{i}"} for i in range(vpcs)]
    # Two pages: the count must follow NextToken.
    stub.add_response("describe_vpcs", {"Vpcs": all_vpcs[:1], "NextToken": "t"}, {})
    stub.add_response("describe_vpcs", {"Vpcs": all_vpcs[1:]}, {"NextToken": "t"})
    stub.add_response("describe_vpcs", {"Vpcs": all_vpcs[:own_vpcs]}, {"Filters": mine})
    nats = [{"NatGatewayId": "nat-1", "SubnetId": "subnet-a"}]
    stub.add_response("describe_nat_gateways", {"NatGateways": nats}, {"Filter": live})
    stub.add_response("describe_nat_gateways", {"NatGateways": []}, {"Filter": live + mine})
    # Zone names map to zone ids differently in every account: here us-east-1a is use1-az2.
    stub.add_response(
        "describe_subnets",
        {
            "Subnets": [
                {
                    "SubnetId": "subnet-a",
                    "AvailabilityZone": "us-east-1a",
                    "AvailabilityZoneId": "use1-az2",
                }
            ]
        },
        {"SubnetIds": ["subnet-a"]},
    )


@pytest.fixture(scope="module")
def dev_demand(offline_plan: OfflinePlan) -> Demand:
    result = offline_plan("dev")
    return demand_of(r for layer in result.layers.values() for r in layer.resources)


def test_the_demand_is_counted_from_the_offline_plan(dev_demand: Demand) -> None:
    assert dev_demand.vpcs == 1
    assert dev_demand.elastic_ips >= 1
    assert dev_demand.nat_gateways is not None
    assert sum(dev_demand.nat_gateways.values()) == dev_demand.elastic_ips
    # By zone id: the network layer picks zones by id, the same physical zones in every account.
    zone_ids = {zone["zoneId"] for zone in account_zones(REGION)}
    assert set(dev_demand.nat_gateways) <= zone_ids


def test_a_full_default_account_is_one_message_naming_each_quota_and_the_fix(
    clients: tuple[Any, Any, Stubber, Stubber],
) -> None:
    ec2, quotas, ec2_stub, quota_stub = clients
    stub_quotas(quota_stub)
    # dev, staging and prod hold the 5 default EIPs; 4 VPCs plus the default one reach 5.
    stub_usage(ec2_stub, "pr-12", eips=5, own_eips=0, vpcs=5, own_vpcs=0)
    demand = Demand(elastic_ips=1, vpcs=1, nat_gateways={"use1-az2": 1})

    with pytest.raises(PreflightError) as raised:
        check_quotas(demand, environment="pr-12", region=REGION, ec2=ec2, service_quotas=quotas)

    message = str(raised.value)
    assert "nothing was deployed" in message
    assert "Elastic IPs: pr-12 adds 1, 5 of 5 are in use (quota L-0263D0A3)" in message
    assert "VPCs: pr-12 adds 1, 5 of 5 are in use (quota L-F678F1CE)" in message
    assert (
        "request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 "
        "--desired-value 6 --region us-east-1" in message
    )
    assert "L-FE5A380F" not in message  # one NAT in use1-az2, quota 5: room left


def test_a_redeploy_needs_no_new_room_and_a_raised_quota_fits(
    clients: tuple[Any, Any, Stubber, Stubber],
) -> None:
    ec2, quotas, ec2_stub, quota_stub = clients
    demand = Demand(elastic_ips=1, vpcs=1, nat_gateways={"use1-az2": 1})
    stub_quotas(quota_stub)
    stub_usage(ec2_stub, "staging", eips=5, own_eips=1, vpcs=5, own_vpcs=1)
    check_quotas(demand, environment="staging", region=REGION, ec2=ec2, service_quotas=quotas)

    stub_quotas(quota_stub, eips=10.0)
    stub_usage(ec2_stub, "pr-12", eips=5, own_eips=0, vpcs=4, own_vpcs=0)
    check_quotas(demand, environment="pr-12", region=REGION, ec2=ec2, service_quotas=quotas)


def test_nat_gateways_are_checked_per_availability_zone(
    clients: tuple[Any, Any, Stubber, Stubber],
) -> None:
    ec2, quotas, ec2_stub, quota_stub = clients
    quota_stub.add_response(
        "get_service_quota",
        quota("L-0263D0A3", 50.0),
        {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"},
    )
    quota_stub.add_response(
        "get_service_quota",
        quota("L-F678F1CE", 50.0),
        {"ServiceCode": "vpc", "QuotaCode": "L-F678F1CE"},
    )
    quota_stub.add_response(
        "get_service_quota",
        quota("L-FE5A380F", 1.0),
        {"ServiceCode": "vpc", "QuotaCode": "L-FE5A380F"},
    )
    stub_usage(ec2_stub, "pr-12", eips=1, own_eips=0, vpcs=1, own_vpcs=0)
    # The live NAT sits in us-east-1a, which is use1-az2 in this account: compared by zone name,
    # it would never meet the planned NAT in use1-az2.
    demand = Demand(elastic_ips=2, vpcs=1, nat_gateways={"use1-az2": 1, "use1-az1": 1})

    with pytest.raises(PreflightError) as raised:
        check_quotas(demand, environment="pr-12", region=REGION, ec2=ec2, service_quotas=quotas)
    lines = [line for line in str(raised.value).splitlines() if line.startswith("- ")]
    assert lines == [
        "- NAT gateways per availability zone in use1-az2: pr-12 adds 1, 1 of 1 are in use "
        "(quota L-FE5A380F). Raise it: aws service-quotas request-service-quota-increase "
        "--service-code vpc --quota-code L-FE5A380F --desired-value 2 --region us-east-1"
    ]


def test_nothing_to_create_asks_aws_nothing(clients: tuple[Any, Any, Stubber, Stubber]) -> None:
    ec2, quotas, _, _ = clients
    check_quotas(Demand(), environment="dev", region=REGION, ec2=ec2, service_quotas=quotas)
