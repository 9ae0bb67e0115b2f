from collections.abc import Mapping
from typing import Any

import pytest

from policies.props import UnknownValueError
from policies.rds import (
    RULES,
    check_aurora_instance_class,
    check_backup_retention,
    check_deletion_protection,
    check_final_snapshot,
    check_managed_password,
    check_not_public,
    check_performance_insights,
    check_storage_encrypted,
)
from policies.spec import Context, ResourceCheck
from tests.policies.conftest import (
    BAD_ARGS,
    GOOD_ARGS,
    UNKNOWN,
    Ctx,
    bad,
    context,
    good,
    level,
    secret,
)

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


# --- Each condition on its own: good and bad calls ----------------------------------------------

AURORA = {"engine": "aurora-postgresql"}
LOW = {"backupRetentionPeriod": 1.0}
SKIP = "skipFinalSnapshot is true: deleting this prod cluster would lose its data"
NO_ID = "finalSnapshotIdentifier is not set: AWS refuses to delete without one"
UNMANAGED = "manageMasterUserPassword is not true: let RDS keep it in Secrets Manager"
UNENCRYPTED = "storageEncrypted is not true: data at rest would be unencrypted"
INHERITED = [
    (CLUSTER, "snapshotIdentifier"),
    (CLUSTER, "replicationSourceIdentifier"),
    (INSTANCE, "snapshotIdentifier"),
    (INSTANCE, "replicateSourceDb"),
]
PASSWORDS = [(CLUSTER, "masterPassword"), (INSTANCE, "password")]


def _minimum(environment: str) -> int:
    return context(environment).environment.profile.backup_retention_days


GOOD = [
    *(
        good(check_backup_retention, CLUSTER, {"backupRetentionPeriod": days}, env)
        for env in ("prod", "staging", "dev")
        for days in (float(_minimum(env)), _minimum(env) + 1.0)
    ),
    good(
        check_backup_retention, CLUSTER, {"backupRetentionPeriod": 8.0}, config={"minimumDays": 8.0}
    ),
    # A minimum of 1 is met by AWS's default.
    good(check_backup_retention, CLUSTER, {}, config={"minimumDays": 1}),
    # Retention and encryption of Aurora members are their cluster's business.
    good(check_backup_retention, INSTANCE, {**AURORA, **LOW}),
    good(check_storage_encrypted, INSTANCE, AURORA),
    good(check_storage_encrypted, CLUSTER, {"storageEncrypted": True}),
    good(check_final_snapshot, CLUSTER, {"finalSnapshotIdentifier": "final"}),
    # Derived from the key id in preview: unknown, yet always set at `up` (settled).
    good(
        check_final_snapshot,
        CLUSTER,
        {"skipFinalSnapshot": False, "finalSnapshotIdentifier": UNKNOWN},
    ),
    good(check_deletion_protection, CLUSTER, {"deletionProtection": True}),
    good(check_performance_insights, INSTANCE, {"performanceInsightsEnabled": True}),
    good(check_not_public, INSTANCE, {"publiclyAccessible": False}, "dev"),
    *(
        good(check_managed_password, t, {"manageMasterUserPassword": True}, "dev")
        for t, _ in PASSWORDS
    ),
    # Each inherited credential source exempts; an Aurora member inherits its cluster's.
    *(good(check_managed_password, t, {key: "source"}, "dev") for t, key in INHERITED),
    good(check_managed_password, INSTANCE, AURORA, "dev"),
    # A cluster member may leave the engine (and its class) to its cluster.
    good(check_aurora_instance_class, MEMBER, {}),
]

