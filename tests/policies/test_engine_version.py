"""aws-rds-engine-version-current on the data layer's real output."""

from __future__ import annotations

import functools

import pytest

from policies.engine_version import check_engine_version
from tests.policies.conftest import context
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
