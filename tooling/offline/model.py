"""The offline engine's data: resources, layer results and the wire sentinels. A leaf module.

Everything else in `tooling.offline` imports from here (engine -> mocks -> model, analyzer -> model),
and this module imports nothing of the engine, so no import cycle can form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ORGANIZATION = "organization"
# pulumi.runtime.rpc.UNKNOWN: what the engine sends for a value unknown during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    # Per input property, the URNs its value came from (`propertyDependencies` in the engine).
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: str = (
        ""  # the provider reference, `<provider urn>::<provider id>`, as the engine keeps it
    )
    protect: bool = False
    retain_on_delete: bool = False
    custom: bool = True

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @property
    def is_root_stack(self) -> bool:
        return self.type == ROOT_STACK_TYPE


@dataclass(frozen=True)
class LayerResult:
    layer: str
    stack: str
    resources: tuple[Resource, ...]
    outputs: dict[str, Any]
    secret_outputs: frozenset[str] = field(default_factory=frozenset)

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Resource:
        found = self.of_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}")
        return found[0]


def wire_value(value: Any) -> Any:
    """A plain, picklable, JSON-able copy: unknowns become the wire sentinel, as the engine sends them."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): wire_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def config_string(value: Any) -> str:
    """Pulumi hands config to programs (and packs) as strings; structured values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)
