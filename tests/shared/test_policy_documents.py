"""Key and trust policies pinned as whole documents: every action, principal and condition."""

import pytest

from shared.key_policies import service_key_policy
from shared.trust_policies import github_oidc_trust_policy, github_subject, service_trust_policy

USE = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


def test_the_whole_key_policy_for_logs_sns_and_cloudwatch() -> None:
    document = service_key_policy(
        account_id="123456789012",
        region="eu-west-1",
        services=["logs", "sns", "cloudwatch"],
        partition="aws-cn",
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "LogsUses",
                "Effect": "Allow",
                "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
                "Action": USE,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            "arn:aws-cn:logs:eu-west-1:123456789012:log-group:*"
                        )
                    }
                },
            },
            {
                "Sid": "SnsUses",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": USE,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            },
            {
                "Sid": "CloudwatchUses",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": USE,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            },
        ],
    }


def test_the_default_partition_is_aws_and_no_service_means_admin_only() -> None:
    document = service_key_policy(account_id="1", region="us-east-1", services=[])
    assert document["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::1:root"}
    assert len(document["Statement"]) == 1


def test_an_unknown_service_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError) as caught:
        service_key_policy(account_id="1", region="us-east-1", services=["sqs"])
    assert str(caught.value) == (
        "no key policy statement for service 'sqs'; known: cloudwatch, logs, sns"
    )


def test_the_whole_service_trust_policy() -> None:
    assert service_trust_policy("vpc-flow-logs.amazonaws.com", "123456789012") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }


def test_the_whole_github_trust_policy() -> None:
    arn = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
    assert github_oidc_trust_policy(arn, "acme/platform", "prod") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": (
                            "repo:acme/platform:environment:prod"
                        ),
                    }
                },
            }
        ],
    }


@pytest.mark.parametrize(
    ("repository", "environment", "message"),
    [
        ("acme/*", "prod", "repository 'acme/*' is not <owner>/<name> (no wildcards)"),
        ("acme", "prod", "repository 'acme' is not <owner>/<name> (no wildcards)"),
        ("-acme/x", "prod", "repository '-acme/x' is not <owner>/<name> (no wildcards)"),
        (
            "a" * 40 + "/x",
            "prod",
            f"repository '{'a' * 40}/x' is not <owner>/<name> (no wildcards)",
        ),
        ("acme/x", "*", "GitHub environment '*' is not a plain name (no wildcards)"),
        ("acme/x", "", "GitHub environment '' is not a plain name (no wildcards)"),
        (
            "acme/x",
            "a" * 256,
            f"GitHub environment '{'a' * 256}' is not a plain name (no wildcards)",
        ),
    ],
)
def test_github_subject_refuses_wildcards_and_odd_shapes(
    repository: str, environment: str, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        github_subject(repository, environment)
    assert str(caught.value) == message


def test_github_subject_longest_accepted_names() -> None:
    owner, name, env = "a" * 39, "n" * 100, "e" * 255
    assert github_subject(f"{owner}/{name}", env) == f"repo:{owner}/{name}:environment:{env}"
