import json

from shared.trust_policies import service_trust_policy


def test_only_the_named_service_of_this_account_may_assume_the_role() -> None:
    policy = json.loads(
        json.dumps(service_trust_policy("vpc-flow-logs.amazonaws.com", "123456789012"))
    )
    (statement,) = policy["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }
