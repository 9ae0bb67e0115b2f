from collections.abc import Mapping
from typing import Any

import pytest

from policies.props import UnknownValueError
from policies.rds import RULES
from policies.spec import Context
from tests.policies.conftest import UNKNOWN, context, level, secret

RULE = {rule.name: rule for rule in RULES}
CLUSTER = "aws:rds/cluster:Cluster"
MEMBER = "aws:rds/clusterInstance:ClusterInstance"
INSTANCE = "aws:rds/instance:Instance"
GOOD_PROD_CLUSTER = {
    "engine": "aurora-postgresql",
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "platform-prod-final",
    "deletionProtection": True,
    "backupRetentionPeriod": 30.0,
    "storageEncrypted": True,
    "manageMasterUserPassword": True,
}


def violations(
    name: str, type_: str, props: Mapping[str, Any], ctx: Context | None = None
) -> list[str]:
    return RULE[name].check(type_, props, ctx or context("prod", region="us-east-1"))


@pytest.mark.parametrize("klass", ["db.t3.micro", "db.t3.small"])
def test_aurora_postgresql_refuses_micro_and_small(klass: str) -> None:
    found = violations(
        "aws-rds-aurora-instance-class",
        MEMBER,
        {"engine": "aurora-postgresql", "instanceClass": klass},
    )
    assert len(found) == 1 and klass in found[0] and "us-east-1" in found[0]


@pytest.mark.parametrize("klass", ["db.t4g.medium", "db.r6g.large", "db.serverless"])
def test_aurora_postgresql_accepts_supported_classes(klass: str) -> None:
    assert not violations(
        "aws-rds-aurora-instance-class",
        MEMBER,
        {"engine": "aurora-postgresql", "instanceClass": klass},
    )


def test_the_resources_own_region_wins_over_the_stacks() -> None:
    props = {"engine": "aurora-postgresql", "instanceClass": "db.t3.small", "region": "ap-east-1"}
    # AWS's data lists db.t3.small for Aurora PostgreSQL in ap-east-1 only (older versions).
    assert not violations("aws-rds-aurora-instance-class", MEMBER, props)


def test_a_pinned_availability_zone_gives_the_region() -> None:
    props = {
        "engine": "aurora-postgresql",
        "instanceClass": "db.t3.micro",
        "availabilityZone": "eu-west-1b",
    }
    (found,) = violations("aws-rds-aurora-instance-class", MEMBER, props, context("prod"))
    assert "in eu-west-1" in found and "fallback" not in found


def test_without_a_region_the_fallback_rule_still_refuses_canonical_violations() -> None:
    found = violations(
        "aws-rds-aurora-instance-class",
        MEMBER,
        {"engine": "aurora-postgresql", "instanceClass": "db.t3.small"},
        context("prod"),
    )
    assert found and "fallback" in found[0]


def test_unknown_engine_falls_back_instead_of_passing() -> None:
    found = violations(
        "aws-rds-aurora-instance-class",
        MEMBER,
        {"engine": "aurora-new", "instanceClass": "db.t3.micro"},
    )
    assert found and "fallback" in found[0]
    assert violations(
        "aws-rds-aurora-instance-class",
        MEMBER,
        {"engine": "aurora-new", "instanceClass": "db.x9.huge"},
    )


def test_instance_class_rule_ignores_non_aurora_instances() -> None:
    props = {"engine": "postgres", "instanceClass": "db.t3.micro"}
    assert not violations("aws-rds-aurora-instance-class", INSTANCE, props)
    props["engine"] = "aurora-mysql"
    assert violations(
        "aws-rds-aurora-instance-class", INSTANCE, {**props, "instanceClass": "db.t2.micro"}
    )


def test_unknown_instance_class_during_preview_is_not_a_violation() -> None:
    with pytest.raises(UnknownValueError):
        violations(
            "aws-rds-aurora-instance-class",
            MEMBER,
            {"engine": "aurora-postgresql", "instanceClass": UNKNOWN},
        )


