"""The config of each layer: one schema per layer, each field with its key, parser and default.

A layer with no keys of its own needs no entry: it gets `LayerConfig` (owner, costCenter).
Every key is listed in the README's config table, which a test generates from these declarations.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from shared.aws import availability_zones as aws_zones
from shared.aws import engine_versions, instance_classes
from shared.aws.accepted_values import ENHANCED_MONITORING_INTERVALS, FARGATE_MEMORY
from shared.config import values as v
from shared.config.schema import Known, LayerConfig, Problem, setting
from shared.environment import NAT_MODES, NatMode, classes_with
from shared.subnets import SubnetLayoutError, layout_subnets

AURORA_POSTGRESQL = instance_classes.AURORA_POSTGRESQL
DEFAULT_ENGINE_VERSION = "16.15"
"""data:engineVersion's default: the newest 16 minor in the vendored AWS data when it was chosen.
A literal, not computed from that data, so refreshing the data never schedules an engine upgrade;
config refuses it (and every other version) once the data marks it deprecated."""

DEFAULT_CONTAINER_PORT = 80
"""app:containerPort's default; network:appPort (the ALB -> app rule) defaults to the same."""


def _default_memory(known: Known) -> int:
    cpu, memory = known.values["cpu"], known.profile.ecs_memory
    allowed = FARGATE_MEMORY.get(cpu, (memory,))
    return memory if memory in allowed else allowed[0]


@dataclass(frozen=True, kw_only=True)
class NetworkConfig(LayerConfig):
    LAYER = "network"
    availability_zones: tuple[str, ...] = setting(  # empty: the region's first az_count zones
        "availabilityZones", v.availability_zones, lambda k: ()
    )
    az_count: int = setting(
        "azCount",
        v.whole_number(2, 6),
        lambda k: len(k.values["availability_zones"]) or k.profile.az_count,
    )
    nat_gateways: NatMode = setting(
        "natGateways", v.one_of(NAT_MODES), lambda k: k.profile.nat_gateways
    )
    peer_environments: tuple[str, ...] = setting(
        "peerEnvironments", v.environment_names, lambda k: ()
    )
    peer_database_access: bool = setting("peerDatabaseAccess", v.boolean, lambda k: False)
    vpc_cidr: ipaddress.IPv4Network = setting(
        "vpcCidr",
        v.private_cidr,
        lambda k: ipaddress.IPv4Network(k.environment.default_vpc_cidr),
    )
    flow_log_retention_days: int = setting(
        "flowLogRetentionDays", v.log_retention, lambda k: k.profile.log_retention_days
    )
    app_port: int = setting("appPort", v.whole_number(1, 65535), lambda k: DEFAULT_CONTAINER_PORT)

    def validate(self) -> None:
        zones = self.availability_zones
        if zones and self.az_count != len(zones):
            raise Problem(
                "azCount", f"must match the {len(zones)} zones in network:availabilityZones"
            )
        self._validate_region_zones()
        if self.nat_gateways == "none" and not self.environment.profile.nat_none_allowed:
            allowed = classes_with(lambda p: p.nat_none_allowed)
            raise Problem(
                "natGateways",
                f"'none' is only allowed in {' and '.join(allowed) or 'no'} environments, whose "
                "profile sets nat_none_allowed (private subnets lose internet access)",
            )
        if self.environment.name in self.peer_environments:
            raise Problem(
                "peerEnvironments",
                f"an environment cannot peer with itself ({self.environment.name})",
            )
        try:
            layout_subnets(self.vpc_cidr, self.az_count)
        except SubnetLayoutError as error:
            raise Problem("vpcCidr", str(error)) from None

    def _validate_region_zones(self) -> None:
        """The region's real zones (AWS's data via cfn-lint), when the region is known to it."""
        real = aws_zones.zones_in(self.region) if self.region else None
        if real is None:
            return
        where = f"{self.region} has {len(real)} availability zones ({', '.join(real)}; {aws_zones.source()})"
        foreign = [zone for zone in self.availability_zones if zone not in real]
        if foreign:
            raise Problem(
                "availabilityZones", f"{foreign[0]!r} is not a zone of aws:region: {where}"
            )
        if self.az_count > len(real):
            raise Problem("azCount", f"must be at most {len(real)}: {where}")


