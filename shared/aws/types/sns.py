"""SNS: the alarm topic, its policy and its subscriptions."""

from __future__ import annotations

from typing import Any

from shared.aws.types._convert import document, to
from shared.aws.types._model import ID_ONLY, ResourceType, Shape, ShapeValues, Translation
from shared.aws.types.iam import BAD_POLICY


def _named(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name}


TYPES = (
    ResourceType(
        "aws:sns/topic:Topic",
        "the alarm topic",
        shape=Shape(id="{arn}", arn="arn:aws:sns:{region}:{account}:{name}", extra=_named),
        names={"name": "sns-topic"},
        cloudformation="AWS::SNS::Topic",
        translation=Translation(
            fields={"name": "TopicName"}, rejects={"tags": {"Name": "x" * 300}}
        ),
    ),
    ResourceType(
        "aws:sns/topicPolicy:TopicPolicy",
        "the topic's resource policy",
        shape=ID_ONLY,
        cloudformation="AWS::SNS::TopicPolicy",
        translation=Translation(
            fields={"arn": to("Topics", lambda v: [v]), "policy": to("PolicyDocument", document)},
            tags=False,
            rejects={"policy": BAD_POLICY},
        ),
    ),
    ResourceType(
        "aws:sns/topicSubscription:TopicSubscription",
        "a subscription to the topic (the alarm e-mail)",
        shape=Shape(id="{arn}", arn="{topic}:{uuid}"),
        cloudformation="AWS::SNS::Subscription",
        translation=Translation(
            fields={"topic": "TopicArn"}, tags=False, rejects={"protocol": ["email"]}
        ),
    ),
)
