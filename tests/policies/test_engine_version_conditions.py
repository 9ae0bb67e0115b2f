"""aws-rds-engine-version-current's message, by plain calls on AWS's vendored data."""

from __future__ import annotations

from typing import Any

import pytest

from policies import engine_version
from policies.engine_version import CLUSTER, check_engine_version
from tests.policies.conftest import UNKNOWN, context, secret

SOURCE = "(AWS data via cfn-lint)"


def check(props: dict[str, Any]) -> list[str]:
    return check_engine_version(CLUSTER, props, context("prod"))


@pytest.mark.parametrize(
    ("version", "why", "use"),
    [
        ("16.4", f"aurora-postgresql 16.4 is deprecated for new clusters {SOURCE}", "16.15"),
        ("16", f"aurora-postgresql 16 is deprecated for new clusters {SOURCE}", "16.15"),
        (
            "11.9",
            "aurora-postgresql 11.9 is older than the deprecated 11.20 (AWS retires minors oldest "
            "first; AWS data via cfn-lint)",
            "11.21",
        ),
        ("9.6.22", f"aurora-postgresql 9.6.22 is deprecated for new clusters {SOURCE}", "18.6"),
    ],
)
def test_a_deprecated_version_is_refused_naming_a_current_one(
    version: str, why: str, use: str
) -> None:
    props = {"engine": "aurora-postgresql", "engineVersion": version}
    assert check(props) == [f"engineVersion {version}: {why}; use {use} or newer"]
    secret_version = {"engine": "aurora-postgresql", "engineVersion": secret(version)}
    assert check(secret_version) == [f"engineVersion {version}: {why}; use {use} or newer"]


def test_without_a_current_version_the_message_suggests_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_version, "current_default", lambda engine, major=None: None)
    why = f"aurora-postgresql 16.4 is deprecated for new clusters {SOURCE}"
    assert check({"engine": "aurora-postgresql", "engineVersion": "16.4"}) == [
        f"engineVersion 16.4: {why}"
    ]


@pytest.mark.parametrize(
    "props",
    [
        {"engine": "aurora-postgresql", "engineVersion": "16.8"},
        {"engine": "aurora-postgresql"},
        {"engine": "aurora-postgresql", "engineVersion": ""},
        {"engineVersion": "16.4"},
        {"engine": "", "engineVersion": "16.4"},
        {"engine": "oracle-ee", "engineVersion": "16.4"},
    ],
)
def test_a_current_missing_or_unjudged_version_passes(props: dict[str, Any]) -> None:
    assert check(props) == []


def test_an_unknown_version_cannot_be_judged_during_preview() -> None:
    from policies.props import UnknownValueError

    with pytest.raises(UnknownValueError):
        check({"engine": "aurora-postgresql", "engineVersion": UNKNOWN})
