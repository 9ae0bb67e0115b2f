"""Security-group ingress pinned per declaration form, port shape, ALB marking and message."""

import pytest

from policies.network import (
    DEFAULT_SECURITY_GROUP,
    EGRESS_RULE,
    INGRESS_RULE,
    LEGACY_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    Ingress,
    alb_groups,
    check_public_ingress,
    check_rule_descriptions,
    ingresses_of,
)
from policies.props import UnknownValueError
from policies.spec import StackResource
from tests.policies.conftest import UNKNOWN, context

GROUP = StackResource(SECURITY_GROUP, "urn:sg", {}, name="app")


def group(
    ingress: list[dict[str, object]], name: str = "app", urn: str = "urn:sg"
) -> StackResource:
    return StackResource(SECURITY_GROUP, urn, {"ingress": ingress}, name=name)


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
    assert ingresses_of(rule, [other, GROUP]) == [
        Ingress(rule, "urn:sg", ("0.0.0.0/0", "::/0"), 443, 443, "tcp")
    ]
    v6_only = StackResource(INGRESS_RULE, "urn:r6", {"cidrIpv6": "::/0"})
    assert ingresses_of(v6_only, [GROUP]) == [Ingress(v6_only, None, ("::/0",), None, None, None)]


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
    assert ingresses_of(rule, [GROUP]) == [
        Ingress(rule, "urn:sg", ("0.0.0.0/0", "::/0"), 0, 65535, "-1")
    ]
    egress = StackResource(LEGACY_RULE, "urn:e", {**props, "type": "egress"})
    assert ingresses_of(egress, [GROUP]) == []
    assert ingresses_of(StackResource(EGRESS_RULE, "urn:x", props), [GROUP]) == []


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


@pytest.mark.parametrize(
    ("entry", "ports"),
    [
        ({"fromPort": 22, "toPort": 22, "protocol": "tcp"}, "port 22"),
        ({"fromPort": 1000, "toPort": 2000, "protocol": "udp"}, "ports 1000-2000"),
        ({"fromPort": 0, "toPort": 0, "protocol": "-1"}, "all ports"),
        ({"protocol": "tcp"}, "all ports"),
    ],
)
def test_the_message_names_sources_ports_and_target(entry: dict[str, object], ports: str) -> None:
    found = check_public_ingress([group([{"cidrBlocks": ["0.0.0.0/0"], **entry}])], context())
    assert found == [("urn:sg", f"app: ingress from 0.0.0.0/0 on {ports} to a security group")]


def test_web_ports_pass_only_to_an_alb_group_over_tcp() -> None:
    alb = group([], name="alb", urn="urn:alb")

    def on_alb(entry: dict[str, object]) -> list[tuple[str, str]]:
        rule = StackResource(
            INGRESS_RULE,
            "urn:rule",
            {"cidrIpv4": "0.0.0.0/0", **entry},
            dependencies=("urn:alb",),
            name="rule",
        )
        return check_public_ingress([alb, rule], context())

    for web in (
        {"fromPort": 443, "toPort": 443, "ipProtocol": "tcp"},
        {"fromPort": 80, "toPort": 80, "ipProtocol": "6"},
    ):
        assert on_alb(web) == []
    assert on_alb({"fromPort": 80, "toPort": 443, "ipProtocol": "tcp"}) == [
        ("urn:rule", "rule: ingress from 0.0.0.0/0 on ports 80-443 to an ALB security group")
    ]
    assert on_alb({"fromPort": 443, "toPort": 443, "ipProtocol": "udp"}) == [
        ("urn:rule", "rule: ingress from 0.0.0.0/0 on port 443 to an ALB security group")
    ]
    assert on_alb({"fromPort": 22, "toPort": 22, "ipProtocol": "tcp"}) == [
        ("urn:rule", "rule: ingress from 0.0.0.0/0 on port 22 to an ALB security group")
    ]


def test_the_alb_pattern_comes_from_config() -> None:
    edge = group(
        [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 443, "toPort": 443, "protocol": "tcp"}],
        name="edge",
    )
    assert check_public_ingress([edge], context())
    assert check_public_ingress([edge], context(config={"albSecurityGroupPattern": "^edge$"})) == []


def test_an_unknown_cidr_is_raised_only_when_nothing_else_fires() -> None:
    unknown = group(
        [{"cidrBlocks": [UNKNOWN], "fromPort": 22, "toPort": 22, "protocol": "tcp"}], urn="urn:u"
    )
    with pytest.raises(UnknownValueError):
        check_public_ingress([unknown], context())
    public = group([{"cidrBlocks": ["::/0"], "fromPort": 22, "toPort": 22, "protocol": "tcp"}])
    assert check_public_ingress([unknown, public], context()) == [
        ("urn:sg", "app: ingress from ::/0 on port 22 to a security group")
    ]


def test_rule_descriptions_per_direction_and_index() -> None:
    props = {
        "ingress": [{"description": "https"}, {}],
        "egress": [{"description": ""}],
    }
    assert check_rule_descriptions(SECURITY_GROUP, props, context()) == [
        "rule ingress[1] has no description",
        "rule egress[0] has no description",
    ]
    assert check_rule_descriptions(DEFAULT_SECURITY_GROUP, {}, context()) == []
    for type_ in (INGRESS_RULE, EGRESS_RULE, LEGACY_RULE):
        assert check_rule_descriptions(type_, {}, context()) == ["the rule has no description"]
        assert check_rule_descriptions(type_, {"description": ""}, context()) == [
            "the rule has no description"
        ]
        assert check_rule_descriptions(type_, {"description": "why"}, context()) == []
