"""The one environment rule in plan and policy-check: the command line wins, and a leftover
ENVIRONMENT_SUFFIX naming another environment is exactly one warning and otherwise ignored."""

import json
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from tooling.offline.__main__ import EXIT_MANDATORY, EXIT_OK, main

from .conftest import FIXTURES


def run(*argv: str) -> tuple[int, str]:
    buffer = StringIO()
    code = main(list(argv), console=Console(file=buffer, width=200))
    return code, buffer.getvalue()


def test_a_leftover_pr_suffix_does_not_break_a_dev_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT_SUFFIX", "pr-77")
    code, out = run("plan", "dev", "--no-policy", "--outputs", str(tmp_path))
    assert code == EXIT_OK, out
    assert "Traceback" not in out and "pr-77" not in out.replace("ENVIRONMENT_SUFFIX=pr-77", "")
    assert out.count("ENVIRONMENT_SUFFIX=pr-77") == 1
    flat = json.loads((tmp_path / "dev" / "flat-outputs.json").read_text())
    assert flat["environment"] == "dev"
    assert not (tmp_path / "pr-77").exists()


def test_prod_on_the_command_line_plans_prod_whatever_the_variable_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT_SUFFIX", "dev")
    code, out = run("plan", "prod", "--layer", "network", "--no-policy", "--outputs", str(tmp_path))
    assert code == EXIT_OK, out
    assert out.count("ENVIRONMENT_SUFFIX=dev") == 1
    network = json.loads((tmp_path / "prod" / "network.json").read_text())
    assert network["outputs"]["vpc_cidr"] == "10.30.0.0/16"  # prod's profile, not dev's
    assert len(network["outputs"]["availability_zones"]) == 3
    assert not (tmp_path / "dev").exists()


def test_policy_check_applies_the_exports_rules_not_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = json.loads((FIXTURES / "stack_export.json").read_text().replace("staging", "prod"))
    for resource in export["deployment"]["resources"]:
        for props in (resource.get("inputs"), resource.get("outputs")):
            if props and "deletionProtection" in props:
                props["deletionProtection"] = False
    path = tmp_path / "prod-export.json"
    path.write_text(json.dumps(export))
    monkeypatch.setenv("ENVIRONMENT_SUFFIX", "dev")
    code, out = run("policy-check", str(path))
    assert code == EXIT_MANDATORY, out
    assert "aws-rds-deletion-protection" in out
    assert out.count("ENVIRONMENT_SUFFIX=dev") == 1
