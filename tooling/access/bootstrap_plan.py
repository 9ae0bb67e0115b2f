"""The plans the access check reads, the bootstrap's as the access model and each class's: the one
place here that runs programs, through the offline planner (imported when called, so the analysis
itself depends on `shared` only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tooling.access.grants import example_environment
from tooling.access.model import AccessModel, read_model

if TYPE_CHECKING:
    from tooling.offline import PlanResult

# The repository the shipped bootstrap stack file names until docs/ci.md step 1 is done; the
# bootstrap itself refuses it (it would trust somebody else's repository).
EXAMPLE_REPOSITORY = "example-org/aws-platform"
# What the access check plans the bootstrap with instead: the roles' permissions do not depend on
# the repository their trust policies name, so a fresh clone is checked before step 1 too.
STAND_IN_REPOSITORY = "access-check/stand-in"


def bootstrap_model() -> AccessModel:
    """The bootstrap's plan with its committed stack config, as roles, keys and bucket policy."""
    from tooling.deploy.bootstrap import BOOTSTRAP_DIR, stack_config
    from tooling.offline import run_layer

    config = stack_config()
    if config.get("bootstrap:repository") == EXAMPLE_REPOSITORY:
        config["bootstrap:repository"] = STAND_IN_REPOSITORY
    result = run_layer("bootstrap", "account", config=config, program_dir=BOOTSTRAP_DIR)
    return read_model(result.resources, result.outputs)


def plan_class(environment_class: str, *, values: Path | None = None) -> PlanResult:
    """The offline plan of the class's example environment, without policies; `values` is a folder
    of `<environment>.yaml` overlays (as `plan --config-file` reads one) for stack files that still
    hold the example values a staging or prod plan refuses."""
    from tooling.offline import plan
    from tooling.offline.stack_config import read_config_overlay

    environment = example_environment(environment_class)
    overlay = values / f"{environment}.yaml" if values is not None else None
    overrides = read_config_overlay(overlay) if overlay is not None and overlay.is_file() else None
    return plan(environment, config_overrides=overrides, pack_dir=None)
