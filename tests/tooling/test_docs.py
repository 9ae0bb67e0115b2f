"""The README diagram generator: what it draws from a layer graph, and its command line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shared.environment import CLASSES, PROFILES, AlarmThresholds, EnvironmentClassInfo, Profile
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


# --- the environment classes' tables ----------------------------------------------------------------

TOY_CLASSES = {
    "live": EnvironmentClassInfo(PROFILES["prod"]),
    "pr": EnvironmentClassInfo(PROFILES["pr"], named=False),
}


def test_the_profiles_table_has_a_column_per_class_in_registry_order() -> None:
    lines = docs.profiles_table(TOY_CLASSES).splitlines()
    assert lines[:2] == ["| setting | live | pr |", "|---|---|---|"]
    assert "| `vpc_cidr` | 10.30.0.0/16 | from the PR number (below) |" in lines
    assert "| `final_snapshot` | yes | no |" in lines
    assert "| `alarms.alb_5xx_per_minute` | 5 | 50 |" in lines
    assert len(lines) == 2 + len(dataclasses.fields(Profile)) - 1 + len(
        dataclasses.fields(AlarmThresholds)
    )


def test_the_config_defaults_table_lists_each_layers_own_keys_with_each_classs_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(CLASSES, "live", TOY_CLASSES["live"])  # defaults read the class's profile
    lines = docs.config_defaults_table(TOY_CLASSES).splitlines()
    assert lines[0] == "| key | live | pr |"
    assert "| `network:vpcCidr` | 10.30.0.0/16 | from the PR number |" in lines
    assert "| `data:skipFinalSnapshot` | false | true |" in lines
    assert "| `app:domainName` | — | — |" in lines
    assert "| `network:availabilityZones` | [] | [] |" in lines
    assert not [line for line in lines if ":owner`" in line or ":environmentClass`" in line]


def test_the_policy_levels_table_shows_each_classs_deviations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from policies import pack
    from policies.catalog import RULES

    (tmp_path / "live.json").write_text('{"all": "advisory", "aws-tags-standard": "remediate"}')
    monkeypatch.setattr(pack, "CONFIG_DIR", tmp_path)
    lines = docs.policy_levels_table(TOY_CLASSES).splitlines()
    assert lines[0] == "| policy | live | pr |"
    assert len(lines) == 2 + len(RULES)
    assert "| `aws-tags-standard` | R | R |" in lines
    assert "| `aws-cfn-lint-errors` | A | M |" in lines
    assert "| `aws-pr-cost-guard` | A | — |" in lines  # `all` sets disabled policies too


def _docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for file in dict.fromkeys(region.file for region in docs.CLASS_REGIONS):
        markers = [
            f"{region.begin}\nold\n{region.end}"
            for region in docs.CLASS_REGIONS
            if region.file == file
        ]
        (folder / file).write_text("# title\n\n" + "\n\ntext\n\n".join(markers) + "\n")
    return folder


def test_the_class_tables_are_written_between_their_markers_and_then_are_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme, folder = _readme(tmp_path, ""), _docs_dir(tmp_path)
    assert docs.main(["--check"], readme=readme, docs_dir=folder) == docs.EXIT_STALE
    assert "policies.md: a generated block is stale" in capsys.readouterr().err
    assert docs.main([], readme=readme, docs_dir=folder) == docs.EXIT_OK
    policies = (folder / "policies.md").read_text()
    (levels,) = [region for region in docs.CLASS_REGIONS if region.file == "policies.md"]
    assert policies == f"# title\n\n{levels.block()}\n"
    assert docs.main(["--check"], readme=readme, docs_dir=folder) == docs.EXIT_OK


def test_a_docs_file_without_its_markers_is_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _docs_dir(tmp_path)
    (folder / "reference.md").write_text("no markers\n")
    assert docs.main([], readme=_readme(tmp_path, ""), docs_dir=folder) == docs.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: docs/reference.md needs the class profiles markers")


def test_the_committed_docs_are_current() -> None:
    assert docs.main(["--check"]) == docs.EXIT_OK, "run `python -m tooling.docs`"
