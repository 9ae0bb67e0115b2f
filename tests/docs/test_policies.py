"""docs/policies.md describes every policy of the pack; its levels table is generated (tooling/docs.py)."""

from __future__ import annotations

from policies.catalog import RULES
from tests.docs.markdown import doc, table
from tooling.docs import CLASS_REGIONS

POLICIES = doc("policies.md")
(LEVELS,) = [region for region in CLASS_REGIONS if region.name == "policy levels"]


def test_the_description_table_lists_every_policy_in_the_pack() -> None:
    described = table(POLICIES.split(LEVELS.end, 1)[1], "policy")
    assert set(described) == {rule.name for rule in RULES}
