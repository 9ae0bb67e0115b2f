"""Converters the service modules' translations share: pure functions of a plain value.

Values arrive plain (`shared.aws.cloudformation.plain`): secrets unwrapped, whole numbers as ints,
a value unknown during preview as `UNKNOWN_REF`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from shared.aws.types._model import Convert
from shared.wire import SECRET_SIGNATURE_KEY, UNKNOWN_SENTINELS

UNKNOWN_PARAMETER = "PulumiUnknown"
UNKNOWN_REF: Mapping[str, str] = {"Ref": UNKNOWN_PARAMETER}


def pascal(key: str) -> str:
    return key[:1].upper() + key[1:]


def pascal_keys(raw: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Keys PascalCased recursively; under a key in `keep` (free-form maps) keys stay as they are."""
    if isinstance(raw, Mapping):
        if raw == UNKNOWN_REF:
            return raw
        return {pascal(k): (v if k in keep else pascal_keys(v, keep)) for k, v in raw.items()}
    if isinstance(raw, list):
        return [pascal_keys(v, keep) for v in raw]
    return raw


def document(raw: Any) -> Any:
    """An IAM/JSON document: CloudFormation wants the object, Pulumi carries a string."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def tags(raw: Any) -> Any:
    if isinstance(raw, Mapping) and raw != UNKNOWN_REF:
        return [{"Key": k, "Value": v} for k, v in raw.items()]
    return raw


def to(name: str, convert: Callable[[Any], Any] = lambda v: v) -> Convert:
    """The value, converted, under another CloudFormation name."""
    return lambda value: {name: convert(value)}


def attr(value: Any) -> Any:
    """A value as an attribute list's string (`"true"`, `"60"`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, Mapping) else str(value)


def attribute(key: str, container: str) -> Convert:
    """A Pulumi property that CloudFormation carries as one `{Key, Value}` of a list."""
    return lambda value: {container: [{"Key": key, "Value": attr(value)}]}


def number(raw: Any) -> Any:
    """A number Pulumi carries as a string (CloudFormation wants the number)."""
    if not isinstance(raw, str):
        return raw
    try:
        parsed = float(raw)
    except ValueError:
        return raw
    return int(parsed) if parsed.is_integer() else parsed


APPLY_DROP = "a Pulumi update option; CloudFormation has no counterpart"
DELETE_DROP = "a Pulumi delete option; CloudFormation has no counterpart"


def plain(raw: Any) -> Any:
    """Secrets unwrapped, unknowns as `UNKNOWN_REF`, whole doubles as ints, recursively."""
    if isinstance(raw, Mapping):
        if SECRET_SIGNATURE_KEY in raw:
            return plain(raw.get("value"))
        return {str(k): plain(v) for k, v in raw.items()}
    if isinstance(raw, list | tuple):
        return [plain(v) for v in raw]
    if isinstance(raw, str) and raw in UNKNOWN_SENTINELS:
        return dict(UNKNOWN_REF)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw
