"""The ECS rules: container insights, privileged containers, container logging."""

import json
from typing import Any

import pytest

from policies import ecs
from policies.ecs import check_container_insights, check_logging, check_privileged, containers
from policies.props import UnknownValueError
from policies.spec import ResourceCheck
from tests.policies.conftest import BAD_ARGS, GOOD_ARGS, UNKNOWN, Ctx, bad, context, good

ECS = {rule.name: rule for rule in ecs.RULES}
TASK = "aws:ecs/taskDefinition:TaskDefinition"


def task(**container: object) -> dict[str, str]:
    definition = {"name": "app", "image": "nginx", **container}
    return {"containerDefinitions": json.dumps([definition])}


def test_container_insights() -> None:
    rule = ECS["aws-ecs-cluster-container-insights"]
    on = {"settings": [{"name": "containerInsights", "value": "enabled"}]}
    assert rule.check(ecs.CLUSTER, on, context()) == []
    assert rule.check(ecs.CLUSTER, {}, context())
    off = {"settings": [{"name": "containerInsights", "value": "disabled"}]}
    assert "'disabled'" in rule.check(ecs.CLUSTER, off, context())[0]


def test_privileged_and_logging() -> None:
    logged = {"logConfiguration": {"logDriver": "awslogs"}}
    assert ECS["aws-ecs-no-privileged-containers"].check(TASK, task(**logged), context()) == []
    assert ECS["aws-ecs-no-privileged-containers"].check(TASK, task(privileged=True), context())
    assert ECS["aws-ecs-container-logging"].check(TASK, task(**logged), context()) == []
    assert "'app'" in ECS["aws-ecs-container-logging"].check(TASK, task(), context())[0]


def test_container_definitions_built_from_outputs_are_unknown_in_preview() -> None:
    with pytest.raises(UnknownValueError):
        ECS["aws-ecs-container-logging"].check(TASK, {"containerDefinitions": UNKNOWN}, context())


# --- Each condition on its own: good and bad calls ----------------------------------------------

MIXED = {
    "containerDefinitions": [
        {"name": "web", "privileged": True},
        {"privileged": True, "logConfiguration": {"logDriver": "awslogs"}},
        {"name": "ok", "privileged": "true", "logConfiguration": {"logDriver": "awslogs"}},
    ]
}

GOOD = [
    *(
        good(
            check_container_insights,
            "t",
            {
                "settings": [
                    {"name": "other", "value": "x"},
                    {"name": "containerInsights", "value": value},
                ]
            },
            "dev",
        )
        for value in ("enabled", "enhanced")
    ),
]

BAD = [
    bad(
        check_container_insights,
        "t",
        {"settings": [{"name": "containerInsights", "value": "disabled"}]},
        ["containerInsights is 'disabled'; set it to 'enabled' or 'enhanced'"],
        "dev",
    ),
    bad(
        check_container_insights,
        "t",
        {},
        ["the cluster has no containerInsights setting (AWS default: disabled)"],
        "dev",
    ),
    # Privileged and logless containers are named; '?' stands for a container without a name.
    bad(
        check_privileged,
        "t",
        MIXED,
        [
            "container 'web' runs privileged (root on the host)",
            "container '?' runs privileged (root on the host)",
        ],
        "dev",
    ),
    bad(
        check_logging,
        "t",
        MIXED,
        ["container 'web' has no logConfiguration: its output is lost"],
        "dev",
    ),
    bad(
        check_logging,
        "t",
        {"containerDefinitions": [{}]},
        ["container '?' has no logConfiguration: its output is lost"],
        "dev",
    ),
]


@pytest.mark.parametrize(GOOD_ARGS, GOOD)
def test_good(check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx) -> None:
    assert check(type_, props, ctx()) == []


@pytest.mark.parametrize(BAD_ARGS, BAD)
def test_bad(
    check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx, expected: list[str]
) -> None:
    assert check(type_, props, ctx()) == expected


DEFINITIONS = [{"name": "web"}, "not a container"]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"containerDefinitions": json.dumps(DEFINITIONS)}, [{"name": "web"}]),
        ({"containerDefinitions": DEFINITIONS}, [{"name": "web"}]),
        ({"containerDefinitions": "not json"}, []),
        ({"containerDefinitions": '{"name": "web"}'}, []),
        ({}, []),
    ],
)
def test_container_definitions_as_json_list_or_nothing(
    props: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    assert containers(props) == expected
