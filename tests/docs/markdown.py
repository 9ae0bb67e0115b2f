"""Reading the documentation's Markdown the way its tests need: sections, tables, links, anchors."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"

# [text](target), skipping images; the target ends at the first space (a title may follow) or ")".
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)[^)]*\)")
_CODE_BLOCK = re.compile(r"^```.*?^```", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def doc(name: str) -> str:
    return (DOCS / name).read_text()


def section(text: str, title: str) -> str:
    """The body of the `## title` section, up to the next `## ` heading or the end."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {title}' section"
    return match.group(1)


def table(text: str, first_header: str) -> dict[str, list[str]]:
    """Rows of the table whose first header cell is `first_header`, keyed by the first cell."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |")), None
    )
    assert start is not None, f"no table starting with '| {first_header} |'"
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        # `\|` inside a cell is an escaped pipe, not a column separator.
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        key = cells[0].strip("`")
        assert key not in rows, f"row {key!r} appears twice"
        rows[key] = cells[1:]
    return rows


def prose(text: str) -> str:
    """The text without code blocks and inline code, where link syntax means nothing."""
    return _INLINE_CODE.sub("", _CODE_BLOCK.sub("", text))


def links(text: str) -> list[str]:
    return _LINK.findall(prose(text))


def anchors(text: str) -> set[str]:
    """The ids GitHub gives the headings: lowercase, punctuation dropped, spaces to hyphens."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", _CODE_BLOCK.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found
