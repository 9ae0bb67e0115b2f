"""VPC flow logs into an encrypted log group, written by a role only VPC Flow Logs may assume."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.config import NetworkConfig
from shared.context import StackContext
from shared.trust_policies import service_trust_policy


def flow_logs(
    ctx: StackContext[NetworkConfig], vpc_id: pulumi.Input[str], kms_key_arn: pulumi.Input[str]
) -> None:
    group_label = ctx.label("log-group", "vpc-flow-logs")
    group = aws.cloudwatch.LogGroup(
        "flow-logs",
        name=group_label.name,
        retention_in_days=ctx.config.flow_log_retention_days,
        kms_key_id=kms_key_arn,
        tags=group_label.tags,
    )
    role_label = ctx.label("iam-role", "vpc-flow-logs")
    role = aws.iam.Role(
        "flow-logs",
        name=role_label.name,
        assume_role_policy=pulumi.Output.json_dumps(
            service_trust_policy("vpc-flow-logs.amazonaws.com", ctx.account_id)
        ),
        tags=role_label.tags,
    )
    aws.iam.RolePolicy(
        "flow-logs",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
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
            }
        ),
    )
    aws.ec2.FlowLog(
        "vpc",
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=ctx.label("name-tag", "vpc-flow-logs").tags,
    )
