"""AWS-compliant physical names, built the same way for every resource and checked by one rule table.

The model is cloudposse's null-label: ordered labels (product, environment, parts) joined by one
delimiter, illegal characters replaced, and a short stable hash appended whenever the result had to
be changed or shortened, so two different inputs never end up with the same name.
The policy pack reuses `NAME_RULES`, so there is one source of truth for what AWS accepts.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

HASH_LENGTH = 8


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts for one kind of name, and how the Namer should build one."""

    kind: str
    max_length: int
    allowed: str  # a regex character class body, ASCII only
    min_length: int = 1
    lowercase: bool = False
    first_letter: bool = False
    alnum_ends: bool = False
    no_double_hyphen: bool = False
    delimiter: str = "-"
    prefix: str = ""  # put in front by the Namer and required by the rule (e.g. "alias/")
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    forbidden_names: tuple[str, ...] = ()
    no_ip_address: bool = False
    no_secret_suffix: bool = False
    global_scope: bool = False  # unique across all AWS accounts: the Namer adds account and region
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(f"[{self.allowed}]*", re.ASCII))

    def problems(self, name: str) -> list[str]:
        """Human-readable reasons why AWS would reject `name`; an empty list means compliant."""
        found: list[str] = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(
                f"{self.kind} names must be {self.min_length}-{self.max_length} characters "
                f"long (got {len(name)})"
            )
        if self.prefix and not name.startswith(self.prefix):
            found.append(f"{self.kind} names must start with {self.prefix!r}")
        body = name[len(self.prefix) :] if self.prefix and name.startswith(self.prefix) else name
        if not self._pattern.fullmatch(body):
            bad = sorted({c for c in body if not self._pattern.fullmatch(c)})
            found.append(f"{self.kind} names may not contain {''.join(bad)!r}")
        if self.lowercase and body != body.lower():
            found.append(f"{self.kind} names must be lowercase")
        if self.first_letter and not (body[:1].isascii() and body[:1].isalpha()):
            found.append(f"{self.kind} names must start with a letter")
        if self.alnum_ends and body and not (_is_alnum(body[0]) and _is_alnum(body[-1])):
            found.append(f"{self.kind} names must start and end with a letter or digit")
        if self.no_double_hyphen and "--" in body:
            found.append(f"{self.kind} names may not contain '--'")
        if self.no_double_hyphen and body.endswith("-"):
            found.append(f"{self.kind} names may not end with '-'")
        found.extend(
            f"{self.kind} names may not start with {p!r}"
            for p in self.forbidden_prefixes
            if name.lower().startswith(p)
        )
        found.extend(
            f"{self.kind} names may not end with {s!r}"
            for s in self.forbidden_suffixes
            if name.lower().endswith(s)
        )
        if name.lower() in self.forbidden_names:
            found.append(f"{name!r} is reserved for {self.kind} names")
        if self.no_ip_address and _is_ip_address(name):
            found.append(f"{self.kind} names may not be formatted as an IP address")
        if self.no_secret_suffix and re.search(r"-[A-Za-z0-9]{6}\Z", name):
            found.append(
                f"{self.kind} names should not end in '-' plus 6 characters (Secrets Manager's "
                "own suffix, which confuses partial-ARN lookups)"
            )
        return found


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


_RDS_ID = {
    "allowed": "A-Za-z0-9-",
    "first_letter": True,
    "no_double_hyphen": True,
    "lowercase": True,
}

NAME_RULES: Mapping[str, NameRule] = {
    rule.kind: rule
    for rule in (
        NameRule(
            "s3-bucket",
            min_length=3,
            max_length=63,
            allowed="a-z0-9.-",
            lowercase=True,
            alnum_ends=True,
            forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
            forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
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
        NameRule(
            "alb",
            max_length=32,
            allowed="A-Za-z0-9-",
            alnum_ends=True,
            lowercase=True,
            forbidden_prefixes=("internal-",),
        ),
        NameRule(
            "target-group", max_length=32, allowed="A-Za-z0-9-", alnum_ends=True, lowercase=True
        ),
        NameRule("ecs-cluster", max_length=255, allowed="A-Za-z0-9_-"),
        NameRule("ecs-service", max_length=255, allowed="A-Za-z0-9_-"),
        NameRule("task-family", max_length=255, allowed="A-Za-z0-9_-"),
        NameRule("iam-role", max_length=64, allowed="A-Za-z0-9+=,.@_-"),
        NameRule("iam-policy", max_length=128, allowed="A-Za-z0-9+=,.@_-"),
        NameRule("iam-instance-profile", max_length=128, allowed="A-Za-z0-9+=,.@_-"),
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
            forbidden_prefixes=("aws/",),
        ),
        NameRule("metric-filter", max_length=512, allowed="A-Za-z0-9._/#-"),
        NameRule("alarm", max_length=255, allowed="A-Za-z0-9._/#-"),
        NameRule("dashboard", max_length=255, allowed="A-Za-z0-9_-"),
        NameRule("sns-topic", max_length=256, allowed="A-Za-z0-9_-"),
        NameRule("secret", max_length=512, allowed="A-Za-z0-9/_+=.@-", no_secret_suffix=True),
        NameRule(
            "kms-alias",
            max_length=256,
            allowed="A-Za-z0-9:/_-",
            prefix="alias/",
            forbidden_prefixes=("alias/aws/",),
        ),
        NameRule("scaling-policy", max_length=255, allowed="A-Za-z0-9._/#-"),
    )
}

