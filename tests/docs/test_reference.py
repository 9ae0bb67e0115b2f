"""docs/reference.md's tables (profiles, name kinds, config keys, outputs, dependencies) cannot
drift from the code."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from typing import Any

import pytest

from shared.config import accepted_keys, parse
from shared.environment import ENVIRONMENT_CLASSES, PROFILES, Profile
from shared.layers import LAYER_NAMES, LAYERS
from shared.naming import BUILT_IN_RULES, NAME_RULES
from tests.docs.markdown import REPO, doc, section, table

REFERENCE = doc("reference.md")
STACK_FOR_CLASS = {"dev": "dev", "staging": "staging", "prod": "prod", "pr": "pr-12"}


def _profile_cells(profile: Profile) -> dict[str, Any]:
    values = dataclasses.asdict(profile)
    alarms = values.pop("alarms")
    return {**values, **{f"alarms.{k}": v for k, v in alarms.items()}}


def _yes_no(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def test_profile_table_matches_profiles() -> None:
    profiles = section(REFERENCE, "Environments")
    assert re.search(
        r"^\| setting \| " + r" \| ".join(ENVIRONMENT_CLASSES) + r" \|$", profiles, re.M
    )
    rows = table(profiles, "setting")
    assert set(rows) == set(_profile_cells(PROFILES["dev"])), (
        "add or remove rows in docs/reference.md"
    )
    for column, klass in enumerate(ENVIRONMENT_CLASSES):
        for setting, value in _profile_cells(PROFILES[klass]).items():
            cell = rows[setting][column]
            if setting == "vpc_cidr" and klass == "pr":
                assert "PR number" in cell
            else:
                assert cell == _yes_no(value), (setting, klass)


def test_naming_table_lists_every_kind_with_its_max_length() -> None:
    rows = table(section(REFERENCE, "Naming"), "kind")
    listed: dict[str, str] = {}
    for kinds, cells in rows.items():
        maxima = cells[0].split(" / ")
        groups = [g.split(", ") for g in kinds.split(" / ")]
        if len(maxima) == 1:
            groups = [[k for g in groups for k in g]]
        for group, maximum in zip(groups, maxima, strict=True):
            for kind in group:
                listed[kind.strip("` ")] = maximum
    # A kind a resource type defines inline is documented in its row of the generated type table.
    assert set(listed) == {rule.kind for rule in BUILT_IN_RULES}
    for kind, maximum in listed.items():
        assert int(maximum) == NAME_RULES[kind].max_length, kind


def _config_rows() -> dict[str, list[str]]:
    return table(section(REFERENCE, "Config keys"), "key")


def _render(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def test_config_table_has_one_column_per_environment_class() -> None:
    header = "| key | " + " | ".join(ENVIRONMENT_CLASSES) + " | accepted |"
    assert header in section(REFERENCE, "Config keys").splitlines()


def test_config_table_lists_exactly_the_accepted_keys() -> None:
    rows = _config_rows()
    common = {key.split(":", 1)[1] for key in rows if key.startswith("<layer>:")}
    documented = {key for key in rows if not key.startswith("<layer>:")}
    documented |= {f"{layer}:{key}" for layer in LAYER_NAMES for key in common}
    accepted = {key for layer in LAYER_NAMES for key in accepted_keys(layer)}
    assert accepted - documented == set(), "document these keys in docs/reference.md"
    assert documented - accepted == set(), "docs/reference.md lists keys no layer accepts"


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
    outputs = section(REFERENCE, "Outputs (the contract between layers)")
    rows = [
        [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        for line in outputs.splitlines()
        if line.startswith("| ") and not line.startswith(("| layer |", "|---"))
    ]
    documented = [(row[0], row[1]) for row in rows]
    contract = [(layer.name, output) for layer in LAYERS for output in layer.outputs]
    assert sorted(documented) == sorted(contract)
    secret = {(row[0], row[1]) for row in rows if "**secret**" in row[2]}
    assert secret == {(layer.name, out) for layer in LAYERS for out in layer.secret_outputs}


def _distribution(requirement: str) -> str:
    return re.split(r"[~=<>!\[; ]", requirement, maxsplit=1)[0].lower()


def test_dependencies_table_explains_every_dependency() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = {_distribution(r) for r in project["project"]["dependencies"]}
    for group in project["dependency-groups"].values():
        declared |= {_distribution(r) for r in group if isinstance(r, str)}
    rows = table(section(REFERENCE, "Dependencies and why"), "package")
    documented = {
        re.sub(r" .*", "", name.strip()).lower() for names in rows for name in names.split(", ")
    }
    assert declared - documented == set(), "say why in docs/reference.md, Dependencies and why"
    assert documented - declared == set(), "docs/reference.md explains packages nobody declares"
