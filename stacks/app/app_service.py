"""The ECS side of the app: cluster and capacity providers, the execution and task roles, the task
definition, the Fargate service, and CPU target tracking where the profile autoscales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import app_documents as documents
import pulumi
import pulumi_aws as aws

from shared.boundary import boundary_arn
from shared.config import AppConfig
from shared.context import LabelContext
from shared.references import Upstream
from shared.trust_policies import service_trust_policy

ECS_TASKS = "ecs-tasks.amazonaws.com"


@dataclass(frozen=True)
class Service:
    cluster: aws.ecs.Cluster
    service: aws.ecs.Service
    task_definition: aws.ecs.TaskDefinition


def matching_port(port: int, network_port: pulumi.Output[float]) -> pulumi.Output[int]:
    """The container port, once the network layer's ALB -> app rule is known to allow it: another
    port would deploy an unreachable service."""

    def check(opened: float) -> int:
        if int(opened) != port:
            raise pulumi.RunError(
                f"app:containerPort = {port} but the network layer allows ALB -> app traffic on "
                f"{int(opened)} (network:appPort): set both to the same port"
            )
        return port

    return network_port.apply(check)


def private_egress(environment: str, nat_gateways: pulumi.Output[str]) -> None:
    """Refuse a network without NAT: the tasks run in private subnets without public IPs, so they
    could not pull their image, write their logs or read the database secret.

    Interface endpoints (ecr.api, ecr.dkr, logs, secretsmanager) would reach the AWS APIs, but
    four of them in two zones cost more than the single NAT they replace, and no endpoint reaches
    a public registry such as public.ecr.aws (the default image). So the app needs a NAT.
    """

    def check(mode: str) -> None:
        if mode == "none":
            raise pulumi.RunError(
                "network:natGateways = none leaves the app's private subnets without internet "
                f"access: the {environment} tasks could not pull their image, write "
                "CloudWatch Logs or read the database secret. Set network:natGateways to single "
                "for an environment that runs the app layer"
            )

    nat_gateways.apply(check)


def fargate_service(
    labels: LabelContext,
    cfg: AppConfig,
    *,
    network: Upstream,
    data: Upstream,
    log_group: aws.cloudwatch.LogGroup,
    target_group_arn: pulumi.Input[str],
    container_port: pulumi.Input[int],
    depends_on: list[pulumi.Resource],
) -> Service:
    profile = cfg.environment.profile
    # Spot is cheap but can be reclaimed with two minutes' notice: only where the profile allows it.
    capacity_provider = "FARGATE_SPOT" if profile.fargate_spot else "FARGATE"
    cluster, capacity_providers = _cluster(labels, capacity_provider)
    execution_role, task_role = _roles(
        labels.child("app"),
        documents.execution_role_policy(
            log_group_arn=log_group.arn,
            db_secret_arn=data.require("db_master_secret_arn"),
            db_kms_key_arn=data.require("db_kms_key_arn"),
            image=cfg.container_image,
        ),
    )

    family = labels.label("task-family", "app")
    task_definition = aws.ecs.TaskDefinition(
        "task",
        family=family.name,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(cfg.cpu),
        memory=str(cfg.memory),
        execution_role_arn=execution_role.arn,
        task_role_arn=task_role.arn,
        runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
            operating_system_family="LINUX", cpu_architecture="X86_64"
        ),
        container_definitions=pulumi.Output.json_dumps(
            documents.container_definitions(
                image=cfg.container_image,
                port=cfg.container_port,
                health_check_path=cfg.health_check_path,
                log_group_name=log_group.name,
                region=labels.region,
                db_host=data.require("db_endpoint"),
                db_port=data.require("db_port"),
                db_name=data.require("db_name"),
                db_secret_arn=data.require("db_master_secret_arn"),
            )
        ),
        tags=family.tags,
    )

    service_label = labels.label("ecs-service", "app")
    service = aws.ecs.Service(
        "service",
        name=service_label.name,
        cluster=cluster.arn,
        task_definition=task_definition.arn,
        desired_count=cfg.desired_count,
        capacity_provider_strategies=[
            aws.ecs.ServiceCapacityProviderStrategyArgs(
                capacity_provider=capacity_provider, weight=1
            )
        ],
        network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=network.require("private_subnet_ids"),
            security_groups=[network.require("app_security_group_id")],
            assign_public_ip=False,
        ),
        load_balancers=[
            aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group_arn,
                container_name=documents.CONTAINER_NAME,
                container_port=container_port,
            )
        ],
        deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
            enable=True, rollback=True
        ),
        # Never below full capacity during a deployment; room for a full second set of tasks.
        deployment_minimum_healthy_percent=100,
        deployment_maximum_percent=200,
        health_check_grace_period_seconds=60,
        propagate_tags="SERVICE",
        enable_ecs_managed_tags=True,
        tags=service_label.tags,
        opts=pulumi.ResourceOptions(
            depends_on=[*depends_on, capacity_providers],
            # Autoscaling owns the count once it exists; a re-deploy must not reset it.
            ignore_changes=["desiredCount"] if profile.autoscaling else None,
        ),
    )
    if profile.autoscaling:
        _cpu_target_tracking(labels, cfg, cluster, service, service_label.tags)
    return Service(cluster, service, task_definition)


def _cluster(
    labels: LabelContext, capacity_provider: str
) -> tuple[aws.ecs.Cluster, aws.ecs.ClusterCapacityProviders]:
    """The cluster (Container Insights on) and its capacity providers, `capacity_provider` the
    default."""
    label = labels.label("ecs-cluster")
    cluster = aws.ecs.Cluster(
        "cluster",
        name=label.name,
        settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
        tags=label.tags,
    )
    capacity_providers = aws.ecs.ClusterCapacityProviders(
        "capacity-providers",
        cluster_name=cluster.name,
        capacity_providers=sorted({"FARGATE", capacity_provider}),
        default_capacity_provider_strategies=[
            aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                capacity_provider=capacity_provider, weight=1
            )
        ],
    )
    return cluster, capacity_providers


def _roles(
    labels: LabelContext, execution_policy: dict[str, Any]
) -> tuple[aws.iam.Role, aws.iam.Role]:
    """Execution role: ECS starting the task, with `execution_policy`. Task role: the app itself,
    with no policies, so it gets AWS permissions only when someone adds them deliberately."""
    assume_role = pulumi.Output.json_dumps(service_trust_policy(ECS_TASKS, labels.account_id))
    roles = {}
    for purpose in ("execution", "task"):
        label = labels.label("iam-role", purpose)
        roles[purpose] = aws.iam.Role(
            f"{purpose}-role",
            name=label.name,
            assume_role_policy=assume_role,
            permissions_boundary=boundary_arn(labels.account_id),
            tags=label.tags,
        )
    aws.iam.RolePolicy(
        "execution-policy",
        name=labels.label("iam-policy", "execution").name,
        role=roles["execution"].name,
        policy=pulumi.Output.json_dumps(execution_policy),
    )
    return roles["execution"], roles["task"]


def _cpu_target_tracking(
    labels: LabelContext,
    cfg: AppConfig,
    cluster: aws.ecs.Cluster,
    service: aws.ecs.Service,
    tags: dict[str, str],
) -> None:
    target = aws.appautoscaling.Target(
        "scaling-target",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.format("service/{0}/{1}", cluster.name, service.name),
        min_capacity=cfg.desired_count,
        max_capacity=cfg.max_count,
        tags=tags,
    )
    aws.appautoscaling.Policy(
        "cpu-target-tracking",
        name=labels.label("scaling-policy", "app", "cpu").name,
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
            predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ECSServiceAverageCPUUtilization"
            ),
            target_value=cfg.cpu_target_percent,
            scale_out_cooldown=60,
            scale_in_cooldown=300,  # scale in slowly: flapping costs more than a spare task
        ),
    )
