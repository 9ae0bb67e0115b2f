"""AWS's CloudFormation resource registry, as cfn-lint ships it, reached from Pulumi type tokens.

AWS publishes a schema per CloudFormation type (the CloudFormation registry); cfn-lint vendors them
(`cfnlint/data/schemas/resources/<hash>.json`, indexed per region in `providers/<region>.json`).
Each schema says which IAM actions AWS's own handler needs per operation
(`handlers.<create|read|update|delete|list>.permissions`), which property changes replace the
resource (`createOnlyProperties`, `conditionalCreateOnlyProperties`) and how it takes tags.
Refreshing cfn-lint (`uv lock --upgrade-package cfn-lint`) refreshes the data.

`CLOUDFORMATION_TYPES` says which CloudFormation type describes each Pulumi type the layers use
(derived from `shared.aws.types`); the translation to CloudFormation, the access check and the
change plan read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from shared.aws.types import TYPES

Operation = Literal["create", "read", "update", "delete", "list"]

# Which CloudFormation type describes each Pulumi type: from the resource type table.
CLOUDFORMATION_TYPES: Mapping[str, str] = {
    token: entry.cloudformation for token, entry in TYPES.items() if entry.cloudformation
}

# The registry is global, but each region's index lists the types available there; us-east-1 has
# every type the layers use, and a schema is the same file whichever region lists it.
_INDEX_REGION = "us-east-1"


def _schemas_dir() -> Any:
    return files("cfnlint") / "data" / "schemas"


@cache
def _index() -> Mapping[str, str]:
    index: dict[str, str] = json.loads(
        (_schemas_dir() / "providers" / f"{_INDEX_REGION}.json").read_text()
    )
    return index


@cache
def schema(cfn_type: str) -> Mapping[str, Any]:
    """The registry schema of one CloudFormation type; KeyError names a type AWS does not list."""
    try:
        digest = _index()[cfn_type]
    except KeyError:
        raise KeyError(f"{cfn_type} is not in the CloudFormation registry cfn-lint ships") from None
    document: dict[str, Any] = json.loads(
        (_schemas_dir() / "resources" / f"{digest}.json").read_text()
    )
    return document


def cloudformation_type(pulumi_type: str) -> str | None:
    """The CloudFormation type describing a Pulumi type, or None where the table has none."""
    return CLOUDFORMATION_TYPES.get(pulumi_type)


def handler_permissions(cfn_type: str, operation: Operation) -> tuple[str, ...]:
    """The IAM actions AWS's handler for `operation` needs (empty when the schema lists none)."""
    handler = schema(cfn_type).get("handlers", {}).get(operation, {})
    return tuple(handler.get("permissions", ()))


def _properties(pointers: list[str] | None) -> tuple[str, ...]:
    # "/properties/BucketName" -> "BucketName"; nested pointers keep their path after the prefix.
    return tuple(pointer.removeprefix("/properties/") for pointer in pointers or ())


def create_only_properties(cfn_type: str) -> tuple[str, ...]:
    """Properties whose change replaces the resource, as top-level or `/`-joined paths."""
    return _properties(schema(cfn_type).get("createOnlyProperties"))


def conditional_create_only_properties(cfn_type: str) -> tuple[str, ...]:
    """Properties whose change may replace the resource, depending on how it changes."""
    return _properties(schema(cfn_type).get("conditionalCreateOnlyProperties"))
