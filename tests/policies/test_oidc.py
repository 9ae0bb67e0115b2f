import json
from typing import Any

import pytest

from policies.oidc import RULES, trust_problems
from policies.props import UnknownValueError
from tests.bootstrap.planned import ROLE, resources
from tests.policies.conftest import UNKNOWN, context

RULE = RULES[0]
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"


def bootstrap_roles() -> list[dict[str, Any]]:
    return [r.inputs for r in resources() if r.type == ROLE]


def with_condition(props: dict[str, Any], condition: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(props["assumeRolePolicy"])
    document["Statement"][0]["Condition"] = condition
    return {**props, "assumeRolePolicy": json.dumps(document)}


def test_silent_on_the_bootstraps_roles() -> None:
    roles = bootstrap_roles()
    assert len(roles) == 6
    for props in roles:
        assert RULE.check(ROLE, props, context("prod")) == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {AUD: "sts.amazonaws.com"}}, f"without a {SUB} condition"),
        (
            {"StringLike": {AUD: "sts.amazonaws.com", SUB: "repo:example-org/*"}},
            "is matched with StringLike",
        ),
        (
            {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:example-org/aws-platform:*"}},
            "is not one repository and one environment",
        ),
        (
            {
                "StringEquals": {
                    AUD: "sts.amazonaws.com",
                    SUB: "repo:example-org/aws-platform:ref:refs/heads/main",
                }
            },
            "is not one repository and one environment",
        ),
        (
            {"StringEquals": {SUB: "repo:example-org/aws-platform:environment:pr"}},
            f"{AUD} must be exactly 'sts.amazonaws.com'",
        ),
    ],
)
def test_fires_on_the_bootstraps_roles_with_a_loose_subject(
    condition: dict[str, Any], expected: str
) -> None:
    for props in bootstrap_roles():
        messages = RULE.check(ROLE, with_condition(props, condition), context("prod"))
        assert any(expected in message for message in messages), messages


def test_case_of_condition_keys_does_not_hide_a_wildcard() -> None:
    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/other.example"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {SUB.upper(): "repo:o/r:environment:*"}},
            }
        ]
    }
    assert any("is not one repository" in p for p in trust_problems(json.dumps(document)))


def test_service_roles_and_unknown_documents_are_not_its_business() -> None:
    service = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    }
    assert RULE.check(ROLE, {"assumeRolePolicy": json.dumps(service)}, context()) == []
    # Unknown during preview: the pack reports "can't run", never a false pass or violation.
    with pytest.raises(UnknownValueError):
        RULE.check(ROLE, {"assumeRolePolicy": UNKNOWN}, context())
