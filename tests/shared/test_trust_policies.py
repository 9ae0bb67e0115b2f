import json

from shared.aws.elb import elb_log_delivery_principal
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


def test_alb_logs_in_an_older_region_come_from_its_elb_account() -> None:
    assert elb_log_delivery_principal("us-east-1") == {"AWS": "arn:aws:iam::127311923021:root"}
    assert elb_log_delivery_principal("eu-west-1") == {"AWS": "arn:aws:iam::156460612806:root"}


def test_alb_logs_in_a_region_opened_since_august_2022_come_from_the_service_principal() -> None:
    for region in ("ap-southeast-4", "il-central-1", "ca-west-1"):
        assert elb_log_delivery_principal(region) == {
            "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
        }
