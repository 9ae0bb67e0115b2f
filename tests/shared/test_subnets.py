import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.subnets import (
    AWS_RESERVED_ADDRESSES,
    MIN_SUBNET_PREFIX,
    TIERS,
    SubnetLayoutError,
    largest_vpc_prefix,
    layout_subnets,
)

RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@st.composite
def vpc_cidrs(draw: st.DrawFn, max_prefix: int = 28) -> ipaddress.IPv4Network:
    block = draw(st.sampled_from(RFC1918))
    prefix = draw(st.integers(min_value=max(16, block.prefixlen), max_value=max_prefix))
    index = draw(st.integers(min_value=0, max_value=2 ** (prefix - block.prefixlen) - 1))
    start = int(block.network_address) + index * 2 ** (32 - prefix)
    return ipaddress.IPv4Network((start, prefix))


zone_counts = st.integers(min_value=2, max_value=6)


@given(vpc_cidrs(), zone_counts)
def test_a_layout_is_disjoint_inside_the_vpc_and_large_enough(
    vpc: ipaddress.IPv4Network, zones: int
) -> None:
    if vpc.prefixlen > largest_vpc_prefix(zones):
        with pytest.raises(
            SubnetLayoutError, match=f"use a /{largest_vpc_prefix(zones)} or larger"
        ):
            layout_subnets(vpc, zones)
        return
    layout = layout_subnets(vpc, zones)
    assert all(len(layout.tier(tier)) == zones for tier in TIERS)
    assert len(layout.all) == 3 * zones
    for subnet in layout.all:
        assert subnet.subnet_of(vpc)
        assert subnet.prefixlen <= MIN_SUBNET_PREFIX
        assert subnet.num_addresses - AWS_RESERVED_ADDRESSES >= 11
    for a, b in itertools.combinations(layout.all, 2):
        assert not a.overlaps(b)


@given(vpc_cidrs(max_prefix=23), zone_counts)
def test_the_app_tier_gets_at_least_as_many_addresses_as_any_other(
    vpc: ipaddress.IPv4Network, zones: int
) -> None:
    layout = layout_subnets(vpc, zones)
    for private, public, database in zip(
        layout.private, layout.public, layout.database, strict=True
    ):
        assert private.num_addresses >= max(public.num_addresses, database.num_addresses)


@given(vpc_cidrs(max_prefix=23), st.integers(min_value=2, max_value=5))
def test_adding_a_zone_keeps_the_existing_subnets_within_a_power_of_two(
    vpc: ipaddress.IPv4Network, zones: int
) -> None:
    if (zones & (zones - 1)) == 0:  # 2 -> 3 and 4 -> 5 change the slot size
        return
    before, after = layout_subnets(vpc, zones), layout_subnets(vpc, zones + 1)
    for tier in TIERS:
        assert after.tier(tier)[:zones] == before.tier(tier)


def test_known_layout_for_a_prod_sized_vpc() -> None:
    layout = layout_subnets("10.30.0.0/16", 3)
    assert [str(n) for n in layout.private] == ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]
    assert [str(n) for n in layout.public] == ["10.30.128.0/20", "10.30.144.0/20", "10.30.160.0/20"]
    assert [str(n) for n in layout.database] == [
        "10.30.192.0/20",
        "10.30.208.0/20",
        "10.30.224.0/20",
    ]


@pytest.mark.parametrize(("zones", "largest"), [(2, 25), (3, 24), (4, 24), (5, 23), (6, 23)])
def test_largest_vpc_prefix(zones: int, largest: int) -> None:
    assert largest_vpc_prefix(zones) == largest


def test_too_small_a_vpc_says_what_would_fit() -> None:
    with pytest.raises(SubnetLayoutError) as error:
        layout_subnets("10.0.0.0/24", 6)
    assert str(error.value) == (
        "a /24 VPC is too small for 6 availability zones x 3 tiers (the smallest subnets would "
        "be /29; AWS's minimum is /28): use a /23 or larger, or fewer zones"
    )


@pytest.mark.parametrize("zones", [0, 1, 7])
def test_zone_count_outside_2_to_6_is_refused(zones: int) -> None:
    with pytest.raises(SubnetLayoutError, match="uses 2 to 6"):
        layout_subnets("10.0.0.0/16", zones)
