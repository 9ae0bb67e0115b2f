"""Each class's plan, its needs and the bootstrap's access model, computed once per process."""

from __future__ import annotations

from functools import cache

from shared.environment import ENVIRONMENT_CLASSES
from tooling.access.bootstrap_plan import bootstrap_model
from tooling.access.grants import example_environment
from tooling.access.model import AccessModel
from tooling.access.needs import Need, Planned, resource_needs
from tooling.offline import plan


@cache
def resources(environment_class: str) -> tuple[Planned, ...]:
    result = plan(example_environment(environment_class), pack_dir=None)
    return tuple(r for layer in result.layers.values() for r in layer.resources)


@cache
def stacks(environment_class: str) -> tuple[tuple[str, str], ...]:
    environment = example_environment(environment_class)
    return tuple((layer, environment) for layer in plan(environment, pack_dir=None).layers)


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
