"""The committed grants file: every class's deploy and preview grants and the boundary's actions,
derived from the plans. `nox -s access -- --write` regenerates it; a test keeps it current."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.environment import ENVIRONMENT_CLASSES
from tooling.access.boundary import role_actions
from tooling.access.grants import example_environment, grants
from tooling.access.needs import Planned, resource_needs


def derive(plans: Mapping[str, Sequence[Planned]]) -> dict[str, Any]:
    """`plans` maps each class to its example environment's planned resources (all layers)."""
    out: dict[str, Any] = {"classes": {}, "boundary": []}
    boundary: set[str] = set()
    for environment_class in ENVIRONMENT_CLASSES:
        resources = plans[environment_class]
        environment = example_environment(environment_class)
        deploy, _, _ = resource_needs(resources)
        preview = [need for need in deploy if need.operation == "read"]
        out["classes"][environment_class] = {
            "deploy": grants(deploy, environment_class, environment),
            "preview": grants(preview, environment_class, environment),
        }
        boundary |= role_actions(resources)
    out["boundary"] = sorted(boundary)
    return out