def test_prod_cluster_good_props_pass_every_rule() -> None:
    for rule in RULES:
        if rule.check_resource is not None and CLUSTER in rule.reads:
            assert rule.check(CLUSTER, GOOD_PROD_CLUSTER, context("prod")) == [], rule.name


@pytest.mark.parametrize(
    ("policy", "in_prod"),
    [
        ("aws-rds-cluster-final-snapshot", "mandatory"),
        ("aws-rds-deletion-protection", "mandatory"),
        ("aws-rds-performance-insights", "advisory"),
    ],
)
def test_a_safety_net_is_off_by_default_and_prods_config_turns_it_on(
    policy: str, in_prod: str
) -> None:
    (rule,) = [r for r in RULES if r.name == policy]
    assert rule.default_level == "disabled"
    assert level(policy, "prod") == in_prod
    assert level(policy, "dev") == "disabled"


def test_final_snapshot_fires_in_whichever_class_runs_it() -> None:
    bad = {**GOOD_PROD_CLUSTER, "skipFinalSnapshot": True}
    del bad["finalSnapshotIdentifier"]
    assert len(violations("aws-rds-cluster-final-snapshot", CLUSTER, bad)) == 2
    (skip, _) = violations("aws-rds-cluster-final-snapshot", CLUSTER, bad, context("dev"))
    assert skip == "skipFinalSnapshot is true: deleting this dev cluster would lose its data"


def test_prod_rule_applies_to_a_custom_named_prod_class_stack() -> None:
    from policies.spec import Context
    from shared.environment import parse_environment

    ctx = Context(environment=parse_environment("live", "prod"))
    assert violations("aws-rds-deletion-protection", CLUSTER, {}, ctx)


def test_backup_retention_uses_class_minimum_and_config() -> None:
    assert violations("aws-rds-backup-retention", CLUSTER, {"backupRetentionPeriod": 14.0})
    assert not violations(
        "aws-rds-backup-retention", CLUSTER, {"backupRetentionPeriod": 14.0}, context("staging")
    )
    missing = violations("aws-rds-backup-retention", CLUSTER, {}, context("staging"))
    assert "not set" in missing[0]
    relaxed = context("prod", config={"minimumDays": 7.0})
    assert not violations(
        "aws-rds-backup-retention", CLUSTER, {"backupRetentionPeriod": 7.0}, relaxed
    )


def test_storage_encryption_missing_is_a_violation() -> None:
    assert violations("aws-rds-storage-encrypted", CLUSTER, {})
    assert not violations("aws-rds-storage-encrypted", INSTANCE, {"engine": "aurora-postgresql"})


def test_plaintext_master_password_fires_without_echoing_the_secret() -> None:
    found = violations(
        "aws-rds-managed-master-password", CLUSTER, {"masterPassword": secret("hunter2")}
    )
    assert len(found) == 2
    assert not any("hunter2" in message for message in found)


def test_unknown_master_password_counts_as_set() -> None:
    from pulumi_policy.proxy import unknown_checking_proxy

    props = unknown_checking_proxy({"masterPassword": UNKNOWN, "manageMasterUserPassword": True})
    assert violations("aws-rds-managed-master-password", CLUSTER, props)


def test_restored_clusters_inherit_credentials() -> None:
    assert not violations(
        "aws-rds-managed-master-password", CLUSTER, {"snapshotIdentifier": "snap"}
    )


def test_public_and_performance_insights() -> None:
    assert violations("aws-rds-not-publicly-accessible", MEMBER, {"publiclyAccessible": True})
    assert not violations("aws-rds-not-publicly-accessible", MEMBER, {})
    assert violations("aws-rds-performance-insights", MEMBER, {})
    assert not violations(
        "aws-rds-performance-insights", MEMBER, {"performanceInsightsEnabled": True}
    )
