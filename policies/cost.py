"""Cheap, disposable environments: no DNS records, no per-AZ NAT, one small database.

Disabled by default; a class opts in with its policy config (`policies/config/pr.json`).
"""

from __future__ import annotations

from collections.abc import Sequence

from policies.props import flag, text
from policies.spec import Context, Rule, StackResource

RECORD = "aws:route53/record:Record"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
INSTANCE = "aws:rds/instance:Instance"


def check_pr_cost(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
    klass = context.environment.environment_class
    found: list[tuple[str, str]] = []
    max_nat = int(context.config.get("maxNatGateways", 1))
    max_db = int(context.config.get("maxDatabaseInstances", 1))
    nats = [r for r in resources if r.type == NAT_GATEWAY]
    databases = [
        r
        for r in resources
        if r.type == CLUSTER_INSTANCE
        or (r.type == INSTANCE and (text(r.props, "engine") or "").startswith("aurora"))
    ]
    for record in (r for r in resources if r.type == RECORD):
        found.append((record.urn, f"{record.name}: {klass} environments create no Route53 records"))
    if len(nats) > max_nat:
        found.extend(
            (nat.urn, f"{nat.name}: {len(nats)} NAT gateways, a {klass} environment gets {max_nat}")
            for nat in nats[max_nat:]
        )
    if len(databases) > max_db:
        found.extend(
            (
                db.urn,
                f"{db.name}: {len(databases)} Aurora instances, a {klass} environment gets {max_db}",
            )
            for db in databases[max_db:]
        )
    for resource in resources:
        if resource.type in (CLUSTER, CLUSTER_INSTANCE, INSTANCE) and flag(
            resource.props, "performanceInsightsEnabled"
        ):
            found.append(
                (resource.urn, f"{resource.name}: Performance Insights on in a {klass} environment")
            )
    return found


RULES = (
    Rule(
        name="aws-pr-cost-guard",
        description=(
            "Cheap environments (a class opts in; pr does) create no Route53 records, at most one "
            "NAT gateway, at most one Aurora instance and no Performance Insights."
        ),
        default_level="disabled",
        severity="medium",
        remediation=(
            "Use the pr class defaults (network:natGateways single or none, data:instanceCount 1, "
            "data:performanceInsights false, no app:domainName)."
        ),
        reads={
            RECORD: (),
            NAT_GATEWAY: (),
            CLUSTER: ("performanceInsightsEnabled",),
            CLUSTER_INSTANCE: ("performanceInsightsEnabled",),
            INSTANCE: ("engine", "performanceInsightsEnabled"),
        },
        check_stack=check_pr_cost,
        config_schema={
            "maxNatGateways": {"type": "integer", "minimum": 0},
            "maxDatabaseInstances": {"type": "integer", "minimum": 1},
        },
    ),
)
