"""Live-environment checks: only `nox -s integration -- <env>` runs them.

The default test run never collects this folder (`norecursedirs` in pyproject.toml). The session
runs pytest with `--confcutdir tests/integration`, so the suite-wide `tests/conftest.py` (which needs
the test group's hypothesis) is never imported. Run without `INTEGRATION_ENV`, every test here is
skipped with the reason. With it, a missing or offline outputs file stops the run with a non-zero
exit and the reason: passing with every check skipped would claim a deployment was verified.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tooling.outputs import FLAT_FILE, OUTPUTS_DIR, read_flat_outputs

ENVIRONMENT_VAR = "INTEGRATION_ENV"
NO_DEPLOYMENT_EXIT = 3


def deployment_problem(environment: str) -> str | None:
    """Why `environment` cannot be checked live (no outputs, offline outputs), or None."""
    path = OUTPUTS_DIR / environment / FLAT_FILE
    try:
        flat = read_flat_outputs(environment)
    except FileNotFoundError:
        return f"no deployment of {environment}: {path} does not exist (nox -s deploy-all -- {environment})"
    except ValueError as error:  # not JSON, or not an object
        return f"{path} is not a deploy's outputs file ({error})"
    if flat.get("offline"):
        return f"{path} was written by the offline plan, not a deployment: its ids are made up"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    environment = os.environ.get(ENVIRONMENT_VAR, "").strip()
    if environment:
        problem = deployment_problem(environment)
        if problem:
            pytest.exit(problem, returncode=NO_DEPLOYMENT_EXIT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def environment() -> str:
    name = os.environ.get(ENVIRONMENT_VAR, "").strip()
    if not name:
        pytest.skip("checks a live AWS environment: run `nox -s integration -- <env>`")
    return name


@pytest.fixture(scope="session")
def outputs(environment: str) -> dict[str, Any]:
    # pytest_sessionstart already refused a missing or offline file for this environment.
    return read_flat_outputs(environment)


@pytest.fixture(scope="session")
def aws(outputs: dict[str, Any]) -> Any:
    """A boto3 session in the environment's region (from its availability zones unless set)."""
    boto3 = pytest.importorskip("boto3", reason="boto3 is installed by `nox -s integration`")
    zones = outputs.get("network.availability_zones") or []
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region and zones:
        region = str(zones[0])[:-1]
    return boto3.session.Session(region_name=region)
