"""Imports run one way: layer_runner -> mocks -> model; analyzer -> model, pack_process, pack_project
and policy_config; model and pack_process import none of them."""

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
    "policy_config": {"config_errors"},
    "pack_project": {"pack_process"},
    "analyzer": {"model", "pack_process", "pack_project", "policy_config"},
    "analysis": {"analyzer", "model", "policy_config"},
    "pack_process": set(),
    "layer_runner": {"mocks", "model"},
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
