"""docs/reference.md's hand-written tables (name kinds, accepted config keys, outputs,
dependencies) cannot drift from the code; its generated ones are tooling/docs's."""

from __future__ import annotations

import re
import tomllib

from shared.config import accepted_keys
from shared.layers import LAYER_NAMES
from shared.naming import BUILT_IN_RULES, NAME_RULES
from tests.docs.markdown import REPO, doc, section, table
from tooling.docs import BLOCKS

(CONFIG_DEFAULTS,) = [block for block in BLOCKS if block.name == "config defaults"]

REFERENCE = doc("reference.md")


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


def _accepted_rows() -> dict[str, list[str]]:
    # The table after the generated defaults (tooling/docs keeps those current).
    config_keys = section(REFERENCE, "Config keys")
    return table(config_keys.split(CONFIG_DEFAULTS.end, 1)[1], "key")


def test_the_accepted_values_table_describes_only_keys_a_layer_accepts() -> None:
    # Every key is in the generated defaults table; this one adds prose for some of them, and must
    # not describe a key that is gone.
    rows = _accepted_rows()
    common = {key.split(":", 1)[1] for key in rows if key.startswith("<layer>:")}
    documented = {key for key in rows if not key.startswith("<layer>:")}
    documented |= {f"{layer}:{key}" for layer in LAYER_NAMES for key in common}
    accepted = {key for layer in LAYER_NAMES for key in accepted_keys(layer)}
    assert documented - accepted == set(), "docs/reference.md lists keys no layer accepts"


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
