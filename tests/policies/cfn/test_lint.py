"""cfn-lint's wiring by plain calls: levels, the excluded rules, the region, the cache's place, key
and files, and the warm-up. Small templates only; the real plans are test_cloudformation.py's."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

import pytest

from policies.cfn import lint as cfn_lint
from policies.cfn.lint import Finding, level_of

BOGUS = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Bogus": 1}}}}
BOGUS_FINDING = Finding(
    "E3002",
    "error",
    "Additional properties are not allowed ('Bogus' was unexpected)",
    ("Resources", "Topic", "Properties", "Bogus"),
)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_PLATFORM_CACHE_DIR", str(tmp_path / "cache"))
    cfn_lint._cached.cache_clear()
    return tmp_path / "cache" / "cfn-lint" / version("cfn-lint")


@pytest.mark.parametrize(
    ("rule_id", "level"),
    [
        ("E3002", "error"),
        ("W3010", "warning"),
        ("I3011", "informational"),
        ("e3002", "informational"),
        ("", "informational"),
    ],
)
def test_the_rule_id_s_letter_is_the_level(rule_id: str, level: str) -> None:
    assert level_of(rule_id) == level


def test_cfn_lint_runs_in_the_region_without_the_excluded_rules() -> None:
    assert cfn_lint._config("eu-west-1") == {
        "regions": ["eu-west-1"],
        "ignore_checks": ["W1011", "W3010"],
    }
    assert cfn_lint.lint_template(BOGUS, "us-east-1") == (BOGUS_FINDING,)


def test_the_region_decides_what_exists() -> None:
    instance = {
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBInstanceClass": "db.r7i.large",
                    "Engine": "aurora-postgresql",
                    "DBClusterIdentifier": "c",
                },
            }
        }
    }
    assert cfn_lint.lint_template(instance, "us-east-1") == ()
    [finding] = cfn_lint.lint_template(instance, "af-south-1")
    assert (finding.rule_id, finding.level, finding.path) == (
        "E3025",
        "error",
        ("Resources", "Db", "Properties", "DBInstanceClass"),
    )
    assert finding.message.endswith("in 'af-south-1'")


def test_a_hard_coded_availability_zone_is_no_finding() -> None:
    subnet = {
        "Resources": {
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": "vpc-0123456789abcdef0",
                    "CidrBlock": "10.0.0.0/24",
                    "AvailabilityZone": "us-east-1a",
                },
            }
        }
    }
    assert cfn_lint.lint_template(subnet, "us-east-1") == ()


def test_the_cache_lives_under_the_configured_folder_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tail = Path("cfn-lint") / version("cfn-lint")
    monkeypatch.setenv("AWS_PLATFORM_CACHE_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cfn_lint.cache_dir() == tmp_path / "own" / tail
    monkeypatch.setenv("AWS_PLATFORM_CACHE_DIR", "")
    assert cfn_lint.cache_dir() == tmp_path / "xdg" / "aws-platform" / tail
    monkeypatch.delenv("AWS_PLATFORM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    assert cfn_lint.cache_dir() == tmp_path / "home" / ".cache" / "aws-platform" / tail
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cfn_lint.cache_dir() == tmp_path / "home" / ".cache" / "aws-platform" / tail


def test_the_key_is_the_hash_of_the_excluded_rules_the_region_and_the_template() -> None:
    text = hashlib.sha256(b"W1011,W3010\0eu-west-1\0{}").hexdigest()
    assert cfn_lint._key("{}", "eu-west-1") == text


def test_findings_are_written_and_read_back(cache_dir: Path) -> None:
    path = cache_dir / "deeper" / "key.json"
    found = (BOGUS_FINDING, Finding("W1", "warning", "m", ()))
    cfn_lint._write(path, found)
    assert json.loads(path.read_text()) == [
        ["E3002", "error", BOGUS_FINDING.message, ["Resources", "Topic", "Properties", "Bogus"]],
        ["W1", "warning", "m", []],
    ]
    assert cfn_lint._read(path) == found
    assert [p.name for p in path.parent.iterdir()] == ["key.json"]  # no temporary file left
    cfn_lint._write(path.with_name("other.json"), ())  # into a folder that exists by now
    assert cfn_lint._read(path.with_name("other.json")) == ()


def test_the_temporary_file_is_made_next_to_the_entry(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.replace is atomic only within one folder's file system: never the system temp folder.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    cfn_lint._write(cache_dir / "key.json", (BOGUS_FINDING,))
    assert cfn_lint._read(cache_dir / "key.json") == (BOGUS_FINDING,)


@pytest.mark.parametrize(
    "content", [None, "{not json", "[1]", '[["E1", "error"]]', "[[1, 2, 3, 4]]"]
)
def test_a_missing_or_unreadable_entry_reads_as_none(cache_dir: Path, content: str | None) -> None:
    path = cache_dir / "key.json"
    if content is not None:
        path.parent.mkdir(parents=True)
        path.write_text(content)
    assert cfn_lint._read(path) is None


def test_an_unwritable_cache_only_costs_the_next_lint(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cfn_lint._write(blocker / "key.json", (BOGUS_FINDING,))  # its folder cannot be made
    assert blocker.read_text() == ""


def test_the_same_template_in_another_key_order_is_linted_once(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linted: list[tuple[str, str]] = []

    def fake(document: str, region: str) -> tuple[Finding, ...]:
        linted.append((document, region))
        return (BOGUS_FINDING,)

    monkeypatch.setattr(cfn_lint, "_lint", fake)
    template = {"B": 1, "A": {"d": 2, "c": 3}}
    assert cfn_lint.lint_template(template, "eu-west-1") == (BOGUS_FINDING,)
    assert cfn_lint.lint_template({"A": {"c": 3, "d": 2}, "B": 1}, "eu-west-1") == (BOGUS_FINDING,)
    document = '{"A": {"c": 3, "d": 2}, "B": 1}'
    assert linted == [(document, "eu-west-1")]
    key = cfn_lint._key(document, "eu-west-1")
    assert [p.name for p in cache_dir.iterdir()] == [f"{key}.json"]


def test_warming_lints_an_empty_topic_and_always_signals_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[object, str]] = []

    def fake(document: str, region: str) -> tuple[Finding, ...]:
        seen.append((json.loads(document), region))
        raise RuntimeError("cfn-lint broke")

    monkeypatch.setattr(cfn_lint, "_lint", fake)
    monkeypatch.setattr(cfn_lint, "warmed", threading.Event())
    cfn_lint._warm("eu-west-1")
    assert seen == [
        ({"Resources": {"Warm": {"Type": "AWS::SNS::Topic", "Properties": {}}}}, "eu-west-1")
    ]
    assert cfn_lint.warmed.is_set()


def test_a_warm_up_runs_once_per_process_in_the_stack_s_region_or_the_default(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[object, ...]] = []

    class Thread:
        def __init__(self, target: object, args: tuple[object, ...], daemon: bool) -> None:
            assert (target, daemon) == (cfn_lint._warm, True)
            self.args = args

        def start(self) -> None:
            started.append(self.args)

    monkeypatch.setattr(threading, "Thread", Thread)
    monkeypatch.setattr(cfn_lint, "_warming", threading.Event())
    monkeypatch.setattr(cfn_lint, "warmed", threading.Event())
    cfn_lint.warmed.set()
    cache_dir.mkdir(parents=True)
    (cache_dir / "note.txt").write_text("not a finding")  # only findings count as a warm cache
    cfn_lint.warm_in_background(None)
    assert started == [("us-east-1",)]
    assert not cfn_lint.warmed.is_set()  # a lint waits for the warm-up
    cfn_lint.warm_in_background("eu-west-1")
    assert started == [("us-east-1",)]
    monkeypatch.setattr(cfn_lint, "_warming", threading.Event())
    cfn_lint.warm_in_background("eu-west-1")
    assert started == [("us-east-1",), ("eu-west-1",)]


def test_a_document_cfn_lint_cannot_decode_is_one_finding_about_the_whole_template() -> None:
    (finding,) = cfn_lint._lint('{"Resources": {', "us-east-1")
    assert (finding.rule_id, finding.level, finding.path) == ("E0000", "error", ())
