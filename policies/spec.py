"""What a policy is, independent of pulumi_policy: a name, prose, what it reads, a pure check.

`policies.pack` turns these into pulumi_policy objects; tests call the checks directly with raw
props. `reads` is machine-readable on purpose: a test proves every (type token, camelCase property)
exists in the pulumi-aws SDK, so no policy can silently never fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.environment import Environment

Severity = Literal["low", "medium", "high", "critical"]
Level = Literal["advisory", "mandatory", "remediate", "disabled"]


@dataclass(frozen=True)
class Context:
    """What a check knows besides the resource: the stack's environment, region and policy config."""

    environment: Environment
    region: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    layer: str | None = None  # the Pulumi project, i.e. our layer name
    default_tags: Mapping[str, str] = field(default_factory=dict)  # the provider's defaultTags


@dataclass(frozen=True)
class StackResource:
    """One resource as a stack policy sees it: type, URN, props and the URNs it depends on."""

    type: str
    urn: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    name: str = ""
    # Per property, the URNs its value came from: which bucket a `bucket` input names, say.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# (type token, props, context) -> violation messages
ResourceCheck = Callable[[str, Mapping[str, Any], Context], list[str]]
# (resources, context) -> (urn, message) violations
StackCheck = Callable[[Sequence[StackResource], Context], list[tuple[str, str]]]
# (type token, props, context) -> the props with the fix applied, or None when nothing to fix
ResourceFix = Callable[[str, Mapping[str, Any], Context], dict[str, Any] | None]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    severity: Severity
    remediation: str
    reads: Mapping[str, tuple[str, ...]]  # type token -> camelCase property paths ("a.b", "l[].k")
    check_resource: ResourceCheck | None = None
    check_stack: StackCheck | None = None
    fix: ResourceFix | None = None
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The level in every environment class whose `config/<class>.json` does not deviate from it.
    default_level: Level = "mandatory"

    def __post_init__(self) -> None:
        if (self.check_resource is None) == (self.check_stack is None):
            raise ValueError(f"{self.name}: give exactly one of check_resource or check_stack")

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.reads)

    def check(self, type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
        """Run a resource rule on one resource; other types are not this rule's business."""
        assert self.check_resource is not None, f"{self.name} is a stack rule"
        if type_ not in self.reads:
            return []
        return self.check_resource(type_, props, context)

    def check_all(
        self, resources: Sequence[StackResource], context: Context
    ) -> list[tuple[str, str]]:
        assert self.check_stack is not None, f"{self.name} is a resource rule"
        return self.check_stack(resources, context)
