"""The generator's command line: blocks between markers, --check, and the committed docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling import docs

BLOCK = docs.Block("toy", "README.md", "the toy", lambda: "generated")


def _readme(tmp_path: Path, body: str) -> Path:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{BLOCK.begin}\nold\n{BLOCK.end}\n\n{body}\n")
    return readme


def test_write_replaces_only_the_block_and_then_check_passes(tmp_path: Path) -> None:
    readme = _readme(tmp_path, "## after")
    assert docs.main([], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_OK
    text = readme.read_text()
    assert text == f"# title\n\n{BLOCK.begin}\ngenerated\n{BLOCK.end}\n\n## after\n"
    assert docs.main(["--check"], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_OK
    assert docs.main([], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_OK
    assert readme.read_text() == text


def test_two_blocks_in_one_file_are_both_written(tmp_path: Path) -> None:
    other = docs.Block("other", "README.md", "the toy", lambda: "second")
    readme = _readme(tmp_path, f"{other.begin}\n{other.end}")
    assert docs.main([], root=tmp_path, blocks=[BLOCK, other]) == docs.EXIT_OK
    assert BLOCK.text() in readme.read_text() and other.text() in readme.read_text()


def test_check_reports_a_stale_block_with_the_command_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = _readme(tmp_path, "")
    before = readme.read_text()
    assert docs.main(["--check"], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_STALE
    assert readme.read_text() == before
    assert "README.md is stale; run `python -m tooling.docs`" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text", ["no markers at all\n", f"{BLOCK.end}\n{BLOCK.begin}\n", f"{BLOCK.begin}\nonly begin\n"]
)
def test_missing_or_misordered_markers_are_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(text)
    assert docs.main([], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_ERROR
    assert readme.read_text() == text
    err = capsys.readouterr().err
    assert err.startswith("error: README.md needs the toy markers")
    assert "Traceback" not in err


def test_a_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert docs.main([], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_ERROR
    assert capsys.readouterr().err.startswith("error: ")


def test_a_file_that_cannot_be_written_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _readme(tmp_path, "")

    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    assert docs.main([], root=tmp_path, blocks=[BLOCK]) == docs.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Permission denied" in err and "Traceback" not in err


def test_the_committed_docs_are_current() -> None:
    assert docs.main(["--check"]) == docs.EXIT_OK, "run `python -m tooling.docs`"
