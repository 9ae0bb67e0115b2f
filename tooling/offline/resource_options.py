"""Resource options as the engine keeps them, from a RegisterResource request or a stack export.

The engine hands a policy pack `AnalyzerResourceOptions` (pulumi/pulumi `proto/pulumi/analyzer.proto`):
protect, ignoreChanges, deleteBeforeReplace, additionalSecretOutputs, aliases as URNs, customTimeouts
in seconds and parent. Custom timeouts arrive as Go duration strings and are kept in seconds, as
`pkg/resource/deploy/source_eval.go` generateTimeoutInSeconds does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TIMEOUT_KEYS = ("create", "update", "delete", "read")
# Go's time.ParseDuration units, in seconds (source_eval.go generateTimeoutInSeconds).
_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class CustomTimeoutError(ValueError):
    """A custom timeout the engine could not parse (`unable to parse customTimeout Value ...`)."""


def duration_seconds(text: str) -> float:
    """Go's `time.ParseDuration(text).Seconds()`; "" is no timeout (0)."""
    if not text:
        return 0.0
    body, sign = text, 1.0
    if body[0] in "+-":
        sign, body = (-1.0 if body[0] == "-" else 1.0), body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise CustomTimeoutError(f"unable to parse customTimeout Value {text}")
    position, total = 0, 0.0
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            raise CustomTimeoutError(f"unable to parse customTimeout Value {text}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return sign * total


def custom_timeouts(request_timeouts: Any) -> dict[str, float]:
    """A RegisterResourceRequest's customTimeouts (duration strings) in seconds; empty when unset."""
    if request_timeouts is None:
        return {}
    seconds = {key: duration_seconds(getattr(request_timeouts, key, "")) for key in TIMEOUT_KEYS}
    return {key: value for key, value in seconds.items() if value}


def export_timeouts(value: Any) -> Mapping[str, float]:
    """A stack export's `customTimeouts` (`apitype.ResourceV3`: seconds per operation)."""
    if not isinstance(value, Mapping):
        return {}
    return {
        key: float(value[key])
        for key in TIMEOUT_KEYS
        if isinstance(value.get(key), int | float) and not isinstance(value.get(key), bool)
    }
