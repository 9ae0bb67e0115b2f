"""The standard tag set every resource carries, applied explicitly.

Stack transforms do not run under Pulumi's mocks, so tags passed by hand are the only ones the
offline plan and the tests can see.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.layers import PRODUCT

STANDARD_TAG_KEYS: tuple[str, ...] = ("Project", "Environment", "Layer", "ManagedBy")
OPTIONAL_TAG_KEYS: tuple[str, ...] = ("Owner", "CostCenter")
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


class TagError(ValueError):
    pass


def tag_problems(key: str, value: str) -> list[str]:
    """Why AWS would reject this tag; empty when it is fine."""
    found = []
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        found.append(f"tag key {key[:40]!r} must be 1-{MAX_KEY_LENGTH} characters")
    if len(value) > MAX_VALUE_LENGTH:
        found.append(f"tag {key!r} value must be at most {MAX_VALUE_LENGTH} characters")
    if key.lower().startswith("aws:"):
        found.append(f"tag key {key!r} may not start with 'aws:' (reserved by AWS)")
    return found


def validate_tags(tags: Mapping[str, str]) -> dict[str, str]:
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
    tags = {"Project": project, "Environment": environment, "Layer": layer, "ManagedBy": "pulumi"}
    if owner:
        tags["Owner"] = owner
    if cost_center:
        tags["CostCenter"] = cost_center
    return validate_tags(tags)


def with_name(tags: Mapping[str, str], name: str) -> dict[str, str]:
    """The tags plus a `Name` tag (what the console shows for VPCs, subnets and friends)."""
    return validate_tags({**tags, "Name": name})
