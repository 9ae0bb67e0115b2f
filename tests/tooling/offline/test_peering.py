"""`network:peerEnvironments` plans offline: the peers' network stacks are planned too."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from shared import layers
from shared.layers import STACKS_DIR
from tooling.offline import ProgramError, plan

PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"


def test_a_requester_plans_against_its_peers_network() -> None:
    result = plan(
        "dev",
        layers=["network"],
        config_overrides={"network": {"peerEnvironments": ["staging"]}},
        pack_dir=None,
    )
    network = result.layers["network"]
    connection = network.one(PEERING)  # dev is shorter-lived: it requests
    assert connection.inputs["peerVpcId"].startswith("vpc-")
    assert network.outputs["peering_connection_ids"]["staging"] == connection.outputs["id"]


def test_an_accepter_reads_the_requesters_connection() -> None:
    result = plan(
        "staging",
        layers=["network"],
        config_overrides={"network": {"peerEnvironments": ["dev"]}},
        pack_dir=None,
    )
    network = result.layers["network"]
    assert network.of_type(PEERING) == []  # staging accepts: dev created the connection
    assert network.outputs["peering_connection_ids"]["dev"].startswith("pcx-")


def test_peers_written_in_the_stack_file_plan_as_the_program_reads_them(tmp_path: Path) -> None:
    # The CLI hands a YAML list to the program as JSON text; the plan must read it as a list.
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS_DIR, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    stack_file = stacks / "network" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text() + "  network:peerEnvironments: [staging]\n")
    result = plan("dev", layers=["network"], pack_dir=None, stacks_dir=stacks)
    network = result.layers["network"]
    assert network.one(PEERING).inputs["peerVpcId"].startswith("vpc-")
    assert list(network.outputs["peering_connection_ids"]) == ["staging"]


def test_the_plan_plans_peer_stacks_because_the_layer_declares_its_peers_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the declaration in shared.layers the plan has no peer stacks to answer the program's
    # references: the planner knows peering only from Layer.peers_key, not from a layer's name.
    undeclared = tuple(dataclasses.replace(layer, peers_key="") for layer in layers.LAYERS)
    monkeypatch.setattr(layers, "LAYERS", undeclared)
    monkeypatch.setattr(layers, "_BY_NAME", {layer.name: layer for layer in undeclared})
    with pytest.raises(ProgramError, match=r"network/staging.* not part of this offline plan"):
        plan(
            "dev",
            layers=["network"],
            config_overrides={"network": {"peerEnvironments": ["staging"]}},
            pack_dir=None,
        )
