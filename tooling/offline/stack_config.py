"""Stack config as the Pulumi CLI would hand it to a program: `stacks/<layer>/Pulumi.<env>.yaml`.

Keys without a namespace belong to the project (the layer), as in the CLI. `secure:` values are
encrypted with the stack's secrets provider, which an offline plan cannot reach: they become a
placeholder, are passed to the program as secrets, and are reported once per plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shared.layers import STACKS_DIR, get_layer

SECURE_PLACEHOLDER = "offline-plan-placeholder"


class StackConfigFileError(ValueError):
    """A `Pulumi.<env>.yaml` that cannot be read; the message names the file."""


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, Any]
    secure_keys: tuple[str, ...]
    path: Path | None


def stack_file(layer: str, environment: str, stacks_dir: Path | None = None) -> Path:
    folder = (stacks_dir or STACKS_DIR) / get_layer(layer).name
    return folder / f"Pulumi.{environment}.yaml"


def namespaced(layer: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`key` -> `<layer>:key`, as the CLI does for keys without a namespace."""
    return {(key if ":" in key else f"{layer}:{key}"): value for key, value in values.items()}


def read_stack_config(
    layer: str, environment: str, *, stacks_dir: Path | None = None
) -> StackConfig:
    """The layer's config for `environment` (empty when the file does not exist)."""
    path = stack_file(layer, environment, stacks_dir)
    if not path.is_file():
        return StackConfig(values={}, secure_keys=(), path=None)
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackConfigFileError(f"{path}: not valid YAML ({error})") from None
    raw = document.get("config") if isinstance(document, dict) else None
    if raw is None:
        return StackConfig(values={}, secure_keys=(), path=path)
    if not isinstance(raw, dict):
        raise StackConfigFileError(f"{path}: `config` must be a mapping of keys to values")
    values: dict[str, Any] = {}
    secure: list[str] = []
    for key, value in namespaced(layer, raw).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = SECURE_PLACEHOLDER
            secure.append(key)
        else:
            values[key] = value
    return StackConfig(values=values, secure_keys=tuple(secure), path=path)


def load_stack_config(
    layer: str, environment: str, *, stacks_dir: Path | None = None
) -> dict[str, Any]:
    """`<layer>:<key>` -> value from `Pulumi.<environment>.yaml`; `secure:` values are placeholders."""
    return read_stack_config(layer, environment, stacks_dir=stacks_dir).values
