from typing import Any

import pytest

from policies.network import (
    DEFAULT_SECURITY_GROUP,
    EGRESS_RULE,
    INGRESS_RULE,
    LEGACY_RULE,
    LOAD_BALANCER,
    RULES,
    SECURITY_GROUP,
    Ingress,
    alb_groups,
    check_public_ingress,
    check_rule_descriptions,
    ingresses_of,
)
from policies.props import UnknownValueError
from policies.spec import ResourceCheck, StackCheck, StackResource
from tests.policies.conftest import (
    BAD_ARGS,
    BAD_STACK_ARGS,
    GOOD_ARGS,
    GOOD_STACK_ARGS,
    UNKNOWN,
    Ctx,
    bad,
    bad_in_stack,
    context,
    good,
    good_in_stack,
)

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


# --- Ingress as the rules read it, each declaration form ----------------------------------------

APP_GROUP = StackResource(SECURITY_GROUP, "urn:sg", {}, name="app")


def test_inline_ingress_of_a_group_and_a_default_group() -> None:
    entry = {
        "cidrBlocks": ["10.0.0.0/8"],
        "ipv6CidrBlocks": ["::/0"],
        "fromPort": 22.0,
        "toPort": 23.0,
        "protocol": "tcp",
    }
    for type_ in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        resource = StackResource(type_, "urn:g", {"ingress": [entry, {}]})
        assert ingresses_of(resource, []) == [
            Ingress(resource, "urn:g", ("10.0.0.0/8", "::/0"), 22, 23, "tcp"),
            Ingress(resource, "urn:g", (), None, None, None),
        ]


def test_a_rule_resource_names_its_group_by_dependency() -> None:
    rule = StackResource(
        INGRESS_RULE,
        "urn:r",
        {
            "cidrIpv4": "0.0.0.0/0",
            "cidrIpv6": "::/0",
            "fromPort": 443,
            "toPort": 443,
            "ipProtocol": "tcp",
        },
        dependencies=("urn:other", "urn:sg"),
    )
    other = StackResource(SECURITY_GROUP, "urn:other-group", {})
    assert ingresses_of(rule, [other, APP_GROUP]) == [
        Ingress(rule, "urn:sg", ("0.0.0.0/0", "::/0"), 443, 443, "tcp")
    ]
    v6_only = StackResource(INGRESS_RULE, "urn:r6", {"cidrIpv6": "::/0"})
    assert ingresses_of(v6_only, [APP_GROUP]) == [
        Ingress(v6_only, None, ("::/0",), None, None, None)
    ]


def test_a_legacy_rule_counts_only_as_ingress() -> None:
    props = {
        "type": "ingress",
        "cidrBlocks": ["0.0.0.0/0"],
        "ipv6CidrBlocks": ["::/0"],
        "fromPort": 0,
        "toPort": 65535,
        "protocol": "-1",
    }
    rule = StackResource(LEGACY_RULE, "urn:l", props, dependencies=("urn:sg",))
    assert ingresses_of(rule, [APP_GROUP]) == [
        Ingress(rule, "urn:sg", ("0.0.0.0/0", "::/0"), 0, 65535, "-1")
    ]
    egress = StackResource(LEGACY_RULE, "urn:e", {**props, "type": "egress"})
    assert ingresses_of(egress, [APP_GROUP]) == []
    assert ingresses_of(StackResource(EGRESS_RULE, "urn:x", props), [APP_GROUP]) == []


def test_alb_groups_by_load_balancer_name_or_tag() -> None:
    used = StackResource(SECURITY_GROUP, "urn:used", {})
    named = StackResource(SECURITY_GROUP, "urn:named", {"name": "acme-prod-alb"})
    tagged = StackResource(SECURITY_GROUP, "urn:tagged", {"tags": {"Name": "ALB_public"}})
    by_resource_name = StackResource(SECURITY_GROUP, "urn:rn", {}, name="web/alb")
    plain = StackResource(SECURITY_GROUP, "urn:plain", {"name": "albatross"}, name="app")
    nlb_group = StackResource(SECURITY_GROUP, "urn:nlb", {})
    resources = [
        used,
        named,
        tagged,
        by_resource_name,
        plain,
        nlb_group,
        StackResource(LOAD_BALANCER, "urn:lb", {}, dependencies=("urn:used",)),
        StackResource(
            LOAD_BALANCER, "urn:nlb-lb", {"loadBalancerType": "network"}, dependencies=("urn:nlb",)
        ),
        StackResource(
            LOAD_BALANCER, "urn:lb2", {"loadBalancerType": "application", "name": UNKNOWN}
        ),
    ]
    pattern = r"(^|[-_/ ])alb($|[-_/ ])"
    assert alb_groups(resources, pattern) == {"urn:used", "urn:named", "urn:tagged", "urn:rn"}
    unknown_name = StackResource(SECURITY_GROUP, "urn:u", {"name": UNKNOWN})
    assert alb_groups([unknown_name], pattern) == set()


# --- Each condition on its own: good and bad calls ----------------------------------------------


def ingress_group(
    ingress: list[dict[str, object]], name: str = "app", urn: str = "urn:sg"
) -> StackResource:
    return StackResource(SECURITY_GROUP, urn, {"ingress": ingress}, name=name)


ALB_GROUP = ingress_group([], name="alb", urn="urn:alb")


