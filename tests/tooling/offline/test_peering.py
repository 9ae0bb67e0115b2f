"""`network:peerEnvironments` plans offline: the peers' network stacks are planned too."""

from tooling.offline import plan

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
