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


# Regions opened before August 2022 deliver ALB access logs from a per-region ELB account (AWS's
# "Enable access logs" guide); newer regions use the log-delivery service principal instead.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def elb_log_delivery_principal(region: str) -> dict[str, str]:
    """Who writes ALB access logs into a bucket in `region`: the bucket policy must allow it."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account is not None:
        return {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY_SERVICE}


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
