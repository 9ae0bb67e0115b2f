"""Which environment a run is for, and the defaults each environment class gets.

One rule for every entry point (stack programs, the policy pack, the offline plan and
policy-check, the deploy tooling): the command line names the environment, always. That is the
stack being deployed or planned, or `--env`; a stack's config `environmentSuffix` may repeat the
stack's name, never rename it. An empty or blank name is refused, and `ENVIRONMENT_SUFFIX` never
chooses an environment: one that names another environment gives exactly one warning and is
ignored for that run.

`CLASSES` is the class registry: each class's defaults (`PROFILES`), longest-lived first. Every
behaviour that differs by class is a field of its profile or a deviation in its policy config
(`policies/config/<class>.json`); nothing outside this module compares a class's name, except the
PR naming scheme (`pr-<number>`). A class's own name is an environment name (`dev`), the PR
class's environments are `pr-<number>`; any other name needs an explicit `environmentClass`, so a
typo such as `prd` can never silently get dev settings.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import ipaddress
import os
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Literal, get_args

EnvironmentClass = str
"""A key of PROFILES."""
NatMode = Literal["none", "single", "per-az"]
NAT_MODES: tuple[NatMode, ...] = get_args(NatMode)

ENVIRONMENT_VARIABLE = "ENVIRONMENT_SUFFIX"
"""Never chooses the environment: a leftover one is a warning (see `resolve_environment`)."""
PR_CLASS = "pr"

_PR_NAME = re.compile(r"pr-([1-9][0-9]{0,8})")
_ENV_NAME = re.compile(r"[a-z][a-z0-9-]{0,14}[a-z0-9]")

# PR networks are carved from a range no long-lived environment uses, one /21 per PR slot.
PR_CIDR_RANGE = ipaddress.IPv4Network("10.128.0.0/9")
PR_CIDR_PREFIX = 21
PR_SLOTS = 2 ** (PR_CIDR_PREFIX - PR_CIDR_RANGE.prefixlen)


class EnvironmentNameError(ValueError):
    """A user mistake in choosing the environment; the message says what is accepted."""


@dataclass(frozen=True)
class AlarmThresholds:
    alb_5xx_per_minute: int
    unhealthy_hosts: int
    target_response_time_p95_seconds: float
    ecs_cpu_percent: int
    ecs_memory_percent: int
    db_cpu_percent: int
    db_freeable_memory_bytes: int
    app_errors_per_5_minutes: int


@dataclass(frozen=True)
class Profile:
    """Per-class defaults; every value can be overridden by a documented config key."""

    vpc_cidr: str
    az_count: int
    nat_gateways: NatMode
    db_instance_class: str
    db_instance_count: int
    backup_retention_days: int
    final_snapshot: bool
    deletion_protection: bool
    performance_insights: bool
    artifacts_versioning: bool
    # Destroying the environment empties its buckets, every object version included (the
    # provider's force_destroy). Needed wherever a destroy must finish: the access-log bucket is
    # never empty, since S3 logs even the provider's own reads of the artifacts bucket.
    force_destroy_buckets: bool
    ecs_cpu: int
    ecs_memory: int
    desired_count: int
    max_count: int
    autoscaling: bool
    fargate_spot: bool
    log_retention_days: int
    route53: bool
    alarms: AlarmThresholds
    # The app's public name: `<env>.<domain>` unless the environment owns the apex (prod).
    dns_apex: bool = False
    # ALB access logs to the data layer's artifacts bucket (costly; kept for prod forensics).
    alb_access_logs: bool = False
    # Alarms must reach someone: observability:alarmEmail or observability:alarmTopicArn is required.
    alarm_destination_required: bool = False
    # The internet-facing ALB serves HTTPS only (port 80 redirects): a certificate is required.
    https_required: bool = False
    # Config values that only stand in for real ones (RFC 2606 domains and e-mail addresses, AWS's
    # EXAMPLE zone ids) stop the program: shared/config/placeholders.py.
    refuse_placeholders: bool = False
    # A policy whose verdict depends on a value unknown in preview is reported at its level (a
    # mandatory one blocks) instead of as an advisory "can't run": policies/pack.py.
    unknowns_block: bool = False
    # `deploy-all` and `destroy-all` ask a person first (unless `--yes`): tooling/deploy/orchestrator.py.
    confirm_deploy: bool = False
    # `cleanup-pr` may destroy the environment and remove its stacks: the class is thrown away.
    disposable: bool = False
    # `network:natGateways: none` is allowed: private subnets without a route to the internet.
    nat_none_allowed: bool = False


_GIB = 1024**3


@dataclass(frozen=True)
class EnvironmentClassInfo:
    """A class in the registry: its defaults, its environments' names, its CI roles."""

    profile: Profile
    # An environment of the class's own name exists (`dev` is a dev environment); PR environments
    # are named `pr-<number>` instead.
    named: bool = True
    # The GitHub environment whose role deploys the class (bootstrap/access.py); None: the
    # class's own name.
    github_environment: str | None = None
    # CI previews the class with a read-only role of its own, in `<github_environment>-preview`.
    previewed: bool = False


