"""Physical names: every name property shared.naming has a rule for must be one AWS accepts.

One source of truth: the rules are shared.naming.NAME_RULES, the same the stacks' Namer obeys.
Only a house convention is dropped here: our log groups start with "/", AWS does not require it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any

from policies.props import text
from policies.spec import Context, Rule
from shared.naming import NameRule, rule_for

# (type token, camelCase property) -> shared.naming kind
NAME_PROPERTIES: Mapping[tuple[str, str], str] = {
    ("aws:s3/bucket:Bucket", "bucket"): "s3-bucket",
    ("aws:s3/bucketV2:BucketV2", "bucket"): "s3-bucket",
    ("aws:rds/cluster:Cluster", "clusterIdentifier"): "rds-cluster",
    ("aws:rds/cluster:Cluster", "finalSnapshotIdentifier"): "db-snapshot",
    ("aws:rds/clusterInstance:ClusterInstance", "identifier"): "rds-instance",
    ("aws:rds/instance:Instance", "identifier"): "rds-instance",
    ("aws:rds/instance:Instance", "finalSnapshotIdentifier"): "db-snapshot",
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", "name"): "db-parameter-group",
    ("aws:rds/parameterGroup:ParameterGroup", "name"): "db-parameter-group",
    ("aws:rds/subnetGroup:SubnetGroup", "name"): "db-subnet-group",
    ("aws:lb/loadBalancer:LoadBalancer", "name"): "alb",
    ("aws:lb/targetGroup:TargetGroup", "name"): "target-group",
    ("aws:ecs/cluster:Cluster", "name"): "ecs-cluster",
    ("aws:ecs/service:Service", "name"): "ecs-service",
    ("aws:ecs/taskDefinition:TaskDefinition", "family"): "task-family",
    ("aws:iam/role:Role", "name"): "iam-role",
    ("aws:iam/policy:Policy", "name"): "iam-policy",
    ("aws:iam/instanceProfile:InstanceProfile", "name"): "iam-instance-profile",
    ("aws:ec2/securityGroup:SecurityGroup", "name"): "security-group",
    ("aws:cloudwatch/logGroup:LogGroup", "name"): "log-group",
    ("aws:cloudwatch/logMetricFilter:LogMetricFilter", "name"): "metric-filter",
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name"): "alarm",
    ("aws:cloudwatch/dashboard:Dashboard", "dashboardName"): "dashboard",
    ("aws:sns/topic:Topic", "name"): "sns-topic",
    ("aws:secretsmanager/secret:Secret", "name"): "secret",
    ("aws:kms/alias:Alias", "name"): "kms-alias",
    ("aws:appautoscaling/policy:Policy", "name"): "scaling-policy",
    ("aws:sfn/stateMachine:StateMachine", "name"): "state-machine",
    ("aws:cloudwatch/eventRule:EventRule", "name"): "event-rule",
}
HOUSE_PREFIXES = frozenset({"log-group"})  # kinds whose rule.prefix is our convention, not AWS's


@cache
def aws_rule(kind: str) -> NameRule:
    rule = rule_for(kind)
    return dataclasses.replace(rule, prefix="") if kind in HOUSE_PREFIXES else rule


def check_names(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    found: list[str] = []
    for (token, key), kind in NAME_PROPERTIES.items():
        if token != type_:
            continue
        name = text(props, key)
        if name is None:
            continue  # not set: the provider autonames it from a valid prefix
        # Policies receive secrets in plaintext, unmarked: the message states the rule broken and
        # nothing derived from the name (its characters, its length), which may be a secret.
        found.extend(f"{key}: {problem}" for problem in aws_rule(kind).problems(name, reveal=False))
    return found


_READS: dict[str, tuple[str, ...]] = {}
for _token, _key in NAME_PROPERTIES:
    _READS[_token] = (*_READS.get(_token, ()), _key)

RULES = (
    Rule(
        name="aws-names-compliant",
        description="Physical resource names must satisfy AWS's naming rules (shared.naming).",
        severity="high",
        remediation=(
            "Build names with shared.naming.Namer, or fix the name so it meets the rule in the "
            "message (docs/reference.md, Naming)."
        ),
        reads=_READS,
        check_resource=check_names,
    ),
)
