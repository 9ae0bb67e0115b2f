"""AWS-compliant physical names, built the same way for every resource and checked by one rule table.

The model is cloudposse's null-label: ordered labels (product, environment, parts) joined by one
delimiter, illegal characters replaced, and a short stable hash appended whenever the result had to
be changed or shortened, so two different inputs never end up with the same name.
The policy pack reuses `NAME_RULES`, so there is one source of truth for what AWS accepts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.aws.types import TYPES, ResourceType
from shared.name_rule import NameRule

HASH_LENGTH = 8


# The pulumi-aws provider validates RDS identifiers and groups as lowercase (AWS itself folds them).
_RDS_ID = {
    "allowed": "A-Za-z0-9-",
    "first_letter": True,
    "no_double_hyphen": True,
    "lowercase": True,
}
# IAM names are unique ignoring case: `Web` and `web` would collide, so the Namer emits lowercase.
_IAM = {"allowed": "A-Za-z0-9+=,.@_-", "fold_case": True}

BUILT_IN_RULES: tuple[NameRule, ...] = (
    NameRule(
        "s3-bucket",
        min_length=3,
        max_length=63,
        allowed="a-z0-9.-",
        lowercase=True,
        alnum_ends=True,
        forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
        forbidden_substrings=("..",),
        no_ip_address=True,
        global_scope=True,
    ),
    NameRule("rds-cluster", max_length=63, **_RDS_ID),  # type: ignore[arg-type]
    NameRule("rds-instance", max_length=63, **_RDS_ID),  # type: ignore[arg-type]
    NameRule("db-snapshot", max_length=255, **_RDS_ID),  # type: ignore[arg-type]
    NameRule("db-parameter-group", max_length=255, **_RDS_ID),  # type: ignore[arg-type]
    NameRule(
        "db-subnet-group",
        max_length=255,
        allowed="a-z0-9._ -",
        lowercase=True,
        forbidden_names=("default",),
    ),
    # Load balancer names are DNS labels: AWS accepts uppercase but compares ignoring case.
    NameRule(
        "alb",
        max_length=32,
        allowed="A-Za-z0-9-",
        alnum_ends=True,
        fold_case=True,
        forbidden_prefixes=("internal-",),
    ),
    NameRule("target-group", max_length=32, allowed="A-Za-z0-9-", alnum_ends=True, fold_case=True),
    NameRule("ecs-cluster", max_length=255, allowed="A-Za-z0-9_-"),
    NameRule("ecs-service", max_length=255, allowed="A-Za-z0-9_-"),
    NameRule("task-family", max_length=255, allowed="A-Za-z0-9_-"),
    NameRule("iam-role", max_length=64, **_IAM),  # type: ignore[arg-type]
    NameRule("iam-policy", max_length=128, **_IAM),  # type: ignore[arg-type]
    NameRule("iam-instance-profile", max_length=128, **_IAM),  # type: ignore[arg-type]
    NameRule(
        "security-group",
        max_length=255,
        allowed=r"A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*",
        forbidden_prefixes=("sg-",),
    ),
    NameRule(
        "log-group",
        max_length=512,
        allowed="A-Za-z0-9._/#-",
        delimiter="/",
        prefix="/",
        prefix_required=False,
        forbidden_prefixes=("aws/",),
    ),
    NameRule("metric-filter", max_length=512, allowed="^:*"),
    NameRule("alarm", max_length=255, allowed=r"^\x00-\x1f\x7f"),  # no control characters
    NameRule("dashboard", max_length=255, allowed="A-Za-z0-9_-"),
    NameRule("sns-topic", max_length=256, allowed="A-Za-z0-9_-", optional_suffix=".fifo"),
    NameRule("secret", max_length=512, allowed="A-Za-z0-9/_+=.@-", no_secret_suffix=True),
    NameRule(
        "kms-alias",
        max_length=256,
        allowed="A-Za-z0-9:/_-",
        prefix="alias/",
        forbidden_prefixes=("alias/aws/",),
    ),
    NameRule("scaling-policy", max_length=256, allowed=r"\x20-\x7e"),  # printable ASCII
    # Step Functions: CloudWatch logging of a state machine needs the name in A-Za-z0-9_-.
    NameRule("state-machine", max_length=80, allowed="A-Za-z0-9_-"),
    NameRule("event-rule", max_length=64, allowed="A-Za-z0-9._-"),
    # Resources without a physical name (VPCs, subnets, gateways) show their `Name` tag: a
    # tag value, so what AWS accepts in tags.
    NameRule("name-tag", max_length=256, allowed=r"A-Za-z0-9 ._:/=+@-"),
)


def name_rules(
    built_in: Iterable[NameRule], types: Mapping[str, ResourceType]
) -> dict[str, NameRule]:
    """The built-in kinds plus those the resource type table defines inline; a kind defined twice
    differently is a bug (which would the Namer obey?)."""
    rules = {rule.kind: rule for rule in built_in}
    for entry in types.values():
        for rule in entry.names.values():
            if isinstance(rule, NameRule) and rules.setdefault(rule.kind, rule) != rule:
                raise RuntimeError(
                    f"bug: {entry.token} redefines the name kind {rule.kind!r}; use it by name"
                )
    return rules


NAME_RULES: Mapping[str, NameRule] = name_rules(BUILT_IN_RULES, TYPES)

_PROJECT = re.compile(r"[a-z][a-z0-9]{1,11}")
_ACCOUNT_ID = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


class UnknownKindError(ValueError):
    pass


def stable_hash(text: str, length: int = HASH_LENGTH) -> str:
    """A short hash that is the same on every machine and in every process (unlike `hash()`)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:length]