CLASSES: dict[str, EnvironmentClassInfo] = {
    "prod": EnvironmentClassInfo(
        profile=Profile(
            vpc_cidr="10.30.0.0/16",
            az_count=3,
            nat_gateways="per-az",
            db_instance_class="db.r6g.large",
            db_instance_count=2,
            backup_retention_days=30,
            final_snapshot=True,
            deletion_protection=True,
            performance_insights=True,
            artifacts_versioning=True,
            force_destroy_buckets=False,
            ecs_cpu=1024,
            ecs_memory=2048,
            desired_count=3,
            max_count=10,
            autoscaling=True,
            fargate_spot=False,
            log_retention_days=365,
            route53=True,
            alarms=AlarmThresholds(
                alb_5xx_per_minute=5,
                unhealthy_hosts=1,
                target_response_time_p95_seconds=1.0,
                ecs_cpu_percent=80,
                ecs_memory_percent=80,
                db_cpu_percent=80,
                db_freeable_memory_bytes=1 * _GIB,
                app_errors_per_5_minutes=10,
            ),
            dns_apex=True,
            alb_access_logs=True,
            alarm_destination_required=True,
            https_required=True,
            refuse_placeholders=True,
            unknowns_block=True,
            confirm_deploy=True,
        ),
        github_environment="production",
        previewed=True,
    ),
    "staging": EnvironmentClassInfo(
        profile=Profile(
            vpc_cidr="10.20.0.0/16",
            az_count=2,
            nat_gateways="single",
            db_instance_class="db.t4g.medium",
            db_instance_count=2,
            backup_retention_days=14,
            final_snapshot=False,
            deletion_protection=False,
            performance_insights=False,
            artifacts_versioning=True,
            force_destroy_buckets=True,
            ecs_cpu=512,
            ecs_memory=1024,
            desired_count=2,
            max_count=4,
            autoscaling=True,
            fargate_spot=False,
            log_retention_days=30,
            route53=True,
            alarms=AlarmThresholds(
                alb_5xx_per_minute=10,
                unhealthy_hosts=1,
                target_response_time_p95_seconds=1.5,
                ecs_cpu_percent=85,
                ecs_memory_percent=85,
                db_cpu_percent=85,
                db_freeable_memory_bytes=512 * 1024**2,
                app_errors_per_5_minutes=20,
            ),
            alarm_destination_required=True,
            refuse_placeholders=True,
        ),
    ),
    "dev": EnvironmentClassInfo(
        profile=Profile(
            vpc_cidr="10.10.0.0/16",
            az_count=2,
            nat_gateways="single",
            db_instance_class="db.t4g.medium",
            db_instance_count=1,
            backup_retention_days=7,
            final_snapshot=False,
            deletion_protection=False,
            performance_insights=False,
            artifacts_versioning=False,
            force_destroy_buckets=True,
            ecs_cpu=256,
            ecs_memory=512,
            desired_count=1,
            max_count=2,
            autoscaling=False,
            fargate_spot=True,
            log_retention_days=14,
            route53=True,
            alarms=AlarmThresholds(
                alb_5xx_per_minute=20,
                unhealthy_hosts=1,
                target_response_time_p95_seconds=2.0,
                ecs_cpu_percent=90,
                ecs_memory_percent=90,
                db_cpu_percent=90,
                db_freeable_memory_bytes=256 * 1024**2,
                app_errors_per_5_minutes=50,
            ),
        ),
    ),
    PR_CLASS: EnvironmentClassInfo(
        profile=Profile(
            vpc_cidr="",  # derived from the PR number, see pr_vpc_cidr()
            az_count=2,
            nat_gateways="single",
            db_instance_class="db.t4g.medium",
            db_instance_count=1,
            backup_retention_days=1,
            final_snapshot=False,
            deletion_protection=False,
            performance_insights=False,
            artifacts_versioning=False,
            force_destroy_buckets=True,
            ecs_cpu=256,
            ecs_memory=512,
            desired_count=1,
            max_count=1,
            autoscaling=False,
            fargate_spot=True,
            log_retention_days=3,
            route53=False,
            alarms=AlarmThresholds(
                alb_5xx_per_minute=50,
                unhealthy_hosts=1,
                target_response_time_p95_seconds=3.0,
                ecs_cpu_percent=95,
                ecs_memory_percent=95,
                db_cpu_percent=95,
                db_freeable_memory_bytes=128 * 1024**2,
                app_errors_per_5_minutes=100,
            ),
            disposable=True,
            nat_none_allowed=True,
        ),
        named=False,
        previewed=True,
    ),
}
"""The class registry, longest-lived first: a class's rank is its place here (see
`Environment.rank`), so a new class is one entry inserted at its place (its profile inside it) and
its policy deviations (`policies/config/<class>.json`)."""
PROFILES: dict[str, Profile] = {name: info.profile for name, info in CLASSES.items()}
ENVIRONMENT_CLASSES: tuple[str, ...] = tuple(CLASSES)
NAMED_CLASSES: tuple[str, ...] = tuple(k for k, c in CLASSES.items() if c.named)


