"""The app layer: an ECS Fargate service behind an internet-facing ALB, with an optional DNS name.

Deploys: the app's encrypted log group, the TLS certificate (app_certificate: the given one, or an
ACM certificate validated by DNS in the hosted zone), the ALB with its target group and listeners
(app_load_balancer), the ECS cluster, roles, task definition and service (app_service), the
restart of the service when RDS rotates the database password (app_rotation), and a Route53 alias
where the profile and config allow one.
Reads (StackReference): network (VPC, subnets, ALB and app security groups, the app port, the NAT
mode (the app refuses a network without NAT), and the log groups' KMS key: it lives upstream
because observability is downstream of this layer) and data (DB
endpoint/port/name, the master-user secret and its KMS key, the artifacts bucket for ALB logs).
Exports: the app contract in shared.layers.
"""

import app_certificate
import app_load_balancer
import app_rotation
import app_service
import pulumi
import pulumi_aws as aws

from shared.config import AppConfig
from shared.context import stack_context

# Contract outputs are never empty: these say why there is no DNS record.
PR_ENVIRONMENT_RECORD = "N/A-PR-Environment"
NO_DOMAIN_RECORD = "N/A-No-Domain"

ctx = stack_context("app", AppConfig)
cfg, profile = ctx.config, ctx.environment.profile
network, data = ctx.upstream("network"), ctx.upstream("data")
app_service.private_egress(ctx.environment.name, network.require("nat_gateways"))


# --- DNS name: prod owns the apex (example.com), other environments get <env>.example.com ---------
# PR environments never touch the shared zone (profile.route53 is off), so teardown is trivial.
record_name = None
if profile.route53 and cfg.domain_name and cfg.hosted_zone_id:
    record_name = (
        cfg.domain_name if profile.dns_apex else f"{ctx.environment.name}.{cfg.domain_name}"
    )
certificate_arn = app_certificate.certificate_arn(
    ctx.child("app"),
    given=cfg.certificate_arn,
    site_name=record_name,
    hosted_zone_id=cfg.hosted_zone_id,
)

log_label = ctx.label("log-group", "app")
log_group = aws.cloudwatch.LogGroup(
    "app",
    name=log_label.name,
    retention_in_days=cfg.log_retention_days,
    kms_key_id=network.require("log_group_kms_key_arn"),
    tags=log_label.tags,
)
lb = app_load_balancer.LoadBalancer(
    "app",
    app_load_balancer.LoadBalancerArgs(
        labels=ctx.labels,
        vpc_id=network.require("vpc_id"),
        subnet_ids=network.require("public_subnet_ids"),
        security_group_id=network.require("alb_security_group_id"),
        access_log_bucket=data.require("artifacts_bucket_name") if cfg.alb_access_logs else None,
        certificate_arn=certificate_arn,
        container_port=cfg.container_port,
        health_check_path=cfg.health_check_path,
        deletion_protection=profile.deletion_protection,
    ),
)
ecs = app_service.fargate_service(
    ctx.labels,
    cfg,
    network=network,
    data=data,
    log_group=log_group,
    target_group_arn=lb.target_group.arn,
    container_port=app_service.matching_port(cfg.container_port, network.require("app_port")),
    depends_on=[lb.serving_listener],
)
# Tasks read the database password once, at start; RDS rotates it: restart them on each rotation.
app_rotation.restart_on_rotation(
    ctx.child("app"),
    secret_arn=data.require("db_master_secret_arn"),
    cluster=ecs.cluster,
    service=ecs.service,
)

if record_name and cfg.hosted_zone_id:
    aws.route53.Record(
        "alias",
        zone_id=cfg.hosted_zone_id,
        name=record_name,
        type="A",
        aliases=[
            aws.route53.RecordAliasArgs(
                name=lb.alb.dns_name, zone_id=lb.alb.zone_id, evaluate_target_health=True
            )
        ],
    )

scheme = "https" if certificate_arn else "http"
ctx.export(
    {
        "ecs_cluster_name": ecs.cluster.name,
        "ecs_cluster_arn": ecs.cluster.arn,
        "ecs_service_name": ecs.service.name,
        "task_definition_arn": ecs.task_definition.arn,
        "alb_arn": lb.alb.arn,
        "alb_arn_suffix": lb.alb.arn_suffix,
        "alb_dns_name": lb.alb.dns_name,
        "target_group_arn": lb.target_group.arn,
        "target_group_arn_suffix": lb.target_group.arn_suffix,
        "app_url": f"{scheme}://{record_name}"
        if record_name
        else pulumi.Output.concat(f"{scheme}://", lb.alb.dns_name),
        "app_log_group_name": log_group.name,
        "route53_record": record_name
        or (NO_DOMAIN_RECORD if profile.route53 else PR_ENVIRONMENT_RECORD),
    }
)
