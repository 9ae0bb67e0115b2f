import pytest

from shared.trust_policies import github_oidc_trust_policy, github_subject


def test_the_subject_names_one_repository_and_one_environment() -> None:
    assert github_subject("example-org/aws-platform", "production") == (
        "repo:example-org/aws-platform:environment:production"
    )
    policy = github_oidc_trust_policy("arn:provider", "o/r", "pr")
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == "repo:o/r:environment:pr"
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"


@pytest.mark.parametrize(
    ("repository", "environment"),
    [("o/*", "pr"), ("*", "pr"), ("o/r", "*"), ("o/r", "pr:ref:refs/heads/main"), ("o", "pr")],
)
def test_wildcards_and_malformed_names_are_refused(repository: str, environment: str) -> None:
    with pytest.raises(ValueError, match="no wildcards"):
        github_subject(repository, environment)
