"""Cross-field checks of the app and network config, and the field declaration, pinned."""

import pytest

from shared.config import ConfigError, parse
from shared.config.schema import Setting, setting
from shared.config.values import boolean


def refused(layer: str, raw: dict[str, object], stack: str = "dev") -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse(layer, raw, stack=stack)
    return caught.value


def test_a_setting_declares_key_parser_default_and_optional() -> None:
    declared = setting("albAccessLogs", boolean, lambda k: True, optional=True)
    assert declared.metadata["setting"] == Setting(
        "albAccessLogs", boolean, declared.metadata["setting"].default, True
    )
    assert declared.metadata["setting"].default(None) is True
    bare = setting("owner", boolean).metadata["setting"]
    assert (bare.key, bare.parse, bare.optional, bare.default(None)) == (
        "owner",
        boolean,
        False,
        None,
    )


def test_app_cpu_and_memory_must_be_a_fargate_pair() -> None:
    cpu = refused("app", {"app:cpu": "300"})
    assert cpu.key == "cpu" and cpu.accepted.startswith(
        "must be a Fargate cpu value: 256, 512, 1024"
    )
    memory = refused("app", {"app:cpu": "256", "app:memory": "4096"})
    assert (memory.key, memory.accepted) == (
        "memory",
        "with app:cpu 256 Fargate accepts one of 512, 1024, 2048 MiB",
    )
    ok = parse("app", {"app:cpu": "256", "app:memory": "2048"}, stack="dev")
    assert (ok.cpu, ok.memory) == (256, 2048)  # type: ignore[attr-defined]


def test_app_max_count_boundary_is_the_desired_count() -> None:
    assert parse("app", {"app:desiredCount": "3", "app:maxCount": "3"}, stack="dev").max_count == 3  # type: ignore[attr-defined]
    error = refused("app", {"app:desiredCount": "3", "app:maxCount": "2"})
    assert (error.key, error.accepted) == ("maxCount", "must be at least app:desiredCount (3)")


@pytest.mark.parametrize(
    ("raw", "missing"),
    [
        ({"app:domainName": "example.com"}, "hostedZoneId"),
        ({"app:hostedZoneId": "Z0123456789ABC"}, "domainName"),
    ],
)
def test_domain_and_zone_go_together(raw: dict[str, object], missing: str) -> None:
    error = refused("app", raw)
    assert (error.key, error.accepted) == (
        missing,
        "app:domainName and app:hostedZoneId must be set together",
    )


def test_network_zone_count_nat_and_peering_checks() -> None:
    zones = refused(
        "network", {"network:availabilityZones": "us-east-1a,us-east-1b", "network:azCount": "3"}
    )
    assert (zones.key, zones.accepted) == (
        "azCount",
        "must match the 2 zones in network:availabilityZones",
    )
    nat = refused("network", {"network:natGateways": "none"}, stack="staging")
    assert (nat.key, nat.accepted) == (
        "natGateways",
        "'none' is only allowed in pr environments, whose profile sets nat_none_allowed (private "
        "subnets lose internet access)",
    )
    assert parse("network", {"network:natGateways": "none"}, stack="pr-3").nat_gateways == "none"  # type: ignore[attr-defined]
    peer = refused("network", {"network:peerEnvironments": "dev"})
    assert (peer.key, peer.accepted) == (
        "peerEnvironments",
        "an environment cannot peer with itself (dev)",
    )
