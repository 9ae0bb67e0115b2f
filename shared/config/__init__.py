"""Typed, validated config per layer: environment-class defaults merged with stack config.

Split by concern: `values` (parsers and errors), `schema` (the declarative loader), `schemas` (one
schema per layer); AWS facts live in `shared.aws`. `parse()` is pure (plain data in, a typed object
or one ConfigError out); `read_program_config()` is the thin bridge from a running Pulumi program.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.config.schema import ENVIRONMENT_KEYS, SCHEMAS, LayerConfig, keys, load
from shared.config.schemas import (
    DEFAULT_CONTAINER_PORT,
    AppConfig,
    BootstrapConfig,
    DataConfig,
    NetworkConfig,
    ObservabilityConfig,
)
from shared.config.values import UNDECRYPTED, ConfigError, UnknownKeyError, is_undecrypted
from shared.environment import (
    CLASSES,
    Environment,
    EnvironmentNameError,
    resolve_environment,
    stack_environment_name,
)
from shared.layers import Layer, get_layer

__all__ = [
    "DEFAULT_CONTAINER_PORT",
    "ENVIRONMENT_KEYS",
    "UNDECRYPTED",
    "AppConfig",
    "BootstrapConfig",
    "ConfigError",
    "DataConfig",
    "LayerConfig",
    "NetworkConfig",
    "ObservabilityConfig",
    "UnknownKeyError",
    "accepted_keys",
    "declared_environment",
    "is_undecrypted",
    "load",
    "load_program_config",
    "parse",
    "read_program_config",
    "schema_of",
]


def schema_of(layer: str | Layer) -> type[LayerConfig]:
    """The layer's schema; a layer without keys of its own has the common one. A `Layer` may be
    a project outside the layer graph (shared.layers.BOOTSTRAP)."""
    name = layer.name if isinstance(layer, Layer) else get_layer(layer).name
    return SCHEMAS.get(name, LayerConfig)


def accepted_keys(layer: str | Layer) -> tuple[str, ...]:
    """Every `<layer>:<key>` the layer reads (the README table's source)."""
    name = layer.name if isinstance(layer, Layer) else layer
    return tuple(f"{name}:{key}" for key in keys(schema_of(layer)))


def declared_environment(layer: str, raw: Mapping[str, Any], stack: str) -> Environment:
    """The stack's environment: the stack name, which config `environmentSuffix` may only repeat.

    A leftover ENVIRONMENT_SUFFIX never enters here: callers resolve it with
    `shared.environment.resolve_environment` and show its warning once.
    """
    suffix, klass = raw.get(f"{layer}:environmentSuffix"), raw.get(f"{layer}:environmentClass")
    if klass is not None and (not isinstance(klass, str) or klass not in CLASSES):
        raise ConfigError(layer, "environmentClass", klass, f"must be one of: {', '.join(CLASSES)}")
    try:
        name = stack_environment_name(stack, suffix)
    except EnvironmentNameError as error:
        raise ConfigError(layer, "environmentSuffix", suffix, str(error)) from None
    declared = suffix is not None and str(suffix).strip() != "" and not stack.strip()
    try:
        return resolve_environment(
            name, environment_class=None if klass is None else str(klass), environ={}
        ).environment
    except ValueError as error:
        source = "" if declared else " (the name came from the stack name)"
        value = suffix if declared else stack
        raise ConfigError(layer, "environmentSuffix", value, f"{error}{source}") from None


def parse(layer: str, raw: Mapping[str, Any], *, stack: str) -> LayerConfig:
    """Environment plus typed config for `layer` from raw `<layer>:<key>` values."""
    schema = schema_of(layer)
    return load(schema, layer, raw, declared_environment(layer, raw, stack))


def read_program_config(layer: str | Layer) -> dict[str, Any]:
    """The running program's `<layer>:<key>` values and `aws:region`, through Pulumi's public API.

    Only declared keys can be read one by one; under the CLI, `PULUMI_CONFIG` also shows the rest,
    so a mistyped key still stops the program (the offline plan checks the whole file itself).
    """
    import pulumi.runtime

    name = layer.name if isinstance(layer, Layer) else layer
    wanted = [*accepted_keys(layer), "aws:region"]
    raw: dict[str, Any] = {
        key: value for key in wanted if (value := pulumi.runtime.get_config(key)) is not None
    }
    for key, value in pulumi.runtime.get_config_env().items():
        if key.startswith(f"{name}:"):
            raw.setdefault(key, value)
    return raw


def load_program_config(layer: str) -> LayerConfig:
    """The typed config of the running program's stack."""
    import pulumi

    return parse(layer, read_program_config(layer), stack=pulumi.get_stack())
