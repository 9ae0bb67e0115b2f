"""Raw props the way the analyzer delivers them, and contexts per environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policies.props import UNKNOWN_SENTINELS
from policies.spec import Context
from shared.environment import parse_environment
from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
assert UNKNOWN in UNKNOWN_SENTINELS


def secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


def context(environment: str = "dev", **kwargs: Any) -> Context:
    return Context(environment=parse_environment(environment), **kwargs)


def level(policy: str, environment: str) -> str:
    """The level the pack gives `policy` in a stack of `environment`: the policy's default, or its
    class's deviation in `policies/config/<class>.json` (which class a rule runs in is its level)."""
    from policies.catalog import RULES
    from policies.pack import class_config, default_level

    (rule,) = [r for r in RULES if r.name == policy]
    return default_level(rule, class_config(parse_environment(environment).environment_class))


@pytest.fixture
def prod() -> Context:
    return context("prod", region="us-east-1")


@pytest.fixture
def fresh_cfn_lint_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """cfn-lint's findings cached in an empty folder and nothing in memory, before and after."""
    from policies.cfn import lint as cfn_lint

    monkeypatch.setenv("AWS_PLATFORM_CACHE_DIR", str(tmp_path))
    cfn_lint._cached.cache_clear()
    yield
    cfn_lint._cached.cache_clear()
