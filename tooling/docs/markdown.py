"""Markdown tables, as the generated blocks write them."""

from __future__ import annotations

from collections.abc import Sequence


def cell(text: str) -> str:
    # A bare pipe would end the cell; an empty cell reads as a dash.
    return text.replace("|", "\\|") or "—"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)