@dataclass(frozen=True, kw_only=True)
class DataConfig(LayerConfig):
    LAYER = "data"
    instance_class: str = setting(
        "instanceClass",
        v.matching(
            r"db\.[a-z0-9]+\.[a-z0-9]+",
            "an RDS instance class such as db.t4g.medium or db.r6g.large",
        ),
        lambda k: k.profile.db_instance_class,
    )
    instance_count: int = setting(
        "instanceCount", v.whole_number(1, 15), lambda k: k.profile.db_instance_count
    )
    engine_version: str = setting(
        "engineVersion",
        v.matching(
            r"\d+(\.\d+)?", f"an Aurora PostgreSQL version such as {DEFAULT_ENGINE_VERSION}"
        ),
        lambda k: DEFAULT_ENGINE_VERSION,
    )
    backup_retention_days: int = setting(
        "backupRetentionDays", v.whole_number(1, 35), lambda k: k.profile.backup_retention_days
    )
    skip_final_snapshot: bool = setting(
        "skipFinalSnapshot", v.boolean, lambda k: not k.profile.final_snapshot
    )
    deletion_protection: bool = setting(
        "deletionProtection", v.boolean, lambda k: k.profile.deletion_protection
    )
    performance_insights: bool = setting(
        "performanceInsights", v.boolean, lambda k: k.profile.performance_insights
    )
    monitoring_interval: int = setting(  # seconds between enhanced-monitoring samples; 0 = off
        "monitoringInterval",
        v.one_of_numbers(ENHANCED_MONITORING_INTERVALS),
        lambda k: 60 if k.profile.performance_insights else 0,
    )
    database_name: str = setting(
        "databaseName",
        v.matching(
            r"[a-z][a-z0-9_]{0,62}", "1-63 lowercase letters, digits or _, starting with a letter"
        ),
        lambda k: "app",
    )
    artifacts_versioning: bool = setting(
        "artifactsVersioning", v.boolean, lambda k: k.profile.artifacts_versioning
    )
    log_retention_days: int = setting(  # the cluster's exported PostgreSQL log
        "logRetentionDays", v.log_retention, lambda k: k.profile.log_retention_days
    )

    def validate(self) -> None:
        # The same AWS data the policy pack checks with, so config and pack never disagree.
        if v.is_undecrypted(self.instance_class) or v.is_undecrypted(self.engine_version):
            return  # a secret not decrypted offline: AWS judges it at deploy time
        verdict = instance_classes.verdict(
            instance_classes.AURORA_POSTGRESQL, self.instance_class, self.region
        )
        if not verdict.supported:
            raise Problem("instanceClass", verdict.reason)
        deprecated = engine_versions.deprecation(AURORA_POSTGRESQL, self.engine_version)
        if deprecated is not None:
            major = self.engine_version.split(".")[0]
            current = engine_versions.current_default(AURORA_POSTGRESQL, major)
            hint = f"; use {current} or newer" if current else ""
            raise Problem("engineVersion", f"{deprecated}{hint}")


