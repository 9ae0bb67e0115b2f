"""Reading engine properties the way the analyzer hands them over.

Values come as the engine sends them: camelCase keys, whole numbers as doubles, unknowns as sentinel
strings during preview, secrets possibly still wrapped. Every policy reads through `value()` so an
unknown becomes pulumi_policy's `UnknownValueError` (reported as "can't run during preview", never a
false violation) whether the props are the servicer's proxy or a plain dict in a test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import proxy
from pulumi_policy.proxy import UnknownValueError

from shared.wire import SECRET_SIGNATURE_KEY

# Every sentinel the engine uses for "known only after deployment" (string, number, bool, ...).
UNKNOWN_SENTINELS = frozenset(
    getattr(proxy, name)
    for name in dir(proxy)
    if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
)

__all__ = [
    "UnknownValueError",
    "flag",
    "is_unknown",
    "items",
    "number",
    "present",
    "text",
    "value",
]


def is_unknown(raw: Any) -> bool:
    return isinstance(raw, str) and raw in UNKNOWN_SENTINELS


def _unwrap(raw: Any) -> Any:
    if isinstance(raw, Mapping) and SECRET_SIGNATURE_KEY in raw:
        return raw.get("value")
    return raw


def value(props: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted camelCase path (`versioningConfiguration.status`), None when absent."""
    current: Any = props
    walked: list[str] = []
    for key in path.split("."):
        walked.append(key)
        current = _unwrap(current)
        if not isinstance(current, Mapping):
            return None
        current = _unwrap(current.get(key))  # the servicer's proxy raises here for unknowns
        if is_unknown(current):
            raise UnknownValueError(current, walked)
    return current


def flag(props: Mapping[str, Any] | None, path: str) -> bool | None:
    """A boolean property; the strings the engine may carry ("true") count as booleans."""
    raw = value(props, path)
    if isinstance(raw, str):
        return raw.strip().lower() == "true"
    return None if raw is None else bool(raw)


def number(props: Mapping[str, Any] | None, path: str) -> float | None:
    raw = value(props, path)
    if raw is None or isinstance(raw, bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def text(props: Mapping[str, Any] | None, path: str) -> str | None:
    raw = value(props, path)
    return None if raw is None else str(raw)


def items(props: Mapping[str, Any] | None, path: str) -> list[Any]:
    """A list property as a plain list of unwrapped elements; unknown elements raise."""
    raw = value(props, path)
    if raw is None or isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        return []
    out = []
    for index, wrapped in enumerate(raw):
        element = _unwrap(wrapped)
        if is_unknown(element):
            raise UnknownValueError(element, [*path.split("."), str(index)])
        out.append(element)
    return out


def present(props: Mapping[str, Any] | None, key: str) -> bool:
    """Whether a top-level property is set, without reading it (it may be unknown or a secret)."""
    if props is None or key not in list(props):  # iterating keys never trips the unknown proxy
        return False
    try:
        return _unwrap(props[key]) is not None
    except UnknownValueError:
        return True  # set to a value only known after deployment: set all the same
