"""The pack in the offline plan and in `policy-check`, as CI and people run them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import deploy_overrides
from tooling.offline import plan
from tooling.offline.__main__ import main

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "stack-export-aurora-t3-micro.json"


def test_prod_plan_on_default_config_has_no_mandatory_violation() -> None:
    result = plan("prod", config_overrides=deploy_overrides("prod"))
    assert result.policies, "the plan must have evaluated the pack"
    assert [v for v in result.violations if v.level == "mandatory"] == []


def test_prod_plan_with_an_aurora_t3_micro_fails_naming_the_class() -> None:
    try:
        result = plan(
            "prod",
            config_overrides=deploy_overrides(
                "prod", {"data": {"data:instanceClass": "db.t3.micro"}}
            ),
        )
    except ValueError as error:  # config validation (PlanError) stops it first: also fine
        assert "db.t3.micro" in str(error)
        return
    mandatory = [v for v in result.violations if v.level == "mandatory"]
    assert any("db.t3.micro" in v.message for v in mandatory), result.violations


def test_policy_check_of_a_stack_export_with_t3_micro_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    console = Console(record=True, width=200)
    assert main(["policy-check", str(FIXTURE)], console=console) == 1
    output = console.export_text()
    assert "aws-rds-aurora-instance-class" in output and "db.t3.micro" in output
