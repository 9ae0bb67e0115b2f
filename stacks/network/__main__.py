"""The network layer: VPC, three subnet tiers per zone, NAT, security groups, flow logs, peering.

Deploys: a KMS key for log groups (flow logs here, the data and app layers' logs downstream), the VPC with public,
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

from shared.config import NetworkConfig
from shared.context import stack_context
from shared.key_policies import service_key_policy
from shared.kms import FormerNames, KmsKey, KmsKeyArgs

ctx = stack_context("network", NetworkConfig)
cfg = ctx.config

# --- encryption key for log groups (this layer's flow logs, the data and app layers' logs) --------
log_group_key = KmsKey(
    "logs-key",
    KmsKeyArgs(
        description=f"{ctx.labels.scope}: CloudWatch Logs (VPC flow logs, app logs)",
        policy=service_key_policy(account_id=ctx.account_id, region=ctx.region, services=["logs"]),
        alias=ctx.label("kms-alias", "logs").name,
        tags=ctx.label("name-tag", "logs").tags,
        moved_from=FormerNames(key="logs-key", alias="logs-key-alias"),
    ),
).key

# --- VPC, subnets, routing; security groups; flow logs --------------------------------------------
vpc = network_vpc.build_vpc(
    ctx.labels,
    vpc_cidr=cfg.vpc_cidr,
    zones=network_vpc.zones_of(ctx.region, cfg.availability_zones, cfg.az_count),
    nat_gateways=cfg.nat_gateways,
)
groups = network_security.security_groups(ctx.labels, vpc_id=vpc.vpc.id, app_port=cfg.app_port)
network_flow_logs.flow_logs(
    ctx.child("vpc-flow-logs"),
    vpc_id=vpc.vpc.id,
    kms_key_arn=log_group_key.arn,
    retention_days=cfg.flow_log_retention_days,
)

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
        "log_group_kms_key_arn": log_group_key.arn,
        "app_port": cfg.app_port,
        "nat_gateways": cfg.nat_gateways,
    }
)
