"""Values that only stand in for real ones: refused where the class says so (`refuse_placeholders`).

RFC 2606 reserves `example.com`, `example.net`, `example.org` (and their subdomains) and the
top-level domains `.example`, `.test`, `.invalid` and `.localhost` for documentation and tests:
nobody can own them, so an alarm mailed there reaches no one and a certificate for them is never
issued. AWS's documentation marks its example identifiers with `EXAMPLE` (`Z0EXAMPLE...` hosted
zone ids, `AKIAIOSFODNN7EXAMPLE`); a real Route 53 zone id never spells it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TOP_LEVEL = ("example", "test", "invalid", "localhost")
_ZONE_ID = re.compile(r"Z[A-Z0-9]{1,31}")


def _reserved_domain(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    for domain in RESERVED_DOMAINS:
        if host == domain or host.endswith(f".{domain}"):
            return domain
    top = host.rsplit(".", 1)[-1]
    if "." in host and top in RESERVED_TOP_LEVEL:
        return f".{top}"
    return None


def placeholder(value: str) -> str | None:
    """Why `value` is a placeholder, or None for a value that may be real."""
    text = value.strip()
    if _ZONE_ID.fullmatch(text) and "EXAMPLE" in text:
        return f"{text} is an AWS documentation example zone id, not a hosted zone"
    local, at, host = text.rpartition("@")
    domain = _reserved_domain(host if at and local else text)
    if domain is None:
        return None
    what = "an e-mail address at" if at and local else "a domain under"
    return f"{what} {domain}, which RFC 2606 reserves for examples: no one can receive or own it"


def placeholders(value: Any) -> Iterator[str]:
    """The reason for each placeholder in a config value (strings, and inside lists and maps)."""
    if isinstance(value, str):
        reason = placeholder(value)
        if reason is not None:
            yield reason
    elif isinstance(value, dict):
        for item in value.values():
            yield from placeholders(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from placeholders(item)
