"""Application Auto Scaling: the service's scalable target and its policies."""

from __future__ import annotations

from shared.aws.types._model import ResourceType, Shape, Translation

TYPES = (
    ResourceType(
        "aws:appautoscaling/target:Target",
        "the service's scalable target",
        shape=Shape(
            id="{name}",
            arn="arn:aws:application-autoscaling:{region}:{account}:scalable-target/{hex16}",
            name_input="resourceId",
        ),
        cloudformation="AWS::ApplicationAutoScaling::ScalableTarget",
        translation=Translation(
            fields={"roleArn": "RoleARN"},
            drops={"tags": "AWS::ApplicationAutoScaling::ScalableTarget takes no tags"},
            tags=False,
            rejects={"scalableDimension": "ecs:service:Everything"},
        ),
    ),
    ResourceType(
        "aws:appautoscaling/policy:Policy",
        "a scaling policy of the service",
        shape=Shape(
            id="{name}",
            arn="arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uuid}:policyName/{name}",
        ),
        names={"name": "scaling-policy"},
        cloudformation="AWS::ApplicationAutoScaling::ScalingPolicy",
        translation=Translation(
            fields={"name": "PolicyName"}, tags=False, rejects={"policyType": "Guesswork"}
        ),
    ),
)
