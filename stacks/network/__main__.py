"""The network layer: VPC, three subnet tiers per zone, NAT, security groups, flow logs, peering.

Deploys: a KMS key for log groups (flow logs here, the app's logs downstream), the VPC with public,
private (app) and isolated database subnets in each zone (network_vpc), the ALB, app and database
security groups (network_security), VPC flow logs (network_flow_logs), and peering with
`network:peerEnvironments` (network_peering).
Reads: the network stacks of the peer environments (only when peering).
Exports: the network contract in shared.layers.
"""

import network_flow_logs
import network_peering
import network_security
import network_vpc
import pulumi
import pulumi_aws as aws

from shared.config import NetworkConfig
from shared.context import stack_context
from shared.key_policies import service_key_policy

ctx = stack_context("network", NetworkConfig)
cfg = ctx.config

# --- encryption key for log groups (this layer's flow logs, the app layer's logs) -----------------
logs_key = aws.kms.Key(
    "logs-key",
    description=f"{ctx.namer.project} {ctx.environment.name}: CloudWatch Logs (VPC flow logs, app logs)",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=pulumi.Output.json_dumps(
        service_key_policy(account_id=ctx.account_id, region=ctx.region, services=["logs"])
    ),
    tags=ctx.label("name-tag", "logs").tags,
)
aws.kms.Alias(
    "logs-key-alias", name=ctx.label("kms-alias", "logs").name, target_key_id=logs_key.key_id
)

# --- VPC, subnets, routing; security groups; flow logs --------------------------------------------
vpc = network_vpc.build_vpc(ctx, network_vpc.zones_of(ctx))
groups = network_security.security_groups(ctx, vpc.vpc.id)
network_flow_logs.flow_logs(ctx, vpc.vpc.id, logs_key.arn)

# --- peering (see network_peering for who owns what) ----------------------------------------------
peer_tables = {
    **{f"private-{zone}": t.id for zone, t in zip(vpc.zones, vpc.private_tables, strict=True)},
    **({"database": vpc.database_table.id} if cfg.peer_database_access else {}),
}
peering_ids = {
    peer: network_peering.peer_with(
        peer,
        own=ctx.environment,
        own_cidr=cfg.vpc_cidr,
        vpc_id=vpc.vpc.id,
        route_tables=peer_tables,
        db_security_group_id=groups["db"].id if cfg.peer_database_access else None,
        tags=lambda *parts: ctx.label("name-tag", *parts).tags,
    )
    for peer in cfg.peer_environments
}

ctx.export(
    {
        "vpc_id": vpc.vpc.id,
        "vpc_cidr": str(cfg.vpc_cidr),
        "availability_zones": list(vpc.zones),
        "public_subnet_ids": vpc.subnet_ids["public"],
        "private_subnet_ids": vpc.subnet_ids["private"],
        "database_subnet_ids": vpc.subnet_ids["database"],
        "private_route_table_ids": [t.id for t in vpc.private_tables],
        "alb_security_group_id": groups["alb"].id,
        "app_security_group_id": groups["app"].id,
        "db_security_group_id": groups["db"].id,
        "peering_connection_ids": peering_ids,
        "logs_kms_key_arn": logs_key.arn,
        "app_port": cfg.app_port,
        "nat_gateways": cfg.nat_gateways,
    }
)
