"""The network layer: VPC, three subnet tiers per zone, NAT, security groups, flow logs, peering.

Deploys: a KMS key for log groups (flow logs here, the app's logs downstream), the VPC with public,
private (app) and isolated database subnets in each zone (shared.subnets), an internet gateway, NAT
per `network:natGateways`, one route table per tier and zone, an S3 gateway endpoint, the ALB, app
and database security groups, VPC flow logs, and peering with `network:peerEnvironments`.
Reads: the network stacks of the peer environments (only when peering).
Exports: the network contract in shared.layers.
"""

import json

import network_peering as peering
import pulumi
import pulumi_aws as aws

from shared import config, key_policies, subnets
from shared.layers import PRODUCT
from shared.naming import Namer
from shared.tagging import with_name
from shared.trust_policies import service_trust_policy

cfg = config.load("network")
env = cfg.common.environment
namer = Namer(project=PRODUCT, environment=env.name)
tags = cfg.common.tags


def tagged(label: str) -> dict[str, str]:
    return with_name(tags, f"{PRODUCT}-{env.name}-{label}")


account_id = aws.get_caller_identity().account_id
region = aws.get_region().region
available = aws.get_availability_zones(state="available").names
zones = list(cfg.availability_zones) or available[: cfg.az_count]
unavailable = sorted(set(zones) - set(available))
if unavailable or len(zones) < cfg.az_count:
    raise pulumi.RunError(
        f"network:availabilityZones/azCount: {region} cannot provide {cfg.az_count} zones "
        f"({', '.join(unavailable) or 'too few'} unavailable); available: {', '.join(available)}"
    )
layout = subnets.layout_subnets(cfg.vpc_cidr, len(zones))

# --- encryption key for log groups ----------------------------------------------------------------
logs_key = aws.kms.Key(
    "logs-key",
    description=f"{PRODUCT} {env.name}: CloudWatch Logs (VPC flow logs, app logs)",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=json.dumps(
        key_policies.service_key_policy(account_id=account_id, region=region, services=["logs"])
    ),
    tags=tagged("logs"),
)
aws.kms.Alias("logs-key-alias", name=namer.name("kms-alias", "logs"), target_key_id=logs_key.key_id)

# --- VPC, subnets, gateways -----------------------------------------------------------------------
vpc = aws.ec2.Vpc(
    "vpc",
    cidr_block=str(layout.vpc),
    enable_dns_support=True,
    enable_dns_hostnames=True,
    tags=tagged("vpc"),
)
# Adopting the default security group with no rules closes it: nothing can use it by accident.
aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id, tags=tagged("default-closed"))
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags=tagged("igw"))

subnet_ids: dict[str, list[pulumi.Output[str]]] = {tier: [] for tier in subnets.TIERS}
for tier in subnets.TIERS:
    for zone, cidr in zip(zones, layout.tier(tier), strict=True):
        subnet = aws.ec2.Subnet(
            f"{tier}-{zone}",
            vpc_id=vpc.id,
            cidr_block=str(cidr),
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={**tagged(f"{tier}-{zone}"), "Tier": tier},
        )
        subnet_ids[tier].append(subnet.id)

nat_count = {"per-az": len(zones), "single": 1, "none": 0}[cfg.nat_gateways]
nat_ids = []
for zone, public_subnet in zip(zones[:nat_count], subnet_ids["public"], strict=False):
    eip = aws.ec2.Eip(f"nat-{zone}", domain="vpc", tags=tagged(f"nat-{zone}"))
    nat = aws.ec2.NatGateway(
        f"nat-{zone}",
        allocation_id=eip.id,
        subnet_id=public_subnet,
        connectivity_type="public",
        tags=tagged(f"nat-{zone}"),
        opts=pulumi.ResourceOptions(depends_on=[igw]),
    )
    nat_ids.append(nat.id)

# --- routing: public via the IGW, private per zone via its NAT, database isolated -------------------
public_table = aws.ec2.RouteTable("public", vpc_id=vpc.id, tags=tagged("public"))
aws.ec2.Route(
    "public-internet",
    route_table_id=public_table.id,
    destination_cidr_block="0.0.0.0/0",
    gateway_id=igw.id,
)
private_tables = []
for index, zone in enumerate(zones):
    table = aws.ec2.RouteTable(f"private-{zone}", vpc_id=vpc.id, tags=tagged(f"private-{zone}"))
    if nat_ids:  # with `single`, every zone shares the one NAT; with `none`, no internet route
        aws.ec2.Route(
            f"private-{zone}-internet",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat_ids[min(index, len(nat_ids) - 1)],
        )
    private_tables.append(table)
database_table = aws.ec2.RouteTable("database", vpc_id=vpc.id, tags=tagged("database"))
tier_tables = {
    "public": [public_table] * len(zones),
    "private": private_tables,
    "database": [database_table] * len(zones),
}
for tier in subnets.TIERS:
    for zone, subnet_id, table in zip(zones, subnet_ids[tier], tier_tables[tier], strict=True):
        aws.ec2.RouteTableAssociation(
            f"{tier}-{zone}", subnet_id=subnet_id, route_table_id=table.id
        )
