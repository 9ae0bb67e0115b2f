"""The class tables: profiles, config defaults and policy levels per class, in registry order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shared.environment import CLASSES, PROFILES, AlarmThresholds, EnvironmentClassInfo, Profile
from tooling import docs

TOY_CLASSES = {
    "live": EnvironmentClassInfo(PROFILES["prod"]),
    "pr": EnvironmentClassInfo(PROFILES["pr"], named=False),
}


def test_the_profiles_table_has_a_column_per_class_in_registry_order() -> None:
    lines = docs.profiles_table(TOY_CLASSES).splitlines()
    assert lines[:2] == ["| setting | live | pr |", "|---|---|---|"]
    assert "| `vpc_cidr` | 10.30.0.0/16 | from the PR number (below) |" in lines
    assert "| `final_snapshot` | yes | no |" in lines
    assert "| `alarms.alb_5xx_per_minute` | 5 | 50 |" in lines
    assert len(lines) == 2 + len(dataclasses.fields(Profile)) - 1 + len(
        dataclasses.fields(AlarmThresholds)
    )


def test_the_config_defaults_table_lists_each_layers_own_keys_with_each_classs_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(CLASSES, "live", TOY_CLASSES["live"])  # defaults read the class's profile
    lines = docs.config_defaults_table(TOY_CLASSES).splitlines()
    assert lines[0] == "| key | live | pr |"
    assert "| `network:vpcCidr` | 10.30.0.0/16 | from the PR number |" in lines
    assert "| `data:skipFinalSnapshot` | false | true |" in lines
    assert "| `app:domainName` | — | — |" in lines
    assert "| `network:availabilityZones` | [] | [] |" in lines
    assert not [line for line in lines if ":owner`" in line or ":environmentClass`" in line]


def test_the_policy_levels_table_shows_each_classs_deviations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from policies import pack
    from policies.catalog import RULES

    (tmp_path / "live.json").write_text('{"all": "advisory", "aws-tags-standard": "remediate"}')
    monkeypatch.setattr(pack, "CONFIG_DIR", tmp_path)
    lines = docs.policy_levels_table(TOY_CLASSES).splitlines()
    assert lines[0] == "| policy | live | pr |"
    assert len(lines) == 2 + len(RULES)
    assert "| `aws-tags-standard` | R | R |" in lines
    assert "| `aws-cfn-lint-errors` | A | M |" in lines
    assert "| `aws-pr-cost-guard` | A | — |" in lines  # `all` sets disabled policies too
