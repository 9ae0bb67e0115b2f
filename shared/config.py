"""Typed, validated config per layer: environment-class defaults merged with stack config.

Pure: plain data in (the `<layer>:<key>` mapping from `Pulumi.<env>.yaml`), a typed object or one
`ConfigError` out. `load()` is the thin bridge from a running Pulumi program to that pure core.
Every key is listed in the README's config table.
"""

from __future__ import annotations

import difflib
import ipaddress
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from pulumi.errors import RunError

from shared.environment import (
    ENVIRONMENT_CLASSES,
    NAT_MODES,
    Environment,
    NatMode,
    parse_environment,
    resolve_environment,
)
from shared.layers import get_layer
from shared.subnets import SubnetLayoutError, layout_subnets
from shared.tagging import standard_tags

# Keys that every layer accepts; they pick the environment and fill the optional tags.
COMMON_KEYS = ("environmentSuffix", "environmentClass", "owner", "costCenter")

DEFAULT_CONTAINER_PORT = 80
"""app:containerPort's default; network:appPort (the ALB -> app rule) defaults to the same."""
ENHANCED_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
AURORA_UNSUPPORTED_CLASSES = frozenset({"db.t3.micro", "db.t3.small", "db.t2.micro", "db.t2.small"})
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip
# Fargate's valid (cpu units -> memory MiB) combinations.
FARGATE_MEMORY: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DOMAIN = re.compile(r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII)
_AZ = re.compile(r"[a-z]{2}(-[a-z]+)+-\d[a-z]", re.ASCII)
_RDS_CLASS = re.compile(r"db\.[a-z0-9]+\.[a-z0-9]+", re.ASCII)
_ENGINE_VERSION = re.compile(r"\d+(\.\d+)?", re.ASCII)
_HOSTED_ZONE = re.compile(r"Z[A-Z0-9]{1,31}", re.ASCII)
_ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+", re.ASCII)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}", re.ASCII)
# AWS tag values: letters (any script), digits, spaces and _ . : / = + - @.
_TAG_VALUE = re.compile(r"[\w .:/=+\-@]{1,256}")
_IMAGE = re.compile(r"[a-z0-9][a-z0-9._/:@-]{0,254}", re.ASCII)


class ConfigError(ValueError, RunError):
    """A config value a user wrote that cannot work; the message names layer, key, value and fix.

    A RunError too: the Pulumi CLI then prints the message alone, without a Python traceback.
    """

    def __init__(self, layer: str, key: str, value: object, accepted: str) -> None:
        self.layer, self.key, self.value, self.accepted = layer, key, value, accepted
        shown = "(not set)" if value is None else repr(value)
        super().__init__(f"{layer}:{key} = {shown} is invalid: {accepted}")


class UnknownKeyError(ConfigError):
    """A key this layer does not read (usually a typo); `known_keys` lists what it does read."""

    def __init__(self, layer: str, key: str, value: object, known_keys: tuple[str, ...]) -> None:
        self.known_keys = known_keys
        close = difflib.get_close_matches(key, known_keys, n=1, cutoff=0.6)
        hint = f"did you mean {layer}:{close[0]}? " if close else ""
        known = ", ".join(f"{layer}:{k}" for k in known_keys)
        super().__init__(layer, key, value, f"unknown key; {hint}known keys: {known}")


class _Invalid(Exception):
    """Raised by a parser; turned into a ConfigError that names the layer and key."""


@dataclass(frozen=True)
class CommonConfig:
    layer: str
    environment: Environment
    owner: str | None
    cost_center: str | None

    @property
    def tags(self) -> dict[str, str]:
        """The standard tag set for every resource of this layer's stack."""
        return standard_tags(
            environment=self.environment.name,
            layer=self.layer,
            owner=self.owner,
            cost_center=self.cost_center,
        )


@dataclass(frozen=True)
class NetworkConfig:
    common: CommonConfig
    vpc_cidr: ipaddress.IPv4Network
    availability_zones: tuple[str, ...]  # empty: take the first az_count zones of the region
    az_count: int
    nat_gateways: NatMode
    peer_environments: tuple[str, ...]
    peer_database_access: bool
    flow_log_retention_days: int
    app_port: int


@dataclass(frozen=True)
class DataConfig:
    common: CommonConfig
    instance_class: str
    instance_count: int
    engine_version: str
    backup_retention_days: int
    skip_final_snapshot: bool
    deletion_protection: bool
    performance_insights: bool
    monitoring_interval: int  # seconds between enhanced-monitoring samples; 0 turns it off
    database_name: str
    artifacts_versioning: bool


