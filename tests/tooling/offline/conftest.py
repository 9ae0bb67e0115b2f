"""Fixtures for the offline planner's own tests: layer programs generated from shared.layers and
a fixture pack."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.layer_programs import DATABASE, write_layer_programs
from tooling.offline import PlanResult, plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE_PACK = FIXTURES / "policy_pack"
REGION = "eu-west-1"
# A secure value this machine cannot decrypt: planned as set, its value unknown.
DATA_PROD_STACK = f"""config:
  aws:region: {REGION}
  data:backupRetentionDays: 30
  data:owner:
    secure: AAABAKxJ0bQ3Gc1vT0PZ0xJb7w==
"""


def write_fixture_stacks(target: Path) -> Path:
    """Every layer's contract program, the data layer's with the Aurora cluster the fixture pack
    judges; prod stack files state the region (the data layer's also a retention and an owner)."""
    write_layer_programs(
        target,
        additions={"data": DATABASE},
        stack_files={"prod": f"config:\n  aws:region: {REGION}\n"},
    )
    (target / "data" / "Pulumi.prod.yaml").write_text(DATA_PROD_STACK)
    return target


@pytest.fixture(scope="session")
def fixture_stacks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_stacks(tmp_path_factory.mktemp("fixture") / "stacks")


@pytest.fixture(scope="session")
def fixture_plan_dev(pack_python: None, fixture_stacks: Path) -> PlanResult:
    return plan("dev", stacks_dir=fixture_stacks, pack_dir=FIXTURE_PACK)


@pytest.fixture
def stacks_copy(tmp_path: Path) -> Path:
    """A writable tree of the fixture programs, for tests that break one."""
    return write_fixture_stacks(tmp_path / "stacks")


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
