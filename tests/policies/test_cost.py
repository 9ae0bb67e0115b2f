import pytest

from policies.cost import RULES, check_pr_cost
from policies.spec import StackCheck, StackResource
from tests.policies.conftest import (
    BAD_STACK_ARGS,
    GOOD_STACK_ARGS,
    Ctx,
    bad_in_stack,
    context,
    good_in_stack,
    level,
)

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


# --- Each limit at its boundary: good and bad calls ---------------------------------------------

NAT = "aws:ec2/natGateway:NatGateway"
MEMBER = StackResource("aws:rds/clusterInstance:ClusterInstance", "urn:m", {}, name="m")
AURORA = StackResource("aws:rds/instance:Instance", "urn:a", {"engine": "aurora-mysql"}, name="a")
POSTGRES = StackResource("aws:rds/instance:Instance", "urn:p", {"engine": "postgres"}, name="p")
ENGINELESS = StackResource("aws:rds/instance:Instance", "urn:e", {}, name="e")


def nats(count: int) -> list[StackResource]:
    return [StackResource(NAT, f"urn:nat{i}", {}, name=f"nat{i}") for i in range(count)]


TWO_NATS = {"maxNatGateways": 2}
TWO_DATABASES = {"maxDatabaseInstances": 2}

GOOD = [
    good_in_stack(check_pr_cost, nats(1), "pr-4"),
    good_in_stack(check_pr_cost, nats(2), "pr-4", config=TWO_NATS),
    # The database limit counts cluster members and Aurora instances only.
    good_in_stack(check_pr_cost, [MEMBER], "pr-4"),
    good_in_stack(check_pr_cost, [MEMBER, POSTGRES, ENGINELESS], "pr-4"),
    good_in_stack(check_pr_cost, [MEMBER, AURORA], "pr-4", config=TWO_DATABASES),
]

BAD = [
    bad_in_stack(
        check_pr_cost,
        nats(2),
        [("urn:nat1", "nat1: 2 NAT gateways, a pr environment gets 1")],
        "pr-4",
    ),
    bad_in_stack(
        check_pr_cost,
        nats(3),
        [("urn:nat2", "nat2: 3 NAT gateways, a pr environment gets 2")],
        "pr-4",
        config=TWO_NATS,
    ),
    bad_in_stack(
        check_pr_cost,
        [MEMBER, AURORA],
        [("urn:a", "a: 2 Aurora instances, a pr environment gets 1")],
        "pr-4",
    ),
    bad_in_stack(
        check_pr_cost,
        [MEMBER, AURORA, MEMBER],
        [("urn:m", "m: 3 Aurora instances, a pr environment gets 2")],
        "pr-4",
        config=TWO_DATABASES,
    ),
]


@pytest.mark.parametrize(GOOD_STACK_ARGS, GOOD)
def test_good(check: StackCheck, resources: list[StackResource], ctx: Ctx) -> None:
    assert check(resources, ctx()) == []


@pytest.mark.parametrize(BAD_STACK_ARGS, BAD)
def test_bad(
    check: StackCheck, resources: list[StackResource], ctx: Ctx, expected: list[tuple[str, str]]
) -> None:
    assert check(resources, ctx()) == expected