# S3 traffic from the private and database tiers skips the NAT (no per-GB processing charge).
aws.ec2.VpcEndpoint(
    "s3",
    vpc_id=vpc.id,
    service_name=f"com.amazonaws.{region}.s3",
    vpc_endpoint_type="Gateway",
    route_table_ids=[t.id for t in [*private_tables, database_table]],
    tags=tagged("s3"),
)

# --- security groups: every rule its own resource ---------------------------------------------------
groups = {
    role: aws.ec2.SecurityGroup(
        f"{role}-sg",
        name=namer.name("security-group", role),
        description=description,
        vpc_id=vpc.id,
        tags=tagged(f"{role}-sg"),
    )
    for role, description in {
        "alb": "Load balancer: HTTP/HTTPS from the internet",
        "app": "App tasks: traffic from the load balancer only",
        "db": "Database: PostgreSQL from the app tasks only",
    }.items()
}
# (resource name, group, direction, port, the other side: a CIDR or a group, description).
# This table is every rule there is: anything not listed is denied.
HTTPS = 443
rules = [
    ("alb-from-internet-80", "alb", "in", 80, "0.0.0.0/0", "HTTP from the internet"),
    ("alb-from-internet-443", "alb", "in", HTTPS, "0.0.0.0/0", "HTTPS from the internet"),
    ("alb-to-app", "alb", "out", cfg.app_port, "app", "To the app tasks on the container port"),
    (
        "app-from-alb",
        "app",
        "in",
        cfg.app_port,
        "alb",
        "From the load balancer on the container port",
    ),
    ("app-to-db", "app", "out", peering.POSTGRES_PORT, "db", "PostgreSQL to the database"),
    ("app-to-https", "app", "out", HTTPS, "0.0.0.0/0", "HTTPS to AWS APIs and image registries"),
    ("db-from-app", "db", "in", peering.POSTGRES_PORT, "app", "PostgreSQL from the app tasks"),
]
for name, role, direction, port, other, description in rules:
    rule = (
        aws.vpc.SecurityGroupIngressRule if direction == "in" else aws.vpc.SecurityGroupEgressRule
    )
    rule(
        name,
        security_group_id=groups[role].id,
        description=f"{description} (TCP {port})",
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        cidr_ipv4=None if other in groups else other,
        referenced_security_group_id=groups[other].id if other in groups else None,
        tags=tagged(name),
    )

# --- VPC flow logs --------------------------------------------------------------------------------
flow_log_group = aws.cloudwatch.LogGroup(
    "flow-logs",
    name=namer.name("log-group", "vpc-flow-logs"),
    retention_in_days=cfg.flow_log_retention_days,
    kms_key_id=logs_key.arn,
    tags=tagged("vpc-flow-logs"),
)
flow_log_role = aws.iam.Role(
    "flow-logs",
    name=namer.name("iam-role", "vpc-flow-logs"),
    assume_role_policy=json.dumps(service_trust_policy("vpc-flow-logs.amazonaws.com", account_id)),
    tags=tagged("vpc-flow-logs"),
)
aws.iam.RolePolicy(
    "flow-logs",
    role=flow_log_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": [flow_log_group.arn, flow_log_group.arn.apply(lambda a: f"{a}:*")],
                }
            ],
        }
    ),
)
aws.ec2.FlowLog(
    "vpc",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination_type="cloud-watch-logs",
    log_destination=flow_log_group.arn,
    iam_role_arn=flow_log_role.arn,
    max_aggregation_interval=60,
    tags=tagged("vpc-flow-logs"),
)

# --- peering (see network_peering for who owns what) ----------------------------------------------
peering_ids = {
    peer: peering.peer_with(
        peer,
        own=env,
        own_cidr=layout.vpc,
        vpc_id=vpc.id,
        route_tables={
            **{f"private-{zone}": t.id for zone, t in zip(zones, private_tables, strict=True)},
            **({"database": database_table.id} if cfg.peer_database_access else {}),
        },
        db_security_group_id=groups["db"].id if cfg.peer_database_access else None,
        tagged=tagged,
    )
    for peer in cfg.peer_environments
}

pulumi.export("vpc_id", vpc.id)
pulumi.export("vpc_cidr", str(layout.vpc))
pulumi.export("availability_zones", zones)
pulumi.export("public_subnet_ids", subnet_ids["public"])
pulumi.export("private_subnet_ids", subnet_ids["private"])
pulumi.export("database_subnet_ids", subnet_ids["database"])
pulumi.export("private_route_table_ids", [t.id for t in private_tables])
pulumi.export("alb_security_group_id", groups["alb"].id)
pulumi.export("app_security_group_id", groups["app"].id)
pulumi.export("db_security_group_id", groups["db"].id)
pulumi.export("peering_connection_ids", peering_ids)
pulumi.export("logs_kms_key_arn", logs_key.arn)
pulumi.export("app_port", cfg.app_port)
