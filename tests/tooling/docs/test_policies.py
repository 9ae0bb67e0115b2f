"""The policy tables: every policy of the pack with its own description and remediation."""

from __future__ import annotations

from policies.catalog import RULES
from tooling import docs


def test_every_policy_is_a_row_with_its_severity_description_and_fix() -> None:
    lines = docs.policies_table().splitlines()
    assert lines[0] == "| policy | severity | checks | fix |"
    assert len(lines) == 2 + len(RULES)
    rule = RULES[0]
    assert (
        f"| `{rule.name}` | {rule.severity} | {rule.description.replace('|', chr(92) + '|')} |"
        in (lines[2])
    )
