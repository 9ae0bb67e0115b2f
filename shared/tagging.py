"""The standard tag set every resource carries, applied explicitly.

Stack transforms do not run under Pulumi's mocks, so tags passed by hand are the only ones the
offline plan and the tests can see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shared.layers import PRODUCT

STANDARD_TAG_KEYS: tuple[str, ...] = ("Project", "Environment", "Layer", "ManagedBy")
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


class TagError(ValueError):
    """A tag AWS would reject; the message lists every problem."""


# What every tagging service accepts: letters (any script), digits, spaces and _ . : / = + - @.
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")


def tag_problems(key: str, value: str) -> list[str]:
    """Why AWS would reject this tag; empty when it is fine."""
    found = []
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        found.append(f"tag key {key[:40]!r} must be 1-{MAX_KEY_LENGTH} characters")
    if len(value) > MAX_VALUE_LENGTH:
        found.append(f"tag {key!r} value must be at most {MAX_VALUE_LENGTH} characters")
    for what, text in (("key", key), ("value", value)):
        if not _TAG_TEXT.fullmatch(text):
            bad = "".join(sorted({c for c in text if not _TAG_TEXT.fullmatch(c)}))
            found.append(
                f"tag {what} {text[:40]!r} may not contain {bad!r} (allowed: letters, digits, "
                "spaces and _ . : / = + - @)"
            )
    if key.lower().startswith("aws:"):
        found.append(f"tag key {key!r} may not start with 'aws:' (reserved by AWS)")
    return found


def validate_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The tags as a dict, or one TagError listing every problem."""
    problems = [p for key, value in tags.items() for p in tag_problems(key, value)]
    if problems:
        raise TagError("; ".join(problems))
    return dict(tags)


def standard_tags(
    *,
    environment: str,
    layer: str,
    owner: str | None = None,
    cost_center: str | None = None,
    project: str = PRODUCT,
) -> dict[str, str]:
    """Project, Environment, Layer and ManagedBy=pulumi, plus Owner and CostCenter when given."""
    tags = {"Project": project, "Environment": environment, "Layer": layer, "ManagedBy": "pulumi"}
    if owner:
        tags["Owner"] = owner
    if cost_center:
        tags["CostCenter"] = cost_center
    return validate_tags(tags)


def with_name(tags: Mapping[str, str], name: str) -> dict[str, str]:
    """The tags plus a `Name` tag (what the console shows for VPCs, subnets and friends)."""
    return validate_tags({**tags, "Name": name})
