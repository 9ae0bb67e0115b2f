"""Every rule of the pack, found by scanning the package: a new policy is its module (with a
`RULES` tuple) and its test, and nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from policies.spec import Rule

# Modules that assemble or support the pack rather than hold rules.
_NOT_RULES = frozenset({"catalog", "pack", "props", "sdk", "spec"})


def discover() -> tuple[Rule, ...]:
    """The RULES of every rule module, by module name; a duplicate policy name is a bug."""
    found: list[Rule] = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in _NOT_RULES or module.ispkg:
            continue
        rules = getattr(importlib.import_module(f"policies.{module.name}"), "RULES", ())
        found.extend(rule for rule in rules if isinstance(rule, Rule))
    names = [rule.name for rule in found]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RuntimeError(f"bug: policy names defined twice: {', '.join(duplicates)}")
    return tuple(found)


RULES: tuple[Rule, ...] = discover()
