"""What each CI role may do: plain IAM policy documents, built from names the program knows.

Layout of the state bucket: one prefix per environment class (`pr/`, `dev/`, `staging/`,
`prod/`), each the `PULUMI_BACKEND_URL` of one GitHub environment; one secrets key per class.
A role reaches its own prefix and its own secrets key, nothing else of the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# GitHub environment -> the environment class whose stacks it deploys (its state prefix).
GITHUB_ENVIRONMENTS: Mapping[str, str] = {
    "pr": "pr",
    "dev": "dev",
    "staging": "staging",
    "production": "prod",
}
OTHER_CLASSES_THAN_PR = ("dev", "staging", "prod")
STATE_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
# Services whose create calls accept tags (aws:RequestTag) and whose resources carry them later
# (aws:ResourceTag): the PR role's writes there are limited to resources tagged pr-*.
TAG_SCOPED_SERVICES = [
    "ec2:*",
    "elasticloadbalancing:*",
    "ecs:*",
    "rds:*",
    "kms:*",
    "secretsmanager:*",
    "logs:*",
    "sns:*",
    "cloudwatch:*",
    "application-autoscaling:*",
]


def state_access(
    bucket_arn: str, state_key_arn: Any, secrets_key_arn: Any, prefix: str
) -> list[dict[str, Any]]:
    """Read and write `<prefix>/` of the state bucket (stacks, history, locks) and use the keys."""
    return [
        {
            "Sid": "ListOwnStatePrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*", prefix]}},
        },
        {
            "Sid": "OwnStateObjects",
            "Effect": "Allow",
            "Action": STATE_OBJECT_ACTIONS,
            "Resource": f"{bucket_arn}/{prefix}/*",
        },
        {
            "Sid": "StateBucketKeyThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": state_key_arn,
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        },
        {"Sid": "OwnSecretsKey", "Effect": "Allow", "Action": KEY_USE, "Resource": secrets_key_arn},
    ]


def deploy_policy(
    *, bucket_arn: str, state_key_arn: Any, secrets_key_arn: Any, environment_class: str
) -> dict[str, Any]:
    """dev, staging and prod roles: their state; AWS permissions come from PowerUserAccess plus
    IAM for the product's own roles (attached by the program)."""
    return {
        "Version": "2012-10-17",
        "Statement": state_access(bucket_arn, state_key_arn, secrets_key_arn, environment_class),
    }


def iam_for_product_roles(account_id: str, product: str, environment_glob: str) -> dict[str, Any]:
    """IAM writes only on the roles and policies the layers name `<product>-<environment>-*`."""
    scope = f"{product}-{environment_glob}-*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ProductRolesAndPolicies",
                "Effect": "Allow",
                "Action": [
                    "iam:*Role*",
                    "iam:*Policy*",
                    "iam:PassRole",
                    "iam:TagRole",
                    "iam:UntagRole",
                ],
                "Resource": [
                    f"arn:aws:iam::{account_id}:role/{scope}",
                    f"arn:aws:iam::{account_id}:policy/{scope}",
                ],
            },
            {
                "Sid": "ServiceLinkedRoles",
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": f"arn:aws:iam::{account_id}:role/aws-service-role/*",
            },
        ],
    }


def pr_policy(
    *, account_id: str, product: str, bucket_arn: str, state_key_arn: Any, secrets_key_arn: Any
) -> dict[str, Any]:
    """The PR role: PR state, and AWS writes only on resources tagged or named as PR ones.

    Where a service cannot condition on tags or names (Describe/List/Get reads, sts, a few
    association calls), it is allowed account-wide; docs/ci.md lists those. Whatever is tagged
    as another environment is denied outright, whatever the other statements say.
    """
    pr_names = f"{product}-pr-*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            *state_access(bucket_arn, state_key_arn, secrets_key_arn, "pr"),
            {
                "Sid": "ReadsCannotBeScoped",
                "Effect": "Allow",
                "Action": [
                    "ec2:Describe*",
                    "elasticloadbalancing:Describe*",
                    "ecs:Describe*",
                    "ecs:List*",
                    "rds:Describe*",
                    "rds:List*",
                    "kms:List*",
                    "logs:Describe*",
                    "sns:List*",
                    "cloudwatch:Describe*",
                    "cloudwatch:GetDashboard",
                    "application-autoscaling:Describe*",
                    "secretsmanager:List*",
                    "iam:Get*",
                    "iam:List*",
                    "sts:GetCallerIdentity",
                    "servicequotas:GetServiceQuota",
                    "servicequotas:GetAWSDefaultServiceQuota",
                ],
                "Resource": "*",
            },
            {
                "Sid": "CreateOnlyTaggedAsPr",
                "Effect": "Allow",
                "Action": TAG_SCOPED_SERVICES,
                "Resource": "*",
                "Condition": {"StringLike": {"aws:RequestTag/Environment": "pr-*"}},
            },
            {
                "Sid": "ChangeOnlyTaggedAsPr",
                "Effect": "Allow",
                "Action": TAG_SCOPED_SERVICES,
                "Resource": "*",
                "Condition": {"StringLike": {"aws:ResourceTag/Environment": "pr-*"}},
            },
            {
                "Sid": "NamedAsPr",
                "Effect": "Allow",
                "Action": [
                    "s3:*",
                    "cloudwatch:*Dashboard*",
                    "logs:*",
                    "sns:*",
                    "kms:CreateAlias",
                    "kms:DeleteAlias",
                    "kms:UpdateAlias",
                ],
                "Resource": [
                    f"arn:aws:kms:*:{account_id}:alias/{pr_names}",
                    f"arn:aws:s3:::{pr_names}",
                    f"arn:aws:s3:::{pr_names}/*",
                    f"arn:aws:cloudwatch::{account_id}:dashboard/{pr_names}",
                    f"arn:aws:logs:*:{account_id}:log-group:/{product}/pr-*",
                    f"arn:aws:sns:*:{account_id}:{pr_names}",
                ],
            },
            *iam_for_product_roles(account_id, product, "pr")["Statement"],
            {
                "Sid": "NeverOtherEnvironments",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/Environment": list(OTHER_CLASSES_THAN_PR)}
                },
            },
        ],
    }


def preview_policy(*, bucket_arn: str, state_key_arn: Any, secrets_key_arn: Any) -> dict[str, Any]:
    """The read-only preview role (ReadOnlyAccess attached by the program) in the PR state: it
    reads `pr/` and decrypts PR secrets; its only writes are Pulumi's lock files (a preview
    takes the stack's lock, pulumi/pulumi pkg/backend/diy/backend.go); no other state object."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListPrState",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": ["pr/*", "pr"]}},
            },
            {
                "Sid": "ReadPrState",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn}/pr/*",
            },
            {
                "Sid": "PreviewLocks",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"{bucket_arn}/pr/.pulumi/locks/*",
            },
            {
                "Sid": "NoOtherStateObjects",
                "Effect": "Deny",
                "Action": "s3:GetObject*",
                "NotResource": [f"{bucket_arn}/pr/*"],
                "Condition": {"StringEquals": {"s3:ResourceAccount": "${aws:PrincipalAccount}"}},
            },
            {
                "Sid": "StateBucketKeyThroughS3",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": state_key_arn,
                "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
            },
            {
                "Sid": "DecryptPrSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": secrets_key_arn,
            },
        ],
    }
