"""The README's "What a change costs" table, read as the checklist the extensions are held to."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from tests.docs.markdown import README, section, table

SECTION = "What a change costs"


@dataclass(frozen=True)
class Checklist:
    change: str
    # Paths a person writes, `<placeholder>` standing for one path segment; "one entry in" paths
    # get one contiguous insertion, nothing else.
    writes: tuple[str, ...]
    entries: tuple[str, ...]
    commands: tuple[tuple[str, ...], ...]

    def pattern(self, path: str) -> re.Pattern[str]:
        parts = re.split(r"(<[a-z-]+>)", path)
        return re.compile("".join("[^/]+" if p[:1] == "<" else re.escape(p) for p in parts) + r"\Z")

    def unmatched(self, written: list[str]) -> tuple[list[str], list[str]]:
        """(files written that the checklist does not name, places it names nobody wrote)."""
        patterns = [self.pattern(p) for p in self.writes]
        extra = [f for f in written if not any(p.match(f) for p in patterns)]
        missing = [
            path
            for path, pattern in zip(self.writes, patterns, strict=True)
            if not any(pattern.match(f) for f in written)
        ]
        return extra, missing


def _code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def checklists(text: str | None = None) -> dict[str, Checklist]:
    rows = table(section(README.read_text() if text is None else text, SECTION), "to add")
    found = {}
    for change, (writes, commands) in rows.items():
        entries = tuple(re.findall(r"one entry in `([^`]+)`", writes))
        found[change] = Checklist(
            change=change,
            writes=tuple(_code(writes)),
            entries=entries,
            commands=tuple(tuple(shlex.split(c)) for c in _code(commands)),
        )
    return found
