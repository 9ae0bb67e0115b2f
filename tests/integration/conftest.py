"""Live-environment checks: only `nox -s integration -- <env>` runs them.

The default test run never collects this folder (`norecursedirs` in pyproject.toml). Run directly
without `INTEGRATION_ENV`, or without a deployment's outputs file, every test here is skipped with
the reason; outputs written by the offline plan are refused, their ids are made up.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tooling.outputs import FLAT_FILE, OUTPUTS_DIR, read_flat_outputs

ENVIRONMENT_VAR = "INTEGRATION_ENV"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def environment() -> str:
    name = os.environ.get(ENVIRONMENT_VAR)
    if not name:
        pytest.skip("checks a live AWS environment: run `nox -s integration -- <env>`")
    return name


@pytest.fixture(scope="session")
def outputs(environment: str) -> dict[str, Any]:
    try:
        flat = read_flat_outputs(environment)
    except FileNotFoundError:
        pytest.skip(
            f"no {OUTPUTS_DIR / environment / FLAT_FILE}: deploy first "
            f"(nox -s deploy-all -- {environment})"
        )
    if flat.get("offline"):
        pytest.skip(f"outputs of {environment} come from the offline plan, not a deployment")
    return flat


@pytest.fixture(scope="session")
def aws(outputs: dict[str, Any]) -> Any:
    """A boto3 session in the environment's region (from its availability zones unless set)."""
    boto3 = pytest.importorskip("boto3", reason="boto3 is installed by `nox -s integration`")
    zones = outputs.get("network.availability_zones") or []
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region and zones:
        region = str(zones[0])[:-1]
    return boto3.session.Session(region_name=region)
