"""PR-cost limits at their boundaries, and the ECS container checks message by message."""

import json

import pytest

from policies.cost import check_pr_cost
from policies.ecs import check_container_insights, check_logging, check_privileged, containers
from policies.spec import StackResource
from tests.policies.conftest import context

NAT = "aws:ec2/natGateway:NatGateway"
MEMBER = "aws:rds/clusterInstance:ClusterInstance"
INSTANCE = "aws:rds/instance:Instance"


def nats(count: int) -> list[StackResource]:
    return [StackResource(NAT, f"urn:nat{i}", {}, name=f"nat{i}") for i in range(count)]


def test_nat_gateways_up_to_the_limit_pass_and_each_extra_one_fires() -> None:
    pr = context("pr-4")
    assert check_pr_cost(nats(1), pr) == []
    assert check_pr_cost(nats(2), pr) == [
        ("urn:nat1", "nat1: 2 NAT gateways, a pr environment gets 1")
    ]
    relaxed = context("pr-4", config={"maxNatGateways": 2})
    assert check_pr_cost(nats(2), relaxed) == []
    assert check_pr_cost(nats(3), relaxed) == [
        ("urn:nat2", "nat2: 3 NAT gateways, a pr environment gets 2")
    ]


def test_database_limit_counts_members_and_aurora_instances_only() -> None:
    pr = context("pr-4")
    member = StackResource(MEMBER, "urn:m", {}, name="m")
    aurora = StackResource(INSTANCE, "urn:a", {"engine": "aurora-mysql"}, name="a")
    postgres = StackResource(INSTANCE, "urn:p", {"engine": "postgres"}, name="p")
    engineless = StackResource(INSTANCE, "urn:e", {}, name="e")
    assert check_pr_cost([member], pr) == []
    assert check_pr_cost([member, postgres, engineless], pr) == []
    assert check_pr_cost([member, aurora], pr) == [
        ("urn:a", "a: 2 Aurora instances, a pr environment gets 1")
    ]
    relaxed = context("pr-4", config={"maxDatabaseInstances": 2})
    assert check_pr_cost([member, aurora], relaxed) == []
    assert check_pr_cost([member, aurora, member], relaxed) == [
        ("urn:m", "m: 3 Aurora instances, a pr environment gets 2")
    ]


@pytest.mark.parametrize("value", ["enabled", "enhanced"])
def test_container_insights_on(value: str) -> None:
    settings = {
        "settings": [{"name": "other", "value": "x"}, {"name": "containerInsights", "value": value}]
    }
    assert check_container_insights("t", settings, context()) == []


def test_container_insights_off_or_missing() -> None:
    off = {"settings": [{"name": "containerInsights", "value": "disabled"}]}
    assert check_container_insights("t", off, context()) == [
        "containerInsights is 'disabled'; set it to 'enabled' or 'enhanced'"
    ]
    assert check_container_insights("t", {}, context()) == [
        "the cluster has no containerInsights setting (AWS default: disabled)"
    ]


def test_container_definitions_as_json_list_or_nothing() -> None:
    definitions = [{"name": "web"}, "not a container"]
    assert containers({"containerDefinitions": json.dumps(definitions)}) == [{"name": "web"}]
    assert containers({"containerDefinitions": definitions}) == [{"name": "web"}]
    assert containers({"containerDefinitions": "not json"}) == []
    assert containers({"containerDefinitions": '{"name": "web"}'}) == []
    assert containers({}) == []


def test_privileged_and_logless_containers_are_named() -> None:
    props = {
        "containerDefinitions": [
            {"name": "web", "privileged": True},
            {"privileged": True, "logConfiguration": {"logDriver": "awslogs"}},
            {"name": "ok", "privileged": "true", "logConfiguration": {"logDriver": "awslogs"}},
        ]
    }
    assert check_privileged("t", props, context()) == [
        "container 'web' runs privileged (root on the host)",
        "container '?' runs privileged (root on the host)",
    ]
    assert check_logging("t", props, context()) == [
        "container 'web' has no logConfiguration: its output is lost"
    ]
    assert check_logging("t", {"containerDefinitions": [{}]}, context()) == [
        "container '?' has no logConfiguration: its output is lost"
    ]