def classes_with(predicate: Callable[[Profile], bool]) -> tuple[str, ...]:
    """The classes whose profile satisfies `predicate`, longest-lived first (for messages)."""
    return tuple(name for name, info in CLASSES.items() if predicate(info.profile))


ACCEPTED_FORMS = (
    f"{', '.join(NAMED_CLASSES)}, pr-<number> (e.g. pr-123), or any name with environmentClass set"
)


def pr_vpc_cidr(pr_number: int) -> str:
    """A /21 inside PR_CIDR_RANGE chosen by the PR number: PRs fewer than PR_SLOTS apart never overlap."""
    slot = pr_number % PR_SLOTS
    base = int(PR_CIDR_RANGE.network_address) + slot * 2 ** (32 - PR_CIDR_PREFIX)
    return f"{ipaddress.IPv4Address(base)}/{PR_CIDR_PREFIX}"


@dataclass(frozen=True)
class Environment:
    name: str
    environment_class: EnvironmentClass
    pr_number: int | None = None

    @property
    def profile(self) -> Profile:
        return CLASSES[self.environment_class].profile

    @property
    def rank(self) -> int:
        """How long this environment lives relative to others: its class's place in CLASSES, 0
        the longest-lived. In a peering the shorter-lived side requests the connection, so the
        longer-lived one must already exist."""
        return list(CLASSES).index(self.environment_class)

    @property
    def default_vpc_cidr(self) -> str:
        if self.pr_number is not None:
            return pr_vpc_cidr(self.pr_number)
        if self.environment_class == PR_CLASS:
            # A custom-named environment of the PR class gets a slot from its name, stably.
            return pr_vpc_cidr(_stable_number(self.name))
        return self.profile.vpc_cidr


def _stable_number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def parse_environment(name: str, environment_class: str | None = None) -> Environment:
    """Turn an environment name (and optional explicit class) into an Environment, or explain why not."""
    if environment_class is not None and environment_class not in CLASSES:
        raise EnvironmentNameError(
            f"environmentClass {environment_class!r} is not one of: {', '.join(CLASSES)}"
        )
    pr = _PR_NAME.fullmatch(name)
    if pr:
        if environment_class not in (None, PR_CLASS):
            raise EnvironmentNameError(
                f"environment {name!r} is a PR environment; environmentClass must be 'pr', "
                f"not {environment_class!r}"
            )
        return Environment(name=name, environment_class=PR_CLASS, pr_number=int(pr.group(1)))
    if name in NAMED_CLASSES:
        if environment_class not in (None, name):
            raise EnvironmentNameError(
                f"environment {name!r} always has class {name!r}; remove environmentClass "
                f"{environment_class!r} or use another environment name"
            )
        return Environment(name=name, environment_class=name)
    if name.startswith("pr-"):
        # `pr-0` or `pr-07` must not become a custom environment that merely looks like a PR.
        raise EnvironmentNameError(
            f"environment {name!r} looks like a PR environment but is not one: use pr-<number> "
            "with a PR number from 1 to 999999999 and no leading zeros (e.g. pr-123)"
        )
    if not _ENV_NAME.fullmatch(name):
        raise EnvironmentNameError(
            f"environment name {name!r} is not valid: use 2-16 lowercase letters, digits and "
            f"hyphens, starting with a letter.{_did_you_mean(name)} Accepted forms: {ACCEPTED_FORMS}"
        )
    if environment_class is None:
        raise EnvironmentNameError(
            f"unknown environment {name!r}.{_did_you_mean(name)} Accepted forms are "
            f"{ACCEPTED_FORMS}. A custom name needs config environmentClass (one of "
            f"{', '.join(ENVIRONMENT_CLASSES)}) so it never silently gets dev settings"
        )
    return Environment(name=name, environment_class=environment_class)


