"""What goes over the wire, recorded by a bare Analyzer server (tests/fixtures/spy_pack)."""

import json
from pathlib import Path
from typing import Any

import pytest

from tooling.offline import Resource, evaluate
from tooling.offline.analysis import analyze_stack

from .conftest import FIXTURES

SPY_PACK = FIXTURES / "spy_pack"
STACK = "urn:pulumi:dev::data::pulumi:pulumi:Stack::data-dev"
KEY = "urn:pulumi:dev::data::aws:kms/key:Key::key"


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def run_spy(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unimplemented: str = "",
    policy_config: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    log = tmp_path / "spy.jsonl"
    monkeypatch.setenv("SPY_LOG", str(log))
    monkeypatch.setenv("SPY_UNIMPLEMENTED", unimplemented)
    cluster = Resource(
        "aws:rds/cluster:Cluster",
        "db",
        "urn:pulumi:dev::data::aws:rds/cluster:Cluster::db",
        {"engine": "aurora-postgresql", "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"},
        {"engine": "aurora-postgresql", "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"},
        parent=STACK,
        dependencies=(KEY,),
        property_dependencies={"kmsKeyId": (KEY,), "engine": ()},
    )
    evaluate(
        [cluster],
        "dev",
        layer="data",
        pack_dir=SPY_PACK,
        stack_config={"aws:region": "eu-west-1", "data:password": "p"},
        secret_keys=["data:password"],
        policy_config=policy_config,
    )
    return calls(log)


def test_the_call_order_and_what_configure_stack_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = run_spy(tmp_path, monkeypatch)
    assert (
        [c["method"] for c in recorded]
        == [
            "Handshake",
            "ConfigureStack",  # before GetAnalyzerInfo, as analyzer_plugin.go sends it at start-up
            "GetAnalyzerInfo",
            "Configure",
            "Analyze",  # the root stack, the cluster and its provider: every resource (step_generator.go)
            "Analyze",
            "Analyze",
            "AnalyzeStack",
        ]
    )
    stack = recorded[1]["request"]
    assert stack["stack"] == "dev" and stack["project"] == "data"
    assert stack["config"] == {"aws:region": "eu-west-1", "data:password": "p"}
    assert stack["config_secret_keys"] == ["data:password"]
    assert stack["tags"]["pulumi:project"] == "data"
    # A policy without config still gets a properties Struct (the Node server needs one).
    assert recorded[3]["request"]["policyConfig"]["spy-policy"] == {
        "enforcementLevel": "MANDATORY",
        "properties": {},
    }


def test_resources_carry_their_provider_and_the_stack_includes_root_and_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = run_spy(tmp_path, monkeypatch)
    analyze = next(
        c["request"]
        for c in recorded
        if c["method"] == "Analyze" and c["request"]["type"] == "aws:rds/cluster:Cluster"
    )
    assert analyze["provider"]["type"] == "pulumi:providers:aws"
    assert analyze["provider"]["properties"]["region"] == "eu-west-1"
    assert "options" in analyze
    stack = next(c["request"] for c in recorded if c["method"] == "AnalyzeStack")
    types = [r["type"] for r in stack["resources"]]
    assert types == ["pulumi:pulumi:Stack", "aws:rds/cluster:Cluster", "pulumi:providers:aws"]


def test_the_stack_carries_dependencies_per_property_as_the_cli_sends_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = run_spy(tmp_path, monkeypatch)
    stack = next(c["request"] for c in recorded if c["method"] == "AnalyzeStack")
    cluster = next(r for r in stack["resources"] if r["type"] == "aws:rds/cluster:Cluster")
    assert cluster["dependencies"] == [KEY]
    # A property without dependencies is left out, as analyzer_plugin.go does.
    assert cluster["propertyDependencies"] == {"kmsKeyId": {"urns": [KEY]}}


def test_unimplemented_optional_methods_are_tolerated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = run_spy(
        tmp_path,
        monkeypatch,
        "Handshake,ConfigureStack,AnalyzeStack",
        policy_config={"spy-policy": "remediate"},  # the spy has no Remediate at all
    )
    assert [c["method"] for c in recorded][-2:] == ["Analyze", "AnalyzeStack"]


def test_calls_in_flight_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tooling.offline.analyzer import IN_FLIGHT, policy_pack

    monkeypatch.setenv("SPY_LOG", str(tmp_path / "spy.jsonl"))
    resources = [
        Resource(
            "aws:sns/topic:Topic",
            f"t{i}",
            f"urn:pulumi:dev::data::aws:sns/topic:Topic::t{i}",
            {},
            {},
        )
        for i in range(IN_FLIGHT * 4)
    ]
    with policy_pack(SPY_PACK, environment="dev", project="data") as server:
        server.configure(layer="data")
        real = server._stub.Analyze.future
        outstanding: list[Any] = []
        peak = 0

        def counted(request: Any, timeout: float) -> Any:
            nonlocal peak
            outstanding[:] = [f for f in outstanding if not f.done()]
            future = real(request, timeout=timeout)
            outstanding.append(future)
            peak = max(peak, len(outstanding))
            return future

        class Stub:
            def __getattr__(self, name: str) -> Any:
                return getattr(stub, name)

        stub = server._stub
        wrapped = Stub()
        wrapped.Analyze = type("Method", (), {"future": staticmethod(counted)})()  # type: ignore[attr-defined]
        server._stub = wrapped
        analyze_stack([server], resources, layer="data")
    assert 0 < peak <= IN_FLIGHT
