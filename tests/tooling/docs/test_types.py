"""The resource type table in docs/aws-rules.md: a row per entry of shared/aws/types."""

from __future__ import annotations

from shared.aws.types import ID_ONLY, ResourceType
from shared.name_rule import NameRule
from tooling.docs import resource_types_table


def test_a_row_per_type_with_names_cloudformation_and_data_loss() -> None:
    entry = ResourceType(
        "aws:x/y:Y",
        "a y | with a pipe",
        shape=ID_ONLY,
        names={"name": "iam-role"},
        no_cloudformation="none here",
        holds_data="its items",
    )
    other = ResourceType(
        "aws:x/z:Z",
        "a z",
        shape=ID_ONLY,
        names={"zName": NameRule("zed", min_length=2, max_length=9, allowed="a-z")},
        no_cloudformation="none",
    )
    bare = ResourceType("aws:x/w:W", "a w", shape=ID_ONLY, no_cloudformation="none")
    rows = resource_types_table({"aws:x/y:Y": entry, "aws:x/z:Z": other, "aws:x/w:W": bare})
    assert rows.splitlines()[2:] == [
        "| `aws:x/y:Y` | a y \\| with a pipe | none: none here | `name` (iam-role) | its items |",
        "| `aws:x/z:Z` | a z | none: none | `zName` (zed: 2-9 of `[a-z]`) | — |",
        "| `aws:x/w:W` | a w | none: none | — | — |",
    ]
