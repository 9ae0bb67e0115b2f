"""The documentation generated from the code, so a new layer, class, type or policy appears in it
for free.

Each generated block sits between two markers in a Markdown file. `python -m tooling.docs` rewrites
every block; `python -m tooling.docs --check` only says whether they are current (exit 1 when one
is not). Only declarations are read: importing a stack program would run it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.layers import REPO_ROOT
from tooling.docs.classes import config_defaults_table, profiles_table
from tooling.docs.layers import mermaid, outputs_table
from tooling.docs.policies import policies_table, policy_levels_table
from tooling.docs.types import resource_types_table

__all__ = [
    "BLOCKS",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_STALE",
    "REGENERATE",
    "Block",
    "MarkerError",
    "config_defaults_table",
    "main",
    "mermaid",
    "outputs_table",
    "policies_table",
    "policy_levels_table",
    "profiles_table",
    "resource_types_table",
]

REGENERATE = "python -m tooling.docs"
EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


class MarkerError(ValueError):
    """A file lacks a block's markers (or has them out of order), so there is nowhere to write."""


@dataclass(frozen=True)
class Block:
    name: str
    file: str  # relative to the repository root
    source: str  # what it is generated from, named in its marker
    render: Callable[[], str]

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}: generated from {self.source} by `{REGENERATE}`; do not edit -->"

    @property
    def end(self) -> str:
        return f"<!-- end of {self.name} -->"

    def text(self) -> str:
        return f"{self.begin}\n{self.render()}\n{self.end}"

    def bounds(self, text: str) -> tuple[int, int]:
        start, end = text.find(self.begin), text.find(self.end)
        if start < 0 or end < start:
            raise MarkerError(
                f"{self.file} needs the {self.name} markers, in this order, each on its own line:\n"
                f"{self.begin}\n{self.end}"
            )
        return start, end + len(self.end)

    def current(self, text: str) -> str:
        start, end = self.bounds(text)
        return text[start:end]

    def written_into(self, text: str) -> str:
        start, end = self.bounds(text)
        return text[:start] + self.text() + text[end:]


BLOCKS: tuple[Block, ...] = (
    Block("layer diagram", "README.md", "shared/layers.py", mermaid),
    Block("outputs table", "docs/reference.md", "shared/layers.py", outputs_table),
    Block("class profiles", "docs/reference.md", "shared/environment.py", profiles_table),
    Block(
        "config defaults",
        "docs/reference.md",
        "shared/environment.py and shared/config/schemas.py",
        config_defaults_table,
    ),
    Block(
        "policy levels", "docs/policies.md", "policies/ and policies/config/", policy_levels_table
    ),
    Block("policies", "docs/policies.md", "policies/", policies_table),
    Block("resource types", "docs/aws-rules.md", "shared/aws/types", resource_types_table),
)


def main(
    argv: Sequence[str] | None = None,
    root: Path = REPO_ROOT,
    blocks: Sequence[Block] = BLOCKS,
) -> int:
    parser = argparse.ArgumentParser(
        prog=REGENERATE,
        description="Regenerate the documentation generated from the code ("
        + ", ".join(f"{b.file}: {b.name}" for b in blocks)
        + ").",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a block is stale"
    )
    args = parser.parse_args(argv)
    updates: dict[Path, tuple[str, str]] = {}
    try:
        for block in blocks:
            path = root / block.file
            original, text = updates.get(path) or (path.read_text(),) * 2
            updates[path] = (original, block.written_into(text))
    except (OSError, MarkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    stale = [path for path, (original, text) in updates.items() if text != original]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(root)} is stale; run `{REGENERATE}`", file=sys.stderr)
        return EXIT_STALE if stale else EXIT_OK
    for path in stale:
        try:
            path.write_text(updates[path][1])
        except OSError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_ERROR
        print(f"{path.relative_to(root)}: regenerated")
    return EXIT_OK
