"""The app layer: an ECS Fargate service behind an internet-facing ALB, with an optional DNS name.

Reads (StackReference): network (VPC, public/private subnets, ALB and app security groups, and
the logs KMS key that encrypts the container log group: the key lives upstream because
observability is downstream of this layer) and data (DB endpoint/port/name, the master-user secret
and its KMS key, the artifacts bucket for ALB access logs).
Exports: the app contract in shared.layers (cluster, service, task definition, ALB, target group,
URL, log group, DNS record).
"""

import app_documents as documents
import pulumi
import pulumi_aws as aws

from shared import config, references
from shared.layers import ALB_ACCESS_LOG_PREFIX, PRODUCT
from shared.naming import Namer
from shared.tagging import with_name

# Contract outputs are never empty: these say why there is no DNS record.
PR_ENVIRONMENT_RECORD = "N/A-PR-Environment"
NO_DOMAIN_RECORD = "N/A-No-Domain"

cfg = config.load("app")
env = cfg.common.environment
profile = env.profile
names = Namer(PRODUCT, env.name)
tags = cfg.common.tags
network = references.upstream("network", env.name)
data = references.upstream("data", env.name)
account_id = aws.get_caller_identity_output().account_id
region = aws.get_region_output().region


def _matching_port(network_port: float) -> int:
    """The network layer opened ALB -> app for one port; another would deploy an unreachable service."""
    if int(network_port) != cfg.container_port:
        raise pulumi.RunError(
            f"app:containerPort = {cfg.container_port} but the network layer allows ALB -> app "
            f"traffic on {int(network_port)} (network:appPort): set both to the same port"
        )
    return cfg.container_port


container_port = network.require("app_port").apply(_matching_port)

# --- logs ------------------------------------------------------------------------------------------
log_group_name = names.name("log-group", "app")
log_group = aws.cloudwatch.LogGroup(
    "app",
    name=log_group_name,
    retention_in_days=cfg.log_retention_days,
    kms_key_id=network.require("logs_kms_key_arn"),
    tags=with_name(tags, log_group_name),
)

# --- cluster ---------------------------------------------------------------------------------------
cluster_name = names.name("ecs-cluster")
cluster = aws.ecs.Cluster(
    "cluster",
    name=cluster_name,
    settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
    tags=with_name(tags, cluster_name),
)
# Spot is cheap but can be reclaimed with two minutes' notice: only where the profile allows it.
capacity_provider = "FARGATE_SPOT" if profile.fargate_spot else "FARGATE"
capacity_providers = aws.ecs.ClusterCapacityProviders(
    "capacity-providers",
    cluster_name=cluster.name,
    capacity_providers=["FARGATE", "FARGATE_SPOT"] if profile.fargate_spot else ["FARGATE"],
    default_capacity_provider_strategies=[
        aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
            capacity_provider=capacity_provider, weight=1
        )
    ],
)

# --- IAM: execution role (ECS starting the task) and task role (the app itself) --------------------
assume_role = pulumi.Output.json_dumps(documents.ecs_tasks_assume_role_policy(account_id))
execution_role_name = names.name("iam-role", "app", "execution")
execution_role = aws.iam.Role(
    "execution-role",
    name=execution_role_name,
    assume_role_policy=assume_role,
    tags=with_name(tags, execution_role_name),
)
aws.iam.RolePolicy(
    "execution-policy",
    name=names.name("iam-policy", "app", "execution"),
    role=execution_role.name,
    policy=pulumi.Output.json_dumps(
        documents.execution_role_policy(
            log_group_arn=log_group.arn,
            db_secret_arn=data.require("db_master_secret_arn"),
            db_kms_key_arn=data.require("db_kms_key_arn"),
            image=cfg.container_image,
        )
    ),
)
# No policies: the app gets AWS permissions only when someone adds them deliberately.
task_role_name = names.name("iam-role", "app", "task")
task_role = aws.iam.Role(
    "task-role",
    name=task_role_name,
    assume_role_policy=assume_role,
    tags=with_name(tags, task_role_name),
)

# --- task definition -------------------------------------------------------------------------------
family = names.name("task-family", "app")
task_definition = aws.ecs.TaskDefinition(
    "task",
    family=family,
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
            region=region,
            db_host=data.require("db_endpoint"),
            db_port=data.require("db_port"),
            db_name=data.require("db_name"),
            db_secret_arn=data.require("db_master_secret_arn"),
        )
    ),
    tags=with_name(tags, family),
)

