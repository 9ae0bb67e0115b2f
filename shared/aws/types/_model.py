"""The shape of one entry of the resource type table (`shared.aws.types`)."""

from __future__ import annotations

import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.name_rule import NameRule

Convert = Callable[[Any], dict[str, Any]]  # a Pulumi value -> CloudFormation properties


@dataclass(frozen=True)
class Translation:
    """How a Pulumi type's inputs become its CloudFormation type's properties.

    A property not in `fields` is PascalCased; one in `drops` is dropped with its reason, so a
    wrong name shows up as cfn-lint's E3002 instead of vanishing.
    """

    fields: Mapping[str, str | Convert] = field(default_factory=dict)
    drops: Mapping[str, str] = field(default_factory=dict)  # Pulumi property -> why dropped
    # A property the provider also fills in from its twin (state holds both, CloudFormation takes
    # one): dropped when the twin is present too.
    twins: Mapping[str, str] = field(default_factory=dict)
    tags: bool = True  # Pulumi `tags` map -> CloudFormation `Tags` [{Key, Value}]
    # A name CloudFormation requires that Pulumi auto-generates when absent: the resource's name
    # stands in for it (Pulumi's auto-name is that name plus a random suffix).
    autoname: str | None = None
    # Inputs cfn-lint must reject once translated (a negative control, run by the tests): proof
    # that this translation carries a value all the way to cfn-lint. `rejects_base` gives the
    # inputs to start from for a type no layer creates.
    rejects: Mapping[str, Any] = field(default_factory=dict)
    rejects_base: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ShapeValues:
    """What one resource's mock templates are filled with; all derived from a stable digest."""

    region: str
    account: str
    name: str  # the physical name: the `name`-like input, or logical name + suffix (autonaming)
    digest: bytes
    inputs: Mapping[str, Any]

    def hex(self, length: int) -> str:
        return self.digest.hex()[:length]

    def upper(self, length: int) -> str:
        alphabet = string.ascii_uppercase + string.digits
        return "".join(alphabet[b % len(alphabet)] for b in self.digest[:length])

    def digits(self, length: int) -> str:
        return "".join(str(b % 10) for b in self.digest[:length])

    @property
    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self.digest[:16], version=4))

    def values(self) -> dict[str, str]:
        return {
            "region": self.region,
            "account": self.account,
            "name": self.name,
            "hex8": self.hex(8),
            "hex16": self.hex(16),
            "hex17": self.hex(17),
            "upper16": self.upper(16),
            "upper26": self.upper(26),
            "digits10": self.digits(10),
            "uuid": self.uuid,
            "suffix6": self.hex(6),
            "topic": str(self.inputs.get("topic", "")),
            "cluster": str(self.inputs.get("cluster", "")).rsplit("/", 1)[-1],
        }


Extra = Callable[[ShapeValues, str], dict[str, Any]]  # (values, physical id) -> computed outputs


@dataclass(frozen=True)
class Shape:
    """How AWS shapes one resource type's computed outputs, for the offline mocks.

    `id` and `arn` are templates filled from `ShapeValues.values()` plus `{id}`/`{arn}`; an id of
    "{arn}" means AWS uses the ARN as the id.
    """

    id: str
    arn: str | None = None
    name_input: str = "name"  # the input carrying the physical name
    extra: Extra | None = None
    # Whether the provider fills `name_input` with `<logical name>-<suffix>` when the program
    # leaves it out (the change plan's create-before-delete rule reads it).
    autonamed: bool = True


# A type whose id is all a program reads: the logical name and a stable suffix.
ID_ONLY = Shape(id="{name}-{hex8}", autonamed=False)


@dataclass(frozen=True)
class ResourceType:
    """Everything the project knows about one Pulumi AWS type, in one place.

    - `summary`: its row in the docs table;
    - `names`: per name property, the `shared.naming` kind (by name) or a `NameRule` for a new kind;
    - `cloudformation`: its CloudFormation type, or None with `no_cloudformation` saying why;
      `folds_into`: a Pulumi type whose CloudFormation resource carries its properties (S3's v7
      configuration resources); `part_of`: without a type of its own, the CloudFormation type whose
      handler calls AWS for it (the access check reads the handler's permissions);
    - `translation`: how its inputs become CloudFormation properties;
    - `shape`: its mock id, ARN and computed outputs;
    - `holds_data`: what replacing or deleting it loses (the change guard's destructive check).
    """

    token: str
    summary: str
    shape: Shape
    names: Mapping[str, str | NameRule] = field(default_factory=dict)
    cloudformation: str | None = None
    no_cloudformation: str = ""
    folds_into: str | None = None
    part_of: str | None = None
    translation: Translation | None = None
    holds_data: str = ""

    def __post_init__(self) -> None:
        where = f"{self.token} ({module_for(self.token)})"
        if (self.cloudformation is None) == (not self.no_cloudformation):
            raise ValueError(f"{where}: give either cloudformation or no_cloudformation (why none)")
        if self.cloudformation is not None and self.translation is None:
            raise ValueError(f"{where}: a CloudFormation type needs a translation")
        if self.folds_into is not None and self.cloudformation is None:
            raise ValueError(f"{where}: folds_into needs the CloudFormation type it folds into")

    def name_kinds(self) -> dict[str, str]:
        """Name property -> kind name."""
        return {
            key: kind.kind if isinstance(kind, NameRule) else kind
            for key, kind in self.names.items()
        }


def module_for(token: str) -> str:
    """The file an entry for `token` belongs in: the module named after its service."""
    service = token.split(":", 2)[1].split("/", 1)[0] if token.count(":") >= 2 else "<service>"
    return f"shared/aws/types/{service}.py"
