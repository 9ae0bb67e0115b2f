"""The README stays short, current and connected: its diagram is the layer graph, its sessions are
the noxfile's, and it links every page in docs/."""

from __future__ import annotations

import argparse
import ast
import re

from tests.docs.markdown import DOCS, README, REPO, links, section

TEXT = README.read_text()
PAGES = sorted(DOCS.glob("*.md"))


def test_readme_is_at_most_200_lines() -> None:
    assert len(TEXT.splitlines()) <= 200, "move detail to docs/ and link it"


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


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )


def test_every_flag_in_the_sessions_table_is_accepted_by_its_command() -> None:
    from tooling.deploy import bootstrap
    from tooling.deploy.cli import build_parser
    from tooling.offline.__main__ import _parser

    commands = {**_subcommands(_parser()), **_subcommands(build_parser())}
    commands["bootstrap"] = bootstrap.build_parser()
    rows = re.findall(r"^\| `nox -s ([a-z-]+)([^`]*)`", section(TEXT, "Sessions"), re.M)
    checked = 0
    for session, usage in rows:
        flags = re.findall(r"--[a-z][a-z-]*", usage.replace("-- ", " "))
        if flags:
            assert session in commands, f"{session}: documented flags but no such command"
            accepted = commands[session]._option_string_actions
            assert [f for f in flags if f not in accepted] == [], session
            checked += len(flags)
    assert checked >= 10
