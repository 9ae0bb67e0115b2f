"""IAM trust (assume-role) policies for roles that an AWS service assumes on this account's behalf.

Plain data, like shared.key_policies: stacks serialise it, tests parse it.
"""

from __future__ import annotations

import re
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


GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}", re.ASCII)
_GITHUB_ENVIRONMENT = re.compile(r"[A-Za-z0-9._-]{1,255}", re.ASCII)


def github_subject(repository: str, environment: str) -> str:
    """The OIDC `sub` of a job of `repository` running in GitHub environment `environment`.

    No wildcards: a `*` in the repository or environment would let other repositories, branches
    or pull requests assume the role (the known GitHub OIDC takeover path)."""
    if not _REPOSITORY.fullmatch(repository):
        raise ValueError(f"repository {repository!r} is not <owner>/<name> (no wildcards)")
    if not _GITHUB_ENVIRONMENT.fullmatch(environment):
        raise ValueError(f"GitHub environment {environment!r} is not a plain name (no wildcards)")
    return f"repo:{repository}:environment:{environment}"


def github_oidc_trust_policy(
    provider_arn: Any, repository: str, environment: str
) -> dict[str, Any]:
    """Only jobs of `repository` bound to GitHub environment `environment` may assume the role,
    with a token minted for STS (`aud`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": github_subject(repository, environment),
                    }
                },
            }
        ],
    }
