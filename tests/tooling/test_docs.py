"""The README diagram generator: what it draws from a layer graph, and its command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.layers import LAYERS, Layer
from tooling import docs

TOY = (
    Layer(name="base", upstream=(), outputs=("id", "token"), secret_outputs=("token",)),
    Layer(name="left", upstream=("base",), outputs=("url",)),
    Layer(name="top", upstream=("base", "left"), outputs=()),
)


def test_every_layer_is_a_node_listing_its_outputs_and_marking_secrets() -> None:
    diagram = docs.mermaid(TOY)
    assert '    layer_base["<b>base</b><br/>id<br/>token (secret)"]' in diagram.splitlines()
    assert '    layer_left["<b>left</b><br/>url"]' in diagram.splitlines()
    assert '    layer_top["<b>top</b>"]' in diagram.splitlines()


def test_every_upstream_is_an_arrow_to_its_reader_and_nothing_else_is() -> None:
    arrows = [line.strip() for line in docs.mermaid(TOY).splitlines() if "-->" in line]
    assert arrows == [
        "layer_base --> layer_left",
        "layer_base --> layer_top",
        "layer_left --> layer_top",
    ]


def test_a_layer_named_like_a_mermaid_keyword_is_still_a_node() -> None:
    diagram = docs.mermaid((Layer(name="end", upstream=(), outputs=()),))
    assert '    layer_end["<b>end</b>"]' in diagram.splitlines()


def test_the_real_graph_has_every_layer_and_contract_output() -> None:
    diagram = docs.mermaid()
    assert diagram.startswith("```mermaid\nflowchart LR\n") and diagram.endswith("\n```")
    for layer in LAYERS:
        assert f"<b>{layer.name}</b>" in diagram
        for output in layer.outputs:
            assert f"<br/>{output}" in diagram
        for upstream in layer.upstream:
            assert f"    layer_{upstream} --> layer_{layer.name}\n" in diagram


def _readme(tmp_path: Path, body: str) -> Path:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{docs.BEGIN}\nold\n{docs.END}\n\n{body}\n")
    return readme


def test_write_replaces_only_the_block_and_then_check_passes(tmp_path: Path) -> None:
    readme = _readme(tmp_path, "## after")
    assert docs.main([], readme=readme) == docs.EXIT_OK
    text = readme.read_text()
    assert text == f"# title\n\n{docs.block()}\n\n## after\n"
    assert docs.main(["--check"], readme=readme) == docs.EXIT_OK
    assert docs.main([], readme=readme) == docs.EXIT_OK
    assert readme.read_text() == text


def test_check_reports_a_stale_diagram_with_the_command_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = _readme(tmp_path, "")
    before = readme.read_text()
    assert docs.main(["--check"], readme=readme) == docs.EXIT_STALE
    assert readme.read_text() == before
    assert "run `python -m tooling.docs`" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text", ["no markers at all\n", f"{docs.END}\n{docs.BEGIN}\n", f"{docs.BEGIN}\nonly begin\n"]
)
def test_missing_or_misordered_markers_are_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(text)
    assert docs.main([], readme=readme) == docs.EXIT_ERROR
    assert readme.read_text() == text
    err = capsys.readouterr().err
    assert err.startswith("error: README.md needs the diagram markers")
    assert "Traceback" not in err


def test_a_missing_readme_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert docs.main([], readme=tmp_path / "README.md") == docs.EXIT_ERROR
    assert capsys.readouterr().err.startswith("error: ")


def test_a_readme_that_cannot_be_written_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = _readme(tmp_path, "")

    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    assert docs.main([], readme=readme) == docs.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Permission denied" in err and "Traceback" not in err
