"""The resource type table in docs/aws-rules.md: one row per entry of `shared.aws.types`."""

from __future__ import annotations

from collections.abc import Mapping

from shared.aws.cloudformation import coverage
from shared.aws.types import TYPES, ResourceType
from shared.name_rule import NameRule
from tooling.docs.markdown import cell as _cell


def _kind(kind: str | NameRule) -> str:
    """A built-in kind by name (docs/reference.md lists them); a kind defined inline with its rule."""
    if isinstance(kind, str):
        return kind
    return f"{kind.kind}: {kind.min_length}-{kind.max_length} of `[{kind.allowed}]`"


def resource_types_table(types: Mapping[str, ResourceType] = TYPES) -> str:
    """One row per type: what it is, its CloudFormation type, its names and what a destroy loses."""
    lines = [
        "| Pulumi type | what it is | CloudFormation type | name properties (kind) | "
        "a destroy loses |",
        "|---|---|---|---|---|",
    ]
    cloudformation = coverage(types)
    for token, entry in types.items():
        names = ", ".join(f"`{key}` ({_kind(kind)})" for key, kind in entry.names.items())
        lines.append(
            f"| `{token}` | {_cell(entry.summary)} | {_cell(cloudformation[token])} | "
            f"{_cell(names)} | {_cell(entry.holds_data)} |"
        )
    return "\n".join(lines)
