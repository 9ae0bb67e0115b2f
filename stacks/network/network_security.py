"""The ALB, app and database security groups, and every rule between them as one table.

Anything the table does not list is denied. Each rule is its own resource, so adding one never
replaces a group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from shared.aws.accepted_values import POSTGRES_PORT
from shared.context import LabelContext

HTTP, HTTPS = 80, 443
ANYWHERE = "0.0.0.0/0"
GROUPS = {
    "alb": "Load balancer: HTTP/HTTPS from the internet",
    "app": "App tasks: traffic from the load balancer only",
    "db": "Database: PostgreSQL from the app tasks only",
}


@dataclass(frozen=True)
class Rule:
    name: str  # the resource name, and the last label of its Name tag
    group: str  # the group the rule belongs to (a key of GROUPS)
    direction: Literal["in", "out"]
    port: int
    peer: str  # the other side: a key of GROUPS or a CIDR
    description: str


def rules(app_port: int) -> tuple[Rule, ...]:
    return (
        Rule("alb-from-internet-80", "alb", "in", HTTP, ANYWHERE, "HTTP from the internet"),
        Rule("alb-from-internet-443", "alb", "in", HTTPS, ANYWHERE, "HTTPS from the internet"),
        Rule("alb-to-app", "alb", "out", app_port, "app", "To the app tasks on the container port"),
        Rule(
            "app-from-alb",
            "app",
            "in",
            app_port,
            "alb",
            "From the load balancer on the container port",
        ),
        Rule("app-to-db", "app", "out", POSTGRES_PORT, "db", "PostgreSQL to the database"),
        Rule(
            "app-to-https", "app", "out", HTTPS, ANYWHERE, "HTTPS to AWS APIs and image registries"
        ),
        Rule("db-from-app", "db", "in", POSTGRES_PORT, "app", "PostgreSQL from the app tasks"),
    )


def security_groups(
    labels: LabelContext, *, vpc_id: pulumi.Input[str], app_port: int
) -> dict[str, aws.ec2.SecurityGroup]:
    """The three groups (role -> group), with every rule of the table."""
    groups = {}
    for role, description in GROUPS.items():
        label = labels.label("security-group", role)
        groups[role] = aws.ec2.SecurityGroup(
            f"{role}-sg",
            name=label.name,
            description=description,
            vpc_id=vpc_id,
            tags=label.tags,
        )
    for rule in rules(app_port):
        resource = (
            aws.vpc.SecurityGroupIngressRule
            if rule.direction == "in"
            else aws.vpc.SecurityGroupEgressRule
        )
        to_group = rule.peer in groups
        resource(
            rule.name,
            security_group_id=groups[rule.group].id,
            description=f"{rule.description} (TCP {rule.port})",
            ip_protocol="tcp",
            from_port=rule.port,
            to_port=rule.port,
            cidr_ipv4=None if to_group else rule.peer,
            referenced_security_group_id=groups[rule.peer].id if to_group else None,
            tags=labels.label("name-tag", rule.name).tags,
        )
    return groups
