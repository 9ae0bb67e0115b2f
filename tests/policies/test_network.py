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
