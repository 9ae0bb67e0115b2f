"""The destructive-change guard: prod's and staging's config, with and without an allowance."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from shared.environment import CLASSES
from tests.conftest import DEPLOY_VALUES_DIR
from tooling.offline.__main__ import main
from tooling.offline.change_guard import (
    GuardConfig,
    GuardConfigError,
    blocking,
    broadening,
    guard,
    load_guard_config,
)
from tooling.offline.change_report import render_changes
from tooling.offline.changes import ChangePlan, plan_changes, read_state, state_document

CLUSTER = "aws:rds/cluster:Cluster"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _edited_state(tmp_path: Path, result: Any, edit: Any) -> Path:
    for name, layer in result.layers.items():
        document = state_document(layer)
        for item in document["deployment"]["resources"]:
            edit(item)
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    return tmp_path


def _rename_cluster(item: dict[str, Any]) -> None:
    if item["type"] == CLUSTER:
        item["inputs"]["clusterIdentifier"] = "platform-prod-old-name"


def _renamed_cluster_plan(offline_plan: Any, tmp_path: Path) -> tuple[ChangePlan, str]:
    result = offline_plan("prod")
    state = read_state([_edited_state(tmp_path, result, _rename_cluster)], "prod")
    plan = plan_changes(result.layers, state)
    return plan, next(c.urn for c in plan.changes if c.type == CLUSTER)


def test_renaming_the_cluster_in_prod_is_blocked(offline_plan: Any, tmp_path: Path) -> None:
    plan, urn = _renamed_cluster_plan(offline_plan, tmp_path)
    (finding,) = blocking(guard(plan, load_guard_config("prod")))
    assert (finding.urn, finding.kind) == (urn, "destructive")
    assert '"allow"' in finding.message and urn in finding.message


def test_an_allowance_lets_the_replacement_through(offline_plan: Any, tmp_path: Path) -> None:
    plan, urn = _renamed_cluster_plan(offline_plan, tmp_path)
    config = GuardConfig(
        "prod", "mandatory", "mandatory", {urn: "new naming scheme; reviewed by dba"}
    )
    findings = guard(plan, config)
    assert [f.allowance for f in findings if f.urn == urn] == ["new naming scheme; reviewed by dba"]
    assert blocking(findings) == []


def test_a_class_without_a_guard_file_is_not_guarded(offline_plan: Any, tmp_path: Path) -> None:
    plan, _ = _renamed_cluster_plan(offline_plan, tmp_path)
    guarded = [name for name in CLASSES if load_guard_config(name).destructive == "mandatory"]
    unguarded = [name for name in CLASSES if name not in guarded]
    assert guarded and unguarded
    assert all(blocking(guard(plan, load_guard_config(name))) == [] for name in unguarded)


def test_the_cli_exits_1_on_a_blocked_change(
    offline_plan: Any, tmp_path: Path, capsys: Any
) -> None:
    (tmp_path / "state").mkdir()
    state = _edited_state(tmp_path / "state", offline_plan("prod"), _rename_cluster)
    report = tmp_path / "changes.json"
    arguments = ["--against", str(state), "--changes-json", str(report)]
    values = ["--config-file", str(DEPLOY_VALUES_DIR / "prod.yaml")]  # not the example values
    code = main(
        ["plan", "prod", "--no-policy", *values, *arguments, "--outputs", str(tmp_path / "out")]
    )
    out = capsys.readouterr().out
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("+-  replace")]
    assert len(lines) == 1 and "clusterIdentifier*" in lines[0] and "UP WOULD FAIL" in lines[0]
    assert "BLOCKED: 1 change(s)" in out
    document = json.loads(report.read_text())
    assert document["summary"]["replace"] == 1
    assert [(f["kind"], f["blocking"]) for f in document["findings"]] == [("destructive", True)]


def test_changes_json_needs_a_state(tmp_path: Path, capsys: Any) -> None:
    code = main(["plan", "dev", "--no-policy", "--changes-json", str(tmp_path / "c.json")])
    assert code == 2
    assert "--changes-json needs --against" in capsys.readouterr().err


def _wider_rule(offline_plan: Any, tmp_path: Path) -> tuple[ChangePlan, str]:
    result = offline_plan("prod")
    rule = next(r for r in result.layers["network"].of_type(RULE) if r.inputs.get("cidrIpv4"))
    narrower = str(next(ipaddress.ip_network(rule.inputs["cidrIpv4"]).subnets(prefixlen_diff=1)))

    def narrow(item: dict[str, Any]) -> None:
        if item["urn"] == rule.urn:
            item["inputs"]["cidrIpv4"] = narrower

    state = read_state([_edited_state(tmp_path, result, narrow)], "prod")
    return plan_changes(result.layers, state), rule.urn


def test_a_rule_opened_wider_in_prod_is_broadening_and_blocked(
    offline_plan: Any, tmp_path: Path
) -> None:
    plan, urn = _wider_rule(offline_plan, tmp_path)
    findings = guard(plan, load_guard_config("prod"))
    assert [(f.urn, f.kind, f.blocking) for f in findings] == [(urn, "broadening", True)]
    allowed = guard(
        plan, GuardConfig("prod", "mandatory", "mandatory", {urn: "office range; reviewed"})
    )
    assert blocking(allowed) == []
    # Staging lists it without blocking.
    assert blocking(guard(plan, load_guard_config("staging"))) == []


def test_a_narrower_rule_is_not_broadening(offline_plan: Any, tmp_path: Path) -> None:
    plan, _ = _wider_rule(offline_plan, tmp_path)
    (change,) = plan.changed
    reversed_change = type(change)(
        change.urn, change.type, change.action, old=change.new, new=change.old
    )
    assert broadening(change) and broadening(reversed_change) == []


def test_new_iam_statements_and_trust_are_broadening() -> None:
    from tooling.offline.changes import Change
    from tooling.offline.model import Resource

    def role(trust: list[dict[str, Any]]) -> Resource:
        document = json.dumps({"Version": "2012-10-17", "Statement": trust})
        return Resource(
            "aws:iam/role:Role",
            "r",
            "urn:pulumi:prod::app::aws:iam/role:Role::r",
            {"assumeRolePolicy": document},
            {},
        )

    ecs = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    same = Change(
        "u", "aws:iam/role:Role", "update", old=role([ecs]), new=role([dict(reversed(ecs.items()))])
    )
    wider = Change("u", "aws:iam/role:Role", "update", old=role([ecs]), new=role([ecs, anyone]))
    assert broadening(same) == []
    assert broadening(wider) == ['trust policy: Allow "sts:AssumeRole"']


def test_the_report_masks_secrets(offline_plan: Any, tmp_path: Path) -> None:
    plan, _ = _renamed_cluster_plan(offline_plan, tmp_path)
    console = Console(record=True, width=300)
    render_changes(
        plan,
        guard(plan, load_guard_config("prod")),
        console,
        environment="prod",
        secrets=["clusterIdentifier"],
    )
    text = console.export_text()
    assert "clusterIdentifier" not in text and "[secret]" in text


@pytest.mark.parametrize(
    "document",
    [
        {"destructive": "block"},
        {"allow": {"not-a-urn": "x"}},
        {"allow": {"urn:pulumi:a::b::c::d": " "}},
        {"other": 1},
    ],
)
def test_a_bad_guard_file_is_refused(tmp_path: Path, document: dict[str, Any]) -> None:
    (tmp_path / "prod.json").write_text(json.dumps(document))
    with pytest.raises(GuardConfigError):
        load_guard_config("prod", tmp_path)
