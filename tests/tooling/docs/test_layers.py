"""The layer graph in the docs: the diagram and the outputs table."""

from __future__ import annotations

from shared.layers import LAYERS, Layer, Output
from tooling import docs

TOY = (
    Layer(
        name="base",
        upstream=(),
        outputs={"id": Output("string", "its id"), "token": Output("string", "a", secret=True)},
    ),
    Layer(name="left", upstream=("base",), outputs={"url": Output("string", "where | it is")}),
    Layer(name="top", upstream=("base", "left"), outputs={}),
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
    diagram = docs.mermaid((Layer(name="end", upstream=(), outputs={}),))
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


def test_the_outputs_table_has_a_row_per_output_with_secrets_marked() -> None:
    assert docs.outputs_table(TOY).splitlines() == [
        "| layer | output | type | meaning |",
        "|---|---|---|---|",
        "| base | `id` | string | its id |",
        "| base | `token` | string, **secret** | a |",
        r"| left | `url` | string | where \| it is |",
    ]
