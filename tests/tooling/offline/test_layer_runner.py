from pathlib import Path

import pulumi

from shared.layers import LAYERS
from tests.fixtures.layer_programs import KEY
from tooling.offline import run_layer
from tooling.offline.model import UNKNOWN

FIRST = LAYERS[0].name  # reads nothing: it runs on its own


def test_run_layer_records_resources_parents_and_outputs(fixture_stacks: Path) -> None:
    result = run_layer(FIRST, "dev", program_dir=fixture_stacks / FIRST)
    key = result.one(KEY)
    assert key.urn == f"urn:pulumi:dev::{FIRST}::{KEY}::contract"  # engine-shaped URN
    assert key.parent == f"urn:pulumi:dev::{FIRST}::pulumi:pulumi:Stack::{FIRST}-dev"
    alias = result.one("aws:kms/alias:Alias")
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]
    assert key.urn in alias.dependencies
    assert alias.property_dependencies["targetKeyId"] == (key.urn,)
    assert set(result.outputs) == set(LAYERS[0].outputs)


def test_outputs_left_over_in_the_parent_do_not_hang_the_child(fixture_stacks: Path) -> None:
    # A test that builds an Output outside any program leaves a task on the parent's loop.
    pulumi.Output.from_input("left over").apply(str.upper)
    result = run_layer(FIRST, "dev", program_dir=fixture_stacks / FIRST)
    assert result.outputs[next(iter(LAYERS[0].outputs))].startswith(f"{FIRST}.")


def test_preview_leaves_computed_values_unknown(fixture_stacks: Path) -> None:
    result = run_layer(FIRST, "dev", program_dir=fixture_stacks / FIRST, preview=True)
    output = next(iter(LAYERS[0].outputs))
    assert result.outputs[output] == f"{FIRST}.{output}@dev<>"  # known: from the stack alone
    # The key's id is computed by the provider: its alias reads the engine's unknown.
    assert result.one("aws:kms/alias:Alias").inputs["targetKeyId"] == UNKNOWN
