"""The orderable-class verdict pinned branch by branch, and its regeneration from cfn-lint."""

from pathlib import Path

import pytest

from shared.aws import instance_classes
from shared.aws.instance_classes import Verdict, extract, verdict

PG = "aurora-postgresql"


def test_the_regions_data_answers_first() -> None:
    assert verdict(PG, "db.r6g.large", "us-east-1") == Verdict(
        True, "aurora-postgresql offers db.r6g.large in us-east-1"
    )
    burstable = sorted(
        c for c in instance_classes.vendored()[PG]["us-east-1"] if c.startswith("db.t")
    )
    assert "db.t3.medium" in burstable
    assert verdict(PG, "db.t3.small", "us-east-1") == Verdict(
        False,
        "aurora-postgresql does not support db.t3.small in us-east-1 (AWS orderable-class "
        f"data via cfn-lint; burstable classes there: {', '.join(burstable)})",
    )


def test_without_a_region_the_fallback_denies_the_listed_patterns() -> None:
    assert verdict(PG, "db.t3.small", None) == Verdict(
        False,
        "aurora-postgresql does not support db.t3.small (fallback rule, no region known: db.t3.small)",
    )
    assert verdict(PG, "db.t2.medium", "xx-nowhere-1") == Verdict(
        False,
        "aurora-postgresql does not support db.t2.medium "
        "(fallback rule, region xx-nowhere-1 not in the data: db.t2.*)",
    )
    # The "*" patterns apply to every engine, listed or not.
    assert verdict("aurora-mysql", "db.t3.micro", None).reason == (
        "aurora-mysql does not support db.t3.micro (fallback rule, no region known: db.t3.micro)"
    )
    assert verdict("aurora-new", "db.x9.micro", None).reason == (
        "aurora-new does not support db.x9.micro "
        "(fallback rule, engine 'aurora-new' not in the data: db.*.micro)"
    )


def test_the_fallback_takes_a_class_orderable_somewhere() -> None:
    assert verdict(PG, "db.r6g.large", None) == Verdict(
        True, "db.r6g.large is orderable for aurora-postgresql somewhere (no region known)"
    )
    # An unlisted engine may use any Aurora engine's classes.
    assert verdict("aurora-new", "db.r6g.large", None) == Verdict(
        True,
        "db.r6g.large is orderable for aurora-new somewhere (engine 'aurora-new' not in the data)",
    )
    assert verdict(PG, "db.x9.huge", None) == Verdict(
        False,
        "db.x9.huge is not an Aurora class for aurora-postgresql in any region AWS lists "
        "(fallback rule, no region known)",
    )


def test_extract_keeps_aurora_engines_sorted_and_merged() -> None:
    def branch(engine: object, classes: list[str]) -> dict[str, object]:
        return {
            "if": {"properties": {"Engine": {"const": engine}}},
            "then": {"properties": {"DBInstanceClass": {"enum": classes}}},
        }

    data = {
        "us-west-2": {
            "allOf": [branch("aurora-mysql", ["db.b", "db.a"]), branch("mysql", ["db.m"])]
        },
        "eu-west-1": {
            "allOf": [
                branch("aurora-mysql", ["db.c"]),
                branch("aurora-mysql", ["db.a"]),
                branch(None, ["db.n"]),
                {"if": {}},
            ]
        },
        "ap-south-1": {},
    }
    assert extract(data) == {
        "aurora-mysql": {"eu-west-1": ["db.a", "db.c"], "us-west-2": ["db.a", "db.b"]}
    }
    assert list(extract(data)["aurora-mysql"]) == ["eu-west-1", "us-west-2"]


def test_regeneration_writes_what_is_vendored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vendored = instance_classes.DATA_FILE.read_text()
    target = tmp_path / "aurora_instance_classes.json"
    monkeypatch.setattr(instance_classes, "DATA_FILE", target)
    assert instance_classes.main() == 0
    assert target.read_text() == vendored
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {target} from cfn-lint ") and out.endswith(
        f": cfnlint/{instance_classes.CFN_LINT_FILE}\n"
    )
    assert instance_classes.cfn_lint_source().name == "dbinstanceclass_enum.json"


def test_without_cfn_lint_regeneration_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SystemExit, match=r"cfn-lint is not installed: run `nox -s dev`"):
        instance_classes.cfn_lint_source()