@dataclass(frozen=True, kw_only=True)
class AppConfig(LayerConfig):
    LAYER = "app"
    container_image: str = setting(
        "containerImage",
        v.matching(
            r"[a-z0-9][a-z0-9._/:@-]{0,254}",
            "a container image reference such as public.ecr.aws/nginx/nginx:1.27",
        ),
        lambda k: "public.ecr.aws/nginx/nginx:1.27",
    )
    container_port: int = setting(
        "containerPort", v.whole_number(1, 65535), lambda k: DEFAULT_CONTAINER_PORT
    )
    cpu: int = setting("cpu", v.whole_number(256, 16384), lambda k: k.profile.ecs_cpu)
    memory: int = setting("memory", v.whole_number(512, 122880), _default_memory)
    desired_count: int = setting(
        "desiredCount", v.whole_number(0, 100), lambda k: k.profile.desired_count
    )
    max_count: int = setting(
        "maxCount",
        v.whole_number(1, 100),
        lambda k: max(k.profile.max_count, k.values["desired_count"]),
    )
    domain_name: str | None = setting(
        "domainName",
        v.matching(
            r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
            "a lowercase DNS name such as example.com",
        ),
        optional=True,
    )
    hosted_zone_id: str | None = setting(
        "hostedZoneId",
        v.matching(r"Z[A-Z0-9]{1,31}", "a Route53 hosted zone id such as Z0123456789ABC"),
        optional=True,
    )
    certificate_arn: str | None = setting(
        "certificateArn",
        v.matching(
            r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+",
            "an ACM certificate ARN",
        ),
        optional=True,
    )
    health_check_path: str = setting("healthCheckPath", v.url_path, lambda k: "/")
    log_retention_days: int = setting(
        "logRetentionDays", v.log_retention, lambda k: k.profile.log_retention_days
    )
    alb_access_logs: bool = setting("albAccessLogs", v.boolean, lambda k: k.profile.alb_access_logs)
    cpu_target_percent: int = setting("cpuTargetPercent", v.whole_number(10, 90), lambda k: 60)

    def validate(self) -> None:
        if self.cpu not in FARGATE_MEMORY:
            raise Problem(
                "cpu", f"must be a Fargate cpu value: {', '.join(map(str, FARGATE_MEMORY))}"
            )
        if self.memory not in FARGATE_MEMORY[self.cpu]:
            raise Problem(
                "memory",
                f"with app:cpu {self.cpu} Fargate accepts {v.fargate_memory_hint(self.cpu)}",
            )
        if self.max_count < self.desired_count:
            raise Problem("maxCount", f"must be at least app:desiredCount ({self.desired_count})")
        if (self.domain_name is None) != (self.hosted_zone_id is None):
            missing = "hostedZoneId" if self.hosted_zone_id is None else "domainName"
            raise Problem(missing, "app:domainName and app:hostedZoneId must be set together")

    def validate_deployment(self) -> None:
        profile = self.environment.profile
        has_zone = profile.route53 and self.domain_name is not None
        if profile.https_required and self.certificate_arn is None and not has_zone:
            raise Problem(
                "certificateArn",
                f"{self.environment.name} serves HTTPS only (port 80 redirects): set "
                "app:certificateArn to an ACM certificate, or app:domainName and "
                "app:hostedZoneId for a certificate validated by DNS in that zone",
            )


@dataclass(frozen=True, kw_only=True)
class ObservabilityConfig(LayerConfig):
    LAYER = "observability"
    alarm_email: str | None = setting(
        "alarmEmail",
        v.matching(
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            "an email address such as ops@example.com",
        ),
        optional=True,
    )
    alarm_topic_arn: str | None = setting(
        "alarmTopicArn",
        v.matching(
            r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}",
            "the ARN of an existing standard SNS topic (CloudWatch alarms cannot notify FIFO "
            "topics)",
        ),
        optional=True,
    )
    log_retention_days: int = setting(
        "logRetentionDays", v.log_retention, lambda k: k.profile.log_retention_days
    )

    def validate_deployment(self) -> None:
        if (
            self.environment.profile.alarm_destination_required
            and self.alarm_email is None
            and self.alarm_topic_arn is None
        ):
            raise Problem(
                "alarmEmail",
                f"{self.environment.name}'s alarms must reach someone: set "
                "observability:alarmEmail (subscribed to the alarm topic) or "
                "observability:alarmTopicArn (an existing SNS topic the alarms also notify)",
            )


# The value the committed bootstrap/Pulumi.account.yaml ships with: roles trusting it would trust
# nobody's workflows (or a stranger's, should someone register that name).
PLACEHOLDER_REPOSITORY = "example-org/aws-platform"


@dataclass(frozen=True, kw_only=True)
class BootstrapConfig(LayerConfig):
    """The bootstrap project's (shared.layers.BOOTSTRAP), not a layer's."""

    LAYER = "bootstrap"
    repository: str | None = setting("repository", v.text, optional=True)  # <owner>/<repo>
    # GitHub's OIDC provider when the account already has one (another project made it).
    github_oidc_provider_arn: str | None = setting("githubOidcProviderArn", v.text, optional=True)

    def validate(self) -> None:
        where = "set <owner>/<repo> of your GitHub repository in bootstrap/Pulumi.<stack>.yaml"
        if not self.repository:
            raise Problem("repository", f"required: {where} (docs/ci.md, step 1)")
        if self.repository == PLACEHOLDER_REPOSITORY:
            raise Problem("repository", f"it is the example value: {where} (docs/ci.md, step 1)")
