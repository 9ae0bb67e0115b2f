import os
from pathlib import Path

import pytest
import yaml

from shared.config import accepted_keys
from shared.layers import (
    LAYER_NAMES,
    LAYERS,
    Layer,
    UnknownLayerError,
    get_layer,
    readers,
    with_upstream,
)


def closure(name: str, layers: tuple[Layer, ...] = LAYERS) -> set[str]:
    """`name` and every layer it reads, directly or not."""
    layer = next(layer for layer in layers if layer.name == name)
    return {name}.union(*(closure(upstream, layers) for upstream in layer.upstream))


def test_names_are_unique_and_every_upstream_is_a_layer() -> None:
    assert len(set(LAYER_NAMES)) == len(LAYER_NAMES) == len(LAYERS)
    for layer in LAYERS:
        assert set(layer.upstream) <= set(LAYER_NAMES)
        assert layer.name not in layer.upstream


def test_every_upstream_comes_earlier_in_the_order() -> None:
    for index, layer in enumerate(LAYERS):
        for name in layer.upstream:
            assert LAYER_NAMES.index(name) < index


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.name)
def test_each_layer_is_a_pulumi_project_named_after_it(layer: Layer) -> None:
    project = yaml.safe_load((layer.folder / "Pulumi.yaml").read_text())
    assert project["name"] == layer.name
    assert project["runtime"]["name"] == "python"
    # Not resolved: the venv may be a link (a copy of the tree on this interpreter's venv).
    venv = Path(os.path.normpath(layer.folder / project["runtime"]["options"]["virtualenv"]))
    assert venv == Path(__file__).resolve().parents[2] / ".venv"


def test_outputs_are_snake_case_and_unique() -> None:
    for layer in LAYERS:
        assert len(set(layer.outputs)) == len(layer.outputs)
        for name in layer.outputs:
            assert name == name.lower() and " " not in name and "-" not in name
        assert set(layer.secret_outputs) <= set(layer.outputs)


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.name)
def test_with_upstream_adds_everything_upstream_in_order(layer: Layer) -> None:
    wanted = closure(layer.name)
    assert with_upstream([layer.name]) == tuple(x for x in LAYERS if x.name in wanted)
    assert with_upstream([layer.name, LAYERS[0].name]) == with_upstream(
        [LAYERS[0].name, layer.name]
    )


def test_with_upstream_of_a_layer_that_reads_another_adds_it() -> None:
    reader = next(layer for layer in LAYERS if layer.upstream)
    assert len(with_upstream([reader.name])) > 1
    assert with_upstream([LAYERS[0].name]) == (LAYERS[0],)  # the first layer reads nothing


def test_unknown_layer_lists_the_known_ones() -> None:
    with pytest.raises(UnknownLayerError, match=", ".join(LAYER_NAMES)):
        get_layer("netwrk")


def test_readers_are_the_layers_that_name_a_layer_upstream() -> None:
    for layer in LAYERS:
        for reader in readers(layer.name):
            assert layer.name in get_layer(reader).upstream
        assert {r.name for r in LAYERS if layer.name in r.upstream} == set(readers(layer.name))
    assert readers(LAYERS[-1].name) == ()


@pytest.mark.parametrize("layer", [lay for lay in LAYERS if lay.peers_key], ids=lambda x: x.name)
def test_a_peering_layer_names_its_own_config_key_and_reads_no_upstream(layer: Layer) -> None:
    # The offline plan plans a peer's stack of the layer alone, with this key set.
    assert f"{layer.name}:{layer.peers_key}" in accepted_keys(layer.name)
    assert layer.upstream == ()


def test_readers_follow_the_graph_they_are_given() -> None:
    base = Layer(name="base", upstream=(), outputs={})
    left = Layer(name="left", upstream=("base",), outputs={})
    right = Layer(name="right", upstream=("base", "left"), outputs={})
    graph = (base, left, right)
    assert readers("base", graph) == ("left", "right")
    assert readers("left", graph) == ("right",)
    assert readers("right", graph) == ()
    assert closure("right", graph) == {"base", "left", "right"}
