"""Each class's plan, its needs and the bootstrap's access model, computed once per process."""

from __future__ import annotations

from functools import cache

from shared.environment import ENVIRONMENT_CLASSES
from tests.conftest import DEPLOY_VALUES_DIR
from tooling.access.bootstrap_plan import bootstrap_model, plan_class
from tooling.access.model import AccessModel
from tooling.access.needs import Need, Planned, resource_needs
from tooling.offline import PlanResult


@cache
def _plan(environment_class: str) -> PlanResult:
    # The committed staging and prod stack files hold example values, refused at plan time.
    return plan_class(environment_class, values=DEPLOY_VALUES_DIR)


def resources(environment_class: str) -> tuple[Planned, ...]:
    return tuple(r for layer in _plan(environment_class).layers.values() for r in layer.resources)


def stacks(environment_class: str) -> tuple[tuple[str, str], ...]:
    result = _plan(environment_class)
    return tuple((layer, result.environment) for layer in result.layers)


@cache
def needs(environment_class: str, deploys: bool = True) -> tuple[Need, ...]:
    """Every need of the class's plan; a preview role's are the reads."""
    if not deploys:
        return tuple(n for n in needs(environment_class) if n.operation == "read")
    found, _, _ = resource_needs(resources(environment_class))
    return tuple(found)


@cache
def model() -> AccessModel:
    return bootstrap_model()


CLASSES = ENVIRONMENT_CLASSES
