"""Fixtures for the offline planner's own tests: fixture layer programs and a fixture pack."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tooling.offline import PlanResult, plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE_STACKS = FIXTURES / "stacks"
FIXTURE_PACK = FIXTURES / "policy_pack"


@pytest.fixture(scope="session")
def fixture_plan_dev(pack_python: None) -> PlanResult:
    return plan("dev", stacks_dir=FIXTURE_STACKS, pack_dir=FIXTURE_PACK)


@pytest.fixture
def stacks_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture programs, for tests that break one."""
    target = tmp_path / "stacks"
    shutil.copytree(FIXTURE_STACKS, target)
    return target


@pytest.fixture(autouse=True)
def outputs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Plans write output files; keep them out of the repo's outputs/ folder."""
    import tooling.outputs

    folder = tmp_path / "outputs"
    monkeypatch.setattr(tooling.outputs, "OUTPUTS_DIR", folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def pack_python() -> Iterator[None]:
    """Fixture packs set no virtualenv: the CLI then runs `PULUMI_PYTHON_CMD` (else python3)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PULUMI_PYTHON_CMD", sys.executable)
        yield
