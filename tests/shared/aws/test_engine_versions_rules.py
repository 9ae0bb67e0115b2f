"""How the engine-version data is read, on a small table where every branch has its case, and how
cfn-lint's documents are cut down to it."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.aws import engine_versions
from shared.aws.engine_versions import (
    current_default,
    deprecation,
    extract,
    is_deprecated,
    is_known,
)

TABLE = {
    "engines": {
        "pg": {
            "versions": [
                "9.6.1",
                "11.9",
                "11.10",
                "11.21",
                "11.22",
                "16.8",
                "16.15",
                "17.1",
                "18",
                "beta",
            ],
            "deprecated": ["9.6.2", "11.10", "11.9", "11.x", "16", "beta"],
        }
    }
}
SUFFIX = "(AWS retires minors oldest first; AWS data via cfn-lint)"


@pytest.fixture(autouse=True)
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = tmp_path / "engine_versions.json"
    path.write_text(json.dumps(TABLE))
    monkeypatch.setattr(engine_versions, "DATA_FILE", path)
    engine_versions._data.cache_clear()
    yield
    engine_versions._data.cache_clear()


@pytest.mark.parametrize("version", ["11.10", "11.9", "16", "beta"])
def test_a_listed_version_is_deprecated(version: str) -> None:
    assert (
        deprecation("pg", version)
        == f"pg {version} is deprecated for new clusters (AWS data via cfn-lint)"
    )
    assert is_deprecated("pg", version)


@pytest.mark.parametrize(
    ("version", "newest"),
    [("11.5", "11.10"), ("11.9.9", "11.10"), ("9.6.1", "9.6.2"), ("9.5", "9.6.2")],
)
def test_a_minor_older_than_a_deprecated_one_is_deprecated(version: str, newest: str) -> None:
    assert (
        deprecation("pg", version) == f"pg {version} is older than the deprecated {newest} {SUFFIX}"
    )


@pytest.mark.parametrize(
    "version", ["11.11", "11.10.1", "11.010", "11", "16.1", "17.0", "gamma", "11.5-beta"]
)
def test_newer_versions_majors_and_names_are_not_inferred(version: str) -> None:
    assert deprecation("pg", version) is None
    assert not is_deprecated("pg", version)


def test_an_engine_the_data_does_not_know_is_not_judged() -> None:
    assert deprecation("oracle", "1.0") is None
    assert current_default("oracle") is None
    assert current_default("oracle", "1") is None
    assert not is_known("oracle", "1.0")


def test_known_means_listed() -> None:
    assert is_known("pg", "16.8")
    assert is_known("pg", "11.10")  # listed, deprecated or not
    assert not is_known("pg", "16.9")


def test_the_current_default_is_the_newest_usable_minor_by_number() -> None:
    assert current_default("pg") == "17.1"  # "18" has no minor
    assert current_default("pg", "16") == "16.15"  # not "16.8", the newest as text
    assert current_default("pg", "11") == "11.22"
    assert current_default("pg", "9") is None  # 9.6.1 is older than the deprecated 9.6.2
    assert current_default("pg", "13") is None


def test_cfn_lint_s_documents_are_cut_down_to_versions_and_deprecated() -> None:
    def branch(engine: object, where: str, versions: object) -> dict[str, object]:
        condition = {"properties": {"Engine": {"const": engine}}}
        if where == "if":
            condition["properties"]["EngineVersion"] = {"enum": versions}
            return {"if": condition}
        return {"if": condition, where: {"properties": {"EngineVersion": {"enum": versions}}}}

    versions = {
        "allOf": [
            branch("pg", "then", ["16.8", 11.9]),
            branch(5, "then", ["1"]),
            branch("new", "then", ["2.0"]),
            branch("list", "then", "not a list"),
            {"if": {"properties": {"Engine": {"const": "bare"}}}, "then": None},
            {},
        ]
    }
    deprecated = {"allOf": [branch("pg", "if", ["11.9"]), branch("old", "if", ["1"])]}
    assert extract(versions, deprecated) == {
        "new": {"versions": ["2.0"], "deprecated": []},
        "old": {"versions": [], "deprecated": ["1"]},
        "pg": {"versions": ["11.9", "16.8"], "deprecated": ["11.9"]},
    }
    assert list(extract(versions, deprecated)) == ["new", "old", "pg"]
    assert extract({}, {}) == {}


def test_without_cfn_lint_regeneration_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SystemExit, match=r"^cfn-lint is not installed: run `nox -s dev`$"):
        engine_versions.cfn_lint_dir()


def test_cfn_lint_s_folder_holds_both_documents() -> None:
    folder = engine_versions.cfn_lint_dir()
    assert folder.parts[-5:] == ("cfnlint", "data", "schemas", "extensions", "aws_rds_dbcluster")
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("engine_version")) == [
        "engine_version.json",
        "engine_version_deprecated.json",
    ]


def test_regeneration_writes_what_is_vendored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vendored = (Path(engine_versions.__file__).parent / "data" / "engine_versions.json").read_text()
    target = tmp_path / "written.json"
    monkeypatch.setattr(engine_versions, "DATA_FILE", target)
    assert engine_versions.main() == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    assert target.read_text() == vendored, f"run `{engine_versions.REGENERATE}`"
