"""docs/policies.md's table lists every policy of the pack with its level in every class."""

from __future__ import annotations

import pytest

from policies.catalog import RULES
from policies.pack import class_config, default_level
from shared.environment import ENVIRONMENT_CLASSES
from tests.docs.markdown import doc, table

POLICIES = doc("policies.md")
LETTER = {"mandatory": "M", "advisory": "A", "remediate": "R", "disabled": "—"}


def _rows() -> dict[str, list[str]]:
    return table(POLICIES, "policy")


def test_table_has_one_column_per_environment_class() -> None:
    header = "| policy | " + " | ".join(ENVIRONMENT_CLASSES) + " | checks | why | fix |"
    assert header in POLICIES.splitlines()


def test_table_lists_every_policy_in_the_pack() -> None:
    assert set(_rows()) == {rule.name for rule in RULES}


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_levels_are_the_packs(klass: str) -> None:
    # Only the level letter: thresholds live in one place (the profiles), not copied in here.
    column = ENVIRONMENT_CLASSES.index(klass)
    config = class_config(klass)
    rows = _rows()
    for rule in RULES:
        assert rows[rule.name][column] == LETTER[default_level(rule, config)], (rule.name, klass)