_PROJECT = re.compile(r"[a-z][a-z0-9]{1,11}")


class UnknownKindError(ValueError):
    pass


def stable_hash(text: str, length: int = HASH_LENGTH) -> str:
    """A short hash that is the same on every machine and in every process (unlike `hash()`)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:length]


@dataclass(frozen=True)
class Namer:
    """Builds `<project>-<environment>-<parts...>` names that AWS accepts for a given kind.

    For globally unique kinds (S3 buckets) pass `account_id` and `region`: they are appended, so two
    accounts (or regions) deploying the same environment never collide without anyone editing config.
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
        # Imported here: environment is pure too, but naming must stay importable on its own.
        from shared.environment import parse_environment

        parse_environment(self.environment, "dev" if not _is_known(self.environment) else None)
        for kind in NAME_RULES:
            base = self._base(NAME_RULES[kind], ())
            reasons = NAME_RULES[kind].problems(self._fit(NAME_RULES[kind], base, base))
            if reasons:
                raise ValueError(
                    f"project {self.project!r} and environment {self.environment!r} cannot "
                    f"make valid names: {'; '.join(reasons)}"
                )

    def name(self, kind: str, *parts: str) -> str:
        rule = rule_for(kind)
        raw = self._base(rule, parts)
        return self._fit(rule, raw, raw)

    def _base(self, rule: NameRule, parts: tuple[str, ...]) -> str:
        labels = [self.project, self.environment, *parts]
        if rule.global_scope:
            labels += [label for label in (self.account_id, self.region) if label]
        return rule.delimiter.join(labels)

    def _fit(self, rule: NameRule, raw: str, identity: str) -> str:
        clean = _sanitize(rule, raw)
        budget = rule.max_length - len(rule.prefix)
        if clean == raw and len(clean) <= budget:
            candidate = rule.prefix + clean
            if not rule.problems(candidate):
                return candidate
        # Lossy or too long: a hash of the untouched input keeps different inputs apart.
        suffix = stable_hash(identity)
        head = clean[: budget - len(suffix) - 1].rstrip(rule.delimiter + "-_. ")
        candidate = rule.prefix + rule.delimiter.join(p for p in (head, suffix) if p)
        if rule.first_letter and not candidate[len(rule.prefix) :][:1].isalpha():
            candidate = rule.prefix + "n" + candidate[len(rule.prefix) + 1 :]
        reasons = rule.problems(candidate)
        if reasons:  # pragma: no cover - the property tests hold this for arbitrary input
            raise AssertionError(
                f"Namer produced an invalid {rule.kind} name {candidate!r}: {reasons}"
            )
        return candidate


def _is_known(environment: str) -> bool:
    from shared.environment import parse_environment

    try:
        parse_environment(environment)
    except ValueError:
        return False
    return True


def rule_for(kind: str) -> NameRule:
    try:
        return NAME_RULES[kind]
    except KeyError:
        raise UnknownKindError(
            f"unknown name kind {kind!r}; known kinds: {', '.join(sorted(NAME_RULES))}"
        ) from None


def _sanitize(rule: NameRule, raw: str) -> str:
    text = raw.lower() if rule.lowercase else raw
    allowed = re.compile(f"[{rule.allowed}]", re.ASCII)
    # The namer only ever joins with its delimiter and '-': other punctuation a rule allows
    # (dots in bucket names, spaces in subnet groups) would only invite edge cases.
    keep = {rule.delimiter, "-"}
    out = [
        c if (c.isascii() and c.isalnum()) or (c in keep and allowed.match(c)) else "-"
        for c in text
    ]
    text = "".join(out)
    delims = re.escape(rule.delimiter) + "-" if rule.delimiter != "-" else "-"
    text = re.sub(f"([{delims}])[{delims}]+", r"\1", text)
    return text.strip(rule.delimiter + "-")
