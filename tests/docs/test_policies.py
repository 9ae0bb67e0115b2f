"""docs/policies.md: its tables of policies and levels are generated (tooling/docs); the notes
after them describe only policies the pack has."""

from __future__ import annotations

from policies.catalog import RULES
from tests.docs.markdown import doc, table
from tooling.docs import BLOCKS

POLICIES = doc("policies.md")
(POLICY_TABLE,) = [block for block in BLOCKS if block.name == "policies"]


def test_the_notes_describe_only_policies_of_the_pack() -> None:
    described = table(POLICIES.split(POLICY_TABLE.end, 1)[1], "policy")
    assert set(described) <= {rule.name for rule in RULES}
