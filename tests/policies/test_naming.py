from typing import Any

import pytest

from policies.naming import NAME_PROPERTIES, RULES, check_names
from policies.spec import ResourceCheck
from shared.naming import NAME_RULES, Namer
from tests.policies.conftest import BAD_ARGS, GOOD_ARGS, Ctx, bad, context, good

RULE = RULES[0]


def test_every_shared_name_kind_is_checked_somewhere() -> None:
    # `name-tag` is a tag value, not a physical name: aws-tags-standard checks tag values.
    assert set(NAME_PROPERTIES.values()) == set(NAME_RULES) - {"name-tag"}


def test_names_the_namer_builds_pass() -> None:
    namer = Namer(
        project="platform", environment="prod", account_id="123456789012", region="us-east-1"
    )
    for (token, key), kind in NAME_PROPERTIES.items():
        assert RULE.check(token, {key: namer.name(kind, "main")}, context()) == [], (token, key)


def test_invalid_names_fire_with_the_reason() -> None:
    found = RULE.check("aws:s3/bucket:Bucket", {"bucket": "My_Bucket"}, context())
    assert found and all(message.startswith("bucket: ") for message in found)
    assert not any("My_Bucket" in message for message in found)  # a name may be a secret
    assert RULE.check(
        "aws:lb/loadBalancer:LoadBalancer", {"name": "internal-" + "x" * 40}, context()
    )
    assert RULE.check("aws:rds/cluster:Cluster", {"clusterIdentifier": "1db--"}, context())


def test_a_name_that_may_be_a_secret_is_reported_by_the_rule_not_its_characters() -> None:
    found = RULE.check("aws:s3/bucket:Bucket", {"bucket": "Secret_Bucket_NAME_Q9" * 4}, context())
    assert "bucket: s3-bucket names may contain only characters matching [a-z0-9.-]" in found
    assert "bucket: s3-bucket names must be 3-63 characters long" in found
    # Neither the offending characters nor the length: both are read off the secret.
    said = " ".join(found)
    assert "ABEMNQS_" not in said and "(got 84)" not in said and "Secret" not in said


def test_aws_log_group_names_need_no_leading_slash_but_aws_prefix_is_reserved() -> None:
    token = "aws:cloudwatch/logGroup:LogGroup"
    assert RULE.check(token, {"name": "app-logs"}, context()) == []
    assert RULE.check(token, {"name": "aws/app"}, context())


def test_unset_names_are_autonamed_by_the_provider() -> None:
    assert RULE.check("aws:s3/bucket:Bucket", {}, context()) == []


# --- Each condition on its own: good and bad calls ----------------------------------------------

CLUSTER = "aws:rds/cluster:Cluster"

GOOD = [good(check_names, CLUSTER, {"clusterIdentifier": "ok-name"}, "dev")]

BAD = [
    # Every name property of a type is checked, even after an unset one.
    bad(
        check_names,
        CLUSTER,
        {"finalSnapshotIdentifier": "Bad--Name-"},
        [
            "finalSnapshotIdentifier: db-snapshot names must be lowercase",
            "finalSnapshotIdentifier: db-snapshot names may not contain '--'",
            "finalSnapshotIdentifier: db-snapshot names may not end with '-'",
        ],
        "dev",
    ),
]


@pytest.mark.parametrize(GOOD_ARGS, GOOD)
def test_good(check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx) -> None:
    assert check(type_, props, ctx()) == []


@pytest.mark.parametrize(BAD_ARGS, BAD)
def test_bad(
    check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx, expected: list[str]
) -> None:
    assert check(type_, props, ctx()) == expected