BAD = [
    *(
        bad(
            check_backup_retention,
            CLUSTER,
            {"backupRetentionPeriod": _minimum(env) - 1.0},
            [
                f"backupRetentionPeriod is {_minimum(env) - 1}; the {env} minimum is {_minimum(env)} days"
            ],
            env,
        )
        for env in ("prod", "staging", "dev")
    ),
    bad(
        check_backup_retention,
        CLUSTER,
        {"backupRetentionPeriod": 7.0},
        ["backupRetentionPeriod is 7; the prod minimum is 8 days"],
        config={"minimumDays": 8.0},
    ),
    bad(
        check_backup_retention,
        CLUSTER,
        {},
        ["backupRetentionPeriod is not set (AWS default 1); the prod minimum is 30 days"],
    ),
    bad(
        check_backup_retention,
        CLUSTER,
        {},
        ["backupRetentionPeriod is not set (AWS default 1); the prod minimum is 2 days"],
        config={"minimumDays": 2},
    ),
    # Not Aurora, or Aurora but the cluster itself: checked.
    *(
        bad(
            check_backup_retention,
            type_,
            {**engine, **LOW},
            ["backupRetentionPeriod is 1; the prod minimum is 30 days"],
        )
        for type_, engine in ((INSTANCE, {"engine": "postgres"}), (CLUSTER, AURORA))
    ),
    bad(check_storage_encrypted, INSTANCE, {"engine": "postgres"}, [UNENCRYPTED]),
    bad(check_storage_encrypted, CLUSTER, AURORA, [UNENCRYPTED]),
    bad(check_final_snapshot, CLUSTER, {"skipFinalSnapshot": True}, [SKIP, NO_ID]),
    bad(
        check_final_snapshot,
        CLUSTER,
        {"finalSnapshotIdentifier": "final", "skipFinalSnapshot": True},
        [SKIP],
    ),
    bad(check_final_snapshot, CLUSTER, {"skipFinalSnapshot": False}, [NO_ID]),
    bad(check_final_snapshot, CLUSTER, {"finalSnapshotIdentifier": ""}, [NO_ID]),
    bad(
        check_final_snapshot,
        CLUSTER,
        {"skipFinalSnapshot": False, "finalSnapshotIdentifier": ""},
        [NO_ID],
    ),
    bad(
        check_deletion_protection,
        CLUSTER,
        {},
        ["deletionProtection is not enabled on a prod database"],
    ),
    bad(
        check_performance_insights,
        INSTANCE,
        {},
        ["performanceInsightsEnabled is not true on a prod database instance"],
    ),
    bad(
        check_not_public,
        INSTANCE,
        {"publiclyAccessible": True},
        ["publiclyAccessible is true: the database gets a public IP address"],
        "dev",
    ),
    # A password set and not managed are two findings.
    *(
        bad(
            check_managed_password,
            type_,
            {key: secret("hunter2")},
            [f"{key} is set: the password lands in state and config", UNMANAGED],
            "dev",
        )
        for type_, key in PASSWORDS
    ),
    *(bad(check_managed_password, t, {}, [UNMANAGED], "dev") for t, _ in PASSWORDS),
    *(bad(check_managed_password, t, {key: ""}, [UNMANAGED], "dev") for t, key in INHERITED),
    # Aurora members inherit credentials; other instances and the cluster itself do not.
    bad(check_managed_password, INSTANCE, {"engine": "mysql"}, [UNMANAGED], "dev"),
    bad(check_managed_password, CLUSTER, AURORA, [UNMANAGED], "dev"),
]


@pytest.mark.parametrize(GOOD_ARGS, GOOD)
def test_good(check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx) -> None:
    assert check(type_, props, ctx()) == []


@pytest.mark.parametrize(BAD_ARGS, BAD)
def test_bad(
    check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx, expected: list[str]
) -> None:
    assert check(type_, props, ctx()) == expected


def test_prod_keeps_backups_thirty_days() -> None:
    assert _minimum("prod") == 30


def test_instance_class_without_engine_is_checked_as_aurora_postgresql() -> None:
    # A cluster member may leave the engine to its cluster: the default engine is checked.
    found = check_aurora_instance_class(
        MEMBER, {"instanceClass": "db.t3.micro"}, context("prod", region="us-east-1")
    )
    assert len(found) == 1, found
    assert found[0].startswith(
        "instance class db.t3.micro: aurora-postgresql does not support db.t3.micro in us-east-1 ("
    )
