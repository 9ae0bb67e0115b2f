"""Discovery pinned: which modules count as rule modules, in what order, and duplicates refused."""

import importlib
import pkgutil
from types import SimpleNamespace
from typing import Any

import pytest

from policies import catalog
from policies.spec import Rule


def _rule(name: str) -> Rule:
    return Rule(
        name=name,
        description="d",
        severity="low",
        remediation="r",
        reads={},
        check_resource=lambda t, p, c: [],
    )


MODULES = {
    "policies.zeta": SimpleNamespace(RULES=(_rule("aws-z"),)),
    "policies.alpha": SimpleNamespace(RULES=(_rule("aws-a1"), "not a rule", _rule("aws-a2"))),
    "policies.norules": SimpleNamespace(),
    "policies._private": SimpleNamespace(RULES=(_rule("aws-private"),)),
    "policies.pack": SimpleNamespace(RULES=(_rule("aws-pack"),)),
    "policies.sub": SimpleNamespace(RULES=(_rule("aws-sub"),)),
}


def _fake(monkeypatch: pytest.MonkeyPatch, modules: dict[str, Any]) -> list[str]:
    infos = [
        pkgutil.ModuleInfo(None, name.split(".")[1], name == "policies.sub")  # type: ignore[arg-type]
        for name in modules
    ]
    imported: list[str] = []

    def import_module(name: str) -> Any:
        imported.append(name)
        return modules[name]

    monkeypatch.setattr(pkgutil, "iter_modules", lambda paths: iter(infos))
    monkeypatch.setattr(importlib, "import_module", import_module)
    return imported


def test_rule_modules_in_name_order_skipping_support_private_and_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imported = _fake(monkeypatch, MODULES)
    found = catalog.discover()
    assert [rule.name for rule in found] == ["aws-a1", "aws-a2", "aws-z"]
    assert imported == ["policies.alpha", "policies.norules", "policies.zeta"]


def test_a_policy_name_defined_twice_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = {
        "policies.one": SimpleNamespace(RULES=(_rule("aws-b"), _rule("aws-a"))),
        "policies.two": SimpleNamespace(RULES=(_rule("aws-a"), _rule("aws-b"), _rule("aws-c"))),
    }
    _fake(monkeypatch, modules)
    with pytest.raises(RuntimeError, match=r"^bug: policy names defined twice: aws-a, aws-b$"):
        catalog.discover()


def test_the_real_package_discovers_every_rule_module() -> None:
    # The scan of the real folder finds what the import-time RULES holds, none twice.
    assert catalog.discover() == catalog.RULES
    modules = {rule.check_resource or rule.check_stack for rule in catalog.RULES}
    assert {m.__module__ for m in modules if m is not None} >= {"policies.rds", "policies.s3"}
