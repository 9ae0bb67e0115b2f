"""ECS and CloudWatch Logs rules (small modules; one test file each would be mostly imports)."""

import json

import pytest

from policies import ecs, logs
from policies.props import UnknownValueError
from tests.policies.conftest import UNKNOWN, context

ECS = {rule.name: rule for rule in ecs.RULES}
LOGS = {rule.name: rule for rule in logs.RULES}
TASK = "aws:ecs/taskDefinition:TaskDefinition"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


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


def test_log_group_retention_and_kms() -> None:
    good = {"retentionInDays": 30.0, "kmsKeyId": "arn:aws:kms:us-east-1:1:key/x"}
    for rule in LOGS.values():
        assert rule.check(LOG_GROUP, good, context()) == []
        assert rule.check(LOG_GROUP, {}, context())


def test_a_kms_key_from_another_resource_is_set_even_while_unknown() -> None:
    from pulumi_policy.proxy import unknown_checking_proxy

    props = unknown_checking_proxy({"kmsKeyId": UNKNOWN})
    assert LOGS["aws-cloudwatch-log-group-kms"].check(LOG_GROUP, props, context()) == []
