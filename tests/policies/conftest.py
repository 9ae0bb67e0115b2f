"""Raw props the way the analyzer delivers them, and contexts per environment."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark.structures import ParameterSet

from policies.props import UNKNOWN_SENTINELS
from policies.spec import Context, ResourceCheck, StackCheck, StackResource
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


# Good and bad cases as data, the way cfn-lint keeps good and bad templates per rule: each
# `test_<module>.py` lists calls of its checks that must pass (GOOD) and calls with the exact
# messages they must give (BAD), and runs each list through one parametrised test. The context is
# made when the test runs, not when it is collected: mutmut maps code to the tests that run it.
Ctx = Callable[[], Context]


def good(
    check: ResourceCheck, type_: str, props: Mapping[str, Any], environment: str = "prod", **kw: Any
) -> ParameterSet:
    """A call of a resource check that must find nothing."""
    ctx = functools.partial(context, environment, **kw)
    return pytest.param(check, type_, props, ctx, id=f"{check.__name__}-{environment}")


def bad(
    check: ResourceCheck,
    type_: str,
    props: Mapping[str, Any],
    expected: list[str],
    environment: str = "prod",
    **kw: Any,
) -> ParameterSet:
    """A call of a resource check and exactly the messages it must give."""
    ctx = functools.partial(context, environment, **kw)
    return pytest.param(check, type_, props, ctx, expected, id=f"{check.__name__}-{environment}")


GOOD_ARGS = ("check", "type_", "props", "ctx")
BAD_ARGS = (*GOOD_ARGS, "expected")


def good_in_stack(
    check: StackCheck, resources: list[StackResource], environment: str = "prod", **kw: Any
) -> ParameterSet:
    """A call of a stack check that must find nothing."""
    ctx = functools.partial(context, environment, **kw)
    return pytest.param(check, resources, ctx, id=f"{check.__name__}-{environment}")


def bad_in_stack(
    check: StackCheck,
    resources: list[StackResource],
    expected: list[tuple[str, str]],
    environment: str = "prod",
    **kw: Any,
) -> ParameterSet:
    """A call of a stack check and exactly the (URN, message) violations it must give."""
    ctx = functools.partial(context, environment, **kw)
    return pytest.param(check, resources, ctx, expected, id=f"{check.__name__}-{environment}")


GOOD_STACK_ARGS = ("check", "resources", "ctx")
BAD_STACK_ARGS = (*GOOD_STACK_ARGS, "expected")
