"""KMS key policies for CloudWatch Logs and SNS: valid JSON, the right principals and conditions."""

from __future__ import annotations

import json

import pytest

from shared.key_policies import SERVICE_PRINCIPALS, service_key_policy

ACCOUNT, REGION = "123456789012", "eu-west-1"


def _policy(*services: str, partition: str = "aws") -> dict[str, object]:
    document = service_key_policy(
        account_id=ACCOUNT, region=REGION, services=services, partition=partition
    )
    parsed = json.loads(json.dumps(document))  # what the stack serialises is what AWS parses
    assert parsed == document
    assert isinstance(parsed, dict)
    return parsed


def _statements(policy: dict[str, object]) -> dict[str, dict[str, object]]:
    statements = policy["Statement"]
    assert isinstance(statements, list)
    return {s["Sid"]: s for s in statements}


def test_document_shape() -> None:
    policy = _policy("logs", "sns")
    assert policy["Version"] == "2012-10-17"
    sids = list(_statements(policy))
    assert sids == ["AccountAdministers", "LogsUses", "SnsUses"]
    assert len(set(sids)) == len(sids)


def test_the_account_root_administers_the_key() -> None:
    admin = _statements(_policy())["AccountAdministers"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert admin["Action"] == "kms:*" and admin["Effect"] == "Allow"


def test_logs_principal_is_regional_and_limited_to_this_accounts_log_groups() -> None:
    logs = _statements(_policy("logs"))["LogsUses"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"
        }
    }
    actions = logs["Action"]
    assert isinstance(actions, list) and "kms:Decrypt*" in actions and "kms:*" not in actions


@pytest.mark.parametrize("service", ["sns", "cloudwatch"])
def test_other_services_only_from_this_account(service: str) -> None:
    statement = _statements(_policy(service))[f"{service.capitalize()}Uses"]
    assert statement["Principal"] == {"Service": SERVICE_PRINCIPALS[service]}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_partition_is_used_everywhere() -> None:
    text = json.dumps(_policy("logs", "sns", partition="aws-us-gov"))
    assert "arn:aws:" not in text and text.count("arn:aws-us-gov:") == 2


def test_unknown_service_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="known: cloudwatch, logs, sns"):
        service_key_policy(account_id=ACCOUNT, region=REGION, services=["s3"])
