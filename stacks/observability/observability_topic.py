"""The alarm topic: encrypted with this layer's KMS key, published to only by this account's
CloudWatch alarms over TLS, and optionally mailed to `observability:alarmEmail`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.context import LabelContext
from shared.key_policies import service_key_policy
from shared.kms import FormerNames, KmsKey, KmsKeyArgs


@dataclass(frozen=True)
class AlarmTopic:
    topic: aws.sns.Topic
    key: aws.kms.Key  # the contract's alarm_topic_kms_key_arn


def alarm_topic(labels: LabelContext, *, email: str | None) -> AlarmTopic:
    """The topic and its key; `email` (observability:alarmEmail) is subscribed when given."""
    key_label = labels.label("kms-alias", "observability")
    key = KmsKey(
        "observability",
        KmsKeyArgs(
            description=f"Encrypts {labels.scope} alarm notifications and logs",
            # CloudWatch must be able to encrypt for the topic when an alarm publishes to it.
            policy=service_key_policy(
                account_id=labels.account_id,
                region=labels.region,
                services=["logs", "sns", "cloudwatch"],
            ),
            alias=key_label.name,
            tags=key_label.tags,
            moved_from=FormerNames(key="observability", alias="observability"),
        ),
    ).key
    topic_label = labels.label("sns-topic", "alarms")
    topic = aws.sns.Topic(
        "alarms", name=topic_label.name, kms_master_key_id=key.arn, tags=topic_label.tags
    )
    aws.sns.TopicPolicy(
        "alarms",
        arn=topic.arn,
        policy=pulumi.Output.json_dumps(topic_policy(topic.arn, labels.account_id)),
    )
    if email:
        # Stays "pending confirmation" until the recipient clicks the link AWS sends.
        aws.sns.TopicSubscription("alarm-email", topic=topic.arn, protocol="email", endpoint=email)
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
