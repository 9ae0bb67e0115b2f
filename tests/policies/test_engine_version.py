"""aws-rds-engine-version-current on the data layer's real output."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from policies import engine_version
from policies.engine_version import CLUSTER, check_engine_version
from policies.props import UnknownValueError
from policies.spec import ResourceCheck
from tests.policies.conftest import BAD_ARGS, GOOD_ARGS, UNKNOWN, Ctx, bad, context, good, secret
from tooling.offline import LayerResult, plan

ENGINE_TYPES = ("aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance")


@functools.cache
def data_layer(version: str | None) -> LayerResult:
    overrides = {"data": {"data:engineVersion": version}} if version else None
    return plan("prod", layers=["data"], pack_dir=None, config_overrides=overrides).layers["data"]


def messages(layer: LayerResult, version: str | None = None) -> list[str]:
    """The rule on the layer's real resources; `version` written over their engineVersion (what a
    program that skipped the config check would plan: config refuses these versions first)."""
    edit = {"engineVersion": version} if version else {}
    return [
        message
        for resource in layer.resources
        if resource.type in ENGINE_TYPES
        for message in check_engine_version(
            resource.type, {**resource.inputs, **edit}, context("prod")
        )
    ]


@pytest.mark.parametrize("version", ["16.4", "16", "11.9"])
def test_a_deprecated_engine_version_is_refused(version: str) -> None:
    found = messages(data_layer(None), version)
    assert found and all(f"engineVersion {version}:" in m for m in found), found
    assert all("use " in m for m in found)


def test_a_current_version_passes() -> None:
    assert messages(data_layer("16.8")) == []
    assert messages(data_layer(None)) == []  # the default


# --- Each condition on plain props: good and bad calls ------------------------------------------

SOURCE = "(AWS data via cfn-lint)"
DEPRECATED = [
    ("16.4", f"aurora-postgresql 16.4 is deprecated for new clusters {SOURCE}", "16.15"),
    ("16", f"aurora-postgresql 16 is deprecated for new clusters {SOURCE}", "16.15"),
    (
        "11.9",
        "aurora-postgresql 11.9 is older than the deprecated 11.20 (AWS retires minors oldest "
        "first; AWS data via cfn-lint)",
        "11.21",
    ),
    ("9.6.22", f"aurora-postgresql 9.6.22 is deprecated for new clusters {SOURCE}", "18.6"),
]

GOOD = [
    # A current, missing or unjudged version passes.
    good(check_engine_version, CLUSTER, props)
    for props in (
        {"engine": "aurora-postgresql", "engineVersion": "16.8"},
        {"engine": "aurora-postgresql"},
        {"engine": "aurora-postgresql", "engineVersion": ""},
        {"engineVersion": "16.4"},
        {"engine": "", "engineVersion": "16.4"},
        {"engine": "oracle-ee", "engineVersion": "16.4"},
    )
]

BAD = [
    # A deprecated version is refused naming a current one, also when it is a secret.
    bad(
        check_engine_version,
        CLUSTER,
        {"engine": "aurora-postgresql", "engineVersion": written},
        [f"engineVersion {version}: {why}; use {use} or newer"],
    )
    for version, why, use in DEPRECATED
    for written in (version, secret(version))
]


@pytest.mark.parametrize(GOOD_ARGS, GOOD)
def test_good(check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx) -> None:
    assert check(type_, props, ctx()) == []


@pytest.mark.parametrize(BAD_ARGS, BAD)
def test_bad(
    check: ResourceCheck, type_: str, props: dict[str, Any], ctx: Ctx, expected: list[str]
) -> None:
    assert check(type_, props, ctx()) == expected


def test_without_a_current_version_the_message_suggests_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_version, "current_default", lambda engine, major=None: None)
    why = f"aurora-postgresql 16.4 is deprecated for new clusters {SOURCE}"
    props = {"engine": "aurora-postgresql", "engineVersion": "16.4"}
    assert check_engine_version(CLUSTER, props, context("prod")) == [f"engineVersion 16.4: {why}"]


def test_an_unknown_version_cannot_be_judged_during_preview() -> None:
    props = {"engine": "aurora-postgresql", "engineVersion": UNKNOWN}
    with pytest.raises(UnknownValueError):
        check_engine_version(CLUSTER, props, context("prod"))
