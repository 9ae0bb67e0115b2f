"""IAM: roles, their policies, managed policies and the GitHub OIDC provider."""

from __future__ import annotations

import json
from typing import Any

from shared.aws.types._convert import APPLY_DROP, document, to
from shared.aws.types._model import ID_ONLY, ResourceType, Shape, ShapeValues, Translation

BAD_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}
)


def _role(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name, "uniqueId": f"AROA{n.upper(17)}", "createDate": "2024-01-01T00:00:00Z"}


TYPES = (
    ResourceType(
        "aws:iam/role:Role",
        "an IAM role",
        shape=Shape(id="{name}", arn="arn:aws:iam::{account}:role/{name}", extra=_role),
        names={"name": "iam-role"},
        cloudformation="AWS::IAM::Role",
        translation=Translation(
            fields={
                "name": "RoleName",
                "assumeRolePolicy": to("AssumeRolePolicyDocument", document),
                "managedPolicyArns": "ManagedPolicyArns",
            },
            drops={"forceDetachPolicies": APPLY_DROP},
            rejects={"name": "r" * 65},
        ),
    ),
    ResourceType(
        "aws:iam/rolePolicy:RolePolicy",
        "a role's inline policy",
        shape=Shape(id="{name}"),
        cloudformation="AWS::IAM::RolePolicy",
        translation=Translation(
            fields={
                "name": "PolicyName",
                "role": "RoleName",
                "policy": to("PolicyDocument", document),
            },
            tags=False,
            autoname="PolicyName",
            rejects={"policy": BAD_POLICY},
        ),
    ),
    ResourceType(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "a managed policy attached to a role",
        shape=ID_ONLY,
        no_cloudformation=(
            "CloudFormation attaches managed policies through AWS::IAM::Role ManagedPolicyArns, "
            "not a resource of its own"
        ),
        part_of="AWS::IAM::Role",
    ),
    ResourceType(
        "aws:iam/policy:Policy",
        "a customer managed policy",
        shape=ID_ONLY,
        names={"name": "iam-policy"},
        no_cloudformation="not translated: only the bootstrap creates one (cfn-lint does not see it)",
        part_of="AWS::IAM::ManagedPolicy",
    ),
    ResourceType(
        "aws:iam/instanceProfile:InstanceProfile",
        "an EC2 instance profile (no layer creates one; its names are checked)",
        shape=Shape(id="{name}", arn="arn:aws:iam::{account}:instance-profile/{name}"),
        names={"name": "iam-instance-profile"},
        no_cloudformation="not translated: no layer creates one",
    ),
    ResourceType(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "the account's GitHub OIDC identity provider (bootstrap)",
        shape=ID_ONLY,
        no_cloudformation="not translated: only the bootstrap creates one (cfn-lint does not see it)",
        part_of="AWS::IAM::OIDCProvider",
    ),
)