def _did_you_mean(name: str) -> str:
    lowered = name.strip().lower()
    known = NAMED_CLASSES
    close = [k for k in known if lowered.startswith(k)] or difflib.get_close_matches(
        lowered, known, n=1, cutoff=0.5
    )
    return f" Did you mean {close[0]!r}?" if close else ""


def leftover_warning(command_line: str, environ: Mapping[str, str]) -> str | None:
    """The one warning for an `ENVIRONMENT_SUFFIX` that names another environment, else None."""
    leftover = (environ.get(ENVIRONMENT_VARIABLE) or "").strip()
    if not leftover or leftover == command_line.strip():
        return None
    return (
        f"{ENVIRONMENT_VARIABLE}={leftover} names another environment than {command_line.strip()!r}, "
        f"the one this run is for: it is ignored. Unset {ENVIRONMENT_VARIABLE} to silence this."
    )


@dataclass(frozen=True)
class Resolution:
    environment: Environment
    warning: str | None  # the leftover-variable warning, for the caller to show once


def resolve_environment(
    command_line: str | None,
    *,
    environment_class: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolution:
    """The environment of this run: the command line's name (stack, `--env`, the planned one).

    An empty or blank name is an error, whatever `ENVIRONMENT_SUFFIX` says: a script with an unset
    variable must never deploy the environment a shell happens to name (prod, say). When the
    variable names another environment than the command line, the Resolution carries the warning
    and the variable is ignored. Pure but for `environ`, which defaults to the process's.
    """
    environ = os.environ if environ is None else environ
    name = (command_line or "").strip()
    if not name:
        leftover = (environ.get(ENVIRONMENT_VARIABLE) or "").strip()
        ignored = f" ({ENVIRONMENT_VARIABLE}={leftover} never chooses one)" if leftover else ""
        raise EnvironmentNameError(
            f"no environment given: name one ({ACCEPTED_FORMS}) on the command line{ignored}"
        )
    return Resolution(parse_environment(name, environment_class), leftover_warning(name, environ))


def stack_environment_name(stack: str | None, suffix: object) -> str:
    """The environment a stack is for: the stack's name.

    Its config `environmentSuffix` may repeat the name, never rename it: outputs, references and
    resource names would otherwise belong to another environment than the stack (`Pulumi.dev.yaml`
    planning `platform-prod-vpc`). Without a stack name (a pack run by hand), the suffix names it.
    """
    name = (stack or "").strip()
    declared = "" if suffix is None else str(suffix).strip()
    if declared and name and declared != name:
        raise EnvironmentNameError(
            f"{declared!r} differs from the stack's environment {name!r}: a stack is for the "
            f"environment it is named after; remove environmentSuffix, or use the stack {declared}"
        )
    return name or declared


@contextlib.contextmanager
def command_line_wins(
    command_line: str,
    warn: Callable[[str], None],
    environ: MutableMapping[str, str] | None = None,
) -> Iterator[None]:
    """For tools that start programs and packs: warn once, and hide a leftover variable from them.

    The children would otherwise each resolve (and warn) on their own; inside this block they see
    no `ENVIRONMENT_SUFFIX` at all, so the command line's name is the only one there is.
    """
    environ = os.environ if environ is None else environ
    warning = leftover_warning(command_line, environ)
    if warning is None:
        yield
        return
    warn(warning)
    leftover = environ.pop(ENVIRONMENT_VARIABLE)
    try:
        yield
    finally:
        environ[ENVIRONMENT_VARIABLE] = leftover


# --- peering between environments -----------------------------------------------------------------


def requests_peering(own: Environment, peer: Environment) -> bool:
    """True when `own` requests the peering connection with `peer`: who owns what in a peering.

    Of two environments that list each other, the shorter-lived one (the higher rank in CLASSES;
    ties by name) is the requester: it creates the connection, so the longer-lived accepter must
    already exist. The accepter reads the connection from the requester's stack. The order of a
    peering is therefore: the accepter's stack as it stood before, the requester's with the peer,
    then the accepter's again with the peer.
    """
    return (own.rank, own.name) > (peer.rank, peer.name)
