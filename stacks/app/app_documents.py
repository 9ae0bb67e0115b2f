"""The app layer's JSON documents as plain data: IAM policies and the container definition.

Values may be `pulumi.Input`s; the program serialises each document once with
`pulumi.Output.json_dumps`, so no ARN is ever spliced into a JSON string by hand.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi

CONTAINER_NAME = "app"
LOG_STREAM_PREFIX = "app"

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]
_ECR_IMAGE = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+?)(?:[:@].*)?",
    re.ASCII,
)


def ecr_repository_arn(image: str) -> str | None:
    """The private ECR repository an image lives in, or None (public registries need no IAM)."""
    match = _ECR_IMAGE.fullmatch(image)
    if match is None:
        return None
    partition = "aws-cn" if match["cn"] else "aws"
    return (
        f"arn:{partition}:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"
    )


def execution_role_policy(
    *,
    log_group_arn: pulumi.Input[str],
    db_secret_arn: pulumi.Input[str],
    db_kms_key_arn: pulumi.Input[str],
    image: str,
) -> dict[str, Any]:
    """What ECS needs to start the task: pull the image, write its log group, read the DB secret."""
    statements: list[dict[str, Any]] = []
    repository = ecr_repository_arn(image)
    if repository is not None:
        statements += [
            # GetAuthorizationToken has no resource-level permissions: "*" is the only valid value.
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Sid": "PullImage",
                "Effect": "Allow",
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": repository,
            },
        ]  # fmt: skip
    statements += [
        {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": pulumi.Output.format("{0}:log-stream:*", log_group_arn),
        },
        {
            "Sid": "ReadDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": db_secret_arn,
        },
        {
            "Sid": "DecryptDatabaseSecret",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": db_kms_key_arn,
            # Only when Secrets Manager asks on the task's behalf, not for arbitrary ciphertext.
            "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
        },
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def container_definitions(
    *,
    image: str,
    port: int,
    health_check_path: str,
    log_group_name: pulumi.Input[str],
    region: pulumi.Input[str],
    db_host: pulumi.Input[str],
    db_port: pulumi.Input[Any],
    db_name: pulumi.Input[str],
    db_secret_arn: pulumi.Output[str],
) -> list[dict[str, Any]]:
    """One essential container; DB credentials come from the secret's JSON keys, never from env."""
    return [
        {
            "name": CONTAINER_NAME,
            "image": image,
            "essential": True,
            "portMappings": [{"containerPort": port, "protocol": "tcp"}],
            "environment": [
                {"name": "DB_HOST", "value": db_host},
                # StackReference numbers arrive as floats (5432.0); ECS wants "5432".
                {
                    "name": "DB_PORT",
                    "value": pulumi.Output.from_input(db_port).apply(lambda p: str(int(p))),
                },
                {"name": "DB_NAME", "value": db_name},
            ],
            "secrets": [
                {
                    "name": "DB_USERNAME",
                    "valueFrom": db_secret_arn.apply(lambda a: f"{a}:username::"),
                },
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": db_secret_arn.apply(lambda a: f"{a}:password::"),
                },
            ],
            "healthCheck": {
                "command": [
                    "CMD-SHELL",
                    f"curl -fsS http://localhost:{port}{health_check_path} > /dev/null || exit 1",
                ],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 60,
            },
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group_name,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": LOG_STREAM_PREFIX,
                },
            },
        }
    ]
