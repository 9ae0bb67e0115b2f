"""VPC flow logs into an encrypted log group, written by a role only VPC Flow Logs may assume."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.context import LabelContext
from shared.service_roles import service_role


def flow_logs(
    labels: LabelContext,
    *,
    vpc_id: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
) -> None:
    """`labels` name the group, the role and the flow log (`ctx.child("vpc-flow-logs")`)."""
    group_label = labels.label("log-group")
    group = aws.cloudwatch.LogGroup(
        "flow-logs",
        name=group_label.name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=group_label.tags,
    )
    role = service_role(
        labels,
        "flow-logs",
        service="vpc-flow-logs.amazonaws.com",
        statements=[
            {
                "Sid": "WriteFlowLogGroup",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": [group.arn, pulumi.Output.concat(group.arn, ":*")],
            },
            {
                # DescribeLogGroups has no resource-level permissions (Service
                # Authorization Reference): scoped to a group ARN it grants nothing.
                "Sid": "DescribeLogGroups",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "*",
            },
        ],
    )
    aws.ec2.FlowLog(
        "vpc",
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=labels.label("name-tag").tags,
    )
