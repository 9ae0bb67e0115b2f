"""A stack too big for one cfn-lint run is linted in parts, and says what one run would say."""

from __future__ import annotations

from typing import Any

import pytest

from policies.cfn import lint as cfn_lint

REGION = "us-east-1"


def bucket(name: Any) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}}


def subnet(cidr: str) -> dict[str, Any]:
    return {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": cidr, "VpcId": "vpc-1"}}


TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Unknown": {"Type": "String"}},
    "Resources": {
        "FirstBucket": bucket("same"),
        "WideSubnet": subnet("10.0.0.0/24"),
        "SecondBucket": bucket("same"),
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Bogus": 1}},
        "NarrowSubnet": subnet("10.0.0.0/25"),
        "ThirdBucket": bucket("same"),
        "OtherBucket": bucket("other"),
        "LaterBucket": bucket({"Ref": "Unknown"}),
        "LastSubnet": subnet("10.0.2.0/24"),
    },
}


pytestmark = pytest.mark.usefixtures("fresh_cfn_lint_cache")


def findings(part_size: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    monkeypatch.setattr(cfn_lint, "PART_SIZE", part_size)
    return [(f.rule_id, f.path[:2]) for f in cfn_lint.lint_template(TEMPLATE, REGION)]


def test_parts_find_what_one_run_finds_in_the_stack_s_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = findings(100, monkeypatch)
    assert {rule for rule, _ in whole} >= {"E3019", "E3060", "E3002"}  # the control
    in_parts = findings(3, monkeypatch)
    assert sorted(in_parts) == sorted(whole)
    order = list(TEMPLATE["Resources"])
    assert [order.index(path[1]) for _, path in in_parts] == sorted(
        order.index(path[1]) for _, path in in_parts
    )


def test_each_distinct_resource_is_linted_once_and_twice_when_it_has_twins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    linted: list[list[str]] = []
    real = cfn_lint._lint

    def recording(document: str, region: str) -> tuple[cfn_lint.Finding, ...]:
        import json

        linted.append(list(json.loads(document)["Resources"]))
        return real(document, region)

    monkeypatch.setattr(cfn_lint, "_lint", recording)
    findings(3, monkeypatch)
    names = [name for part in linted for name in part]
    assert sorted(names) == sorted(set(TEMPLATE["Resources"]) - {"ThirdBucket"})
    assert all(len(part) <= 3 for part in linted)
    # A part with no unknown value carries no parameter (an unused one is itself a finding).
    assert not any(rule == "W2001" for rule, _ in findings(3, monkeypatch))
