"""The alarm topic: encrypted with this layer's KMS key, published to only by this account's
CloudWatch alarms over TLS, and optionally mailed to `observability:alarmEmail`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.config import ObservabilityConfig
from shared.context import StackContext
from shared.key_policies import service_key_policy


@dataclass(frozen=True)
class AlarmTopic:
    topic: aws.sns.Topic
    key: aws.kms.Key  # also for CloudWatch Logs, so the key is part of the contract


def alarm_topic(ctx: StackContext[ObservabilityConfig]) -> AlarmTopic:
    key_label = ctx.label("kms-alias", "observability")
    key = aws.kms.Key(
        "observability",
        description=f"Encrypts {ctx.namer.project} {ctx.environment.name} alarm notifications and logs",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        # CloudWatch must be able to encrypt for the topic when an alarm publishes to it.
        policy=pulumi.Output.json_dumps(
            service_key_policy(
                account_id=ctx.account_id,
                region=ctx.region,
                services=["logs", "sns", "cloudwatch"],
            )
        ),
        tags=key_label.tags,
    )
    aws.kms.Alias("observability", name=key_label.name, target_key_id=key.key_id)
    topic_label = ctx.label("sns-topic", "alarms")
    topic = aws.sns.Topic(
        "alarms", name=topic_label.name, kms_master_key_id=key.arn, tags=topic_label.tags
    )
    aws.sns.TopicPolicy(
        "alarms",
        arn=topic.arn,
        policy=pulumi.Output.json_dumps(topic_policy(topic.arn, ctx.account_id)),
    )
    if ctx.config.alarm_email:
        # Stays "pending confirmation" until the recipient clicks the link AWS sends.
        aws.sns.TopicSubscription(
            "alarm-email", topic=topic.arn, protocol="email", endpoint=ctx.config.alarm_email
        )
    return AlarmTopic(topic, key)


def topic_policy(topic_arn: pulumi.Input[str], account_id: str) -> dict[str, Any]:
    """Only CloudWatch alarms of this account publish to the alarm topic, and only over TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
