from typing import Any

import pytest

from policies.network import RULES
from policies.props import UnknownValueError
from policies.spec import StackResource
from tests.policies.conftest import UNKNOWN, context

RULE = {rule.name: rule for rule in RULES}
PUBLIC = RULE["aws-ec2-no-public-ingress"]
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def group(name: str, **props: Any) -> StackResource:
    return StackResource(SG, f"urn:{name}", {"name": name, **props}, name=name)


def rule(name: str, group_urn: str, **props: Any) -> StackResource:
    return StackResource(INGRESS, f"urn:{name}", props, dependencies=(group_urn,), name=name)


def web(port: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"cidrIpv4": cidr, "fromPort": float(port), "toPort": float(port), "ipProtocol": "tcp"}


def test_https_from_anywhere_to_the_alb_group_is_allowed() -> None:
    stack = [group("platform-prod-alb"), rule("https", "urn:platform-prod-alb", **web(443))]
    assert PUBLIC.check_all(stack, context()) == []


def test_ssh_from_anywhere_fires_even_on_the_alb_group() -> None:
    stack = [group("platform-prod-alb"), rule("ssh", "urn:platform-prod-alb", **web(22))]
    (found,) = PUBLIC.check_all(stack, context())
    assert found[0] == "urn:ssh" and "port 22" in found[1]


def test_web_from_anywhere_to_an_app_group_fires() -> None:
    stack = [group("platform-prod-app"), rule("http", "urn:platform-prod-app", **web(80, "::/0"))]
    assert PUBLIC.check_all(stack, context())


def test_inline_ingress_and_all_ports() -> None:
    stack = [
        group(
            "platform-dev-db",
            ingress=[
                {"cidrBlocks": ["0.0.0.0/0"], "fromPort": 0.0, "toPort": 0.0, "protocol": "-1"}
            ],
        )
    ]
    (found,) = PUBLIC.check_all(stack, context())
    assert "all ports" in found[1]


def test_a_group_used_by_an_alb_in_the_same_stack_counts_as_the_albs() -> None:
    lb = StackResource("aws:lb/loadBalancer:LoadBalancer", "urn:lb", {}, dependencies=("urn:web",))
    stack = [group("web"), lb, rule("https", "urn:web", **web(443))]
    assert PUBLIC.check_all(stack, context()) == []


def test_private_ingress_is_fine_and_unknown_cidr_is_cant_run() -> None:
    assert (
        PUBLIC.check_all([group("a"), rule("r", "urn:a", **web(5432, "10.0.0.0/16"))], context())
        == []
    )
    with pytest.raises(UnknownValueError):
        PUBLIC.check_all([group("a"), rule("r", "urn:a", **web(5432, UNKNOWN))], context())


def test_rule_descriptions() -> None:
    describe = RULE["aws-ec2-security-group-rule-description"]
    assert describe.check(INGRESS, {"description": "HTTPS from the internet"}, context()) == []
    assert describe.check(INGRESS, {}, context())
    found = describe.check(SG, {"ingress": [{"description": "ok"}, {}]}, context())
    assert found == ["rule ingress[1] has no description"]


@pytest.mark.parametrize(
    "cidrs",
    [
        ("0.0.0.0/1", "128.0.0.0/1"),
        ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"),
        ("::/1", "8000::/1"),
    ],
)
def test_ssh_from_cidrs_that_together_cover_the_internet_fires(cidrs: tuple[str, ...]) -> None:
    stack = [group("platform-prod-app")]
    for index, cidr in enumerate(cidrs):
        ports = (
            web(22, cidr) if ":" not in cidr else {**web(22), "cidrIpv4": None, "cidrIpv6": cidr}
        )
        stack.append(rule(f"ssh{index}", "urn:platform-prod-app", **ports))
    found = PUBLIC.check_all(stack, context())
    assert {urn for urn, _ in found} == {f"urn:ssh{i}" for i in range(len(cidrs))}
    assert all("together the whole internet" in message for _, message in found)


def test_coverage_counts_a_wider_port_range_and_ignores_other_groups() -> None:
    # Two neighbouring public /16s: each alone is allowed, together they are wider than a /16.
    wide = {**web(0, "52.0.0.0/16"), "fromPort": 0.0, "toPort": 65535.0}
    same_group = [
        group("a"),
        rule("wide", "urn:a", **wide),
        rule("ssh", "urn:a", **web(22, "52.1.0.0/16")),
    ]
    # Port 22 is open to both (the wide rule covers it too); the rule opening it is the one
    # reported, the wide rule alone opens its other ports to one /16 only.
    (found,) = PUBLIC.check_all(same_group, context())
    assert found == (
        "urn:ssh",
        "ssh: ingress from 52.0.0.0/16, 52.1.0.0/16 (public addresses wider than /16) on port 22 "
        "to a security group",
    )
    split = [
        group("a"),
        group("b"),
        rule("half-a", "urn:a", **web(22, "52.0.0.0/16")),
        rule("half-b", "urn:b", **web(22, "52.1.0.0/16")),
    ]
    assert PUBLIC.check_all(split, context()) == []
    other_port = [
        group("a"),
        rule("x", "urn:a", **web(22, "52.0.0.0/16")),
        rule("y", "urn:a", **web(23, "52.1.0.0/16")),
    ]
    assert PUBLIC.check_all(other_port, context()) == []


