"""ECS: Container Insights on every cluster; containers unprivileged and logging somewhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.props import items, text, value
from policies.spec import Context, Rule

CLUSTER = "aws:ecs/cluster:Cluster"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
INSIGHTS_ON = frozenset({"enabled", "enhanced"})


def check_container_insights(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    for setting in items(props, "settings"):
        if text(setting, "name") == "containerInsights":
            state = text(setting, "value")
            if state in INSIGHTS_ON:
                return []
            return [f"containerInsights is {state!r}; set it to 'enabled' or 'enhanced'"]
    return ["the cluster has no containerInsights setting (AWS default: disabled)"]


def containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The task's container definitions; the engine carries them as a JSON string."""
    raw = value(props, "containerDefinitions")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return []
    return [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else []


def check_privileged(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    return [
        f"container {c.get('name', '?')!r} runs privileged (root on the host)"
        for c in containers(props)
        if c.get("privileged") is True
    ]


def check_logging(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    return [
        f"container {c.get('name', '?')!r} has no logConfiguration: its output is lost"
        for c in containers(props)
        if not c.get("logConfiguration")
    ]


RULES = (
    Rule(
        name="aws-ecs-cluster-container-insights",
        description="ECS clusters must have Container Insights enabled.",
        severity="medium",
        remediation='Add setting {"name": "containerInsights", "value": "enabled"} to the cluster.',
        reads={CLUSTER: ("settings[].name", "settings[].value")},
        check_resource=check_container_insights,
    ),
    Rule(
        name="aws-ecs-no-privileged-containers",
        description="ECS containers must not run privileged.",
        severity="critical",
        remediation="Remove privileged: true from the container definition (Fargate refuses it too).",
        reads={TASK_DEFINITION: ("containerDefinitions",)},
        check_resource=check_privileged,
    ),
    Rule(
        name="aws-ecs-container-logging",
        description="Every ECS container must have a log configuration.",
        severity="medium",
        remediation="Give each container a logConfiguration (awslogs to the app log group).",
        reads={TASK_DEFINITION: ("containerDefinitions",)},
        check_resource=check_logging,
    ),
)
