"""IAM trust (assume-role) policies for roles that an AWS service assumes on this account's behalf.

Plain data, like shared.key_policies: stacks serialise it, tests parse it.
"""

from __future__ import annotations

from typing import Any


def service_trust_policy(service: str, account_id: Any) -> dict[str, Any]:
    """Only `service` (e.g. `vpc-flow-logs.amazonaws.com`), and only for this account, may assume
    the role: the `aws:SourceAccount` condition guards against the confused deputy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }
