"""Secret values never leave this process in plaintext: masked in reports, files and messages.

A secret travels as the engine's wrapper `{"4dabf1...": "1b4706...", "value": <plaintext>}`
(pulumi/pulumi `sdk/go/common/resource/sig/sig.go`), which policies receive as the CLI
sends it. Anything shown to people or written to disk goes through `redact`; free text that may echo
a value (policy messages) goes through `scrub`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.wire import SECRET_SIGNATURE as SECRET_SIG
from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY

SHOWN = "[secret]"
# Shorter strings inside a secret ("true", "tcp", "80") are too common to hunt for in free text.
MIN_SCRUBBED_LENGTH = 4


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def wrap(value: Any) -> dict[str, Any]:
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def redact(value: Any) -> Any:
    """A copy with every secret wrapper replaced by `[secret]`."""
    if is_secret(value):
        return SHOWN
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def secret_texts(value: Any, *, inside: bool = False) -> set[str]:
    """Every string a secret holds (the plaintext and the strings within it)."""
    if is_secret(value):
        return secret_texts(value.get("value"), inside=True)
    found: set[str] = set()
    if isinstance(value, Mapping):
        for item in value.values():
            found |= secret_texts(item, inside=inside)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= secret_texts(item, inside=inside)
    elif inside and value is not None and not isinstance(value, bool):
        text = str(value)
        if len(text) >= MIN_SCRUBBED_LENGTH:
            found.add(text)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret string in it replaced by `[secret]` (longest first)."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, SHOWN)
    return text
