"""A role only one AWS service may assume, with its one inline policy: the shape every layer's
service roles share (VPC Flow Logs, EventBridge, Step Functions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.boundary import boundary_arn
from shared.context import LabelContext
from shared.trust_policies import service_trust_policy


def service_role(
    labels: LabelContext,
    resource_name: str,
    *,
    service: str,
    statements: Sequence[dict[str, Any]],
) -> aws.iam.Role:
    """`service` (for this account only) assumes the role; `statements` are all it may do. Role and
    policy are named by `labels` (`iam-role` and `iam-policy`) and share `resource_name`."""
    label = labels.label("iam-role")
    role = aws.iam.Role(
        resource_name,
        name=label.name,
        assume_role_policy=pulumi.Output.json_dumps(
            service_trust_policy(service, labels.account_id)
        ),
        permissions_boundary=boundary_arn(labels.account_id),
        tags=label.tags,
    )
    aws.iam.RolePolicy(
        resource_name,
        name=labels.label("iam-policy").name,
        role=role.name,
        policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    )
    return role
