"""The resource type table: one entry per Pulumi AWS type the programs create, keyed by its token.

Each module of this package is one AWS service (named as in the token, `aws:<service>/...`) and
holds a `TYPES` tuple of `ResourceType` entries; the package assembles them, so a new type is one
entry (in a new service: one new module) and nothing else. Every other per-type table is derived
from this one: the naming kinds (`shared.naming`, the pack's naming policy), the CloudFormation
types (`shared.aws.registry`) and translations (`shared.aws.cloudformation`), the offline mocks'
shapes, the change guard's texts, the access check's `PART_OF` and the table in
docs/aws-rules.md (`python -m tooling.docs`).

A new type's translation reads its SDK inputs from `shared/aws/data/cfn_inputs.json`:
regenerate it with `python -m policies.cfn.inputs` (a test says when it is stale).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping

from shared.aws.types._model import (
    ID_ONLY,
    Convert,
    Extra,
    ResourceType,
    Shape,
    ShapeValues,
    Translation,
    module_for,
)

__all__ = [
    "ID_ONLY",
    "TYPES",
    "Convert",
    "Extra",
    "ResourceType",
    "Shape",
    "ShapeValues",
    "Translation",
    "UnknownResourceTypeError",
    "assemble",
    "module_for",
    "resource_type",
]


class UnknownResourceTypeError(LookupError):
    """A program created an AWS type the table has no entry for."""


def assemble(entries: Iterable[ResourceType]) -> dict[str, ResourceType]:
    """The table, by token; a token listed twice is a bug."""
    table: dict[str, ResourceType] = {}
    for entry in entries:
        if entry.token in table:
            raise RuntimeError(f"bug: {entry.token} has two entries in shared/aws/types")
        table[entry.token] = entry
    return dict(sorted(table.items()))


def _modules() -> Iterable[ResourceType]:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            yield from importlib.import_module(f"{__name__}.{module.name}").TYPES


TYPES: Mapping[str, ResourceType] = assemble(_modules())


def resource_type(token: str) -> ResourceType:
    """The entry for `token`, or an error naming the file to add it to."""
    try:
        return TYPES[token]
    except KeyError:
        raise UnknownResourceTypeError(
            f"{token} is not in the resource type table: add a ResourceType entry for it to "
            f"{module_for(token)} (its naming kind, CloudFormation type and translation, mock "
            "shape and docs summary; docs/extending.md, 'A resource type')"
        ) from None
