"""Physical names: every name property shared.naming has a rule for must be one AWS accepts.

One source of truth: the rules are shared.naming.NAME_RULES, the same the stacks' Namer obeys, and
which property of which type has which kind is the resource type table's (shared.aws.types).
Only a house convention is dropped here: our log groups start with "/", AWS does not require it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any

from policies.props import text
from policies.spec import Context, Rule
from shared.aws.types import TYPES
from shared.name_rule import NameRule
from shared.naming import rule_for

# (type token, camelCase property) -> shared.naming kind, from the resource type table.
NAME_PROPERTIES: Mapping[tuple[str, str], str] = {
    (token, key): kind for token, entry in TYPES.items() for key, kind in entry.name_kinds().items()
}
HOUSE_PREFIXES = frozenset({"log-group"})  # kinds whose rule.prefix is our convention, not AWS's


@cache
def aws_rule(kind: str) -> NameRule:
    rule = rule_for(kind)
    return dataclasses.replace(rule, prefix="") if kind in HOUSE_PREFIXES else rule


def check_names(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    found: list[str] = []
    for (token, key), kind in NAME_PROPERTIES.items():
        if token != type_:
            continue
        name = text(props, key)
        if name is None:
            continue  # not set: the provider autonames it from a valid prefix
        # Policies receive secrets in plaintext, unmarked: the message states the rule broken and
        # nothing derived from the name (its characters, its length), which may be a secret.
        found.extend(f"{key}: {problem}" for problem in aws_rule(kind).problems(name, reveal=False))
    return found


_READS: dict[str, tuple[str, ...]] = {}
for _token, _key in NAME_PROPERTIES:
    _READS[_token] = (*_READS.get(_token, ()), _key)

RULES = (
    Rule(
        name="aws-names-compliant",
        description="Physical resource names must satisfy AWS's naming rules (shared.naming).",
        severity="high",
        remediation=(
            "Build names with shared.naming.Namer, or fix the name so it meets the rule in the "
            "message (docs/reference.md, Naming)."
        ),
        reads=_READS,
        check_resource=check_names,
    ),
)
