"""The extensions a platform team makes, written into a copy of the tree as a person would write them.

Each is the README's checklist row of the same name: a resource type new to the project (ElastiCache),
a layer's own config keys, a fifth layer of those types reading the network layer, an environment
class that opts into one of prod's safety nets, and a policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.extensions.workspace import Workspace

RESOURCE_TYPES = '''"""ElastiCache: the cache layer's Valkey replication group and its subnet group."""

from __future__ import annotations

from typing import Any

from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation
from shared.name_rule import NameRule


def _replication_group(n: ShapeValues, ident: str) -> dict[str, Any]:
    host = f"{ident}.{n.hex(6)}.cache.amazonaws.com"
    return {
        "replicationGroupId": ident,
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "port": n.inputs.get("port") or 6379,
    }


TYPES = (
    ResourceType(
        "aws:elasticache/subnetGroup:SubnetGroup",
        "the subnets a cache's nodes live in",
        shape=Shape(id="{name}", arn="arn:aws:elasticache:{region}:{account}:subnetgroup:{name}"),
        names={
            "name": NameRule(
                "cache-subnet-group", max_length=255, allowed="a-z0-9-", lowercase=True
            )
        },
        cloudformation="AWS::ElastiCache::SubnetGroup",
        translation=Translation(
            fields={"name": "CacheSubnetGroupName"}, rejects={"subnetIds": "subnet-1"}
        ),
    ),
    ResourceType(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "a Valkey or Redis OSS replication group: a primary and its replicas",
        shape=Shape(
            id="{name}",
            arn="arn:aws:elasticache:{region}:{account}:replicationgroup:{name}",
            name_input="replicationGroupId",
            extra=_replication_group,
        ),
        names={
            "replicationGroupId": NameRule(
                "cache-replication-group",
                max_length=40,
                allowed="a-z0-9-",
                lowercase=True,
                first_letter=True,
                alnum_ends=True,
                no_double_hyphen=True,
            )
        },
        cloudformation="AWS::ElastiCache::ReplicationGroup",
        translation=Translation(
            fields={
                "description": "ReplicationGroupDescription",
                "nodeType": "CacheNodeType",
                "subnetGroupName": "CacheSubnetGroupName",
                "multiAzEnabled": "MultiAZEnabled",
            },
            rejects={"numCacheClusters": "many"},
        ),
        holds_data="a cache's keys",
    ),
)
'''

CONFIG_SCHEMA = """

@dataclass(frozen=True, kw_only=True)
class CacheConfig(LayerConfig):
    LAYER = "cache"
    node_type: str = setting(
        "nodeType",
        v.matching(r"cache\\.[a-z0-9]+\\.[a-z0-9]+", "an ElastiCache node type (cache.t4g.micro)"),
        lambda k: "cache.t4g.micro",
    )
    replicas: int = setting(
        "replicas", v.whole_number(0, 5), lambda k: 1 if k.profile.deletion_protection else 0
    )
    port: int = setting("port", v.whole_number(1024, 65535), lambda k: 6379)
"""

PROGRAM = '''"""The cache layer: a Valkey replication group the app's tasks reach, in the database subnets.

Deploys: its subnet group, its security group (in from the app's group on the cache port, and the
app group's rule out to it) and the replication group, encrypted at rest and in transit.
Reads (StackReference): network (VPC, database subnets, the app's security group).
Exports: the cache contract in shared.layers.
"""

import pulumi_aws as aws

from shared.config.schemas import CacheConfig
from shared.context import stack_context

ctx = stack_context("cache", CacheConfig)
network = ctx.upstream("network")
app_group = network.require("app_security_group_id")
port = ctx.config.port

subnets = ctx.label("cache-subnet-group")
subnet_group = aws.elasticache.SubnetGroup(
    "cache",
    name=subnets.name,
    description="The cache's nodes: the isolated database subnets",
    subnet_ids=network.require("database_subnet_ids"),
    tags=subnets.tags,
)
label = ctx.label("security-group", "cache")
group = aws.ec2.SecurityGroup(
    "cache",
    name=label.name,
    description="Cache: Valkey from the app tasks only",
    vpc_id=network.require("vpc_id"),
    tags=label.tags,
)
aws.vpc.SecurityGroupIngressRule(
    "cache-from-app",
    security_group_id=group.id,
    referenced_security_group_id=app_group,
    ip_protocol="tcp",
    from_port=port,
    to_port=port,
    description="From the app tasks on the cache port",
    tags=ctx.label("name-tag", "cache", "from-app").tags,
)
aws.vpc.SecurityGroupEgressRule(
    "app-to-cache",
    security_group_id=app_group,
    referenced_security_group_id=group.id,
    ip_protocol="tcp",
    from_port=port,
    to_port=port,
    description="To the cache on the cache port",
    tags=ctx.label("name-tag", "app", "to-cache").tags,
)
cache_label = ctx.label("cache-replication-group")
cache = aws.elasticache.ReplicationGroup(
    "cache",
    replication_group_id=cache_label.name,
    description="The app's cache",
    engine="valkey",
    engine_version="8.0",
    node_type=ctx.config.node_type,
    num_cache_clusters=ctx.config.replicas + 1,
    automatic_failover_enabled=ctx.config.replicas > 0,
    multi_az_enabled=ctx.config.replicas > 0,
    port=port,
    subnet_group_name=subnet_group.name,
    security_group_ids=[group.id],
    at_rest_encryption_enabled=True,
    transit_encryption_enabled=True,
    tags=cache_label.tags,
)

