"""The stack's resources as the translation takes them: plain values, no policy SDK proxies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policies.props import UnknownValueError
from policies.spec import StackResource
from shared.aws.cloudformation import Planned


def _item(container: Any, key: Any) -> Any:
    """One element; pulumi_policy's proxy raises for an unknown one instead of returning it."""
    try:
        return container[key]
    except UnknownValueError as error:
        return error.unknown_type_sentinel


def plain(raw: Any) -> Any:
    """The policy SDK's read-only proxies as dicts and lists, unknowns as the engine's sentinels."""
    if isinstance(raw, Mapping):
        return {str(k): plain(_item(raw, k)) for k in list(raw)}
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        return [plain(_item(raw, i)) for i in range(len(raw))]
    return raw


def planned(resources: Iterable[StackResource]) -> list[Planned]:
    return [
        Planned(r.type, r.urn, r.name, plain(r.props), r.dependencies, r.property_dependencies)
        for r in resources
    ]
