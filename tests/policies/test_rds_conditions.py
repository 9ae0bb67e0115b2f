"""Each condition of the RDS rules pinned on its own: boundaries, members, inherited credentials."""

from typing import Any

import pytest

from policies.rds import (
    check_aurora_instance_class,
    check_backup_retention,
    check_deletion_protection,
    check_final_snapshot,
    check_managed_password,
    check_not_public,
    check_performance_insights,
    check_storage_encrypted,
)
from tests.policies.conftest import UNKNOWN, context, secret

CLUSTER = "aws:rds/cluster:Cluster"
MEMBER = "aws:rds/clusterInstance:ClusterInstance"
INSTANCE = "aws:rds/instance:Instance"
AURORA = {"engine": "aurora-postgresql"}


@pytest.mark.parametrize("environment", ["prod", "staging", "dev"])
def test_backup_retention_boundary_is_the_class_minimum(environment: str) -> None:
    ctx = context(environment)
    minimum = ctx.environment.profile.backup_retention_days
    assert check_backup_retention(CLUSTER, {"backupRetentionPeriod": float(minimum)}, ctx) == []
    assert check_backup_retention(CLUSTER, {"backupRetentionPeriod": minimum + 1.0}, ctx) == []
    assert check_backup_retention(CLUSTER, {"backupRetentionPeriod": minimum - 1.0}, ctx) == [
        f"backupRetentionPeriod is {minimum - 1}; the {environment} minimum is {minimum} days"
    ]


def test_prod_keeps_backups_thirty_days() -> None:
    assert context("prod").environment.profile.backup_retention_days == 30


def test_backup_retention_config_minimum_overrides_the_class() -> None:
    ctx = context("prod", config={"minimumDays": 8.0})
    assert check_backup_retention(CLUSTER, {"backupRetentionPeriod": 8.0}, ctx) == []
    assert check_backup_retention(CLUSTER, {"backupRetentionPeriod": 7.0}, ctx) == [
        "backupRetentionPeriod is 7; the prod minimum is 8 days"
    ]


def test_unset_retention_is_the_aws_default_of_one_day() -> None:
    assert check_backup_retention(CLUSTER, {}, context("prod")) == [
        "backupRetentionPeriod is not set (AWS default 1); the prod minimum is 30 days"
    ]
    # A minimum of 1 is met by the default; a minimum of 2 is not.
    assert check_backup_retention(CLUSTER, {}, context("prod", config={"minimumDays": 1})) == []
    assert check_backup_retention(CLUSTER, {}, context("prod", config={"minimumDays": 2}))


def test_retention_and_encryption_of_aurora_members_are_the_clusters_business() -> None:
    low = {"backupRetentionPeriod": 1.0}
    assert check_backup_retention(INSTANCE, {**AURORA, **low}, context("prod")) == []
    # Not Aurora, or Aurora but the cluster itself: checked.
    assert check_backup_retention(INSTANCE, {"engine": "postgres", **low}, context("prod"))
    assert check_backup_retention(CLUSTER, {**AURORA, **low}, context("prod"))
    assert check_storage_encrypted(INSTANCE, AURORA, context("prod")) == []
    message = ["storageEncrypted is not true: data at rest would be unencrypted"]
    assert check_storage_encrypted(INSTANCE, {"engine": "postgres"}, context("prod")) == message
    assert check_storage_encrypted(CLUSTER, AURORA, context("prod")) == message
    assert check_storage_encrypted(CLUSTER, {"storageEncrypted": True}, context("prod")) == []


