"""Shared by the stack tests: a warm parent process and each stack's committed config."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import committed_config
from tooling.offline.layer_runner import warm


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
