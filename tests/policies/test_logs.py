"""The CloudWatch Logs rules: retention and a customer-managed key."""

from typing import Any

import pytest

from policies import logs
from policies.logs import check_kms, check_retention
from policies.spec import ResourceCheck
from tests.policies.conftest import BAD_ARGS, GOOD_ARGS, UNKNOWN, Ctx, bad, context, good

LOGS = {rule.name: rule for rule in logs.RULES}
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def test_log_group_retention_and_kms() -> None:
    fine = {"retentionInDays": 30.0, "kmsKeyId": "arn:aws:kms:us-east-1:1:key/x"}
    for rule in LOGS.values():
        assert rule.check(LOG_GROUP, fine, context()) == []
        assert rule.check(LOG_GROUP, {}, context())


def test_a_kms_key_from_another_resource_is_set_even_while_unknown() -> None:
    from pulumi_policy.proxy import unknown_checking_proxy

    props = unknown_checking_proxy({"kmsKeyId": UNKNOWN})
    assert LOGS["aws-cloudwatch-log-group-kms"].check(LOG_GROUP, props, context()) == []


# --- Each condition on its own: good and bad calls ----------------------------------------------

FOREVER = "retentionInDays is not set: the logs (and their cost) are kept forever"

GOOD = [
    good(check_retention, "t", {"retentionInDays": 30.0}, "dev"),
    good(check_kms, "t", {"kmsKeyId": UNKNOWN}, "dev"),
]

BAD = [
    bad(check_retention, "t", {}, [FOREVER], "dev"),
    bad(check_retention, "t", {"retentionInDays": 0}, [FOREVER], "dev"),
    bad(
        check_kms,
        "t",
        {},
        ["kmsKeyId is not set: the logs are encrypted only with a key AWS owns"],
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
