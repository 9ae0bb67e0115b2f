"""CloudWatch Logs: every log group expires its data and is encrypted with a KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.props import number, present
from policies.spec import Context, Rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def check_retention(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    days = number(props, "retentionInDays")
    if not days:
        return ["retentionInDays is not set: the logs (and their cost) are kept forever"]
    return []


def check_kms(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    # present(): a key ARN from another resource is unknown during preview, yet clearly set.
    if not present(props, "kmsKeyId"):
        return ["kmsKeyId is not set: the logs are encrypted only with a key AWS owns"]
    return []


RULES = (
    Rule(
        name="aws-cloudwatch-log-group-retention",
        default_level="advisory",
        description="CloudWatch log groups must have a retention period.",
        severity="medium",
        remediation="Set retentionInDays (app:logRetentionDays / observability:logRetentionDays).",
        reads={LOG_GROUP: ("retentionInDays",)},
        check_resource=check_retention,
    ),
    Rule(
        name="aws-cloudwatch-log-group-kms",
        default_level="advisory",
        description="CloudWatch log groups must be encrypted with a customer-managed KMS key.",
        severity="medium",
        remediation="Set kmsKeyId to the logs KMS key (the network layer exports log_group_kms_key_arn).",
        reads={LOG_GROUP: ("kmsKeyId",)},
        check_resource=check_kms,
    ),
)
