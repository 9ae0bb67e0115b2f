"""Shared by the stack tests: a warm parent process and each stack's committed config."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import committed_config
from tooling.offline.layer_runner import warm

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every stack test on one xdist worker (`--dist loadgroup`): the layer runs the modules share
    (module fixtures, tests/stacks/offline_results.py) are computed once, not once per worker."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.xdist_group("stacks"))


@pytest.fixture(scope="session", autouse=True)
def warm_sdk() -> Iterator[None]:
    """Import the SDK modules the programs use once, so every forked stack run starts warm."""
    warm()
    yield


def stack_config(layer: str, environment: str, **overrides: Any) -> dict[str, Any]:
    """`Pulumi.<env>.yaml` of the layer (PR environments have none) with the tests' stand-ins for
    the values users set (tests/fixtures/deploy_values), plus `<layer>:<key>` overrides."""
    return {
        **committed_config(layer, environment),
        **{f"{layer}:{key}": value for key, value in overrides.items()},
    }
