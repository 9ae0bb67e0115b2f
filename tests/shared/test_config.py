"""Config validation: every bad value is one ConfigError naming layer, key, value and what is accepted."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.errors import RunError

from shared.aws.accepted_values import FARGATE_MEMORY
from shared.config import (
    AppConfig,
    ConfigError,
    DataConfig,
    NetworkConfig,
    ObservabilityConfig,
    UnknownKeyError,
    accepted_keys,
    parse,
)
from shared.config.schema import Setting, setting
from shared.config.values import boolean, shown
from shared.environment import PROFILES
from shared.layers import LAYER_NAMES, UnknownLayerError

# --- bad values, written from what AWS accepts rather than from shared.config -------------------

junk = st.one_of(
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
    st.lists(st.integers(), min_size=1, max_size=3),
)


def _not_matching(pattern: str) -> st.SearchStrategy[str]:
    # "" is excluded: for optional keys an empty string means "not set", which is not a mistake.
    return st.text(max_size=40).filter(
        lambda t: t != "" and not re.fullmatch(pattern, t.strip(), re.ASCII)
    )


def bad_int(low: int, high: int) -> st.SearchStrategy[Any]:
    outside = st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))
    return st.one_of(
        outside,
        outside.map(str),
        _not_matching(r"[+-]?[0-9]+"),
        st.floats(allow_nan=True).filter(lambda f: not f.is_integer() if f == f else True),
        st.booleans(),
        st.just("1_0"),
        st.just("٣"),  # an Arabic-Indic digit: int() takes it, config should not
        junk,
    )


bad_bool = st.one_of(
    st.text(max_size=10).filter(lambda t: t.strip().lower() not in ("true", "false")),
    st.integers(),
    junk,
)
RETENTIONS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731}
RETENTIONS |= {1096, 1827, 2192, 2557, 2922, 3288, 3653}
bad_retention = st.one_of(
    st.integers().filter(lambda n: n not in RETENTIONS), st.sampled_from([0, 2, 10, 31, 366]), junk
)
_RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def _bad_network(address: ipaddress.IPv4Address, prefix: int) -> str | None:
    net = ipaddress.IPv4Network(f"{address}/{prefix}", strict=False)
    private = any(net.subnet_of(block) for block in _RFC1918)
    return None if private and 16 <= prefix <= 24 else str(net)


bad_cidr = st.one_of(
    st.builds(_bad_network, st.ip_addresses(v=4), st.integers(0, 32)).filter(bool),
    st.sampled_from(["10.0.0.1/16", "10.0.0.0/8", "10.0.0.0/25", "8.8.8.0/24", "fd00::/16", ""]),
    st.text(max_size=20),
    junk,
)
bad_zone_list = st.one_of(
    st.sampled_from(
        [
            ["us-east-1a"],
            ["us-east-1a", "us-east-1a"],
            ["us-east-1a", "US-EAST-1B"],
            [f"eu-west-1{c}" for c in "abcdefg"],
        ]
    ),
    st.lists(st.text(alphabet="ab-1 ", max_size=8), min_size=2, max_size=3),
    junk,
)
text_bad = junk  # numbers are fine (`costCenter: 1234` in YAML); lists and maps are not

# key -> (strategy of bad values, other config that isolates the key's own check)
BAD: dict[str, tuple[st.SearchStrategy[Any], dict[str, Any]]] = {
    "network:vpcCidr": (bad_cidr, {}),
    "network:availabilityZones": (bad_zone_list, {}),
    "network:azCount": (bad_int(2, 6), {}),
    "network:natGateways": (
        st.one_of(_not_matching(r"none|single|per-az"), st.just("none"), junk),
        {},
    ),
    "network:peerEnvironments": (st.one_of(st.just(["dev"]), st.just("staging,dev"), junk), {}),
    "network:peerDatabaseAccess": (bad_bool, {}),
    "network:flowLogRetentionDays": (bad_retention, {}),
    "network:appPort": (bad_int(1, 65535), {}),
    "data:monitoringInterval": (
        st.one_of(st.integers().filter(lambda n: n not in (0, 1, 5, 10, 15, 30, 60)), junk),
        {},
    ),
    "data:instanceClass": (
        st.one_of(
            _not_matching(r"db\.[a-z0-9]+\.[a-z0-9]+"),
            st.sampled_from(["db.t3.micro", "db.t3.small", "db.t2.micro", "DB.R6G.LARGE"]),
            junk,
        ),
        {},
    ),
    "data:instanceCount": (bad_int(1, 15), {}),
    "data:engineVersion": (
        st.one_of(
            _not_matching(r"[0-9]+(\.[0-9]+)?"),
            st.sampled_from(["16.4", "16", "11.9", "16.1", "11.20"]),  # deprecated in AWS's data
            junk,
        ),
        {},
    ),
    "data:backupRetentionDays": (bad_int(1, 35), {}),
    "data:skipFinalSnapshot": (bad_bool, {}),
    "data:deletionProtection": (bad_bool, {}),
    "data:performanceInsights": (bad_bool, {}),
    "data:artifactsVersioning": (bad_bool, {}),
    "data:databaseName": (st.one_of(_not_matching(r"[a-z][a-z0-9_]{0,62}"), junk), {}),
    "data:logRetentionDays": (bad_retention, {}),
    "app:containerImage": (
        st.one_of(_not_matching(r"[a-z0-9][a-z0-9._/:@-]{0,254}"), junk),
        {},
    ),
    "app:containerPort": (bad_int(1, 65535), {}),
    "app:cpu": (
        st.one_of(st.integers().filter(lambda n: n not in FARGATE_MEMORY), bad_int(256, 16384)),
        {},
    ),
    "app:memory": (
        st.one_of(st.integers().filter(lambda n: n not in (512, 1024, 2048)), junk),
        {"app:cpu": 256},
    ),
    "app:desiredCount": (bad_int(0, 100), {}),
    "app:maxCount": (st.one_of(bad_int(1, 100), st.integers(1, 4)), {"app:desiredCount": 5}),
    "app:domainName": (
        st.one_of(_not_matching(r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}"), junk),
        {"app:hostedZoneId": "Z0123456789ABC"},
    ),
    "app:hostedZoneId": (
        st.one_of(_not_matching(r"Z[A-Z0-9]{1,31}"), junk),
        {"app:domainName": "example.com"},
    ),
    "app:certificateArn": (st.one_of(_not_matching(r"arn:aws[a-z-]*:acm:.+"), junk), {}),
    "app:healthCheckPath": (
        st.one_of(st.text(max_size=20).filter(lambda t: not t.strip().startswith("/")), junk),
        {},
    ),
    "app:logRetentionDays": (bad_retention, {}),
    "app:albAccessLogs": (bad_bool, {}),
    "app:cpuTargetPercent": (bad_int(10, 90), {}),
    "observability:alarmEmail": (
        st.one_of(st.text(max_size=30).filter(lambda t: "@" not in t and t.strip()), junk),
        {},
    ),
    "observability:alarmTopicArn": (
        st.one_of(
            _not_matching(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}"),
            st.sampled_from(["arn:aws:sns:us-east-1:123456789012:alarms.fifo"]),
            junk,
        ),
        {},
    ),
    "observability:logRetentionDays": (bad_retention, {}),
}
COMMON_BAD: dict[str, st.SearchStrategy[Any]] = {
    "owner": st.one_of(st.text(alphabet="<>!?;", min_size=1), st.text(min_size=257), text_bad),
    "costCenter": st.one_of(st.text(alphabet="<>#", min_size=1), text_bad),
    "environmentClass": st.one_of(_not_matching(r"dev|staging|prod|pr"), junk),
    "environmentSuffix": st.one_of(
        st.sampled_from(["prd", "production", "Prod", "pr-0", "pr-", "x" * 17]), junk
    ),
}


def test_every_accepted_key_refuses_bad_values() -> None:
    # A key with a strategy of its own is drawn from it (below); any other key, a new layer's
    # say, at least refuses a map, which no parser takes.
    keys = {key for layer in LAYER_NAMES for key in accepted_keys(layer)}
    common = {f"{layer}:{key}" for layer in LAYER_NAMES for key in COMMON_BAD}
    assert set(BAD) | common <= keys, "a strategy for a key no layer accepts"
    value = {"not": "a value"}
    for key in sorted(keys - set(BAD) - common):
        layer, name = key.split(":")
        _assert_one_clear_error(layer, name, value, {key: value})


def _assert_one_clear_error(layer: str, key: str, value: Any, raw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(layer, raw, stack="dev")
    error = caught.value
    assert type(error) in (ConfigError, UnknownKeyError)
    assert (error.layer, error.key) == (layer, key), str(error)
    assert error.value is value or error.value == value  # `is`: nan != nan
    assert str(error).startswith(f"{layer}:{key} = {shown(value)} is invalid: ")
    assert error.accepted.strip()


@pytest.mark.parametrize("key", sorted(BAD))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_bad_values_end_in_one_config_error(key: str, data: st.DataObject) -> None:
    strategy, others = BAD[key]
    value = data.draw(strategy)
    layer = key.split(":", maxsplit=1)[0]
    _assert_one_clear_error(layer, key.split(":")[1], value, {**others, key: value})


@pytest.mark.parametrize("key", sorted(COMMON_BAD))
@settings(max_examples=30, deadline=None)
@given(data=st.data(), layer=st.sampled_from(LAYER_NAMES))
def test_bad_common_values_end_in_one_config_error(
    key: str, layer: str, data: st.DataObject
) -> None:
    value = data.draw(COMMON_BAD[key])
    raw = {f"{layer}:{key}": value}
    if key == "environmentClass":
        raw[f"{layer}:environmentSuffix"] = "perf"
    _assert_one_clear_error(layer, key, value, raw)


values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.dictionaries(
        st.sampled_from([*sorted(BAD), "network:owner", "app:environmentClass"]), values, max_size=4
    ),
    stack=st.sampled_from(["dev", "prod", "pr-12", "prd"]),
)
def test_any_value_is_accepted_or_one_config_error(raw: dict[str, Any], stack: str) -> None:
    for layer in LAYER_NAMES:
        try:
            parse(layer, raw, stack=stack)
        except ConfigError as error:
            assert error.layer == layer
            assert f"{layer}:{error.key} = " in str(error)


# --- defaults and overrides ---------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "pr-12"])
def test_empty_config_gives_the_class_defaults(stack: str) -> None:
    network = parse("network", {}, stack=stack)
    data = parse("data", {}, stack=stack)
    app = parse("app", {}, stack=stack)
    observability = parse("observability", {}, stack=stack)
    assert isinstance(network, NetworkConfig) and isinstance(data, DataConfig)
    assert isinstance(app, AppConfig) and isinstance(observability, ObservabilityConfig)
    profile = PROFILES[network.environment.environment_class]
    assert str(network.vpc_cidr) == network.environment.default_vpc_cidr
    assert (network.az_count, network.nat_gateways) == (profile.az_count, profile.nat_gateways)
    assert data.instance_class == profile.db_instance_class
    assert data.instance_count == profile.db_instance_count
    assert data.backup_retention_days == profile.backup_retention_days
    assert data.skip_final_snapshot is not profile.final_snapshot
    assert data.deletion_protection is profile.deletion_protection
    assert (app.cpu, app.memory, app.desired_count) == (
        profile.ecs_cpu,
        profile.ecs_memory,
        profile.desired_count,
    )
    assert observability.log_retention_days == profile.log_retention_days


def test_prod_defaults_protect_the_database() -> None:
    data = parse("data", {}, stack="prod")
    assert isinstance(data, DataConfig)
    assert data.backup_retention_days == 30
    assert data.deletion_protection and not data.skip_final_snapshot


def test_overrides_win_over_defaults_and_strings_are_parsed() -> None:
    network = parse(
        "network",
        {
            "network:vpcCidr": "172.20.0.0/20",
            "network:availabilityZones": '["eu-west-1a", "eu-west-1b", "eu-west-1c"]',
            "network:natGateways": "per-az",
            "network:peerEnvironments": "staging, prod",
            "network:owner": "Platform Team",
            "aws:region": "eu-west-1",  # other namespaces are not this layer's business
        },
        stack="dev",
    )
    assert isinstance(network, NetworkConfig)
    assert network.vpc_cidr == ipaddress.IPv4Network("172.20.0.0/20")
    assert network.az_count == 3 and network.nat_gateways == "per-az"
    assert network.peer_environments == ("staging", "prod")
    assert network.owner == "Platform Team"
    data = parse(
        "data",
        {"data:instanceClass": "db.r6g.xlarge", "data:skipFinalSnapshot": "TRUE"},
        stack="prod",
    )
    assert isinstance(data, DataConfig)
    assert data.instance_class == "db.r6g.xlarge" and data.skip_final_snapshot is True
    app = parse("app", {"app:cpu": "1024", "app:memory": 3072}, stack="dev")
    assert isinstance(app, AppConfig) and (app.cpu, app.memory) == (1024, 3072)


def test_a_bigger_cpu_gets_its_smallest_memory_when_memory_is_not_set() -> None:
    app = parse("app", {"app:cpu": 4096}, stack="dev")
    assert isinstance(app, AppConfig) and app.memory == 8192


def test_environment_config_keys_pick_the_environment() -> None:
    config = parse(
        "data", {"data:environmentSuffix": "perf", "data:environmentClass": "prod"}, stack="perf"
    )
    assert config.environment.name == "perf" and config.environment.environment_class == "prod"
    with pytest.raises(ConfigError, match="differs from the stack's environment 'dev'"):
        parse("data", {"data:environmentSuffix": "staging"}, stack="dev")


# --- the messages people will read ----------------------------------------------------------------


def _message(layer: str, raw: dict[str, Any], stack: str = "dev") -> str:
    with pytest.raises(ConfigError) as caught:
        parse(layer, raw, stack=stack)
    return str(caught.value)


@pytest.mark.parametrize("klass", ["db.t3.micro", "db.t3.small", "db.t4g.small"])
def test_small_classes_are_refused_because_aurora_postgres_lacks_them(klass: str) -> None:
    message = _message("data", {"data:instanceClass": klass, "aws:region": "us-east-1"})
    assert f"aurora-postgresql does not support {klass} in us-east-1" in message
    assert "db.t4g.medium" in message


@pytest.mark.parametrize(
    ("klass", "region"),
    [("db.t4g.small", "us-east-1"), ("db.t3.micro", None), ("db.r6g.large", "us-east-1")],
)
def test_config_and_pack_read_the_same_aurora_class_data(klass: str, region: str | None) -> None:
    from shared.aws import instance_classes

    raw = {"data:instanceClass": klass, **({"aws:region": region} if region else {})}
    verdict = instance_classes.verdict("aurora-postgresql", klass, region)
    if verdict.supported:
        assert parse("data", raw, stack="dev").instance_class == klass  # type: ignore[attr-defined]
    else:
        assert verdict.reason in _message("data", raw)


@pytest.mark.parametrize(
    ("cpu", "memory", "accepted"),
    [
        (256, 4096, "one of 512, 1024, 2048 MiB"),
        (512, 512, "1024-4096 MiB in steps of 1024"),
        (4096, 4000, "8192-30720 MiB in steps of 1024"),
        (16384, 32769, "32768-122880 MiB in steps of 8192"),
    ],
)
def test_fargate_cpu_memory_pairs(cpu: int, memory: int, accepted: str) -> None:
    message = _message("app", {"app:cpu": cpu, "app:memory": memory})
    assert f"app:memory = {memory}" in message and accepted in message


@pytest.mark.parametrize("cpu", sorted(FARGATE_MEMORY))
def test_every_fargate_pair_is_accepted(cpu: int) -> None:
    for memory in FARGATE_MEMORY[cpu]:
        app = parse("app", {"app:cpu": cpu, "app:memory": memory}, stack="dev")
        assert isinstance(app, AppConfig) and app.memory == memory


def test_fargate_cpu_values() -> None:
    assert "256, 512, 1024, 2048, 4096, 8192, 16384" in _message("app", {"app:cpu": 300})


@pytest.mark.parametrize("days", [1, 3, 5, 7, 14, 30, 60, 90, 365, 3653])
def test_retention_values_are_cloudwatch_ones(days: int) -> None:
    config = parse("observability", {"observability:logRetentionDays": days}, stack="dev")
    assert isinstance(config, ObservabilityConfig) and config.log_retention_days == days


def test_retention_message_lists_the_values() -> None:
    assert "1, 3, 5, 7, 14, 30" in _message("app", {"app:logRetentionDays": 10})


@pytest.mark.parametrize(
    "cidr",
    ["10.0.0.0/16", "10.255.0.0/24", "172.16.0.0/16", "172.31.255.0/24", "192.168.0.0/16"],
)
def test_private_cidrs_from_16_to_24_are_accepted(cidr: str) -> None:
    network = parse("network", {"network:vpcCidr": cidr}, stack="dev")
    assert isinstance(network, NetworkConfig) and str(network.vpc_cidr) == cidr


@pytest.mark.parametrize(
    "cidr",
    ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/25", "172.32.0.0/16", "8.8.0.0/16", "10.0.0.1/16"],
)
def test_bad_cidrs_say_what_is_accepted(cidr: str) -> None:
    message = _message("network", {"network:vpcCidr": cidr})
    assert f"network:vpcCidr = {cidr!r}" in message
    assert "private RFC 1918" in message and "/16 to /24" in message


def test_az_count_range_is_in_the_message() -> None:
    assert "from 2 to 6" in _message("network", {"network:azCount": 7})


def test_az_count_must_match_listed_zones() -> None:
    raw = {"network:availabilityZones": ["us-east-1a", "us-east-1b"], "network:azCount": 3}
    assert "network:azCount = 3" in _message("network", raw)


def test_no_nat_only_for_pr_environments() -> None:
    assert "only allowed in pr environments" in _message("network", {"network:natGateways": "none"})
    network = parse("network", {"network:natGateways": "none"}, stack="pr-4")
    assert isinstance(network, NetworkConfig) and network.nat_gateways == "none"


def test_an_environment_cannot_peer_with_itself() -> None:
    assert "cannot peer with itself" in _message("network", {"network:peerEnvironments": ["dev"]})


def test_domain_and_zone_go_together() -> None:
    assert "must be set together" in _message("app", {"app:domainName": "example.com"})


def test_unknown_keys_are_rejected_with_a_suggestion() -> None:
    message = _message("network", {"network:vpcCird": "10.0.0.0/16"})
    assert "network:vpcCird" in message and "did you mean network:vpcCidr?" in message
    with pytest.raises(UnknownKeyError) as caught:
        parse("data", {"data:instance_class": "db.r6g.large"}, stack="dev")
    assert "data:instanceClass" in caught.value.known_keys or "instanceClass" in str(caught.value)


def test_a_key_of_another_layer_is_unknown_here() -> None:
    # app:containerImage under the data layer's namespace is a mistake, not silently ignored.
    assert "unknown key" in _message("data", {"data:containerImage": "nginx"})


def test_bad_environment_names_the_source() -> None:
    assert "from the stack name" in _message("data", {}, stack="prd")
    message = _message("data", {"data:environmentSuffix": "production"}, stack="")
    assert "data:environmentSuffix = 'production'" in message and "Did you mean 'prod'" in message


def test_unknown_layer() -> None:
    with pytest.raises(UnknownLayerError):
        parse("database", {}, stack="dev")


def test_a_cidr_too_small_for_the_subnets_is_refused() -> None:
    # The sizing rule itself lives in shared/subnets.py (tested there); config must apply it.
    message = _message("network", {"network:vpcCidr": "10.0.0.0/24", "network:azCount": 6})
    assert "network:vpcCidr = '10.0.0.0/24'" in message and "too small" in message


def test_a_config_error_is_a_run_error_so_the_cli_shows_no_traceback() -> None:
    with pytest.raises(RunError, match=r"data:instanceClass = 'db\.t3\.micro'"):
        parse("data", {"data:instanceClass": "db.t3.micro"}, stack="dev")


def test_declaring_a_schema_registers_it_for_its_layer_and_a_second_one_is_refused() -> None:
    from dataclasses import dataclass

    from shared.config.schema import SCHEMAS, LayerConfig

    @dataclass(frozen=True, kw_only=True)
    class ToyConfig(LayerConfig):
        LAYER = "toy-layer"

    try:
        assert SCHEMAS["toy-layer"] is ToyConfig
        with pytest.raises(TypeError, match="two config schemas for the toy-layer layer"):

            @dataclass(frozen=True, kw_only=True)
            class OtherConfig(LayerConfig):
                LAYER = "toy-layer"
    finally:
        SCHEMAS.pop("toy-layer")


# --- Cross-field checks of the layer schemas: good and bad config -------------------------------

PAIR = "app:domainName and app:hostedZoneId must be set together"

GOOD_CONFIG = [
    pytest.param("app", {"app:cpu": "256", "app:memory": "2048"}, "dev", id="fargate-pair"),
    pytest.param("app", {"app:desiredCount": "3", "app:maxCount": "3"}, "dev", id="max-count"),
    pytest.param("network", {"network:natGateways": "none"}, "pr-3", id="pr-without-nat"),
]

BAD_CONFIG = [
    pytest.param(
        "app",
        {"app:cpu": "300"},
        "dev",
        ("cpu", "must be a Fargate cpu value: 256, 512, 1024, 2048, 4096, 8192, 16384"),
        id="fargate-cpu",
    ),
    pytest.param(
        "app",
        {"app:cpu": "256", "app:memory": "4096"},
        "dev",
        ("memory", "with app:cpu 256 Fargate accepts one of 512, 1024, 2048 MiB"),
        id="fargate-pair",
    ),
    pytest.param(
        "app",
        {"app:desiredCount": "3", "app:maxCount": "2"},
        "dev",
        ("maxCount", "must be at least app:desiredCount (3)"),
        id="max-count",
    ),
    pytest.param(
        "app", {"app:domainName": "example.com"}, "dev", ("hostedZoneId", PAIR), id="zone"
    ),
    pytest.param(
        "app", {"app:hostedZoneId": "Z0123456789ABC"}, "dev", ("domainName", PAIR), id="domain"
    ),
    pytest.param(
        "network",
        {"network:availabilityZones": "us-east-1a,us-east-1b", "network:azCount": "3"},
        "dev",
        ("azCount", "must match the 2 zones in network:availabilityZones"),
        id="zone-count",
    ),
    pytest.param(
        "network",
        {"network:natGateways": "none"},
        "staging",
        (
            "natGateways",
            "'none' is only allowed in pr environments, whose profile sets nat_none_allowed (private "
            "subnets lose internet access)",
        ),
        id="nat",
    ),
    pytest.param(
        "network",
        {"network:peerEnvironments": "dev"},
        "dev",
        ("peerEnvironments", "an environment cannot peer with itself (dev)"),
        id="self-peering",
    ),
]


@pytest.mark.parametrize(("layer", "raw", "stack"), GOOD_CONFIG)
def test_good_config(layer: str, raw: dict[str, object], stack: str) -> None:
    parsed = parse(layer, raw, stack=stack)
    for key, value in raw.items():
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", key.split(":")[1]).lower()
        assert str(getattr(parsed, name)) == value


@pytest.mark.parametrize(("layer", "raw", "stack", "expected"), BAD_CONFIG)
def test_bad_config(
    layer: str, raw: dict[str, object], stack: str, expected: tuple[str, str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(layer, raw, stack=stack)
    assert (caught.value.key, caught.value.accepted) == expected


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
