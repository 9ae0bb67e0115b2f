"""RDS and Aurora: instance classes the engine supports, safety nets, encryption, credentials.

The safety nets (final snapshot, deletion protection, Performance Insights) are disabled by
default: a class turns them on in `policies/config/<class>.json` (prod does), so a rule never asks
which class it runs in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.props import UnknownValueError, flag, number, present, text
from policies.spec import Context, Rule
from shared.aws import instance_classes

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
INSTANCE = "aws:rds/instance:Instance"


def _is_aurora(engine: str | None) -> bool:
    return bool(engine) and str(engine).startswith("aurora")


def _region_of(zone: str | None) -> str | None:
    """us-east-1 from us-east-1a: a pinned zone says the region even when nothing else does."""
    return zone[:-1] if zone and zone[-1:].isalpha() and zone[-2:-1].isdigit() else None


def check_aurora_instance_class(
    type_: str, props: Mapping[str, Any], context: Context
) -> list[str]:
    engine = text(props, "engine")
    if type_ == INSTANCE and not _is_aurora(engine):
        return []
    instance_class = text(props, "instanceClass")
    if instance_class is None:
        return []  # required by the provider; its own check reports it
    region = text(props, "region") or _region_of(text(props, "availabilityZone")) or context.region
    verdict = instance_classes.verdict(engine or "aurora-postgresql", instance_class, region)
    return [] if verdict.supported else [f"instance class {instance_class}: {verdict.reason}"]


def check_final_snapshot(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    found = []
    if flag(props, "skipFinalSnapshot"):
        found.append(
            f"skipFinalSnapshot is true: deleting this {context.environment.environment_class} "
            "cluster would lose its data"
        )
    # Only that it is set matters: one computed at `up` (from the key id, say) is settled.
    if not present(props, "finalSnapshotIdentifier") or _empty(props, "finalSnapshotIdentifier"):
        found.append("finalSnapshotIdentifier is not set: AWS refuses to delete without one")
    return found


def _empty(props: Mapping[str, Any], key: str) -> bool:
    try:
        return text(props, key) == ""
    except UnknownValueError:
        return False


def check_deletion_protection(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if not flag(props, "deletionProtection"):
        return [
            f"deletionProtection is not enabled on a {context.environment.environment_class} "
            "database"
        ]
    return []


def check_backup_retention(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if type_ == INSTANCE and _is_aurora(text(props, "engine")):
        return []  # an Aurora member instance takes the cluster's retention
    minimum = int(
        context.config.get("minimumDays", context.environment.profile.backup_retention_days)
    )
    days = number(props, "backupRetentionPeriod")
    actual = 1 if days is None else int(days)  # AWS's default when unset
    if actual < minimum:
        shown = "not set (AWS default 1)" if days is None else str(actual)
        return [
            f"backupRetentionPeriod is {shown}; the {context.environment.environment_class} "
            f"minimum is {minimum} days"
        ]
    return []


def check_storage_encrypted(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if type_ == INSTANCE and _is_aurora(text(props, "engine")):
        return []  # encryption is the cluster's setting
    if flag(props, "storageEncrypted"):
        return []
    return ["storageEncrypted is not true: data at rest would be unencrypted"]


_PASSWORD = {CLUSTER: "masterPassword", INSTANCE: "password"}


def check_managed_password(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    # Replicas, restores and Aurora members inherit credentials; they set no password of their own.
    inherited = ("snapshotIdentifier", "replicationSourceIdentifier", "replicateSourceDb")
    if any(text(props, key) for key in inherited):
        return []
    if type_ == INSTANCE and _is_aurora(text(props, "engine")):
        return []
    found = []
    key = _PASSWORD[type_]
    if present(props, key):  # never read the value: it is a secret
        found.append(f"{key} is set: the password lands in state and config")
    if not flag(props, "manageMasterUserPassword"):
        found.append("manageMasterUserPassword is not true: let RDS keep it in Secrets Manager")
    return found


def check_not_public(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if flag(props, "publiclyAccessible"):
        return ["publiclyAccessible is true: the database gets a public IP address"]
    return []


def check_performance_insights(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if not flag(props, "performanceInsightsEnabled"):
        return [
            "performanceInsightsEnabled is not true on a "
            f"{context.environment.environment_class} database instance"
        ]
    return []


RULES = (
    Rule(
        name="aws-rds-aurora-instance-class",
        description="Aurora instances must use an instance class their engine supports in the region.",
        severity="high",
        remediation=(
            "Pick a class from AWS's list for the engine and region, e.g. db.t4g.medium or "
            "db.r6g.large for Aurora PostgreSQL (set data:instanceClass)."
        ),
        reads={
            CLUSTER_INSTANCE: ("engine", "instanceClass", "region", "availabilityZone"),
            INSTANCE: ("engine", "instanceClass", "region", "availabilityZone"),
        },
        check_resource=check_aurora_instance_class,
    ),
    Rule(
        name="aws-rds-cluster-final-snapshot",
        description="RDS clusters must take a final snapshot when deleted (a class opts in).",
        default_level="disabled",
        severity="critical",
        remediation="Set skipFinalSnapshot=false and a finalSnapshotIdentifier on the cluster.",
        reads={CLUSTER: ("skipFinalSnapshot", "finalSnapshotIdentifier")},
        check_resource=check_final_snapshot,
    ),
    Rule(
        name="aws-rds-deletion-protection",
        description="RDS clusters and instances must have deletion protection on (a class opts in).",
        default_level="disabled",
        severity="high",
        remediation="Set deletionProtection=true (data:deletionProtection).",
        reads={CLUSTER: ("deletionProtection",), INSTANCE: ("deletionProtection",)},
        check_resource=check_deletion_protection,
    ),
    Rule(
        name="aws-rds-backup-retention",
        description="RDS backups must be kept at least the environment class minimum (prod: 30 days).",
        severity="high",
        remediation="Raise backupRetentionPeriod (data:backupRetentionDays) to the minimum or more.",
        reads={
            CLUSTER: ("backupRetentionPeriod",),
            INSTANCE: ("backupRetentionPeriod", "engine"),
        },
        check_resource=check_backup_retention,
        config_schema={
            "minimumDays": {
                "type": "integer",
                "minimum": 1,
                "maximum": 35,
                "description": "Minimum backup retention in days (default: the environment class profile).",
            }
        },
    ),
    Rule(
        name="aws-rds-storage-encrypted",
        description="RDS storage must be encrypted at rest.",
        severity="high",
        remediation="Set storageEncrypted=true (and a kmsKeyId for a customer-managed key).",
        reads={CLUSTER: ("storageEncrypted",), INSTANCE: ("storageEncrypted", "engine")},
        check_resource=check_storage_encrypted,
    ),
    Rule(
        name="aws-rds-managed-master-password",
        description="RDS master passwords must be managed by RDS in Secrets Manager, never plaintext.",
        severity="critical",
        remediation="Remove masterPassword/password and set manageMasterUserPassword=true.",
        reads={
            CLUSTER: (
                "masterPassword",
                "manageMasterUserPassword",
                "snapshotIdentifier",
                "replicationSourceIdentifier",
            ),
            INSTANCE: (
                "password",
                "manageMasterUserPassword",
                "snapshotIdentifier",
                "replicateSourceDb",
                "engine",
            ),
        },
        check_resource=check_managed_password,
    ),
    Rule(
        name="aws-rds-not-publicly-accessible",
        description="RDS instances must not be publicly accessible.",
        severity="critical",
        remediation="Set publiclyAccessible=false; reach the database from inside the VPC.",
        reads={
            CLUSTER_INSTANCE: ("publiclyAccessible",),
            INSTANCE: ("publiclyAccessible",),
            CLUSTER: ("publiclyAccessible",),
        },
        check_resource=check_not_public,
    ),
    Rule(
        name="aws-rds-performance-insights",
        default_level="disabled",
        description="RDS instances should have Performance Insights on (a class opts in).",
        severity="low",
        remediation="Set performanceInsightsEnabled=true (data:performanceInsights).",
        reads={
            CLUSTER_INSTANCE: ("performanceInsightsEnabled",),
            INSTANCE: ("performanceInsightsEnabled",),
        },
        check_resource=check_performance_insights,
    ),
)