@dataclass(frozen=True)
class Namer:
    """Builds `<project>-<environment>-<parts...>` names that AWS accepts for a given kind.

    S3 bucket names are global, so a Namer that makes them needs `account_id` and `region`: they
    end every bucket name and are never truncated away, so two accounts (or regions) deploying the
    same environment cannot collide and nobody has to edit config to avoid it.
    """

    project: str
    environment: str
    account_id: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if not _PROJECT.fullmatch(self.project):
            raise ValueError(
                f"project {self.project!r} is not valid: use 2-12 lowercase letters and digits, "
                "starting with a letter (it begins every AWS name, and ALB names allow 32 characters)"
            )
        _check_environment_name(self.environment)
        if self.account_id is not None and not _ACCOUNT_ID.fullmatch(self.account_id):
            raise ValueError(f"account_id {self.account_id!r} is not valid: use the 12 digits")
        if self.region is not None and not _REGION.fullmatch(self.region):
            raise ValueError(f"region {self.region!r} is not an AWS region name such as us-east-1")
        if (self.account_id is None) != (self.region is None):
            raise ValueError("pass account_id and region together (S3 bucket names need both)")
        for rule in NAME_RULES.values():
            # Every name starts with `<prefix><project><d><environment><d>`: if that already breaks
            # a rule, or could grow into a forbidden prefix, no part can repair it.
            d = rule.delimiter
            lead = rule.prefix + _sanitize(rule, f"{self.project}{d}{self.environment}") + d
            clash = [p for p in rule.forbidden_prefixes if lead.startswith(p) or p.startswith(lead)]
            reasons = [f"{rule.kind} names may not start with {p!r}" for p in clash]
            if not reasons and (self.account_id or not rule.global_scope):
                reasons = rule.problems(self.name(rule.kind))
            if reasons:
                raise ValueError(
                    f"project {self.project!r} and environment {self.environment!r} cannot "
                    f"make valid names: {'; '.join(reasons)}"
                )

    def name(self, kind: str, *parts: str) -> str:
        """The physical name for `kind`: `<project>-<environment>-<parts>`, made valid for AWS."""
        rule = rule_for(kind)
        labels = [self.project, self.environment, *parts]
        tail: list[str] = []
        if rule.global_scope:
            if self.account_id is None or self.region is None:
                raise ValueError(
                    f"{kind} names are global across AWS accounts: create the Namer with "
                    "account_id and region so two accounts deploying the same environment "
                    "never collide"
                )
            tail = [self.account_id, self.region]
        raw = rule.delimiter.join(labels + tail)
        clean = _sanitize(rule, raw)
        budget = rule.max_length - len(rule.prefix)
        if clean == raw and len(clean) <= budget:
            candidate = rule.prefix + clean
            if not rule.problems(candidate):
                return candidate
        # Lossy or too long: a hash of the untouched input keeps different inputs apart, and the
        # global tail (account, region) stays whole after it.
        suffix = rule.delimiter.join([stable_hash(raw), *tail])
        head = (_sanitize(rule, rule.delimiter.join(labels)) if tail else clean)[
            : budget - len(suffix) - 1
        ]
        head = head.rstrip(rule.delimiter + "-")
        candidate = rule.prefix + rule.delimiter.join(p for p in (head, suffix) if p)
        reasons = rule.problems(candidate)
        if reasons:  # pragma: no cover - the property tests hold this for arbitrary input
            raise AssertionError(
                f"Namer produced an invalid {rule.kind} name {candidate!r}: {reasons}"
            )
        return candidate


def _check_environment_name(environment: str) -> None:
    # Imported here: environment is pure too, but naming must stay importable on its own.
    from shared.environment import ENVIRONMENT_CLASSES, EnvironmentNameError, parse_environment

    try:
        parse_environment(environment)
    except EnvironmentNameError:
        # A custom name is fine for naming once its format is; its class is config's business,
        # so any class will do for checking the format.
        parse_environment(environment, ENVIRONMENT_CLASSES[0])


def rule_for(kind: str) -> NameRule:
    """The rule for `kind`, or an error that lists the known kinds."""
    try:
        return NAME_RULES[kind]
    except KeyError:
        raise UnknownKindError(
            f"unknown name kind {kind!r}; known kinds: {', '.join(sorted(NAME_RULES))}"
        ) from None


def _sanitize(rule: NameRule, raw: str) -> str:
    text = raw.lower() if rule.lowercase or rule.fold_case else raw
    text = rule._unwanted.sub("-", text)
    text = _REPEATS[rule.delimiter].sub(r"\1", text)
    return text.strip(rule.delimiter + "-")


_REPEATS = {
    d: re.compile(f"([{re.escape(d)}-])[{re.escape(d)}-]+")
    for d in {rule.delimiter for rule in NAME_RULES.values()}
}
