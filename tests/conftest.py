"""Shared fixtures: the offline engine, so layer tests run the real programs the way the plan does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import settings

from tooling.offline import PlanResult, plan

# CI must not go red on an example no developer saw: there, hypothesis draws the same examples
# every run (derandomize); locally it keeps exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
# `nox -s mutation` runs the tests once per mutant: the same examples each time, so a verdict never
# depends on luck, and fewer of them, so the run fits on two cores.
settings.register_profile("mutation", derandomize=True, max_examples=25)
if os.environ.get("MUTANT_UNDER_TEST"):
    settings.load_profile("mutation")

OfflinePlan = Callable[..., PlanResult]


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
        if config_overrides:
            return plan(environment, config_overrides=config_overrides, pack_dir=pack)
        key = (environment, policies)
        if key not in cache:
            cache[key] = plan(environment, pack_dir=pack)
        return cache[key]

    return get
