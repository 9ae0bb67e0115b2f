"""Subnet math: the VPC CIDR and the zone count in, one public, private and database subnet per zone out.

Pure (only `ipaddress`), so config validation can refuse a CIDR that is too small before anything
is deployed, and the network program never holds a hand-typed subnet CIDR.

Layout: the private (app) tier gets the first half of the VPC, because every Fargate task takes an
address of its own; the public tier (ALB, NAT) the third quarter and the database tier the last
quarter. Each tier is cut into a power of two of equal slots, one per zone, so the subnets of a
given zone keep their addresses when `azCount` grows within the same power of two.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

TIERS: tuple[str, ...] = ("public", "private", "database")
MIN_SUBNET_PREFIX = 28
"""AWS's smallest subnet: a /28 (16 addresses)."""
AWS_RESERVED_ADDRESSES = 5
"""AWS keeps the first four addresses and the last one of every subnet."""
MIN_ZONES, MAX_ZONES = 2, 6

_QUARTER_BITS = 2  # the public and database tiers each get a quarter of the VPC


class SubnetLayoutError(ValueError):
    """The VPC CIDR cannot hold one subnet per tier and zone; the message says what would."""


@dataclass(frozen=True)
class SubnetLayout:
    vpc: ipaddress.IPv4Network
    public: tuple[ipaddress.IPv4Network, ...]
    private: tuple[ipaddress.IPv4Network, ...]
    database: tuple[ipaddress.IPv4Network, ...]

    def tier(self, name: str) -> tuple[ipaddress.IPv4Network, ...]:
        return {"public": self.public, "private": self.private, "database": self.database}[name]

    @property
    def all(self) -> tuple[ipaddress.IPv4Network, ...]:
        return self.public + self.private + self.database


def _zone_bits(az_count: int) -> int:
    if not MIN_ZONES <= az_count <= MAX_ZONES:
        raise SubnetLayoutError(
            f"{az_count} availability zones: the network layer uses {MIN_ZONES} to {MAX_ZONES}"
        )
    return math.ceil(math.log2(az_count))


def largest_vpc_prefix(az_count: int) -> int:
    """The longest VPC prefix (smallest VPC) whose smallest subnet is still a /28."""
    return MIN_SUBNET_PREFIX - _QUARTER_BITS - _zone_bits(az_count)


def layout_subnets(vpc_cidr: ipaddress.IPv4Network | str, az_count: int) -> SubnetLayout:
    """One subnet per tier and zone, disjoint and inside the VPC, or a SubnetLayoutError."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    zone_bits = _zone_bits(az_count)
    largest = largest_vpc_prefix(az_count)
    if vpc.prefixlen > largest:
        smallest = vpc.prefixlen + _QUARTER_BITS + zone_bits
        raise SubnetLayoutError(
            f"a /{vpc.prefixlen} VPC is too small for {az_count} availability zones x "
            f"{len(TIERS)} tiers (the smallest subnets would be /{smallest}; AWS's minimum is "
            f"/{MIN_SUBNET_PREFIX}): use a /{largest} or larger, or fewer zones"
        )
    private, rest = vpc.subnets(prefixlen_diff=1)
    public, database = rest.subnets(prefixlen_diff=1)

    def per_zone(block: ipaddress.IPv4Network) -> tuple[ipaddress.IPv4Network, ...]:
        return tuple(block.subnets(prefixlen_diff=zone_bits))[:az_count]

    return SubnetLayout(
        vpc=vpc, public=per_zone(public), private=per_zone(private), database=per_zone(database)
    )
