"""The one way a stack program opens: `ctx = stack_context("<layer>", <Schema>)`.

The context holds what every program needs before its first resource: the typed config, the
environment, account and region, upstream references, and `label()`, which gives a resource's
AWS-compliant name and its tags with `Name` set to that name from one call (the null-label model).
`export()` publishes exactly the layer's contract from shared.layers, secrets as secrets.

Builders and components take a `LabelContext` (`ctx.labels`, or `ctx.child("redis")` for one whose
names gain the attribute, as null-label's context chaining does), never the whole context.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import pulumi
import pulumi_aws as aws

from shared import references
from shared.config import declared_environment, load, read_program_config, schema_of
from shared.config.schema import LayerConfig
from shared.environment import Environment, leftover_warning
from shared.layers import PRODUCT, Layer, get_layer
from shared.naming import Namer
from shared.tagging import with_name

C = TypeVar("C", bound=LayerConfig)


class ContractError(RuntimeError):
    """A program exported something other than its layer's contract: a bug in the program."""


@dataclass(frozen=True)
class Label:
    """A resource's physical name and its tags (the standard set plus `Name` = that name)."""

    name: str
    tags: dict[str, str]


@dataclass(frozen=True)
class LabelContext:
    """What names and tags a group of resources: the stack's labels plus `attributes`.

    `child("redis").label("iam-role", "task")` is `<product>-<env>-redis-task`, with the standard
    tags and `Name` set to that name; a child of a child appends again. The account and region are
    here because some names (global ones) and most policy documents need them.
    """

    namer: Namer
    tags: Mapping[str, str]
    attributes: tuple[str, ...] = ()

    @property
    def account_id(self) -> str:
        return _required(self.namer.account_id, "account_id")

    @property
    def region(self) -> str:
        return _required(self.namer.region, "region")

    @property
    def scope(self) -> str:
        """`<product> <environment>`: how descriptions say whose resource it is."""
        return f"{self.namer.project} {self.namer.environment}"

    def label(self, kind: str, *parts: str) -> Label:
        """The name AWS accepts for `kind` (see shared.naming) and the tags that go with it."""
        name = self.namer.name(kind, *self.attributes, *parts)
        return Label(name=name, tags=with_name(self.tags, name))

    def child(self, *attributes: str) -> LabelContext:
        """This context with `attributes` appended to every name it gives."""
        return replace(self, attributes=(*self.attributes, *attributes))


def _required(value: str | None, what: str) -> str:
    if value is None:
        raise ContractError(f"this label context has no {what}")
    return value


@dataclass(frozen=True)
class StackContext(Generic[C]):
    layer: Layer
    config: C
    account_id: str
    region: str

    @property
    def environment(self) -> Environment:
        return self.config.environment

    labels: LabelContext = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        namer = Namer(
            project=PRODUCT,
            environment=self.environment.name,
            account_id=self.account_id,
            region=self.region,
        )
        object.__setattr__(self, "labels", LabelContext(namer=namer, tags=self.config.tags))

    @property
    def namer(self) -> Namer:
        return self.labels.namer

    @property
    def tags(self) -> dict[str, str]:
        return self.config.tags

    def label(self, kind: str, *parts: str) -> Label:
        """The name AWS accepts for `kind` (see shared.naming) and the tags that go with it."""
        return self.labels.label(kind, *parts)

    def child(self, *attributes: str) -> LabelContext:
        """A label context whose names gain `attributes` after the environment."""
        return self.labels.child(*attributes)

    def upstream(self, layer: str) -> references.Upstream:
        """An upstream layer of the same environment; only layers this one declares it reads."""
        if layer not in self.layer.upstream:
            raise ContractError(
                f"the {self.layer.name} layer does not read {layer!r}: shared.layers lists its "
                f"upstream as {', '.join(self.layer.upstream) or 'nothing'}"
            )
        return references.upstream(layer, self.environment.name)

    def export(self, outputs: Mapping[str, Any]) -> None:
        """Export exactly the layer's contract; its secret outputs as secrets."""
        wanted = set(self.layer.outputs)
        if set(outputs) != wanted:
            missing, extra = sorted(wanted - set(outputs)), sorted(set(outputs) - wanted)
            raise ContractError(
                f"the {self.layer.name} layer's exports differ from its contract in "
                f"shared.layers: missing {missing or 'none'}, not in the contract {extra or 'none'}"
            )
        for name in self.layer.outputs:
            value = pulumi.Output.from_input(outputs[name]).apply(_present(self.layer.name, name))
            pulumi.export(
                name, pulumi.Output.secret(value) if name in self.layer.secret_outputs else value
            )


def _present(layer: str, name: str) -> Callable[[Any], Any]:
    """Refuses a contract output that resolves to None: a reader would get `null`, not a value
    (e.g. a computed output the offline mocks have no shape for)."""

    def check(value: Any) -> Any:
        if value is None:
            raise ContractError(
                f"the {layer} layer exports {name} as None: a contract output needs a value"
            )
        return value

    return check


def stack_context(layer: str | Layer, schema: type[C]) -> StackContext[C]:
    """Config, environment, account and region of the running program's stack, resolved once.

    `layer` is a layer's name, or a project outside the layer graph (shared.layers.BOOTSTRAP).
    """
    definition = layer if isinstance(layer, Layer) else get_layer(layer)
    name = definition.name
    if schema_of(definition) is not schema:
        raise ContractError(f"the {name} layer's config schema is {schema_of(definition).__name__}")
    raw = read_program_config(definition)
    environment = declared_environment(name, raw, pulumi.get_stack())
    warning = leftover_warning(environment.name, os.environ)
    if warning:
        pulumi.log.warn(warning)
    return StackContext(
        layer=definition,
        config=load(schema, name, raw, environment, deploying=True),
        account_id=aws.get_caller_identity().account_id,
        region=aws.get_region().region,
    )
