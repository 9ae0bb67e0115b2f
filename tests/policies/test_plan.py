"""The pack in the offline plan and in `policy-check`, as CI and people run them."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from rich.console import Console

from tests.policies.conftest import PENDING_STACK_FIXES, pending
from tooling.offline import PlanResult, plan
from tooling.offline.__main__ import main

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "stack-export-aurora-t3-micro.json"


@functools.cache
def prod_plan() -> PlanResult:
    return plan("prod")


def test_prod_plan_on_default_config_has_no_mandatory_violation() -> None:
    result = prod_plan()
    assert result.policies, "the plan must have evaluated the pack"
    mandatory = [v for v in result.violations if v.level == "mandatory"]
    assert [v for v in mandatory if not pending(v.policy, v.message)] == []


@pytest.mark.parametrize(("policy", "text"), PENDING_STACK_FIXES)
def test_every_pending_stack_fix_is_still_pending(policy: str, text: str) -> None:
    """Once a stack change fixes one, delete its entry in tests/policies/conftest.py."""
    assert any(
        v.policy == policy and text in v.message and v.level == "mandatory"
        for v in prod_plan().violations
    ), f"({policy!r}, {text!r}) no longer fires on prod's default plan: remove it"


def test_prod_plan_with_an_aurora_t3_micro_fails_naming_the_class() -> None:
    try:
        result = plan("prod", config_overrides={"data": {"data:instanceClass": "db.t3.micro"}})
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
