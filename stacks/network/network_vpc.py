"""The VPC and its routing: three subnet tiers per zone (shared.subnets), NAT, one route table per
tier and zone, and an S3 gateway endpoint.

Public subnets route to the internet gateway, private ones through their zone's NAT (or the single
shared one), database subnets nowhere: they are isolated.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import subnets
from shared.context import LabelContext
from shared.environment import NatMode


@dataclass(frozen=True)
class Vpc:
    vpc: aws.ec2.Vpc
    zones: tuple[str, ...]
    subnet_ids: dict[str, list[pulumi.Output[str]]]  # tier -> one subnet id per zone
    private_tables: list[aws.ec2.RouteTable]  # one per zone
    database_table: aws.ec2.RouteTable


def zones_of(region: str, configured: tuple[str, ...], count: int) -> tuple[str, ...]:
    """The configured zones, or the region's first `azCount` by zone id; a clear error when it
    has too few.

    Only zones that need no opt-in: Local Zones and Wavelength Zones (opted in for other work)
    lack most services and sort first by name. Zone ids name the same physical zone in every
    account, unlike zone names, so every environment's VPC lands in the same zones.
    """
    found = aws.get_availability_zones(
        state="available",
        filters=[
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ],
    )
    available = [name for _, name in sorted(zip(found.zone_ids, found.names, strict=True))]
    zones = list(configured) or available[:count]
    unavailable = sorted(set(zones) - set(available))
    if unavailable or len(zones) < count:
        raise pulumi.RunError(
            f"network:availabilityZones/azCount: {region} cannot provide {count} zones "
            f"({', '.join(unavailable) or 'too few'} unavailable); available: {', '.join(available)}"
        )
    return tuple(zones)


def build_vpc(
    labels: LabelContext,
    *,
    vpc_cidr: ipaddress.IPv4Network,
    zones: tuple[str, ...],
    nat_gateways: NatMode,
) -> Vpc:
    layout = subnets.layout_subnets(vpc_cidr, len(zones))

    def name_tags(*parts: str) -> dict[str, str]:
        return labels.label("name-tag", *parts).tags

    vpc = aws.ec2.Vpc(
        "vpc",
        cidr_block=str(layout.vpc),
        enable_dns_support=True,
        enable_dns_hostnames=True,
        tags=name_tags("vpc"),
    )
    # Adopting the default security group with no rules closes it: nothing can use it by accident.
    aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id, tags=name_tags("default-closed"))
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags=name_tags("igw"))

    subnet_ids: dict[str, list[pulumi.Output[str]]] = {tier: [] for tier in subnets.TIERS}
    for tier in subnets.TIERS:
        for zone, cidr in zip(zones, layout.tier(tier), strict=True):
            subnet = aws.ec2.Subnet(
                f"{tier}-{zone}",
                vpc_id=vpc.id,
                cidr_block=str(cidr),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={**name_tags(tier, zone), "Tier": tier},
            )
            subnet_ids[tier].append(subnet.id)

    nat_count = {"per-az": len(zones), "single": 1, "none": 0}[nat_gateways]
    nat_ids = []
    for zone, public_subnet in zip(zones[:nat_count], subnet_ids["public"], strict=False):
        eip = aws.ec2.Eip(f"nat-{zone}", domain="vpc", tags=name_tags("nat", zone))
        nat = aws.ec2.NatGateway(
            f"nat-{zone}",
            allocation_id=eip.id,
            subnet_id=public_subnet,
            connectivity_type="public",
            tags=name_tags("nat", zone),
            opts=pulumi.ResourceOptions(depends_on=[igw]),
        )
        nat_ids.append(nat.id)

    public_table = aws.ec2.RouteTable("public", vpc_id=vpc.id, tags=name_tags("public"))
    aws.ec2.Route(
        "public-internet",
        route_table_id=public_table.id,
        destination_cidr_block="0.0.0.0/0",
        gateway_id=igw.id,
    )
    private_tables = []
    for index, zone in enumerate(zones):
        table = aws.ec2.RouteTable(
            f"private-{zone}", vpc_id=vpc.id, tags=name_tags("private", zone)
        )
        if nat_ids:  # with `single`, every zone shares the one NAT; with `none`, no internet route
            aws.ec2.Route(
                f"private-{zone}-internet",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat_ids[min(index, len(nat_ids) - 1)],
            )
        private_tables.append(table)
    database_table = aws.ec2.RouteTable("database", vpc_id=vpc.id, tags=name_tags("database"))
    tier_tables = {
        "public": [public_table] * len(zones),
        "private": private_tables,
        "database": [database_table] * len(zones),
    }
    for tier in subnets.TIERS:
        for zone, subnet_id, table in zip(zones, subnet_ids[tier], tier_tables[tier], strict=True):
            aws.ec2.RouteTableAssociation(
                f"{tier}-{zone}", subnet_id=subnet_id, route_table_id=table.id
            )
    # S3 traffic from the private and database tiers skips the NAT (no per-GB processing charge).
    aws.ec2.VpcEndpoint(
        "s3",
        vpc_id=vpc.id,
        service_name=f"com.amazonaws.{labels.region}.s3",
        vpc_endpoint_type="Gateway",
        route_table_ids=[t.id for t in [*private_tables, database_table]],
        tags=name_tags("s3"),
    )
    return Vpc(vpc, zones, subnet_ids, private_tables, database_table)
