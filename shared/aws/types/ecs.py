"""ECS: the app layer's cluster, task definition and Fargate service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.aws.types._convert import (
    APPLY_DROP,
    DELETE_DROP,
    document,
    pascal,
    pascal_keys,
    plain,
)
from shared.aws.types._model import ID_ONLY, Convert, ResourceType, Shape, ShapeValues, Translation

# Container definitions keep these maps' keys verbatim (they are user data, not property names).
CONTAINER_FREE_FORM = frozenset({"options", "dockerLabels", "systemControls"})


def _named(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name}


def _task_definition(n: ShapeValues, ident: str) -> dict[str, Any]:
    family = str(n.inputs.get("family", n.name))
    return {
        "revision": 1,
        "arnWithoutRevision": f"arn:aws:ecs:{n.region}:{n.account}:task-definition/{family}",
    }


def _container_definitions(value: Any) -> dict[str, Any]:
    return {"ContainerDefinitions": pascal_keys(plain(document(value)), CONTAINER_FREE_FORM)}


def _assign_public_ip(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {"NetworkConfiguration": value}
    config: dict[str, Any] = {}
    for key, item in value.items():
        if key == "assignPublicIp" and isinstance(item, bool):
            config["AssignPublicIp"] = "ENABLED" if item else "DISABLED"
        else:
            config[pascal(key)] = item
    return {"NetworkConfiguration": {"AwsvpcConfiguration": config}}


def _deployment(key: str) -> Convert:
    return lambda value: {"DeploymentConfiguration": {key: pascal_keys(value)}}


TYPES = (
    ResourceType(
        "aws:ecs/cluster:Cluster",
        "the ECS cluster",
        shape=Shape(id="{arn}", arn="arn:aws:ecs:{region}:{account}:cluster/{name}", extra=_named),
        names={"name": "ecs-cluster"},
        cloudformation="AWS::ECS::Cluster",
        translation=Translation(
            fields={"name": "ClusterName", "settings": "ClusterSettings"},
            rejects={"settings": "containerInsights"},
        ),
    ),
    ResourceType(
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        "the cluster's Fargate capacity providers",
        shape=ID_ONLY,
        cloudformation="AWS::ECS::ClusterCapacityProviderAssociations",
        translation=Translation(
            fields={
                "clusterName": "Cluster",
                "defaultCapacityProviderStrategies": "DefaultCapacityProviderStrategy",
            },
            tags=False,
            rejects={
                "defaultCapacityProviderStrategies": [
                    {"capacityProvider": "FARGATE", "weight": 5000.0}
                ]
            },
        ),
    ),
    ResourceType(
        "aws:ecs/taskDefinition:TaskDefinition",
        "the service's task definition",
        shape=Shape(
            id="{name}",
            arn="arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
            name_input="family",
            extra=_task_definition,
        ),
        names={"family": "task-family"},
        cloudformation="AWS::ECS::TaskDefinition",
        translation=Translation(
            fields={"containerDefinitions": _container_definitions},
            drops={"skipDestroy": DELETE_DROP},
            rejects={"cpu": "256", "memory": "8192"},
        ),
    ),
    ResourceType(
        "aws:ecs/service:Service",
        "the Fargate service",
        shape=Shape(
            id="{arn}",
            arn="arn:aws:ecs:{region}:{account}:service/{cluster}/{name}",
            extra=_named,
        ),
        names={"name": "ecs-service"},
        cloudformation="AWS::ECS::Service",
        translation=Translation(
            fields={
                "name": "ServiceName",
                "enableEcsManagedTags": "EnableECSManagedTags",
                "capacityProviderStrategies": "CapacityProviderStrategy",
                "networkConfiguration": _assign_public_ip,
                "deploymentCircuitBreaker": _deployment("DeploymentCircuitBreaker"),
                "deploymentMaximumPercent": _deployment("MaximumPercent"),
                "deploymentMinimumHealthyPercent": _deployment("MinimumHealthyPercent"),
            },
            drops={
                "waitForSteadyState": APPLY_DROP,
                "forceNewDeployment": APPLY_DROP,
                "triggers": APPLY_DROP,
            },
            rejects={"propagateTags": "EVERYTHING"},
        ),
    ),
)
