"""VPC peering with the network stacks of other environments (`network:peerEnvironments`).

Both environments list each other. The shorter-lived one (shared.environment.requests_peering) is
the *requester*: it creates the connection, auto-accepted because both VPCs share account and
region. The other is the *accepter*: it reads the connection id from the requester's
`peering_connection_ids` output. Each stack owns only the routes in its own route tables, so
destroying one stack never leaves the other with routes it did not create (and the number of the
peer's route tables is unknown while a program runs, so routes there could not be declared anyway).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from shared import references
from shared.aws.accepted_values import POSTGRES_PORT
from shared.environment import Environment, parse_environment, requests_peering


def checked_peer_cidr(own_cidr: ipaddress.IPv4Network, peer: str, peer_cidr: Any) -> str:
    """The peer's CIDR, or a clean program error when it overlaps ours (AWS would refuse later)."""
    network = ipaddress.IPv4Network(str(peer_cidr))
    if network.overlaps(own_cidr):
        raise pulumi.RunError(
            f"network:peerEnvironments: cannot peer with {peer}: its VPC CIDR {network} overlaps "
            f"this VPC's {own_cidr}; give one of them another network:vpcCidr"
        )
    return str(network)


def peer_with(
    peer_name: str,
    *,
    own: Environment,
    own_cidr: ipaddress.IPv4Network,
    vpc_id: pulumi.Input[str],
    route_tables: Mapping[str, pulumi.Input[str]],
    db_security_group_id: pulumi.Input[str] | None,
    tags: Callable[..., dict[str, str]],
) -> pulumi.Output[str]:
    """Peer with one environment's network: connection (requester only), routes, optional DB access.

    `route_tables` (label -> id) are this stack's tables that need a route to the peer;
    `db_security_group_id` is set when the peer may reach this environment's database; `tags(*parts)`
    gives the tags (with `Name`) for a resource labelled by `parts`.
    """
    peer = parse_environment(peer_name)
    upstream = references.upstream("network", peer_name)
    cidr = upstream.require("vpc_cidr").apply(lambda c: checked_peer_cidr(own_cidr, peer_name, c))
    if requests_peering(own, peer):
        # The connection waits for the CIDR check, so an overlap stops before anything is created.
        peer_vpc = pulumi.Output.all(cidr, upstream.require("vpc_id")).apply(lambda v: str(v[1]))
        connection_id = aws.ec2.VpcPeeringConnection(
            f"peering-{peer_name}",
            vpc_id=vpc_id,
            peer_vpc_id=peer_vpc,
            auto_accept=True,
            tags=tags("peering", own.name, peer_name),
        ).id
    else:
        connection_id = upstream.require("peering_connection_ids").apply(
            lambda ids: _connection_of(ids, requester=peer_name, accepter=own.name)
        )
    for label, table in route_tables.items():
        aws.ec2.Route(
            f"{label}-to-{peer_name}",
            route_table_id=table,
            destination_cidr_block=cidr,
            vpc_peering_connection_id=connection_id,
        )
    if db_security_group_id is not None:
        aws.vpc.SecurityGroupIngressRule(
            f"db-from-{peer_name}",
            security_group_id=db_security_group_id,
            description=f"PostgreSQL from the {peer_name} VPC (network:peerDatabaseAccess)",
            ip_protocol="tcp",
            from_port=POSTGRES_PORT,
            to_port=POSTGRES_PORT,
            cidr_ipv4=cidr,
            tags=tags("db-from", peer_name),
        )
    return connection_id


def _connection_of(ids: Any, *, requester: str, accepter: str) -> str:
    found = ids.get(accepter) if isinstance(ids, dict) else None
    if not found:
        raise pulumi.RunError(
            f"network:peerEnvironments: {requester} has no peering connection to {accepter} yet. "
            f"{requester} creates it: add {accepter} to {requester}'s network:peerEnvironments and "
            f"deploy {requester}'s network first, then this stack"
        )
    return str(found)
