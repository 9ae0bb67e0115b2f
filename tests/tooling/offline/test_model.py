"""Imports run one way: engine -> mocks -> model, analyzer -> model and pack_process; model and
pack_process import none of them."""

import ast
from pathlib import Path

import pytest

import tooling.offline

PACKAGE = Path(tooling.offline.__file__).parent
ALLOWED = {
    "model": set(),
    "mocks": {"model", "resource_options"},
    "resource_options": set(),
    "config_errors": set(),
    "analyzer": {"model", "config_errors", "pack_process"},
    "analysis": {"analyzer", "model"},
    "pack_process": set(),
    "engine": {"mocks", "model"},
}


def offline_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):  # function-level imports count too: a cycle is a cycle
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found.update(
            n.removeprefix("tooling.offline.").split(".")[0]
            for n in names
            if n.startswith("tooling.offline.")
        )
    return found


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_imports_run_one_way(module: str) -> None:
    assert offline_imports(module) <= ALLOWED[module]
