"""Big stacks: calls stay bounded (all in flight at once ended in CANCELLED at ~8,000 resources)."""

import json
from pathlib import Path
from typing import Any

import pytest

from tooling.offline import Resource, analyzer
from tooling.offline.__main__ import main
from tooling.offline.analysis import analyze_stack

from .conftest import FIXTURE_PACK, FIXTURES

SPY_PACK = FIXTURES / "spy_pack"
TOPIC = "aws:sns/topic:Topic"


def export(count: int) -> dict[str, object]:
    stack = "urn:pulumi:dev::data::pulumi:pulumi:Stack::data-dev"
    resources: list[dict[str, object]] = [
        {"urn": stack, "type": "pulumi:pulumi:Stack", "outputs": {}}
    ]
    for index in range(count):
        inputs = {"kmsKeyId": "k", "deletionProtection": index % 1000 != 0}
        resources.append(
            {
                "urn": f"urn:pulumi:dev::data::aws:rds/cluster:Cluster::db{index}",
                "type": "aws:rds/cluster:Cluster",
                "inputs": inputs,
                "outputs": inputs,
                "parent": stack,
            }
        )
    return {"version": 3, "deployment": {"resources": resources}}


def test_an_8000_resource_export_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(8_200)))
    report = tmp_path / "report.json"
    code = main(
        ["policy-check", str(path), "--policy-pack", str(FIXTURE_PACK), "--json", str(report)]
    )
    assert code == 0
    violations = json.loads(report.read_text())["violations"]
    found = [v["urn"] for v in violations if v["policy"] == "fixture-db-deletion-protection"]
    # In the export's order, though the calls were spread over copies of the pack.
    assert found == [
        f"urn:pulumi:dev::data::aws:rds/cluster:Cluster::db{i}" for i in range(0, 9000, 1000)
    ]


def _spied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> list[dict[str, Any]]:
    log = tmp_path / "spy.jsonl"
    monkeypatch.setenv("SPY_LOG", str(log))
    monkeypatch.setattr(analyzer, "SPREAD_FROM", 10)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    resources = [
        Resource(TOPIC, f"t{i}", f"urn:pulumi:dev::data::{TOPIC}::t{i}", {"i": i}, {"i": i})
        for i in range(count)
    ]
    with analyzer.policy_pack(SPY_PACK, environment="dev", project="data") as server:
        server.configure(layer="data", stack_config={"aws:region": "eu-west-1"})
        analyze_stack([server], resources, layer="data")
        copies = list(server._copies)
    assert all(copy.process.poll() is not None for copy in copies)  # stopped with the first
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_big_stack_is_spread_over_copies_configured_as_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = _spied(tmp_path, monkeypatch, 12)
    first = recorded[0]["pid"]
    [copy] = {c["pid"] for c in recorded} - {first}

    def calls(pid: int, method: str) -> list[dict[str, Any]]:
        return [c["request"] for c in recorded if c["pid"] == pid and c["method"] == method]

    for method in ("Handshake", "ConfigureStack", "GetAnalyzerInfo", "Configure"):
        assert calls(copy, method) == calls(first, method) != []
    analyzed = {pid: [c["name"] for c in calls(pid, "Analyze")] for pid in (first, copy)}
    # Every resource the engine holds is analyzed: the root stack first, the default provider last.
    names = ["data-dev", *(f"t{i}" for i in range(12)), "default"]
    assert analyzed == {first: names[0::2], copy: names[1::2]}
    assert len(calls(first, "AnalyzeStack")) == 1 and calls(copy, "AnalyzeStack") == []


def test_a_small_stack_keeps_one_pack_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = _spied(tmp_path, monkeypatch, 7)  # with the root stack and provider: 9 < 10
    assert len({c["pid"] for c in recorded}) == 1
    assert len([c for c in recorded if c["method"] == "Analyze"]) == 9
