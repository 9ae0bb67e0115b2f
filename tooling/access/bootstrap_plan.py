"""The bootstrap's plan read as the access model: the one place here that runs a program, through
the offline engine (imported when called, so the analysis itself depends on `shared` only)."""

from __future__ import annotations

from tooling.access.model import AccessModel, read_model


def bootstrap_model() -> AccessModel:
    """The bootstrap's plan with its committed stack config, as roles, keys and bucket policy."""
    from tooling.deploy.bootstrap import BOOTSTRAP_DIR, stack_config
    from tooling.offline import run_layer

    result = run_layer("bootstrap", "account", config=stack_config(), program_dir=BOOTSTRAP_DIR)
    return read_model(result.resources, result.outputs)
