"""The bootstrap's plan read as the access model: the one place here that runs a program, through
the offline engine (imported when called, so the analysis itself depends on `shared` only)."""

from __future__ import annotations

from tooling.access.model import AccessModel, read_model

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
