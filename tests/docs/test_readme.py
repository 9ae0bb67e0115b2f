"""The README stays short, current and connected: its diagram is the layer graph, its sessions are
the noxfile's, it links every page in docs/, and no link in the documentation is broken."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.docs.markdown import DOCS, README, REPO, anchors, links, section
from tooling import docs

TEXT = README.read_text()
PAGES = sorted(DOCS.glob("*.md"))
DOCUMENTS = [README, *PAGES]


def test_readme_is_at_most_200_lines() -> None:
    assert len(TEXT.splitlines()) <= 200, "move detail to docs/ and link it"


def test_diagram_is_generated_from_the_layer_graph() -> None:
    assert docs.current_block(TEXT) == docs.block(), (
        f"the diagram is stale: run `{docs.REGENERATE}`"
    )


def _nox_sessions() -> set[str]:
    sessions = set()
    for node in ast.walk(ast.parse((REPO / "noxfile.py").read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "nox.session":
                    names = [k.value for k in decorator.keywords if k.arg == "name"]
                    sessions.add(ast.literal_eval(names[0]) if names else node.name)
    return sessions


def test_sessions_table_lists_every_nox_session() -> None:
    sessions = _nox_sessions()
    documented = re.findall(r"^\| `nox -s ([a-z-]+)", section(TEXT, "Sessions"), re.M)
    assert {"tests", "plan", "deploy-all"} <= sessions
    assert len(documented) == len(set(documented)), "a session is listed twice"
    assert set(documented) == sessions


def test_readme_links_every_page_in_docs() -> None:
    linked = {(README.parent / target.split("#")[0]).resolve() for target in links(TEXT)}
    unlinked = [page.name for page in PAGES if page.resolve() not in linked]
    assert PAGES, "docs/ has no pages"
    assert unlinked == [], "link these from the README's Documentation section"


def _relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto: ...


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
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


# Issue numbers and history belong in the tracker and in git, not in the documentation.
_HISTORY = re.compile(r"\bissues?\s*#?\d+|(?<![\w&/])#\d+\b|\bchangelog\b", re.I)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_issue_numbers_or_history(document: Path) -> None:
    found = _HISTORY.findall(document.read_text())
    assert found == []
