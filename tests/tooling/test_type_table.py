"""The resource type table in docs/aws-rules.md: generated from shared/aws/types, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.aws.types import ID_ONLY, ResourceType
from shared.name_rule import NameRule
from tooling import type_table


def test_the_page_holds_the_current_table() -> None:
    assert type_table.main(["--check"]) == type_table.EXIT_OK, (
        f"run `{type_table.REGENERATE}` and commit docs/aws-rules.md"
    )


def test_a_row_per_type_with_names_cloudformation_and_data_loss() -> None:
    entry = ResourceType(
        "aws:x/y:Y",
        "a y | with a pipe",
        shape=ID_ONLY,
        names={"name": "iam-role"},
        no_cloudformation="none here",
        holds_data="its items",
    )
    other = ResourceType(
        "aws:x/z:Z",
        "a z",
        shape=ID_ONLY,
        names={"zName": NameRule("zed", min_length=2, max_length=9, allowed="a-z")},
        no_cloudformation="none",
    )
    bare = ResourceType("aws:x/w:W", "a w", shape=ID_ONLY, no_cloudformation="none")
    rows = type_table.table({"aws:x/y:Y": entry, "aws:x/z:Z": other, "aws:x/w:W": bare})
    assert rows.splitlines()[2:] == [
        "| `aws:x/y:Y` | a y \\| with a pipe | none: none here | `name` (iam-role) | its items |",
        "| `aws:x/z:Z` | a z | none: none | `zName` (zed: 2-9 of `[a-z]`) | — |",
        "| `aws:x/w:W` | a w | none: none | — | — |",
    ]


def test_check_reports_a_stale_table_and_writing_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "aws-rules.md"
    page.write_text(f"# t\n\n{type_table.BEGIN}\nold\n{type_table.END}\n\nafter\n")
    assert type_table.main(["--check"], page=page) == type_table.EXIT_STALE
    assert "run `python -m tooling.type_table`" in capsys.readouterr().err
    assert type_table.main([], page=page) == type_table.EXIT_OK
    assert page.read_text() == f"# t\n\n{type_table.block()}\n\nafter\n"
    assert type_table.main(["--check"], page=page) == type_table.EXIT_OK


def test_a_page_without_markers_is_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "aws-rules.md"
    page.write_text(f"{type_table.END}\n{type_table.BEGIN}\n")
    assert type_table.main([], page=page) == type_table.EXIT_ERROR
    assert capsys.readouterr().err.startswith("error: aws-rules.md: the page needs the resource")
    assert type_table.main([], page=tmp_path / "missing.md") == type_table.EXIT_ERROR