def test_final_snapshot_messages_each_on_its_own() -> None:
    skip = "skipFinalSnapshot is true: deleting this prod cluster would lose its data"
    no_id = "finalSnapshotIdentifier is not set: AWS refuses to delete without one"
    ctx = context("prod")
    assert check_final_snapshot(CLUSTER, {"skipFinalSnapshot": True}, ctx) == [skip, no_id]
    named = {"finalSnapshotIdentifier": "final"}
    assert check_final_snapshot(CLUSTER, {**named, "skipFinalSnapshot": True}, ctx) == [skip]
    assert check_final_snapshot(CLUSTER, {"skipFinalSnapshot": False}, ctx) == [no_id]
    assert check_final_snapshot(CLUSTER, {"finalSnapshotIdentifier": ""}, ctx) == [no_id]
    assert check_final_snapshot(CLUSTER, named, ctx) == []


def test_safety_net_switches_and_their_messages() -> None:
    assert check_deletion_protection(CLUSTER, {}, context("prod")) == [
        "deletionProtection is not enabled on a prod database"
    ]
    assert check_deletion_protection(CLUSTER, {"deletionProtection": True}, context("prod")) == []
    assert check_performance_insights(INSTANCE, {}, context("prod")) == [
        "performanceInsightsEnabled is not true on a prod database instance"
    ]
    on = {"performanceInsightsEnabled": True}
    assert check_performance_insights(INSTANCE, on, context("prod")) == []
    assert check_not_public(INSTANCE, {"publiclyAccessible": True}, context("dev")) == [
        "publiclyAccessible is true: the database gets a public IP address"
    ]
    assert check_not_public(INSTANCE, {"publiclyAccessible": False}, context("dev")) == []


@pytest.mark.parametrize(("type_", "key"), [(CLUSTER, "masterPassword"), (INSTANCE, "password")])
def test_password_set_and_not_managed_are_two_findings(type_: str, key: str) -> None:
    unmanaged = "manageMasterUserPassword is not true: let RDS keep it in Secrets Manager"
    props: dict[str, Any] = {key: secret("hunter2")}
    assert check_managed_password(type_, props, context("dev")) == [
        f"{key} is set: the password lands in state and config",
        unmanaged,
    ]
    managed = {"manageMasterUserPassword": True}
    assert check_managed_password(type_, managed, context("dev")) == []
    assert check_managed_password(type_, {}, context("dev")) == [unmanaged]


@pytest.mark.parametrize(
    ("type_", "inherited"),
    [
        (CLUSTER, "snapshotIdentifier"),
        (CLUSTER, "replicationSourceIdentifier"),
        (INSTANCE, "snapshotIdentifier"),
        (INSTANCE, "replicateSourceDb"),
    ],
)
def test_each_inherited_credential_source_exempts(type_: str, inherited: str) -> None:
    assert check_managed_password(type_, {inherited: "source"}, context("dev")) == []
    assert check_managed_password(type_, {inherited: ""}, context("dev")) != []


def test_aurora_members_inherit_credentials_but_other_instances_do_not() -> None:
    assert check_managed_password(INSTANCE, AURORA, context("dev")) == []
    assert check_managed_password(INSTANCE, {"engine": "mysql"}, context("dev")) != []
    assert check_managed_password(CLUSTER, AURORA, context("dev")) != []


def test_instance_class_without_engine_is_checked_as_aurora_postgresql() -> None:
    # A cluster member may leave the engine to its cluster: the default engine is checked.
    found = check_aurora_instance_class(
        MEMBER, {"instanceClass": "db.t3.micro"}, context("prod", region="us-east-1")
    )
    assert len(found) == 1 and "aurora-postgresql" in found[0], found
    assert check_aurora_instance_class(MEMBER, {}, context("prod")) == []


def test_a_final_snapshot_name_computed_at_up_counts_as_set() -> None:
    # Derived from the key id in preview: unknown, yet always set at `up` (settled).
    props = {"skipFinalSnapshot": False, "finalSnapshotIdentifier": UNKNOWN}
    assert check_final_snapshot(CLUSTER, props, context("prod")) == []
    empty = {"skipFinalSnapshot": False, "finalSnapshotIdentifier": ""}
    assert len(check_final_snapshot(CLUSTER, empty, context("prod"))) == 1
