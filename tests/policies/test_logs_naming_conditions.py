"""Log-group and name rules pinned: exact messages, every name property of a type."""

from policies.logs import check_kms, check_retention
from policies.naming import check_names
from policies.rds import check_aurora_instance_class
from tests.policies.conftest import UNKNOWN, context

CLUSTER = "aws:rds/cluster:Cluster"


def test_log_group_messages() -> None:
    assert check_retention("t", {}, context()) == [
        "retentionInDays is not set: the logs (and their cost) are kept forever"
    ]
    assert check_retention("t", {"retentionInDays": 0}, context()) == [
        "retentionInDays is not set: the logs (and their cost) are kept forever"
    ]
    assert check_retention("t", {"retentionInDays": 30.0}, context()) == []
    assert check_kms("t", {}, context()) == [
        "kmsKeyId is not set: the logs are encrypted only with a key AWS owns"
    ]
    assert check_kms("t", {"kmsKeyId": UNKNOWN}, context()) == []


def test_every_name_property_of_a_type_is_checked_even_after_an_unset_one() -> None:
    found = check_names(CLUSTER, {"finalSnapshotIdentifier": "Bad--Name-"}, context())
    assert found and all(f.startswith("finalSnapshotIdentifier: ") for f in found)
    assert check_names(CLUSTER, {"clusterIdentifier": "ok-name"}, context()) == []


def test_the_default_engine_is_named_in_the_instance_class_message() -> None:
    found = check_aurora_instance_class(
        "aws:rds/clusterInstance:ClusterInstance",
        {"instanceClass": "db.t3.micro"},
        context("prod", region="us-east-1"),
    )
    assert len(found) == 1
    assert found[0].startswith(
        "instance class db.t3.micro: aurora-postgresql does not support db.t3.micro in us-east-1 ("
    )
