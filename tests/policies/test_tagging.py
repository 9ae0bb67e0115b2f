import json
from pathlib import Path

import pytest

from policies import tagging
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


def test_missing_tags_are_added_from_the_environment_and_layer() -> None:
    bucket = "aws:s3/bucket:Bucket"
    ctx = context("staging", layer="data", default_tags={"Owner": "platform"})
    fixed = add_standard_tags(bucket, {"tags": {"Extra": "kept"}}, ctx)
    assert fixed is not None
    assert fixed["tags"]["Extra"] == "kept"
    assert fixed["tags"]["Environment"] == "staging"
    assert "Owner" not in fixed["tags"]  # the provider's default tags already carry it
    layerless = add_standard_tags(bucket, {}, context("dev"))
    assert layerless is not None
    assert set(layerless["tags"].values()) >= {"dev", "unknown"}
    assert add_standard_tags("aws:not/a:Taggable", {}, ctx) is None


def test_the_rules_reads_are_the_taggable_types() -> None:
    reads = RULE.reads
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
