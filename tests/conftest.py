"""Shared fixtures: the offline engine, so layer tests run the real programs the way the plan does."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tooling.offline import PlanResult, plan

# CI must not go red on an example no developer saw: there, hypothesis draws the same examples
# every run (derandomize); locally it keeps exploring new ones.
# No deadline there either: CI shares two cores between the suite and the extension test's second
# run of it, and a slow example is no bug.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
# `nox -s mutation` runs the tests once per mutant: the same examples each time, so a verdict never
# depends on luck, and fewer of them, so the run fits on two cores.
settings.register_profile("mutation", derandomize=True, max_examples=25)
if os.environ.get("MUTANT_UNDER_TEST"):
    settings.load_profile("mutation")

OfflinePlan = Callable[..., PlanResult]

# The committed staging and prod stack files hold example values where users must set their own,
# and those classes refuse them (shared/config/placeholders.py). The tests use the real-shaped
# stand-ins in tests/fixtures/deploy_values/<env>.yaml instead (CI's plan of prod does too).
DEPLOY_VALUES_DIR = Path(__file__).parent / "fixtures" / "deploy_values"
DOMAIN = "acme-platform.io"  # the stand-in domain of those files


@functools.cache
def _deploy_values(environment: str) -> dict[str, dict[str, str]]:
    from tooling.offline.stack_config import read_config_overlay

    path = DEPLOY_VALUES_DIR / f"{environment}.yaml"
    return read_config_overlay(path) if path.is_file() else {}


def deploy_values(environment: str, layer: str) -> dict[str, str]:
    return dict(_deploy_values(environment).get(layer, {}))


def deploy_overrides(
    environment: str, extra: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """`plan(config_overrides=...)` with the stand-ins for the values users set, then `extra`."""
    layers = {*_deploy_values(environment), *(extra or {})}
    return {
        layer: {**deploy_values(environment, layer), **(extra or {}).get(layer, {})}
        for layer in layers
    }


def committed_config(layer: str, environment: str) -> dict[str, str]:
    """The layer's committed `Pulumi.<env>.yaml` with the stand-ins for the values users set."""
    from tooling.offline import load_stack_config

    return {**load_stack_config(layer, environment), **deploy_values(environment, layer)}


@pytest.fixture(scope="session", autouse=True)
def stated_region() -> Iterator[None]:
    """A PR environment has no stack files: its region comes from AWS_REGION, as in CI's PR jobs
    (a plan never assumes one). Tests of a missing region remove it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_REGION", "us-east-1")
        patch.delenv("AWS_DEFAULT_REGION", raising=False)
        yield


@pytest.fixture(scope="session")
def offline_plan() -> OfflinePlan:
    """`offline_plan("dev")`: every layer of an environment under mocks, cached per session.

    Pass `config_overrides={"data": {"instanceClass": ...}}` for a one-off (uncached) plan, and
    `policies=True` to also run the policy pack in `policies/`.
    """
    cache: dict[tuple[str, bool], PlanResult] = {}

    def get(
        environment: str,
        *,
        config_overrides: Mapping[str, Mapping[str, Any]] | None = None,
        policies: bool = False,
    ) -> PlanResult:
        from shared.layers import POLICY_PACK_DIR

        pack = POLICY_PACK_DIR if policies else None
        overrides = deploy_overrides(environment, config_overrides)
        if config_overrides:
            return plan(environment, config_overrides=overrides, pack_dir=pack)
        key = (environment, policies)
        if key not in cache:
            cache[key] = plan(environment, config_overrides=overrides, pack_dir=pack)
        return cache[key]

    return get
