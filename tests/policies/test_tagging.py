import pytest

from policies.props import UnknownValueError
from policies.tagging import RULES, add_standard_tags
from tests.policies.conftest import UNKNOWN, context, secret

RULE = RULES[0]
VPC = "aws:ec2/vpc:Vpc"
STANDARD = {"Project": "platform", "Environment": "dev", "Layer": "network", "ManagedBy": "pulumi"}


def test_standard_tags_pass() -> None:
    assert RULE.check(VPC, {"tags": STANDARD}, context()) == []


def test_missing_tags_fire_and_are_named() -> None:
    (found,) = RULE.check(VPC, {"tags": {"Project": "platform"}}, context())
    assert "Environment, Layer, ManagedBy" in found
    assert RULE.check(VPC, {}, context())


def test_provider_default_tags_count() -> None:
    assert RULE.check(VPC, {}, context(default_tags=STANDARD)) == []


def test_non_taggable_types_are_ignored() -> None:
    assert RULE.check("aws:s3/bucketPolicy:BucketPolicy", {}, context()) == []


def test_remediation_adds_only_the_missing_tags() -> None:
    ctx = context("pr-12", layer="data")
    fixed = add_standard_tags(VPC, {"tags": {"Project": "mine", "Team": "x"}}, ctx)
    assert fixed == {
        "tags": {
            "Project": "mine",
            "Team": "x",
            "Environment": "pr-12",
            "Layer": "data",
            "ManagedBy": "pulumi",
        }
    }
    assert add_standard_tags(VPC, {"tags": STANDARD}, ctx) is None


def test_secret_tag_values_count_and_unknown_tags_are_cant_run() -> None:
    tags = {**STANDARD, "Project": secret("platform")}
    assert RULE.check(VPC, {"tags": tags}, context()) == []
    with pytest.raises(UnknownValueError):
        RULE.check(VPC, {"tags": UNKNOWN}, context())
