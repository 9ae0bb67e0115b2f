"""Declarative config: a layer's schema is a frozen dataclass whose fields declare key, parser and
default, and one `validate()` for checks across fields.

`load()` is generic over the schema; the accepted keys are read from the declarations, so the
README table, the unknown-key check and the loader can never disagree.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from shared.config.placeholders import placeholders
from shared.config.values import (
    ConfigError,
    Invalid,
    Parser,
    UnknownKeyError,
    is_undecrypted,
    tag_value,
)
from shared.environment import Environment, Profile
from shared.tagging import standard_tags

ENVIRONMENT_KEYS = ("environmentSuffix", "environmentClass")
"""Keys every layer accepts that pick the environment rather than configure the layer."""


@dataclass(frozen=True)
class Known:
    """What a default may depend on: the environment and the fields declared before it."""

    environment: Environment
    values: Mapping[str, Any]

    @property
    def profile(self) -> Profile:
        return self.environment.profile


@dataclass(frozen=True)
class Setting:
    key: str
    parse: Parser
    default: Callable[[Known], Any]
    optional: bool  # blank or unset means None


def setting(
    key: str,
    parse: Parser,
    default: Callable[[Known], Any] | None = None,
    *,
    optional: bool = False,
) -> Any:
    """Declare a config field: `<layer>:<key>`, its parser, and its default (often the profile's)."""
    return field(metadata={"setting": Setting(key, parse, default or (lambda _: None), optional)})


class Problem(Invalid):
    """A check across fields failed: `key` is the one to change."""

    def __init__(self, key: str, accepted: str) -> None:
        super().__init__(accepted)
        self.key = key


SCHEMAS: dict[str, type[LayerConfig]] = {}
"""Each layer's schema, by layer name; a layer without one uses LayerConfig."""


@dataclass(frozen=True, kw_only=True)
class LayerConfig:
    """What every layer's config has; a layer without keys of its own uses this schema as is."""

    layer: str
    environment: Environment
    region: str | None  # the stack's `aws:region`, when set
    owner: str | None = setting("owner", tag_value, optional=True)
    cost_center: str | None = setting("costCenter", tag_value, optional=True)

    LAYER: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A layer's schema is found by its LAYER: declaring the class is registering it, so a
        # layer's keys are one class in shared/config/schemas.py and no list to extend.
        super().__init_subclass__(**kwargs)
        if cls.LAYER:
            other = SCHEMAS.setdefault(cls.LAYER, cls)
            if other is not cls:
                raise TypeError(f"two config schemas for the {cls.LAYER} layer: {other}, {cls}")

    @property
    def tags(self) -> dict[str, str]:
        """The standard tag set for every resource of this layer's stack."""
        return standard_tags(
            environment=self.environment.name,
            layer=self.layer,
            owner=self.owner,
            cost_center=self.cost_center,
        )

    def validate(self) -> None:
        """Checks across fields; raise Problem(key, what would work)."""

    def validate_deployment(self) -> None:
        """What a deployment needs that no default can give (an alarm destination, a certificate).

        Run when a program loads its config (`load(..., deploying=True)`), not by `parse()`, so an
        environment's defaults stay inspectable; raise Problem(key, what would work).
        """


C = TypeVar("C", bound=LayerConfig)


def _refuse_placeholders(layer: str, written: Mapping[str, Any], environment: Environment) -> None:
    """The first written value that only stands in for a real one, as a ConfigError naming the
    stack file to correct (an environment's file is `stacks/<layer>/Pulumi.<env>.yaml`)."""
    for key, value in sorted(written.items()):
        for reason in placeholders(value):
            raise ConfigError(
                layer,
                key,
                value,
                f"a placeholder: {reason}. {environment.environment_class} deploys only real "
                f"values: set this key in stacks/{layer}/Pulumi.{environment.name}.yaml",
            )


def settings(schema: type[LayerConfig]) -> tuple[tuple[str, Setting], ...]:
    """(field name, Setting) for every declared key, in declaration order (base fields first)."""
    return tuple(
        (f.name, f.metadata["setting"])
        for f in dataclasses.fields(schema)
        if "setting" in f.metadata
    )


def _takes_text(schema: type[LayerConfig], name: str) -> bool:
    return typing.get_type_hints(schema).get(name) in (str, str | None)


def keys(schema: type[LayerConfig]) -> tuple[str, ...]:
    """Every key the schema accepts, sorted."""
    return tuple(sorted({*ENVIRONMENT_KEYS, *(s.key for _, s in settings(schema))}))


def load(
    schema: type[C],
    layer: str,
    raw: Mapping[str, Any],
    environment: Environment,
    *,
    deploying: bool = False,
) -> C:
    """The typed config from raw `<layer>:<key>` values, or one ConfigError naming key and fix.

    `deploying`: also the checks only a deployment needs (`validate_deployment`).
    """
    prefix = f"{layer}:"
    written = {k.removeprefix(prefix): v for k, v in raw.items() if k.startswith(prefix)}
    accepted = keys(schema)
    unknown = sorted(set(written) - set(accepted))
    values: dict[str, Any] = {}
    for name, declared in settings(schema):
        value = written.get(declared.key)
        if value is None or (declared.optional and value == ""):
            values[name] = declared.default(Known(environment, dict(values)))
            continue
        if is_undecrypted(value):
            # Set, and known at deploy time: a text field keeps the unknown value, as a preview
            # would; a number or a choice cannot be planned without it.
            if not _takes_text(schema, name):
                raise ConfigError(
                    layer,
                    declared.key,
                    value,
                    "a `secure:` value the offline plan cannot decrypt, for a key that is not "
                    "text: set the passphrase (PULUMI_CONFIG_PASSPHRASE) or write it in plain",
                )
            values[name] = value
            continue
        try:
            values[name] = declared.parse(value)
        except Invalid as error:
            raise ConfigError(layer, declared.key, value, str(error)) from None
    region = raw.get("aws:region")
    config = schema(
        layer=layer,
        environment=environment,
        region=str(region) if region else None,
        **values,
    )
    try:
        config.validate()
        if deploying:
            config.validate_deployment()
    except Problem as problem:
        raise ConfigError(layer, problem.key, written.get(problem.key), str(problem)) from None
    if environment.profile.refuse_placeholders:
        _refuse_placeholders(layer, written, environment)
    if unknown:
        raise UnknownKeyError(layer, unknown[0], written[unknown[0]], accepted)
    return config