@pytest.mark.parametrize("cidr", ["0.0.0.0/1", "128.0.0.0/2", "52.0.0.0/15", "10.0.0.0/7", "::/1"])
def test_half_the_internet_or_any_public_range_wider_than_a_16_fires(cidr: str) -> None:
    ports = (
        web(5432, cidr) if ":" not in cidr else {**web(5432), "cidrIpv4": None, "cidrIpv6": cidr}
    )
    stack = [group("platform-prod-db"), rule("postgres", "urn:platform-prod-db", **ports)]
    (found,) = PUBLIC.check_all(stack, context())
    assert found[0] == "urn:postgres" and "port 5432" in found[1] and cidr in found[1]


@pytest.mark.parametrize(
    "cidr", ["203.0.113.10/32", "52.0.0.0/16", "10.0.0.0/8", "100.64.0.0/10", "2001:db8::/48"]
)
def test_an_office_address_a_16_and_private_ranges_stay_allowed(cidr: str) -> None:
    ports = web(22, cidr) if ":" not in cidr else {**web(22), "cidrIpv4": None, "cidrIpv6": cidr}
    stack = [group("platform-prod-app"), rule("ssh", "urn:platform-prod-app", **ports)]
    assert PUBLIC.check_all(stack, context()) == []


def test_the_broadest_public_prefix_comes_from_config() -> None:
    stack = [
        group("platform-prod-app"),
        rule("ssh", "urn:platform-prod-app", **web(22, "52.0.0.0/20")),
    ]
    assert PUBLIC.check_all(stack, context()) == []
    (found,) = PUBLIC.check_all(stack, context(config={"broadestPublicPrefix": 24}))
    assert "(public addresses wider than /24)" in found[1]
    assert PUBLIC.config_schema["broadestPublicPrefix"]["default"] == 16


def test_an_all_protocol_rule_on_443_of_the_alb_group_is_all_traffic_not_web() -> None:
    all_traffic = {**web(443), "ipProtocol": "-1"}
    stack = [group("platform-prod-alb"), rule("any", "urn:platform-prod-alb", **all_traffic)]
    assert PUBLIC.check_all(stack, context()) == [
        ("urn:any", "any: ingress from 0.0.0.0/0 on all ports to an ALB security group")
    ]


def test_the_network_layer_with_split_ssh_ingress_fails_and_as_planned_passes() -> None:
    from tests.stacks import offline_results

    resources = offline_results.network("dev").resources
    stack = [StackResource(r.type, r.urn, r.inputs, r.dependencies, r.name) for r in resources]
    assert PUBLIC.check_all(stack, context()) == []
    app_group = next(r for r in stack if r.type == SG and "app" in r.name)
    halves = [
        rule(f"ssh-{i}", app_group.urn, **web(22, cidr))
        for i, cidr in enumerate(("0.0.0.0/1", "128.0.0.0/1"))
    ]
    found = PUBLIC.check_all([*stack, *halves], context())
    assert {urn for urn, _ in found} == {"urn:ssh-0", "urn:ssh-1"}


def test_the_network_layer_with_half_the_internet_to_postgres_or_all_traffic_to_the_alb_fails() -> (
    None
):
    from tests.stacks import offline_results

    resources = offline_results.network("prod").resources
    stack = [StackResource(r.type, r.urn, r.inputs, r.dependencies, r.name) for r in resources]
    assert PUBLIC.check_all(stack, context()) == []
    groups = {r.name: r.urn for r in stack if r.type == SG}
    db = next(urn for name, urn in groups.items() if "db" in name)
    alb = next(urn for name, urn in groups.items() if "alb" in name)
    extra = [
        rule("postgres-half", db, **web(5432, "0.0.0.0/1")),
        rule("alb-any", alb, **{**web(443), "ipProtocol": "-1"}),
    ]
    found = dict(PUBLIC.check_all([*stack, *extra], context()))
    assert set(found) == {"urn:postgres-half", "urn:alb-any"}
    assert "on all ports to an ALB security group" in found["urn:alb-any"]