ctx.export(
    {
        "cache_endpoint": cache.primary_endpoint_address,
        "cache_port": cache.port,
        "cache_security_group_id": group.id,
    }
)
'''

PROJECT = """name: cache
description: The cache layer of the platform (see README, "Layers").
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: ../../.venv
"""

LAYER_ENTRY = """    Layer(
        name="cache",
        upstream=("network",),
        outputs={
            "cache_endpoint": Output("string", "the replication group's primary endpoint"),
            "cache_port": Output("number", "the port it listens on (`cache:port`)"),
            "cache_security_group_id": Output("string", "in from the app's group on that port"),
        },
    ),
"""

CLASS_ENTRY = """    "qa": EnvironmentClassInfo(
        profile=Profile(
            vpc_cidr="10.40.0.0/16",
            az_count=2,
            nat_gateways="single",
            db_instance_class="db.t4g.medium",
            db_instance_count=1,
            backup_retention_days=7,
            final_snapshot=False,
            deletion_protection=True,
            performance_insights=False,
            artifacts_versioning=True,
            force_destroy_buckets=False,
            ecs_cpu=256,
            ecs_memory=512,
            desired_count=1,
            max_count=2,
            autoscaling=False,
            fargate_spot=True,
            log_retention_days=30,
            route53=True,
            alarms=AlarmThresholds(
                alb_5xx_per_minute=20,
                unhealthy_hosts=1,
                target_response_time_p95_seconds=2.0,
                ecs_cpu_percent=90,
                ecs_memory_percent=90,
                db_cpu_percent=90,
                db_freeable_memory_bytes=256 * 1024**2,
                app_errors_per_5_minutes=50,
            ),
        ),
    ),
"""
# qa opts into one of prod's safety nets: its databases keep deletion protection on.
CLASS_DEVIATIONS = '{\n  "aws-rds-deletion-protection": "mandatory"\n}\n'

POLICY = '''"""VPC DNS: a VPC resolves names, or its interface endpoints and RDS endpoints do not work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.props import flag
from policies.spec import Context, Rule

VPC = "aws:ec2/vpc:Vpc"


def check_dns(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    missing = [key for key in ("enableDnsSupport", "enableDnsHostnames") if not flag(props, key)]
    return [f"{key} is off" for key in missing]


RULES = (
    Rule(
        name="aws-ec2-vpc-dns",
        description="VPCs resolve DNS names and give instances DNS hostnames.",
        severity="medium",
        remediation="Set enable_dns_support=True and enable_dns_hostnames=True on the VPC.",
        reads={VPC: ("enableDnsSupport", "enableDnsHostnames")},
        check_resource=check_dns,
    ),
)
'''

POLICY_TEST = '''"""The VPC DNS policy: quiet on the real network layer, firing when DNS is turned off."""

from __future__ import annotations

from policies.spec import Context
from policies.vpc_dns import VPC, check_dns
from shared.environment import parse_environment
from tests.conftest import OfflinePlan

CONTEXT = Context(environment=parse_environment("dev"))


def test_the_network_layers_vpc_resolves_dns(offline_plan: OfflinePlan) -> None:
    vpc = offline_plan("dev").layers["network"].one(VPC)
    assert check_dns(VPC, vpc.inputs, CONTEXT) == []


def test_a_vpc_without_dns_hostnames_is_named(offline_plan: OfflinePlan) -> None:
    vpc = offline_plan("dev").layers["network"].one(VPC)
    inputs = {**vpc.inputs, "enableDnsHostnames": False}
    assert check_dns(VPC, inputs, CONTEXT) == ["enableDnsHostnames is off"]
'''


def add_resource_types(tree: Workspace) -> None:
    tree.create("shared/aws/types/elasticache.py", RESOURCE_TYPES)


def add_config_keys(tree: Workspace) -> None:
    tree.append("shared/config/schemas.py", CONFIG_SCHEMA)


def add_layer(tree: Workspace) -> None:
    tree.create("stacks/cache/Pulumi.yaml", PROJECT)
    tree.create("stacks/cache/__main__.py", PROGRAM)
    tree.insert("shared/layers.py", before=")\n\nLAYER_NAMES", text=LAYER_ENTRY)


def add_environment_class(tree: Workspace) -> None:
    tree.insert(
        "shared/environment.py", before='    "dev": EnvironmentClassInfo(', text=CLASS_ENTRY
    )
    tree.create("policies/config/qa.json", CLASS_DEVIATIONS)


def add_policy(tree: Workspace) -> None:
    tree.create("policies/vpc_dns.py", POLICY)
    tree.create("tests/policies/test_vpc_dns.py", POLICY_TEST)


@dataclass(frozen=True)
class Extension:
    checklist: str  # the README row it follows
    write: Callable[[Workspace], None]


EXTENSIONS = (
    Extension("a resource type", add_resource_types),
    Extension("a layer's config keys", add_config_keys),
    Extension("a layer", add_layer),
    Extension("an environment class", add_environment_class),
    Extension("a policy", add_policy),
)
