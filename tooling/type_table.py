"""The resource type table in docs/aws-rules.md, generated from `shared.aws.types`.

`python -m tooling.type_table` rewrites the block between the two markers;
`python -m tooling.type_table --check` only says whether it is current (exit 1 when it is not).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from shared.aws.cloudformation import coverage
from shared.aws.types import TYPES, ResourceType
from shared.layers import REPO_ROOT
from shared.name_rule import NameRule

DOCS = REPO_ROOT / "docs" / "aws-rules.md"
REGENERATE = "python -m tooling.type_table"
BEGIN = f"<!-- resource types: generated from shared/aws/types by `{REGENERATE}`; do not edit -->"
END = "<!-- end of resource types -->"
EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


class MarkerError(ValueError):
    """The page lacks the markers (or has them out of order), so there is nowhere to write."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "—"


def _kind(kind: str | NameRule) -> str:
    """A built-in kind by name (docs/reference.md lists them); a kind defined inline with its rule."""
    if isinstance(kind, str):
        return kind
    return f"{kind.kind}: {kind.min_length}-{kind.max_length} of `[{kind.allowed}]`"


def table(types: Mapping[str, ResourceType] = TYPES) -> str:
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


def block(types: Mapping[str, ResourceType] = TYPES) -> str:
    return f"{BEGIN}\n{table(types)}\n{END}"


def with_current_table(text: str, types: Mapping[str, ResourceType] = TYPES) -> str:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise MarkerError(
            f"the page needs the resource type markers, in this order, each on its own line:\n"
            f"{BEGIN}\n{END}"
        )
    return text[:start] + block(types) + text[end + len(END) :]


def main(argv: Sequence[str] | None = None, page: Path = DOCS) -> int:
    parser = argparse.ArgumentParser(
        prog=REGENERATE, description="Regenerate docs/aws-rules.md's resource type table."
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the table is stale"
    )
    args = parser.parse_args(argv)
    try:
        text = page.read_text()
        updated = with_current_table(text)
        if updated != text and not args.check:
            page.write_text(updated)
    except (OSError, MarkerError) as error:
        print(f"error: {page.name}: {error}", file=sys.stderr)
        return EXIT_ERROR
    if updated != text and args.check:
        print(f"{page.name}: the resource type table is stale; run `{REGENERATE}`", file=sys.stderr)
        return EXIT_STALE
    if updated != text:
        print(f"{page.name}: resource type table regenerated")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
