"""A role only one AWS service may assume, with its one inline policy: the shape every layer's
service roles share (VPC Flow Logs, EventBridge, Step Functions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.boundary import boundary_arn
from shared.context import StackContext
from shared.trust_policies import service_trust_policy


def service_role(
    ctx: StackContext[Any],
    resource_name: str,
    *,
    service: str,
    parts: Sequence[str],
    statements: Sequence[dict[str, Any]],
) -> aws.iam.Role:
    """`service` (for this account only) assumes the role; `statements` are all it may do. Role and
    policy are named from `parts` (`iam-role` and `iam-policy` labels) and share `resource_name`."""
    label = ctx.label("iam-role", *parts)
    role = aws.iam.Role(
        resource_name,
        name=label.name,
        assume_role_policy=pulumi.Output.json_dumps(service_trust_policy(service, ctx.account_id)),
        permissions_boundary=boundary_arn(ctx.account_id),
        tags=label.tags,
    )
    aws.iam.RolePolicy(
        resource_name,
        name=ctx.label("iam-policy", *parts).name,
        role=role.name,
        policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    )
    return role
