"""Value parsers for config: each takes what a user wrote and returns a typed value or says why not.

A value arrives as the literal text from `Pulumi.<env>.yaml` (what the CLI hands a program) or as
YAML-native data (tests, the offline plan); every parser takes both. Errors are `Invalid`, which the
schema loader turns into a ConfigError naming layer and key.
"""

from __future__ import annotations

import difflib
import ipaddress
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from pulumi.errors import RunError
from pulumi.runtime.rpc import UNKNOWN

from shared.aws.accepted_values import CLOUDWATCH_RETENTION_DAYS, FARGATE_MEMORY
from shared.environment import NAMED_CLASSES, parse_environment

Parser = Callable[[Any], Any]

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}", re.ASCII)
# AWS tag values: letters (any script), digits, spaces and _ . : / = + - @.
_TAG_VALUE = re.compile(r"[\w .:/=+\-@]{1,256}")
_AZ = re.compile(r"[a-z]{2}(-[a-z]+)+-\d[a-z]", re.ASCII)
_RFC1918 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


UNDECRYPTED = UNKNOWN
"""The value of a `secure:` key whose plaintext is unknown offline (another secrets provider, or no
passphrase): set and secret, known only at deploy time, as the engine's unknown value is."""
MAX_SHOWN = 80  # characters of a value an error quotes; a longer one is cut and its length said


def is_undecrypted(value: object) -> bool:
    return isinstance(value, str) and value == UNDECRYPTED


def shown(value: object) -> str:
    """A value as an error quotes it: never all of a large one."""
    if value is None:
        return "(not set)"
    if is_undecrypted(value):
        return "(a secret not decrypted offline)"
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[: MAX_SHOWN - 20]}... ({len(str(value)):,} characters)"


class ConfigError(ValueError, RunError):
    """A config value a user wrote that cannot work; the message names layer, key, value and fix.

    A RunError too: the Pulumi CLI then prints the message alone, without a Python traceback.
    """

    def __init__(self, layer: str, key: str, value: object, accepted: str) -> None:
        self.layer, self.key, self.value, self.accepted = layer, key, value, accepted
        super().__init__(f"{layer}:{key} = {shown(value)} is invalid: {accepted}")


class UnknownKeyError(ConfigError):
    """A key this layer does not read (usually a typo); `known_keys` lists what it does read."""

    def __init__(self, layer: str, key: str, value: object, known_keys: tuple[str, ...]) -> None:
        self.known_keys = known_keys
        close = difflib.get_close_matches(key, known_keys, n=1, cutoff=0.6)
        hint = f"did you mean {layer}:{close[0]}? " if close else ""
        known = ", ".join(f"{layer}:{k}" for k in known_keys)
        super().__init__(layer, key, value, f"unknown key; {hint}known keys: {known}")


class Invalid(Exception):
    """Raised by a parser; the loader turns it into a ConfigError that names the layer and key."""


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("must be a string")
    return str(value).strip()


def whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid(f"must be a whole number from {low} to {high}")
        written = str(value).strip()
        # int() alone would also take "1_000" and non-ASCII digits; config should be plain digits.
        if not _WHOLE_NUMBER.fullmatch(written):
            raise Invalid(f"must be a whole number from {low} to {high}")
        number = int(written)
        if not low <= number <= high:
            raise Invalid(f"must be a whole number from {low} to {high}")
        return number

    return parse


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    written = str(value).strip().lower()
    if written in ("true", "false"):
        return written == "true"
    raise Invalid("must be true or false")


def string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        if not value.strip():
            return ()
        try:
            value = json.loads(value) if value.strip().startswith("[") else value.split(",")
        except json.JSONDecodeError:
            raise Invalid("must be a list of strings") from None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Invalid("must be a list of strings")
    if not all(v.strip() for v in value):
        raise Invalid("must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        written = text(value)
        if written not in choices:
            raise Invalid(f"must be one of: {', '.join(choices)}")
        return written

    return parse


def one_of_numbers(choices: tuple[int, ...]) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = whole_number(min(choices), max(choices))(value)
        if number not in choices:
            raise Invalid(f"must be one of: {', '.join(map(str, choices))}")
        return number

    return parse


def matching(pattern: str, what: str) -> Callable[[Any], str]:
    compiled = re.compile(pattern, re.ASCII)

    def parse(value: Any) -> str:
        written = text(value)
        if not compiled.fullmatch(written):
            raise Invalid(f"must be {what}")
        return written

    return parse


def log_retention(value: Any) -> int:
    days = whole_number(1, 3653)(value)
    if days not in CLOUDWATCH_RETENTION_DAYS:
        raise Invalid(
            "must be a CloudWatch Logs retention: " + ", ".join(map(str, CLOUDWATCH_RETENTION_DAYS))
        )
    return days


def private_cidr(value: Any) -> ipaddress.IPv4Network:
    accepted = "must be a private RFC 1918 IPv4 range from /16 to /24, e.g. 10.10.0.0/16"
    try:
        network = ipaddress.IPv4Network(text(value), strict=True)
    except ValueError:
        raise Invalid(accepted) from None
    if not any(network.subnet_of(block) for block in _RFC1918) or not 16 <= network.prefixlen <= 24:
        raise Invalid(accepted)
    return network


def availability_zones(value: Any) -> tuple[str, ...]:
    zones = string_list(value)
    if len(set(zones)) != len(zones):
        raise Invalid("must not list a zone twice")
    if zones and not 2 <= len(zones) <= 6:
        raise Invalid("must list 2 to 6 availability zones")
    for zone in zones:
        if not _AZ.fullmatch(zone):
            raise Invalid(f"{zone!r} is not an availability zone name such as us-east-1a")
    return zones


def environment_names(value: Any) -> tuple[str, ...]:
    names = string_list(value)
    if len(set(names)) != len(names):
        raise Invalid("must not list an environment twice")
    for name in names:
        try:
            parse_environment(name)
        except ValueError:
            raise Invalid(
                f"{name!r} is not a peerable environment: use {', '.join(NAMED_CLASSES)} or "
                "pr-<number>"
            ) from None
    return names


def tag_value(value: Any) -> str:
    # Owner and cost centre become tag values: check them here, where the message names the key.
    written = text(value)
    if not _TAG_VALUE.fullmatch(written):
        raise Invalid("must be a tag value: 1-256 letters, digits, spaces and _ . : / = + - @")
    return written


def url_path(value: Any) -> str:
    written = text(value)
    if not written.startswith("/") or len(written) > 1024 or any(c.isspace() for c in written):
        raise Invalid("must be an absolute URL path such as /health (no spaces, <=1024 chars)")
    return written


def fargate_memory_hint(cpu: int) -> str:
    """The memory sizes Fargate accepts with `cpu`, said briefly."""
    allowed = FARGATE_MEMORY[cpu]
    steps = {b - a for a, b in itertools.pairwise(allowed)}
    if len(allowed) > 3 and len(steps) == 1:
        return f"{allowed[0]}-{allowed[-1]} MiB in steps of {steps.pop()}"
    return f"one of {', '.join(map(str, allowed))} MiB"
