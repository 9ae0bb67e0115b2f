"""Restart the service when RDS rotates the master password, so tasks never keep a stale one.

ECS reads the task's `secrets` once, when a task starts; RDS rotates the RDS-managed master secret
on its own schedule (every 7 days by default). Running tasks would keep the old password and fail
on their next new connection. Secrets Manager records each successful rotation as a CloudTrail
event (`RotationSucceeded`, with the secret's ARN); an EventBridge rule on that event starts a
one-step Step Functions state machine that calls ECS `UpdateService` with `forceNewDeployment`.
The service's rolling deployment (100% minimum healthy) starts tasks with the new password before
it stops the old ones. No code of ours runs: the state machine calls the ECS API directly.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from shared.context import LabelContext
from shared.service_roles import service_role

ROTATION_EVENT = "RotationSucceeded"
UPDATE_SERVICE = "arn:aws:states:::aws-sdk:ecs:updateService"


def rotation_event_pattern(secret_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The EventBridge pattern of a successful rotation of exactly this secret."""
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": [ROTATION_EVENT],
            "additionalEventData": {"SecretId": [secret_arn]},
        },
    }


def restart_definition(
    cluster_arn: pulumi.Input[str], service_name: pulumi.Input[str]
) -> dict[str, Any]:
    """One Task state: redeploy the service with its current task definition."""
    return {
        "Comment": "Restart the app's tasks so they read the rotated database password",
        "StartAt": "RestartService",
        "States": {
            "RestartService": {
                "Type": "Task",
                "Resource": UPDATE_SERVICE,
                "Parameters": {
                    "Cluster": cluster_arn,
                    "Service": service_name,
                    "ForceNewDeployment": True,
                },
                "Retry": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "IntervalSeconds": 30,
                        "MaxAttempts": 3,
                        "BackoffRate": 2.0,
                    }
                ],
                "End": True,
            }
        },
    }


def restart_on_rotation(
    labels: LabelContext,
    *,
    secret_arn: pulumi.Input[str],
    cluster: aws.ecs.Cluster,
    service: aws.ecs.Service,
) -> aws.sfn.StateMachine:
    """`labels` name the state machine, the rule and both roles (`ctx.child("app")`)."""
    machine_role = service_role(
        labels.child("restart"),
        "restart",
        service="states.amazonaws.com",
        statements=[
            {
                "Sid": "RedeployTheService",
                "Effect": "Allow",
                "Action": "ecs:UpdateService",
                "Resource": service.id,  # the service's ARN
            }
        ],
    )
    machine_label = labels.label("state-machine", "restart")
    machine = aws.sfn.StateMachine(
        "restart",
        name=machine_label.name,
        type="STANDARD",
        role_arn=machine_role.arn,
        definition=pulumi.Output.json_dumps(restart_definition(cluster.arn, service.name)),
        tags=machine_label.tags,
    )

    events_role = service_role(
        labels.child("rotation-events"),
        "rotation-events",
        service="events.amazonaws.com",
        statements=[
            {
                "Sid": "StartTheRestart",
                "Effect": "Allow",
                "Action": "states:StartExecution",
                "Resource": machine.arn,
            }
        ],
    )
    rule_label = labels.label("event-rule", "db-rotated")
    rule = aws.cloudwatch.EventRule(
        "db-rotated",
        name=rule_label.name,
        description="The database master password was rotated: restart the app's tasks",
        event_pattern=pulumi.Output.json_dumps(rotation_event_pattern(secret_arn)),
        tags=rule_label.tags,
    )
    aws.cloudwatch.EventTarget(
        "db-rotated",
        rule=rule.name,
        arn=machine.arn,
        role_arn=events_role.arn,
    )
    return machine
