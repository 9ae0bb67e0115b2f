import json
from typing import Any

import pytest

from policies.oidc import AUD_KEY, RULES, SUB_KEY, trust_problems
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
    from tests.bootstrap.access_module import load_access

    roles = bootstrap_roles()
    assert len(roles) == len(load_access().GITHUB_ENVIRONMENTS)  # one per GitHub environment
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


# --- Each trust condition on its own: good and bad documents ------------------------------------

FEDERATED = {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}
PINNED = "repo:acme/platform:environment:prod"
NO_SUB = (
    f"it trusts GitHub's OIDC provider without a {SUB_KEY} condition: any "
    "repository's workflow can assume it"
)
AUDIENCE = f"{AUD_KEY} must be exactly 'sts.amazonaws.com'"
LIKE = f"{SUB_KEY} is matched with StringLike, not StringEquals: use the exact subject"


def statement(**condition: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": FEDERATED, "Condition": condition}


def loose(subjects: str) -> str:
    return (
        f"{SUB_KEY} {subjects} is not one repository and one environment "
        "(repo:<owner>/<repo>:environment:<name>, no wildcards): other repositories, branches or "
        "pull requests could assume the role"
    )


PINNED_STATEMENT = statement(StringEquals={SUB_KEY: PINNED, AUD_KEY: "sts.amazonaws.com"})
BARE = {"Effect": "Allow", "Principal": FEDERATED}

GOOD_DOCUMENTS = [
    {"Statement": [PINNED_STATEMENT]},
    {"Statement": PINNED_STATEMENT},  # a single statement, not in a list
    json.dumps({"Statement": [PINNED_STATEMENT]}),
    # Not GitHub trust: a service principal, a principal without a federated provider.
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]},
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"Null": "not a block"}}]},
    # Deny statements and non-documents are not trust.
    {"Statement": [{**statement(), "Effect": "Deny"}, "not a statement"]},
    "not json",
    ["a list"],
    None,
]

BAD_DOCUMENTS = [
    # GitHub trust is recognised by its principal, also in a list, or by its condition key.
    ({"Statement": [BARE]}, [NO_SUB]),
    (
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"Federated": ["", FEDERATED["Federated"]]}}
            ]
        },
        [NO_SUB],
    ),
    (
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/other"},
                    "Condition": {
                        "StringLike": {"Token.Actions.GithubUserContent.com:sub": "repo:*"}
                    },
                }
            ]
        },
        [LIKE, loose("'repo:*'"), AUDIENCE],
    ),
    # Every statement is checked.
    ({"Statement": [{**BARE, "Effect": "Deny"}, PINNED_STATEMENT, BARE]}, [NO_SUB]),
    ({"Statement": [BARE, BARE]}, [NO_SUB] * 2),
    # The operator, the loose subjects and the audience are each reported.
    (
        {
            "Statement": [
                statement(
                    StringLike={SUB_KEY: [PINNED, "repo:acme/*", "repo:acme/x:ref:main"]},
                    StringEquals={AUD_KEY: ["sts.amazonaws.com", "other"]},
                )
            ]
        },
        [LIKE, loose("'repo:acme/*', 'repo:acme/x:ref:main'"), AUDIENCE],
    ),
    # The subject check goes on past a statement without an audience.
    ({"Statement": [statement(StringEquals={SUB_KEY: PINNED})]}, [AUDIENCE]),
]


@pytest.mark.parametrize("document", GOOD_DOCUMENTS)
def test_good(document: Any) -> None:
    assert trust_problems(document) == []


@pytest.mark.parametrize(("document", "expected"), BAD_DOCUMENTS)
def test_bad(document: Any, expected: list[str]) -> None:
    assert trust_problems(document) == expected
