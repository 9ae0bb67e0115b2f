"""GitHub trust conditions one by one; the tag rule's remediation, reads and regeneration."""

import json
from pathlib import Path
from typing import Any

import pytest

from policies import tagging
from policies.oidc import AUD_KEY, SUB_KEY, trust_problems
from tests.policies.conftest import context

FEDERATED = {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}
PINNED = "repo:acme/platform:environment:prod"
NO_SUB = (
    f"it trusts GitHub's OIDC provider without a {SUB_KEY} condition: any "
    "repository's workflow can assume it"
)
AUDIENCE = f"{AUD_KEY} must be exactly 'sts.amazonaws.com'"


def statement(**condition: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": FEDERATED, "Condition": condition}


def test_a_pinned_statement_has_no_problem() -> None:
    good = statement(StringEquals={SUB_KEY: PINNED, AUD_KEY: "sts.amazonaws.com"})
    assert trust_problems({"Statement": [good]}) == []
    assert trust_problems({"Statement": good}) == []
    assert trust_problems(json.dumps({"Statement": [good]})) == []


def test_github_trust_is_recognised_by_principal_or_by_condition_key() -> None:
    by_principal = {"Effect": "Allow", "Principal": FEDERATED}
    assert trust_problems({"Statement": [by_principal]}) == [NO_SUB]
    listed = {"Effect": "Allow", "Principal": {"Federated": ["", FEDERATED["Federated"]]}}
    assert trust_problems({"Statement": [listed]}) == [NO_SUB]
    by_condition = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/other"},
        "Condition": {"StringLike": {"Token.Actions.GithubUserContent.com:sub": "repo:*"}},
    }
    (operator, problem, audience) = trust_problems({"Statement": [by_condition]})
    assert "StringLike" in operator and "'repo:*' is not one repository" in problem
    assert audience == AUDIENCE
    service = {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
    assert trust_problems({"Statement": [service]}) == []
    odd = {"Effect": "Allow", "Principal": "*", "Condition": {"Null": "not a block"}}
    assert trust_problems({"Statement": [odd]}) == []


def test_deny_statements_and_non_documents_are_not_trust() -> None:
    deny = {**statement(), "Effect": "Deny"}
    assert trust_problems({"Statement": [deny, "not a statement"]}) == []
    assert trust_problems("not json") == []
    assert trust_problems(["a list"]) == []
    assert trust_problems(None) == []


def test_every_statement_is_checked() -> None:
    good = statement(StringEquals={SUB_KEY: PINNED, AUD_KEY: "sts.amazonaws.com"})
    bare = {"Effect": "Allow", "Principal": FEDERATED}
    deny = {**bare, "Effect": "Deny"}
    assert trust_problems({"Statement": [deny, good, bare]}) == [NO_SUB]
    assert trust_problems({"Statement": [bare, bare]}) == [NO_SUB] * 2


def test_operator_loose_subjects_and_audience_are_each_reported() -> None:
    found = trust_problems(
        {
            "Statement": [
                statement(
                    StringLike={SUB_KEY: [PINNED, "repo:acme/*", "repo:acme/x:ref:main"]},
                    StringEquals={AUD_KEY: ["sts.amazonaws.com", "other"]},
                )
            ]
        }
    )
    assert found == [
        f"{SUB_KEY} is matched with StringLike, not StringEquals: use the exact subject",
        f"{SUB_KEY} 'repo:acme/*', 'repo:acme/x:ref:main' is not one repository and one "
        "environment (repo:<owner>/<repo>:environment:<name>, no wildcards): other "
        "repositories, branches or pull requests could assume the role",
        AUDIENCE,
    ]
    # The subject check continues past a statement without subject to the next statement.
    no_audience = statement(StringEquals={SUB_KEY: PINNED})
    assert trust_problems({"Statement": [no_audience]}) == [AUDIENCE]


def test_missing_tags_are_added_from_the_environment_and_layer() -> None:
    bucket = "aws:s3/bucket:Bucket"
    ctx = context("staging", layer="data", default_tags={"Owner": "platform"})
    fixed = tagging.add_standard_tags(bucket, {"tags": {"Extra": "kept"}}, ctx)
    assert fixed is not None
    assert fixed["tags"]["Extra"] == "kept"
    assert fixed["tags"]["Environment"] == "staging"
    assert "Owner" not in fixed["tags"]  # the provider's default tags already carry it
    layerless = tagging.add_standard_tags(bucket, {}, context("dev"))
    assert layerless is not None
    assert set(layerless["tags"].values()) >= {"dev", "unknown"}
    assert tagging.add_standard_tags("aws:not/a:Taggable", {}, ctx) is None


def test_the_rules_reads_are_the_taggable_types() -> None:
    reads = tagging.RULES[0].reads
    types = tagging.taggable_types()
    assert reads["aws:s3/bucket:Bucket"] == ("tags",)
    with pytest.raises(KeyError, match="aws:not/a:Taggable"):
        reads["aws:not/a:Taggable"]
    assert list(reads) == sorted(types) and len(reads) == len(types)


def test_regeneration_writes_what_is_vendored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vendored = tagging.DATA_FILE.read_text()
    target = tmp_path / "taggable_types.json"
    monkeypatch.setattr(tagging, "DATA_FILE", target)
    assert tagging.main() == 0
    assert target.read_text() == vendored
    count = len(json.loads(vendored)["types"])
    assert capsys.readouterr().out == f"wrote {count} types to {target}\n"
