"""Quota preflight: will the account have room for what this deploy creates?

The count comes from the environment's offline plan (Elastic IPs, VPCs, NAT gateways per
availability zone, keyed by zone id: the network layer picks zones by id, and a zone name such as
`us-east-1a` names a different physical zone in every account), minus what the environment already has (tagged `Environment=<name>`, so a
redeploy asks for nothing new); the room from Service Quotas (the applied value, else AWS's
default) and EC2's describe calls. A shortfall is one PreflightError naming every quota code and
the command that raises it, before any stack is touched.

Quota codes (Service Quotas console, `aws service-quotas list-service-quotas`):
EC2-VPC Elastic IPs L-0263D0A3 (ec2), VPCs per Region L-F678F1CE (vpc), NAT gateways per
Availability Zone L-FE5A380F (vpc).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tooling.deploy.preflight import PreflightError

EIP = "aws:ec2/eip:Eip"
VPC = "aws:ec2/vpc:Vpc"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
SUBNET = "aws:ec2/subnet:Subnet"
UNKNOWN_ZONE = "(zone unknown)"


@dataclass(frozen=True)
class Quota:
    what: str
    service: str
    code: str


ELASTIC_IPS = Quota("Elastic IPs", "ec2", "L-0263D0A3")
VPCS = Quota("VPCs", "vpc", "L-F678F1CE")
NAT_PER_ZONE = Quota("NAT gateways per availability zone", "vpc", "L-FE5A380F")


class PlannedResource(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def outputs(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Demand:
    """What a deploy of one environment will own: counts, NATs keyed by availability zone id."""

    elastic_ips: int = 0
    vpcs: int = 0
    nat_gateways: Mapping[str, int] | None = None


def demand_of(resources: Iterable[PlannedResource]) -> Demand:
    """Count from the offline plan's resources; a NAT gateway's zone is its subnet's zone id."""
    resources = list(resources)
    zones = {
        str(r.outputs.get("id")): str(r.outputs.get("availabilityZoneId") or UNKNOWN_ZONE)
        for r in resources
        if r.type == SUBNET
    }
    nats = Counter(
        zones.get(str(r.outputs.get("subnetId")), UNKNOWN_ZONE)
        for r in resources
        if r.type == NAT_GATEWAY
    )
    return Demand(
        elastic_ips=sum(r.type == EIP for r in resources),
        vpcs=sum(r.type == VPC for r in resources),
        nat_gateways=dict(nats),
    )


def _quota_value(client: Any, quota: Quota) -> int:
    """The applied quota; accounts that never changed it only have AWS's default."""
    try:
        found = client.get_service_quota(ServiceCode=quota.service, QuotaCode=quota.code)
    except client.exceptions.NoSuchResourceException:
        found = client.get_aws_default_service_quota(
            ServiceCode=quota.service, QuotaCode=quota.code
        )
    return int(found["Quota"]["Value"])


def _environment_filter(environment: str) -> list[dict[str, Any]]:
    return [{"Name": "tag:Environment", "Values": [environment]}]


@dataclass(frozen=True)
class Usage:
    elastic_ips: int
    vpcs: int
    nat_gateways: Mapping[str, int]  # by zone id
    ours: Demand  # what this environment already has


def current_usage(ec2: Any, environment: str) -> Usage:
    """The region's Elastic IPs, VPCs and live NAT gateways, and which are this environment's."""
    addresses = ec2.describe_addresses(Filters=[{"Name": "domain", "Values": ["vpc"]}])
    own_addresses = ec2.describe_addresses(Filters=_environment_filter(environment))
    vpcs = _all(ec2, "describe_vpcs", "Vpcs")
    own_vpcs = _all(ec2, "describe_vpcs", "Vpcs", Filters=_environment_filter(environment))
    live = [{"Name": "state", "Values": ["pending", "available"]}]
    nats = _all(ec2, "describe_nat_gateways", "NatGateways", Filter=live)
    own_nats = _all(
        ec2, "describe_nat_gateways", "NatGateways", Filter=live + _environment_filter(environment)
    )
    subnet_ids = sorted({nat["SubnetId"] for nat in nats})
    zones: dict[str, str] = {}
    if subnet_ids:
        for subnet in _all(ec2, "describe_subnets", "Subnets", SubnetIds=subnet_ids):
            zones[subnet["SubnetId"]] = subnet["AvailabilityZoneId"]

    def by_zone(found: list[dict[str, Any]]) -> dict[str, int]:
        return dict(Counter(zones.get(nat["SubnetId"], UNKNOWN_ZONE) for nat in found))

    return Usage(
        elastic_ips=len(addresses["Addresses"]),
        vpcs=len(vpcs),
        nat_gateways=by_zone(nats),
        ours=Demand(
            elastic_ips=len(own_addresses["Addresses"]),
            vpcs=len(own_vpcs),
            nat_gateways=by_zone(own_nats),
        ),
    )


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of a describe call (pages are followed by NextToken)."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = getattr(client, operation)(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items


def shortfalls(
    demand: Demand, usage: Usage, quotas: Mapping[str, int], *, environment: str, region: str
) -> list[str]:
    """One line per quota this deploy would exceed; empty when everything fits."""
    lines = []

    def check(quota: Quota, wanted: int, have: int, in_use: int, where: str = "") -> None:
        adds = max(0, wanted - have)
        limit = quotas[quota.code]
        if adds and in_use + adds > limit:
            lines.append(
                f"- {quota.what}{where}: {environment} adds {adds}, {in_use} of {limit} are in "
                f"use (quota {quota.code}). Raise it: aws service-quotas "
                f"request-service-quota-increase --service-code {quota.service} --quota-code "
                f"{quota.code} --desired-value {in_use + adds} --region {region}"
            )

    check(ELASTIC_IPS, demand.elastic_ips, usage.ours.elastic_ips, usage.elastic_ips)
    check(VPCS, demand.vpcs, usage.ours.vpcs, usage.vpcs)
    ours = usage.ours.nat_gateways or {}
    for zone, wanted in sorted((demand.nat_gateways or {}).items()):
        check(
            NAT_PER_ZONE,
            wanted,
            ours.get(zone, 0),
            usage.nat_gateways.get(zone, 0),
            f" in {zone}",
        )
    return lines


def check_quotas(
    demand: Demand, *, environment: str, region: str, ec2: Any, service_quotas: Any
) -> None:
    """PreflightError listing every shortfall (exit 2, nothing deployed); silent when it fits."""
    if not (demand.elastic_ips or demand.vpcs or demand.nat_gateways):
        return
    quotas = {q.code: _quota_value(service_quotas, q) for q in (ELASTIC_IPS, VPCS, NAT_PER_ZONE)}
    lines = shortfalls(
        demand,
        current_usage(ec2, environment),
        quotas,
        environment=environment,
        region=region,
    )
    if lines:
        raise PreflightError(
            f"The AWS account has no room for {environment} in {region}; nothing was deployed.\n"
            + "\n".join(lines)
            + "\n(Or the Service Quotas console: https://console.aws.amazon.com/servicequotas/; "
            "increases can take a while. Removing an unused environment frees its share too.)"
        )
