"""Linting in parts, with cfn-lint standing in: which resources each part holds, and how each
finding on a stand-in is carried to every resource it stands for, in the stack's order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from policies.cfn import lint as cfn_lint
from policies.cfn.lint import Finding

REF = {"Ref": "Unknown"}


def topic(name: Any) -> dict[str, Any]:
    return {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}}


def queue(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": dict(properties)}


TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Unknown": {"Type": "String"}, "Unused": {"Type": "String"}},
    "Resources": {
        "FirstQueue": queue({"A": 1, "B": 2}),
        "Alpha": topic("same"),
        # Twins of FirstQueue: the same JSON once keys are sorted.
        "SecondQueue": {"Properties": {"B": 2, "A": 1}, "Type": "AWS::SQS::Queue"},
        "ThirdQueue": queue({"B": 2, "A": 1}),
        "Beta": topic("same"),
        "Gamma": topic("same"),
        "Later": topic(REF),
    },
}


pytestmark = pytest.mark.usefixtures("fresh_cfn_lint_cache")


def run(
    monkeypatch: pytest.MonkeyPatch, part_size: int, said: Mapping[str, list[Finding]]
) -> tuple[list[dict[str, Any]], tuple[Finding, ...]]:
    """(the documents cfn-lint was given, the findings); `said`: what it says per resource."""
    documents: list[dict[str, Any]] = []

    def fake(document: str, region: str) -> tuple[Finding, ...]:
        parsed = json.loads(document)
        documents.append(parsed)
        return tuple(f for name in parsed["Resources"] for f in said.get(name, []))

    monkeypatch.setattr(cfn_lint, "_lint", fake)
    monkeypatch.setattr(cfn_lint, "PART_SIZE", part_size)
    return documents, cfn_lint.lint_template(TEMPLATE, "us-east-1")


def test_parts_hold_each_distinct_resource_once_and_a_second_of_identical_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents, _ = run(monkeypatch, 3, {})
    # Grouped by type; within a part cfn-lint sees the resources by name.
    assert [list(d["Resources"]) for d in documents] == [
        ["Alpha", "Beta"],
        ["FirstQueue", "Later", "SecondQueue"],
    ]
    assert [d.get("Parameters") for d in documents] == [None, {"Unknown": {"Type": "String"}}]
    assert all(d["AWSTemplateFormatVersion"] == "2010-09-09" for d in documents)


def test_a_part_is_linted_once_it_is_full_or_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    documents, _ = run(monkeypatch, 5, {})
    assert [list(d["Resources"]) for d in documents] == [
        ["Alpha", "Beta", "FirstQueue", "Later", "SecondQueue"]
    ]
    documents, _ = run(monkeypatch, 100, {})  # under the limit: one lint of the whole
    assert [list(d["Resources"]) for d in documents] == [sorted(TEMPLATE["Resources"])]


def test_a_finding_on_a_stand_in_is_said_of_every_resource_it_stands_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    beta = Finding(
        "E3019", "error", "Beta duplicates Alpha", ("Resources", "Beta", "Properties", "TopicName")
    )
    whole = Finding("W1", "warning", "about Beta", ("Resources", "Beta"))
    parameter = Finding("W2001", "warning", "parameter", ("Parameters", "Unknown"))
    stray = Finding("E9", "error", "stray", ("Resources", "Elsewhere"))
    root = Finding("E0", "error", "root", ("Resources",))
    first = Finding("E1", "error", "first queue", ("Resources", "FirstQueue", "Properties", "A"))
    second = Finding(
        "E2", "error", "SecondQueue: B", ("Resources", "SecondQueue", "Properties", "B")
    )
    _, found = run(
        monkeypatch,
        3,
        {
            "Beta": [parameter, beta, stray, whole, root],
            "FirstQueue": [first],
            "SecondQueue": [second],
        },
    )
    assert found == (
        parameter,
        stray,
        root,
        first,
        second,
        Finding("E2", "error", "ThirdQueue: B", ("Resources", "ThirdQueue", "Properties", "B")),
        beta,
        whole,
        Finding(
            "E3019",
            "error",
            "Gamma duplicates Alpha",
            ("Resources", "Gamma", "Properties", "TopicName"),
        ),
        Finding("W1", "warning", "about Gamma", ("Resources", "Gamma")),
    )
