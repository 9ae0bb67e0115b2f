"""The vendored engine-version data equals the installed cfn-lint's, and reads as AWS means it."""

from __future__ import annotations

import json

import pytest

from shared.aws import engine_versions
from shared.aws.engine_versions import current_default, is_deprecated, is_known


def test_vendored_file_equals_the_installed_cfn_lint_data() -> None:
    vendored = json.loads(engine_versions.DATA_FILE.read_text())
    assert vendored == engine_versions.fresh(), f"run `{engine_versions.REGENERATE}`"


@pytest.mark.parametrize("version", ["16.4", "16", "11.9", "11.20", "16.1"])
def test_deprecated_aurora_postgresql_versions_are_refused(version: str) -> None:
    assert is_deprecated("aurora-postgresql", version)


@pytest.mark.parametrize("version", ["16.8", "16.11", "16.15", "11.21"])
def test_current_aurora_postgresql_versions_are_accepted(version: str) -> None:
    assert is_known("aurora-postgresql", version)
    assert not is_deprecated("aurora-postgresql", version)


def test_current_default_is_a_known_version_that_is_not_deprecated() -> None:
    for major in (None, "16"):
        default = current_default("aurora-postgresql", major)
        assert default is not None
        assert is_known("aurora-postgresql", default)
        assert not is_deprecated("aurora-postgresql", default)
    assert (current_default("aurora-postgresql", "16") or "").startswith("16.")


def test_an_engine_the_data_does_not_know_is_not_judged() -> None:
    assert not is_deprecated("oracle-ee", "19")
    assert current_default("oracle-ee") is None
