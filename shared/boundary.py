"""The permissions boundary every role a stack creates carries, named once for stacks and bootstrap.

The bootstrap creates the policy; the CI roles may create or change a role only with this boundary
attached (an `iam:PermissionsBoundary` condition), and never change the policy itself.
"""

from __future__ import annotations

from shared.layers import PRODUCT

BOUNDARY_POLICY_NAME = f"{PRODUCT}-account-stack-role-boundary"


def boundary_arn(account_id: str, partition: str = "aws") -> str:
    """The boundary's ARN in `account_id`: known before the bootstrap runs, from its name."""
    return f"arn:{partition}:iam::{account_id}:policy/{BOUNDARY_POLICY_NAME}"