@dataclass(frozen=True)
class AppConfig:
    common: CommonConfig
    container_image: str
    container_port: int
    cpu: int
    memory: int
    desired_count: int
    max_count: int
    domain_name: str | None
    hosted_zone_id: str | None
    certificate_arn: str | None
    health_check_path: str
    log_retention_days: int
    alb_access_logs: bool
    cpu_target_percent: int


@dataclass(frozen=True)
class ObservabilityConfig:
    common: CommonConfig
    alarm_email: str | None
    log_retention_days: int


LayerConfig = NetworkConfig | DataConfig | AppConfig | ObservabilityConfig
T = TypeVar("T")


# --- value parsers: each takes the raw value (YAML-native or the string Pulumi hands over) ----------


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid("must be a string")
    return str(value).strip()


def _int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise _Invalid(f"must be a whole number from {low} to {high}")
        text = str(value).strip()
        # int() alone would also take "1_000" and non-ASCII digits; config should be plain digits.
        if not _WHOLE_NUMBER.fullmatch(text):
            raise _Invalid(f"must be a whole number from {low} to {high}")
        number = int(text)
        if not low <= number <= high:
            raise _Invalid(f"must be a whole number from {low} to {high}")
        return number

    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise _Invalid("must be true or false")


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        if not value.strip():
            return ()
        try:
            value = json.loads(value) if value.strip().startswith("[") else value.split(",")
        except json.JSONDecodeError:
            raise _Invalid("must be a list of strings") from None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _Invalid("must be a list of strings")
    if not all(v.strip() for v in value):
        raise _Invalid("must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if text not in choices:
            raise _Invalid(f"must be one of: {', '.join(choices)}")
        return text

    return parse


def _one_of_int(choices: tuple[int, ...]) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = _int(min(choices), max(choices))(value)
        if number not in choices:
            raise _Invalid(f"must be one of: {', '.join(map(str, choices))}")
        return number

    return parse


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if not pattern.fullmatch(text):
            raise _Invalid(f"must be {what}")
        return text

    return parse


def _retention(value: Any) -> int:
    days = _int(1, 3653)(value)
    if days not in CLOUDWATCH_RETENTION_DAYS:
        raise _Invalid(
            "must be a CloudWatch Logs retention: " + ", ".join(map(str, CLOUDWATCH_RETENTION_DAYS))
        )
    return days


def _vpc_cidr(value: Any) -> ipaddress.IPv4Network:
    accepted = "must be a private RFC 1918 IPv4 range from /16 to /24, e.g. 10.10.0.0/16"
    try:
        network = ipaddress.IPv4Network(_text(value), strict=True)
    except ValueError:
        raise _Invalid(accepted) from None
    rfc1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    if not any(network.subnet_of(block) for block in rfc1918) or not 16 <= network.prefixlen <= 24:
        raise _Invalid(accepted)
    return network


def _zones(value: Any) -> tuple[str, ...]:
    zones = _str_list(value)
    if len(set(zones)) != len(zones):
        raise _Invalid("must not list a zone twice")
    if zones and not 2 <= len(zones) <= 6:
        raise _Invalid("must list 2 to 6 availability zones")
    for zone in zones:
        if not _AZ.fullmatch(zone):
            raise _Invalid(f"{zone!r} is not an availability zone name such as us-east-1a")
    return zones


def _peers(value: Any) -> tuple[str, ...]:
    peers = _str_list(value)
    if len(set(peers)) != len(peers):
        raise _Invalid("must not list an environment twice")
    for peer in peers:
        try:
            parse_environment(peer)
        except ValueError:
            raise _Invalid(
                f"{peer!r} is not a peerable environment: use dev, staging, prod or pr-<number>"
            ) from None
    return peers


def _instance_class(value: Any) -> str:
    text = _matching(_RDS_CLASS, "an RDS instance class such as db.t4g.medium or db.r6g.large")(
        value
    )
    if text in AURORA_UNSUPPORTED_CLASSES:
        raise _Invalid(
            f"Aurora PostgreSQL does not support {text}; the smallest burstable classes are "
            "db.t3.medium and db.t4g.medium"
        )
    return text


def _tag_value(value: Any) -> str:
    # Owner and cost centre become tag values: check them here, where the message names the key.
    return _matching(
        _TAG_VALUE,
        "a tag value: 1-256 letters, digits, spaces and _ . : / = + - @",
    )(value)


def _health_check_path(value: Any) -> str:
    text = _text(value)
    if not text.startswith("/") or len(text) > 1024 or any(c.isspace() for c in text):
        raise _Invalid("must be an absolute URL path such as /health (no spaces, <=1024 chars)")
    return text


def _fargate_memory(cpu: int) -> str:
    allowed = FARGATE_MEMORY[cpu]
    steps = {b - a for a, b in itertools.pairwise(allowed)}
    if len(allowed) > 3 and len(steps) == 1:
        return f"{allowed[0]}-{allowed[-1]} MiB in steps of {steps.pop()}"
    return f"one of {', '.join(map(str, allowed))} MiB"


# --- the loader -----------------------------------------------------------------------------------


class _Reader:
    """Reads `<layer>:<key>` values, turning every parser failure into a ConfigError."""

    def __init__(self, layer: str, raw: Mapping[str, Any]) -> None:
        self.layer = layer
        self.values = {k.split(":", 1)[1]: v for k, v in raw.items() if k.startswith(f"{layer}:")}
        self.used: set[str] = set(COMMON_KEYS)

    def get(self, key: str, parse: Callable[[Any], T], default: T) -> T:
        self.used.add(key)
        value = self.values.get(key)
        if value is None:
            return default
        try:
            return parse(value)
        except _Invalid as error:
            raise ConfigError(self.layer, key, value, str(error)) from None

    def optional(self, key: str, parse: Callable[[Any], T]) -> T | None:
        self.used.add(key)
        value = self.values.get(key)
        if value is None or value == "":
            return None
        return self.get(key, parse, None)

    def fail(self, key: str, accepted: str) -> ConfigError:
        return ConfigError(self.layer, key, self.values.get(key), accepted)

    def reject_unknown(self, known_extra: tuple[str, ...] = ()) -> None:
        known = tuple(sorted(self.used | set(known_extra)))
        unknown = sorted(set(self.values) - set(known))
        if unknown:
            raise UnknownKeyError(self.layer, unknown[0], self.values[unknown[0]], known)


def environment_from(
    layer: str, raw: Mapping[str, Any], stack: str | None, env_var: str | None = None
) -> Environment:
    """The environment for this layer's stack, per the precedence in shared.environment."""
    values = {k.split(":", 1)[1]: v for k, v in raw.items() if k.startswith(f"{layer}:")}
    suffix, klass = values.get("environmentSuffix"), values.get("environmentClass")
    if klass is not None and klass not in ENVIRONMENT_CLASSES:
        raise ConfigError(
            layer, "environmentClass", klass, f"must be one of: {', '.join(ENVIRONMENT_CLASSES)}"
        )
    try:
        return resolve_environment(
            env_var=env_var,
            config_suffix=None if suffix is None else str(suffix),
            stack_name=stack,
            config_class=None if klass is None else str(klass),
        )
    except ValueError as error:
        # Say where the name actually came from, so the user knows what to fix.
        value: object
        if env_var is not None and env_var.strip():
            value, source = env_var, " (the name came from the ENVIRONMENT_SUFFIX env var)"
        elif suffix is not None and str(suffix).strip():
            value, source = suffix, ""
        else:
            value, source = stack, " (the name came from the stack name)"
        raise ConfigError(layer, "environmentSuffix", value, f"{error}{source}") from None


def _common(reader: _Reader, environment: Environment) -> CommonConfig:
    return CommonConfig(
        layer=reader.layer,
        environment=environment,
        owner=reader.optional("owner", _tag_value),
        cost_center=reader.optional("costCenter", _tag_value),
    )


def parse_network(raw: Mapping[str, Any], environment: Environment) -> NetworkConfig:
    r, p = _Reader("network", raw), environment.profile
    zones: tuple[str, ...] = r.get("availabilityZones", _zones, ())
    az_count = r.get("azCount", _int(2, 6), len(zones) or p.az_count)
    if zones and az_count != len(zones):
        raise r.fail("azCount", f"must match the {len(zones)} zones in network:availabilityZones")
    nat = r.get("natGateways", _one_of(NAT_MODES), str(p.nat_gateways))
    if nat == "none" and not environment.is_ephemeral:
        raise r.fail(
            "natGateways",
            "'none' is only allowed for PR environments (private subnets lose internet access)",
        )
    peers: tuple[str, ...] = r.get("peerEnvironments", _peers, ())
    if environment.name in peers:
        raise r.fail(
            "peerEnvironments", f"an environment cannot peer with itself ({environment.name})"
        )
    vpc_cidr = r.get("vpcCidr", _vpc_cidr, ipaddress.IPv4Network(environment.default_vpc_cidr))
    try:
        layout_subnets(vpc_cidr, az_count)
    except SubnetLayoutError as error:
        raise r.fail("vpcCidr", str(error)) from None
    config = NetworkConfig(
        common=_common(r, environment),
        vpc_cidr=vpc_cidr,
        availability_zones=zones,
        az_count=az_count,
        nat_gateways=nat,  # type: ignore[arg-type]
        peer_environments=peers,
        peer_database_access=r.get("peerDatabaseAccess", _bool, False),
        flow_log_retention_days=r.get("flowLogRetentionDays", _retention, p.log_retention_days),
        app_port=r.get("appPort", _int(1, 65535), DEFAULT_CONTAINER_PORT),
    )
    r.reject_unknown()
    return config


def parse_data(raw: Mapping[str, Any], environment: Environment) -> DataConfig:
    r, p = _Reader("data", raw), environment.profile
    config = DataConfig(
        common=_common(r, environment),
        instance_class=r.get("instanceClass", _instance_class, p.db_instance_class),
        instance_count=r.get("instanceCount", _int(1, 15), p.db_instance_count),
        engine_version=r.get(
            "engineVersion",
            _matching(_ENGINE_VERSION, "an Aurora PostgreSQL version such as 16.4"),
            "16.4",
        ),
        backup_retention_days=r.get("backupRetentionDays", _int(1, 35), p.backup_retention_days),
        skip_final_snapshot=r.get("skipFinalSnapshot", _bool, not p.final_snapshot),
        deletion_protection=r.get("deletionProtection", _bool, p.deletion_protection),
        performance_insights=r.get("performanceInsights", _bool, p.performance_insights),
        monitoring_interval=r.get(
            "monitoringInterval",
            _one_of_int(ENHANCED_MONITORING_INTERVALS),
            60 if p.performance_insights else 0,
        ),
        database_name=r.get(
            "databaseName",
            _matching(
                re.compile(r"[a-z][a-z0-9_]{0,62}"),
                "1-63 lowercase letters, digits or _, starting with a letter",
            ),
            "app",
        ),
        artifacts_versioning=r.get("artifactsVersioning", _bool, p.artifacts_versioning),
    )
    r.reject_unknown()
    return config


def parse_app(raw: Mapping[str, Any], environment: Environment) -> AppConfig:
    r, p = _Reader("app", raw), environment.profile
    cpu = r.get("cpu", _int(256, 16384), p.ecs_cpu)
    if cpu not in FARGATE_MEMORY:
        raise r.fail("cpu", f"must be a Fargate cpu value: {', '.join(map(str, FARGATE_MEMORY))}")
    default_memory = p.ecs_memory if p.ecs_memory in FARGATE_MEMORY[cpu] else FARGATE_MEMORY[cpu][0]
    memory = r.get("memory", _int(512, 122880), default_memory)
    if memory not in FARGATE_MEMORY[cpu]:
        raise r.fail("memory", f"with app:cpu {cpu} Fargate accepts {_fargate_memory(cpu)}")
    desired = r.get("desiredCount", _int(0, 100), p.desired_count)
    max_count = r.get("maxCount", _int(1, 100), max(p.max_count, desired))
    if max_count < desired:
        raise r.fail("maxCount", f"must be at least app:desiredCount ({desired})")
    domain = r.optional(
        "domainName", _matching(_DOMAIN, "a lowercase DNS name such as example.com")
    )
    zone = r.optional(
        "hostedZoneId", _matching(_HOSTED_ZONE, "a Route53 hosted zone id such as Z0123456789ABC")
    )
    if (domain is None) != (zone is None):
        missing = "hostedZoneId" if zone is None else "domainName"
        raise r.fail(missing, "app:domainName and app:hostedZoneId must be set together")
    config = AppConfig(
        common=_common(r, environment),
        container_image=r.get(
            "containerImage",
            _matching(
                _IMAGE, "a container image reference such as public.ecr.aws/nginx/nginx:1.27"
            ),
            "public.ecr.aws/nginx/nginx:1.27",
        ),
        container_port=r.get("containerPort", _int(1, 65535), DEFAULT_CONTAINER_PORT),
        cpu=cpu,
        memory=memory,
        desired_count=desired,
        max_count=max_count,
        domain_name=domain,
        hosted_zone_id=zone,
        certificate_arn=r.optional("certificateArn", _matching(_ACM_ARN, "an ACM certificate ARN")),
        health_check_path=r.get("healthCheckPath", _health_check_path, "/"),
        log_retention_days=r.get("logRetentionDays", _retention, p.log_retention_days),
        alb_access_logs=r.get("albAccessLogs", _bool, p.alb_access_logs),
        cpu_target_percent=r.get("cpuTargetPercent", _int(10, 90), 60),
    )
    r.reject_unknown()
    return config


def parse_observability(raw: Mapping[str, Any], environment: Environment) -> ObservabilityConfig:
    r, p = _Reader("observability", raw), environment.profile
    config = ObservabilityConfig(
        common=_common(r, environment),
        alarm_email=r.optional(
            "alarmEmail", _matching(_EMAIL, "an email address such as ops@example.com")
        ),
        log_retention_days=r.get("logRetentionDays", _retention, p.log_retention_days),
    )
    r.reject_unknown()
    return config


PARSERS: Mapping[str, Callable[[Mapping[str, Any], Environment], LayerConfig]] = {
    "network": parse_network,
    "data": parse_data,
    "app": parse_app,
    "observability": parse_observability,
}


def accepted_keys(layer: str) -> tuple[str, ...]:
    """Every `<layer>:<key>` the layer reads, in any environment class (the README table's source)."""
    get_layer(layer)
    probe = f"{layer}:\x00"  # a key no one can mean, so the parser reports what it does read
    keys: set[str] = set()
    for name in ("dev", "staging", "prod", "pr-1"):
        try:
            PARSERS[layer]({probe: "probe"}, parse_environment(name))
        except UnknownKeyError as error:
            keys.update(error.known_keys)
    return tuple(f"{layer}:{key}" for key in sorted(keys))


@overload
def parse(
    layer: Literal["network"],
    raw: Mapping[str, Any],
    *,
    stack: str | None,
    env_var: str | None = None,
) -> NetworkConfig: ...
@overload
def parse(
    layer: Literal["data"], raw: Mapping[str, Any], *, stack: str | None, env_var: str | None = None
) -> DataConfig: ...
@overload
def parse(
    layer: Literal["app"], raw: Mapping[str, Any], *, stack: str | None, env_var: str | None = None
) -> AppConfig: ...
@overload
def parse(
    layer: Literal["observability"],
    raw: Mapping[str, Any],
    *,
    stack: str | None,
    env_var: str | None = None,
) -> ObservabilityConfig: ...
@overload
def parse(
    layer: str, raw: Mapping[str, Any], *, stack: str | None, env_var: str | None = None
) -> LayerConfig: ...
def parse(
    layer: str, raw: Mapping[str, Any], *, stack: str | None, env_var: str | None = None
) -> LayerConfig:
    """Environment plus typed config for `layer` from raw `<layer>:<key>` values."""
    get_layer(layer)
    return PARSERS[layer](raw, environment_from(layer, raw, stack, env_var))


@overload
def load(layer: Literal["network"]) -> NetworkConfig: ...
@overload
def load(layer: Literal["data"]) -> DataConfig: ...
@overload
def load(layer: Literal["app"]) -> AppConfig: ...
@overload
def load(layer: Literal["observability"]) -> ObservabilityConfig: ...
def load(layer: str) -> LayerConfig:
    """Read the running program's config and return it typed; a bad value stops the program clearly."""
    import os

    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env

    raw = {**get_config_env(), **CONFIG.get()}
    env_var, stack = os.environ.get("ENVIRONMENT_SUFFIX"), pulumi.get_stack()
    warning = stale_environment_suffix(env_var, stack)
    if warning:
        pulumi.log.warn(warning)
    return parse(layer, raw, stack=stack, env_var=env_var)


def stale_environment_suffix(env_var: str | None, stack: str) -> str | None:
    """A warning when ENVIRONMENT_SUFFIX names another environment than a stack that is itself one.

    The variable wins by the documented precedence (CI uses it for stacks with other names), but
    one left in a shell from a dev session would give `pulumi up -s prod` dev settings.
    """
    if not env_var or not env_var.strip() or env_var.strip() == stack:
        return None
    try:
        parse_environment(stack)
    except ValueError:
        return None  # a custom stack name: the variable is how it gets its environment
    return (
        f"ENVIRONMENT_SUFFIX={env_var.strip()} overrides the stack name {stack!r}: this stack is "
        f"being planned with {env_var.strip()!r} settings. Unset ENVIRONMENT_SUFFIX unless that "
        "is intended."
    )
