"""The environment classes in the reference: each class's profile and each layer's config defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from shared import environment as registry
from shared.layers import LAYERS, Layer
from tooling.docs.markdown import table as _table


def _classes(
    classes: Mapping[str, registry.EnvironmentClassInfo] | None,
) -> dict[str, registry.EnvironmentClassInfo]:
    # Read at call time, not import time: the registry is the one source of the columns.
    return dict(registry.CLASSES if classes is None else classes)


def _profile_cells(profile: registry.Profile) -> dict[str, Any]:
    values = dataclasses.asdict(profile)
    alarms = values.pop("alarms")
    return {**values, **{f"alarms.{k}": v for k, v in alarms.items()}}


def _profile_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    # The one profile value left empty is the PR class's network, derived per environment.
    return str(value) if value != "" else "from the PR number (below)"


def profiles_table(classes: Mapping[str, registry.EnvironmentClassInfo] | None = None) -> str:
    """Every profile setting (alarms flattened) per class, longest-lived class first."""
    cells = {name: _profile_cells(info.profile) for name, info in _classes(classes).items()}
    settings = list(next(iter(cells.values())))
    return _table(
        ["setting", *cells],
        [[f"`{key}`", *(_profile_cell(cells[c][key]) for c in cells)] for key in settings],
    )


def _config_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _examples(name: str, info: registry.EnvironmentClassInfo) -> list[registry.Environment]:
    """The class's own environment, or two of a class whose environments are numbered (PRs): a
    default that differs between the two comes from the environment's number."""
    if info.named:
        return [registry.Environment(name=name, environment_class=name)]
    return [registry.parse_environment(f"{name}-{number}", name) for number in (1, 2)]


def config_defaults_table(
    classes: Mapping[str, registry.EnvironmentClassInfo] | None = None,
    layers: Sequence[Layer] = LAYERS,
) -> str:
    """Each layer's own keys (not the ones every layer has) with their default per class."""
    from shared.config import schema_of
    from shared.config.schema import LayerConfig, load, settings

    found = _classes(classes)
    common = {declared.key for _, declared in settings(LayerConfig)}
    rows = []
    for layer in layers:
        schema = schema_of(layer.name)
        configs = {
            name: [load(schema, layer.name, {}, example) for example in _examples(name, info)]
            for name, info in found.items()
        }
        for field, declared in settings(schema):
            if declared.key in common:
                continue
            row = [f"`{layer.name}:{declared.key}`"]
            for loaded in configs.values():
                cells = {_config_cell(getattr(config, field)) for config in loaded}
                row.append(cells.pop() if len(cells) == 1 else "from the PR number")
            rows.append(row)
    return _table(["key", *found], rows)
