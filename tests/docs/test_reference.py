"""The README's tables (environments, naming, config keys, outputs, sessions, policies) cannot drift
from the code."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from shared.config import accepted_keys, parse
from shared.environment import ENVIRONMENT_CLASSES, PROFILES
from shared.layers import LAYER_NAMES
from shared.naming import NAME_RULES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
STACK_FOR_CLASS = {"dev": "dev", "staging": "staging", "prod": "prod", "pr": "pr-12"}


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _table(section: str, first_header: str) -> dict[str, list[str]]:
    """Rows of the table whose first header cell is `first_header`, keyed by the first cell."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def _profile_cells(klass: str) -> dict[str, Any]:
    values = dataclasses.asdict(PROFILES[klass])  # type: ignore[index]
    alarms = values.pop("alarms")
    return {**values, **{f"alarms.{k}": v for k, v in alarms.items()}}


def _yes_no(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def test_profile_table_matches_profiles() -> None:
    table = _table(_section("Environments"), "setting")
    assert set(table) == set(_profile_cells("dev")), "add or remove README rows"
    for column, klass in enumerate(ENVIRONMENT_CLASSES):
        for setting, value in _profile_cells(klass).items():
            cell = table[setting][column]
            if setting == "vpc_cidr" and klass == "pr":
                assert "PR number" in cell
            else:
                assert cell == _yes_no(value), (setting, klass)


def test_naming_table_lists_every_kind_with_its_max_length() -> None:
    table = _table(_section("Naming"), "kind")
    listed: dict[str, str] = {}
    for kinds, cells in table.items():
        maxima = cells[0].split(" / ")
        groups = [g.split(", ") for g in kinds.split(" / ")]
        if len(maxima) == 1:
            groups = [[k for g in groups for k in g]]
        for group, maximum in zip(groups, maxima, strict=True):
            for kind in group:
                listed[kind.strip("` ")] = maximum
    assert set(listed) == set(NAME_RULES)
    for kind, maximum in listed.items():
        assert int(maximum) == NAME_RULES[kind].max_length, kind


def _config_rows() -> dict[str, list[str]]:
    return _table(_section("Config keys"), "key")


def _render(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def test_config_table_lists_exactly_the_accepted_keys() -> None:
    rows = _config_rows()
    common = {key.split(":", 1)[1] for key in rows if key.startswith("<layer>:")}
    documented = {key for key in rows if not key.startswith("<layer>:")}
    documented |= {f"{layer}:{key}" for layer in LAYER_NAMES for key in common}
    accepted = {key for layer in LAYER_NAMES for key in accepted_keys(layer)}
    assert accepted - documented == set(), "document these keys in the README"
    assert documented - accepted == set(), "the README lists keys config.py does not accept"


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_config_table_defaults_match_the_parsed_defaults(klass: str) -> None:
    column = ENVIRONMENT_CLASSES.index(klass)
    for key, cells in _config_rows().items():
        if key.startswith("<layer>:"):
            assert cells[column] == "—"
            continue
        layer, name = key.split(":")
        config = parse(layer, {}, stack=STACK_FOR_CLASS[klass])
        attribute = re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), name)
        value = getattr(config, attribute)
        if key == "network:vpcCidr" and klass == "pr":
            assert "PR number" in cells[column]
        else:
            assert cells[column] == _render(value), (key, klass)


def test_outputs_table_is_exactly_the_layer_contracts() -> None:
    from shared.layers import LAYERS

    section = _section("Outputs (the contract between layers)")
    rows = [
        [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")][:2]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith(("| layer |", "|---"))
    ]
    documented = [(layer, output) for layer, output in rows]
    contract = [(layer.name, output) for layer in LAYERS for output in layer.outputs]
    assert sorted(documented) == sorted(contract)


def test_sessions_table_lists_every_nox_session() -> None:
    import ast

    noxfile = Path(__file__).resolve().parents[2] / "noxfile.py"
    sessions = set()
    for node in ast.walk(ast.parse(noxfile.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "nox.session":
                    names = [k.value for k in decorator.keywords if k.arg == "name"]
                    sessions.add(ast.literal_eval(names[0]) if names else node.name)
    documented = set(re.findall(r"^\| `nox -s ([a-z-]+)", _section("Sessions"), re.M))
    assert {"tests", "plan", "deploy-all"} <= sessions
    assert documented == sessions


def test_policies_table_lists_every_policy_in_the_pack() -> None:
    from policies.catalog import RULES

    documented = set(re.findall(r"^\| `(aws-[a-z0-9-]+)` \|", _section("Policies"), re.M))
    assert documented == {rule.name for rule in RULES}
