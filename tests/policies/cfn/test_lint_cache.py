"""cfn-lint's findings are kept on disk by template, so a repeated plan never imports cfn-lint."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from policies.cfn import lint as cfn_lint
from policies.cfn.lint import Finding

TEMPLATE = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Bogus": 1}}}}
FOUND = (Finding("E3002", "error", "Additional properties are not allowed", ("Resources",)),)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.setenv("AWS_PLATFORM_CACHE_DIR", str(tmp_path))
    cfn_lint._cached.cache_clear()
    linted: list[str] = []

    def fake_lint(document: str, region: str) -> tuple[Finding, ...]:
        linted.append(region)
        return FOUND

    monkeypatch.setattr(cfn_lint, "_lint", fake_lint)
    yield linted
    cfn_lint._cached.cache_clear()


def test_a_second_process_reads_the_findings_instead_of_linting(cache: list[str]) -> None:
    assert cfn_lint.lint_template(TEMPLATE, "eu-west-1") == FOUND
    cfn_lint._cached.cache_clear()  # what a new pack process starts with
    assert cfn_lint.lint_template(TEMPLATE, "eu-west-1") == FOUND
    assert cache == ["eu-west-1"]


def test_the_region_and_the_template_are_part_of_the_key(cache: list[str]) -> None:
    cfn_lint.lint_template(TEMPLATE, "eu-west-1")
    cfn_lint.lint_template(TEMPLATE, "us-east-1")
    cfn_lint.lint_template({"Resources": {}}, "us-east-1")
    assert cache == ["eu-west-1", "us-east-1", "us-east-1"]


def test_an_unreadable_entry_is_linted_again(cache: list[str]) -> None:
    cfn_lint.lint_template(TEMPLATE, "eu-west-1")
    (entry,) = cfn_lint.cache_dir().glob("*.json")
    entry.write_text("{not json")
    cfn_lint._cached.cache_clear()
    assert cfn_lint.lint_template(TEMPLATE, "eu-west-1") == FOUND
    assert cache == ["eu-west-1", "eu-west-1"]


class _Thread:
    started: ClassVar[list[tuple[object, ...]]] = []

    def __init__(self, target: object, args: tuple[object, ...], daemon: bool) -> None:
        self.args = args

    def start(self) -> None:
        self.started.append(self.args)


@pytest.mark.parametrize("linted_before", [False, True])
def test_the_pack_warms_cfn_lint_only_while_the_cache_is_empty(
    cache: list[str], monkeypatch: pytest.MonkeyPatch, linted_before: bool
) -> None:
    monkeypatch.setattr(threading, "Thread", _Thread)
    monkeypatch.setattr(_Thread, "started", [])
    monkeypatch.setattr(cfn_lint, "_warming", threading.Event())
    if linted_before:
        cfn_lint.lint_template(TEMPLATE, "eu-west-1")
    cfn_lint.warm_in_background("eu-west-1")
    cfn_lint.warmed.set()  # the stand-in thread never runs
    assert _Thread.started == ([] if linted_before else [("eu-west-1",)])


class _Stream:
    def __init__(self) -> None:
        self.flushed = False

    def flush(self) -> None:
        self.flushed = True


def test_a_served_pack_flushes_and_exits_without_tearing_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err, codes = _Stream(), _Stream(), []

    def exit_now(code: int) -> None:
        codes.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(os, "_exit", exit_now)
    with pytest.raises(SystemExit):
        cfn_lint.exit_once_served()
    assert codes == [0] and out.flushed and err.flushed