def on_alb(**entry: object) -> list[StackResource]:
    """The ALB's group and one ingress rule of it from anywhere."""
    props = {"cidrIpv4": "0.0.0.0/0", **entry}
    return [ALB_GROUP, StackResource(INGRESS_RULE, "urn:rule", props, ("urn:alb",), "rule")]


def to_alb(ports: str) -> list[tuple[str, str]]:
    return [("urn:rule", f"rule: ingress from 0.0.0.0/0 on {ports} to an ALB security group")]


EDGE = ingress_group(
    [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 443, "toPort": 443, "protocol": "tcp"}], name="edge"
)
UNKNOWN_CIDR = ingress_group(
    [{"cidrBlocks": [UNKNOWN], "fromPort": 22, "toPort": 22, "protocol": "tcp"}], urn="urn:u"
)
RULE_TYPES = (INGRESS_RULE, EGRESS_RULE, LEGACY_RULE)
NO_DESCRIPTION = ["the rule has no description"]

GOOD_STACKS = [
    # Web ports pass only to an ALB group, over TCP ("6" is TCP's number).
    good_in_stack(check_public_ingress, on_alb(fromPort=443, toPort=443, ipProtocol="tcp"), "dev"),
    good_in_stack(check_public_ingress, on_alb(fromPort=80, toPort=80, ipProtocol="6"), "dev"),
    # The ALB pattern comes from config.
    good_in_stack(
        check_public_ingress, [EDGE], "dev", config={"albSecurityGroupPattern": "^edge$"}
    ),
]

BAD_STACKS = [
    # The message names sources, ports and target.
    *(
        bad_in_stack(
            check_public_ingress,
            [ingress_group([{"cidrBlocks": ["0.0.0.0/0"], **entry}])],
            [("urn:sg", f"app: ingress from 0.0.0.0/0 on {ports} to a security group")],
            "dev",
        )
        for entry, ports in (
            ({"fromPort": 22, "toPort": 22, "protocol": "tcp"}, "port 22"),
            ({"fromPort": 1000, "toPort": 2000, "protocol": "udp"}, "ports 1000-2000"),
            ({"fromPort": 0, "toPort": 0, "protocol": "-1"}, "all ports"),
            ({"protocol": "tcp"}, "all ports"),
        )
    ),
    bad_in_stack(
        check_public_ingress,
        on_alb(fromPort=80, toPort=443, ipProtocol="tcp"),
        to_alb("ports 80-443"),
        "dev",
    ),
    bad_in_stack(
        check_public_ingress,
        on_alb(fromPort=443, toPort=443, ipProtocol="udp"),
        to_alb("port 443"),
        "dev",
    ),
    bad_in_stack(
        check_public_ingress,
        on_alb(fromPort=22, toPort=22, ipProtocol="tcp"),
        to_alb("port 22"),
        "dev",
    ),
    bad_in_stack(
        check_public_ingress,
        [EDGE],
        [("urn:sg", "edge: ingress from 0.0.0.0/0 on port 443 to a security group")],
        "dev",
    ),
    # An unknown CIDR is skipped when another rule fires.
    bad_in_stack(
        check_public_ingress,
        [
            UNKNOWN_CIDR,
            ingress_group(
                [{"cidrBlocks": ["::/0"], "fromPort": 22, "toPort": 22, "protocol": "tcp"}]
            ),
        ],
        [("urn:sg", "app: ingress from ::/0 on port 22 to a security group")],
        "dev",
    ),
]

GOOD = [
    good(check_rule_descriptions, DEFAULT_SECURITY_GROUP, {}, "dev"),
    *(good(check_rule_descriptions, t, {"description": "why"}, "dev") for t in RULE_TYPES),
]

BAD = [
    # Per direction and index.
    bad(
        check_rule_descriptions,
        SECURITY_GROUP,
        {"ingress": [{"description": "https"}, {}], "egress": [{"description": ""}]},
        ["rule ingress[1] has no description", "rule egress[0] has no description"],
        "dev",
    ),
    *(bad(check_rule_descriptions, t, {}, NO_DESCRIPTION, "dev") for t in RULE_TYPES),
    *(
        bad(check_rule_descriptions, t, {"description": ""}, NO_DESCRIPTION, "dev")
        for t in RULE_TYPES
    ),
]


@pytest.mark.parametrize(GOOD_STACK_ARGS, GOOD_STACKS)
def test_good_stack(check: StackCheck, resources: list[StackResource], ctx: Ctx) -> None:
    assert check(resources, ctx()) == []


@pytest.mark.parametrize(BAD_STACK_ARGS, BAD_STACKS)
def test_bad_stack(
    check: StackCheck, resources: list[StackResource], ctx: Ctx, expected: list[tuple[str, str]]
) -> None:
    assert check(resources, ctx()) == expected


@pytest.mark.parametrize(GOOD_ARGS, GOOD)
def test_good(check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx) -> None:
    assert check(type_, props, ctx()) == []


@pytest.mark.parametrize(BAD_ARGS, BAD)
def test_bad(
    check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx, expected: list[str]
) -> None:
    assert check(type_, props, ctx()) == expected


def test_an_unknown_cidr_alone_cannot_be_judged() -> None:
    with pytest.raises(UnknownValueError):
        check_public_ingress([UNKNOWN_CIDR], context())
