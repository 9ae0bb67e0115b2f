"""The policies in docs/policies.md: each policy's level per class, and what each checks."""

from __future__ import annotations

from collections.abc import Mapping

from shared import environment as registry
from tooling.docs.classes import _classes
from tooling.docs.markdown import table as _table

LEVEL_LETTERS = {"mandatory": "M", "advisory": "A", "remediate": "R", "disabled": "—"}


def policy_levels_table(classes: Mapping[str, registry.EnvironmentClassInfo] | None = None) -> str:
    """Each policy's level per class: its default, or its class's deviation in the pack's config."""
    # The pack's own declarations (its rules and class files), as it applies them at start-up.
    from policies.catalog import RULES
    from policies.pack import class_config, default_level

    found = _classes(classes)
    configs = {name: class_config(name) for name in found}
    return _table(
        ["policy", *found],
        [
            [f"`{rule.name}`", *(LEVEL_LETTERS[default_level(rule, configs[c])] for c in found)]
            for rule in RULES
        ],
    )


def policies_table() -> str:
    """Every policy of the pack: what it checks and how to fix a violation (its own texts)."""
    from policies.catalog import RULES

    return _table(
        ["policy", "severity", "checks", "fix"],
        [[f"`{r.name}`", r.severity, r.description, r.remediation] for r in RULES],
    )
