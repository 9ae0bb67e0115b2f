"""Every document (README.md, docs/*.md) points only at things that exist: relative links and their
headings, repository paths in code spans, `python -m` modules; and none carries issue numbers."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.docs.markdown import DOCS, README, REPO, anchors, links

DOCUMENTS = [README, *sorted(DOCS.glob("*.md"))]
# A code span naming something in this repository: it starts with one of the top-level entries.
_TOP_LEVEL = sorted(p.name for p in REPO.iterdir() if p.name not in (".git", ".venv"))
_REPO_PATH = re.compile(r"`((?:" + "|".join(map(re.escape, _TOP_LEVEL)) + r")(?:/[^`\s]*)?)`")
_MODULE = re.compile(r"python -m ([a-z_][a-z0-9_.]*)")
# Issue numbers and history belong in the tracker and in git, not in the documentation.
_HISTORY = re.compile(r"\bissues?\s*#?\d+|(?<![\w&/])#\d+\b|\bchangelog\b", re.I)


def _relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto: ...


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_every_relative_link_resolves(document: Path) -> None:
    text = document.read_text()
    for target in filter(_relative, links(text)):
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        assert resolved.exists(), f"{target}: no such file"
        assert resolved.is_relative_to(REPO), f"{target}: outside the repository"
        if anchor:
            assert resolved.suffix == ".md", f"{target}: an anchor into a file that is not Markdown"
            assert anchor in anchors(resolved.read_text()), f"{target}: no such heading"


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_every_repository_path_and_module_named_exists(document: Path) -> None:
    text = document.read_text()
    # Placeholders (`stacks/<layer>/`) and globs stand for many paths; the rest must exist.
    paths = [p for p in _REPO_PATH.findall(text) if not re.search(r"[<>*{…]", p)]
    assert [p for p in paths if not (REPO / p).exists()] == []
    # Our own modules must exist; a tool's (`python -m pip`) depends on the interpreter, not on us.
    modules = [m for m in _MODULE.findall(text) if (REPO / m.split(".")[0]).is_dir()]
    assert [m for m in modules if importlib.util.find_spec(m) is None] == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_no_issue_numbers_or_history(document: Path) -> None:
    assert _HISTORY.findall(document.read_text()) == []
