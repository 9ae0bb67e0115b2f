"""KMS key policies for the keys that CloudWatch Logs and SNS encrypt with.

Built as plain data so stacks serialise them once (`pulumi.Output.json_dumps`) and tests can parse
them. Several layers own such a key (network: flow logs and the app's log group; observability: the
alarm topic), so the policy lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SERVICE_PRINCIPALS = {
    "logs": "logs.{region}.amazonaws.com",
    "sns": "sns.amazonaws.com",
    "cloudwatch": "cloudwatch.amazonaws.com",
}


def service_key_policy(
    *, account_id: str, region: str, services: Iterable[str], partition: str = "aws"
) -> dict[str, Any]:
    """The account administers the key; each named service may use it, and only from this account."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    for service in services:
        if service not in SERVICE_PRINCIPALS:
            raise ValueError(
                f"no key policy statement for service {service!r}; known: "
                f"{', '.join(sorted(SERVICE_PRINCIPALS))}"
            )
        principal = SERVICE_PRINCIPALS[service].format(region=region)
        statement: dict[str, Any] = {
            "Sid": f"{service.capitalize()}Uses",
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
        }
        if service == "logs":
            # Limits the grant to log groups in this account and region.
            statement["Condition"] = {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": (
                        f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
                    )
                }
            }
        else:
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}
