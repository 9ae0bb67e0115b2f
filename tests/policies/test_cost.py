from policies.cost import RULES
from policies.spec import StackResource
from tests.policies.conftest import context, level

RULE = RULES[0]


def resources(
    nats: int = 1, instances: int = 1, record: bool = False, insights: bool = False
) -> list[StackResource]:
    out = [
        StackResource("aws:ec2/natGateway:NatGateway", f"urn:nat{i}", {}, name=f"nat{i}")
        for i in range(nats)
    ]
    out += [
        StackResource(
            "aws:rds/clusterInstance:ClusterInstance",
            f"urn:db{i}",
            {"performanceInsightsEnabled": insights},
            name=f"db{i}",
        )
        for i in range(instances)
    ]
    if record:
        out.append(StackResource("aws:route53/record:Record", "urn:www", {}, name="www"))
    return out


def test_a_lean_pr_environment_passes() -> None:
    assert RULE.check_all(resources(), context("pr-7")) == []


def test_each_cost_driver_fires_in_a_pr_environment() -> None:
    assert [u for u, _ in RULE.check_all(resources(nats=3), context("pr-7"))] == [
        "urn:nat1",
        "urn:nat2",
    ]
    assert [u for u, _ in RULE.check_all(resources(instances=2), context("pr-7"))] == ["urn:db1"]
    assert [u for u, _ in RULE.check_all(resources(record=True), context("pr-7"))] == ["urn:www"]
    assert [u for u, _ in RULE.check_all(resources(insights=True), context("pr-7"))] == ["urn:db0"]


def test_the_guard_is_off_by_default_and_the_pr_classs_config_turns_it_on() -> None:
    assert RULE.default_level == "disabled"
    assert level(RULE.name, "pr-7") == "mandatory"
    assert level(RULE.name, "prod") == "disabled"
    found = RULE.check_all(resources(nats=2), context("dev"))
    assert found == [("urn:nat1", "nat1: 2 NAT gateways, a dev environment gets 1")]


def test_limits_are_config() -> None:
    assert RULE.check_all(resources(nats=2), context("pr-7", config={"maxNatGateways": 2.0})) == []