# --- load balancer ---------------------------------------------------------------------------------
alb_name = names.name("alb", "app")
alb = aws.lb.LoadBalancer(
    "alb",
    name=alb_name,
    load_balancer_type="application",
    internal=False,
    subnets=network.require("public_subnet_ids"),
    security_groups=[network.require("alb_security_group_id")],
    drop_invalid_header_fields=True,
    enable_deletion_protection=profile.deletion_protection,
    # The data layer's bucket policy lets the ELB log-delivery service write under this prefix.
    access_logs=aws.lb.LoadBalancerAccessLogsArgs(
        bucket=data.require("artifacts_bucket_name"), prefix=ALB_ACCESS_LOG_PREFIX, enabled=True
    )
    if cfg.alb_access_logs
    else None,
    tags=with_name(tags, alb_name),
)
target_group_name = names.name("target-group", "app")
target_group = aws.lb.TargetGroup(
    "target-group",
    name=target_group_name,
    target_type="ip",
    protocol="HTTP",
    port=cfg.container_port,
    vpc_id=network.require("vpc_id"),
    deregistration_delay=30,  # the default 300 s makes every deployment wait five minutes
    health_check=aws.lb.TargetGroupHealthCheckArgs(
        path=cfg.health_check_path,
        matcher="200-399",
        interval=15,
        timeout=5,
        healthy_threshold=2,
        unhealthy_threshold=3,
    ),
    tags=with_name(tags, target_group_name),
)
forward = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)
redirect_to_https = aws.lb.ListenerDefaultActionArgs(
    type="redirect",
    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
        protocol="HTTPS", port="443", status_code="HTTP_301"
    ),
)
# With a certificate, port 80 only redirects; without one it serves plain HTTP.
http_listener = aws.lb.Listener(
    "http",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[redirect_to_https if cfg.certificate_arn else forward],
    tags=with_name(tags, names.name("alb", "app", "http")),
)
serving_listener = http_listener
if cfg.certificate_arn:
    serving_listener = aws.lb.Listener(
        "https",
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",  # TLS 1.3 and 1.2 only
        certificate_arn=cfg.certificate_arn,
        default_actions=[forward],
        tags=with_name(tags, names.name("alb", "app", "https")),
    )

# --- service ---------------------------------------------------------------------------------------
service_name = names.name("ecs-service", "app")
service = aws.ecs.Service(
    "service",
    name=service_name,
    cluster=cluster.arn,
    task_definition=task_definition.arn,
    desired_count=cfg.desired_count,
    capacity_provider_strategies=[
        aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider=capacity_provider, weight=1)
    ],
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=network.require("private_subnet_ids"),
        security_groups=[network.require("app_security_group_id")],
        assign_public_ip=False,
    ),
    load_balancers=[
        aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=target_group.arn,
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
    tags=with_name(tags, service_name),
    opts=pulumi.ResourceOptions(
        depends_on=[serving_listener, capacity_providers],
        # Autoscaling owns the count once it exists; a re-deploy must not reset it.
        ignore_changes=["desiredCount"] if profile.autoscaling else None,
    ),
)

if profile.autoscaling:
    scaling_target = aws.appautoscaling.Target(
        "scaling-target",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.format("service/{0}/{1}", cluster.name, service.name),
        min_capacity=cfg.desired_count,
        max_capacity=cfg.max_count,
        tags=with_name(tags, service_name),
    )
    aws.appautoscaling.Policy(
        "cpu-target-tracking",
        name=names.name("scaling-policy", "app", "cpu"),
        policy_type="TargetTrackingScaling",
        service_namespace=scaling_target.service_namespace,
        scalable_dimension=scaling_target.scalable_dimension,
        resource_id=scaling_target.resource_id,
        target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
            predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ECSServiceAverageCPUUtilization"
            ),
            target_value=cfg.cpu_target_percent,
            scale_out_cooldown=60,
            scale_in_cooldown=300,  # scale in slowly: flapping costs more than a spare task
        ),
    )

# --- DNS -------------------------------------------------------------------------------------------
# Prod owns the apex (example.com); every other environment gets <env>.example.com.
# PR environments never touch the shared zone (profile.route53 is off), so teardown is trivial.
record_name = None
if profile.route53 and cfg.domain_name and cfg.hosted_zone_id:
    record_name = cfg.domain_name if profile.dns_apex else f"{env.name}.{cfg.domain_name}"
    aws.route53.Record(
        "alias",
        zone_id=cfg.hosted_zone_id,
        name=record_name,
        type="A",
        aliases=[
            aws.route53.RecordAliasArgs(
                name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True
            )
        ],
    )

scheme = "https" if cfg.certificate_arn else "http"
pulumi.export("ecs_cluster_name", cluster.name)
pulumi.export("ecs_cluster_arn", cluster.arn)
pulumi.export("ecs_service_name", service.name)
pulumi.export("task_definition_arn", task_definition.arn)
pulumi.export("alb_arn", alb.arn)
pulumi.export("alb_arn_suffix", alb.arn_suffix)
pulumi.export("alb_dns_name", alb.dns_name)
pulumi.export("target_group_arn", target_group.arn)
pulumi.export("target_group_arn_suffix", target_group.arn_suffix)
pulumi.export(
    "app_url",
    f"{scheme}://{record_name}" if record_name else alb.dns_name.apply(lambda d: f"{scheme}://{d}"),
)
pulumi.export("app_log_group_name", log_group.name)
pulumi.export(
    "route53_record",
    record_name or (NO_DOMAIN_RECORD if profile.route53 else PR_ENVIRONMENT_RECORD),
)
