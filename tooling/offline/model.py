"""The offline planner's data: resources, layer results and the wire sentinels. A leaf module.

Everything else in `tooling.offline` imports from here (layer_runner -> mocks -> model, analyzer -> model),
and this module imports nothing else of the planner, so no import cycle can form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tooling.redaction import public_text, secret_texts, wrap

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
    custom: bool = True
    # The rest of AnalyzerResourceOptions (pulumi/pulumi proto/pulumi/analyzer.proto), as the engine
    # keeps them: None means deleteBeforeReplace was never set (the proto's `...Defined` flag).
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # alias URNs
    # Options the Analyzer never sees, kept for the change plan: the aliases as the program
    # declared them (URNs or specs), replaceOnChanges and retainOnDelete.
    declared_aliases: tuple[str | Mapping[str, Any], ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    custom_timeouts: Mapping[str, float] = field(
        default_factory=dict
    )  # create/update/delete/read, s
    # A resource an export holds only until its replacement's old copy is deleted (`delete: true`).
    delete: bool = False

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

    def _values(self) -> list[Any]:
        public = {k: v for k, v in self.outputs.items() if k not in self.secret_outputs}
        values: list[Any] = [{name: wrap(self.outputs.get(name)) for name in self.secret_outputs}]
        values += [public]
        values += [part for r in self.resources for part in (r.inputs, r.outputs)]
        return values

    def public_text(self) -> str:
        """Every string the layer holds outside a secret."""
        return public_text(self._values())

    def secret_texts(self, public: str = "") -> set[str]:
        """Every secret string the layer holds: secret values anywhere, and its secret outputs;
        a piece of a secret document only where neither this layer nor `public` (the text of the
        plan's other layers) shows it in the clear."""
        values = self._values()
        return secret_texts(values, public=public_text(values) + "\n" + public)

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
