"""Namer output is valid for AWS, deterministic and collision-free; the rule table itself is checked
against a second, independent reading of the AWS rules and against botocore's own constraints."""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.name_rule import NameRule
from shared.naming import (
    BUILT_IN_RULES,
    NAME_RULES,
    Namer,
    UnknownKindError,
    _sanitize,
    rule_for,
    stable_hash,
)

ACCOUNT, REGION = "123456789012", "ap-southeast-2"
KINDS = sorted(NAME_RULES)


def namer(project: str = "platform", environment: str = "dev", **kwargs: str) -> Namer:
    return Namer(project, environment, **{"account_id": ACCOUNT, "region": REGION, **kwargs})


# --- a second reading of the AWS rule table (REFERENCE.md), written independently of shared.naming ---


def _s3_ok(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        pass
    return (
        ".." not in name
        and not name.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        and not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))
    )


_RDS = r"[a-z](-?[a-z0-9])*"  # a letter first, no '--', no trailing '-'
_LB = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_ECS = r"[A-Za-z0-9_-]+"
_IAM = r"[A-Za-z0-9+=,.@_-]+"
AWS_TABLE: dict[str, tuple[int, int, str, Callable[[str], bool]]] = {
    "s3-bucket": (3, 63, r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", _s3_ok),
    "rds-cluster": (1, 63, _RDS, lambda n: True),
    "rds-instance": (1, 63, _RDS, lambda n: True),
    "db-snapshot": (1, 255, _RDS, lambda n: True),
    "db-parameter-group": (1, 255, _RDS, lambda n: True),
    "db-subnet-group": (1, 255, r"[a-z0-9._ -]+", lambda n: n != "default"),
    "alb": (1, 32, _LB, lambda n: not n.lower().startswith("internal-")),
    "target-group": (1, 32, _LB, lambda n: True),
    "ecs-cluster": (1, 255, _ECS, lambda n: True),
    "ecs-service": (1, 255, _ECS, lambda n: True),
    "task-family": (1, 255, _ECS, lambda n: True),
    "iam-role": (1, 64, _IAM, lambda n: True),
    "iam-policy": (1, 128, _IAM, lambda n: True),
    "iam-instance-profile": (1, 128, _IAM, lambda n: True),
    "security-group": (
        1,
        255,
        r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
        lambda n: not n.startswith("sg-"),
    ),
    "log-group": (1, 512, r"[A-Za-z0-9._/#-]+", lambda n: not n.startswith("aws/")),
    "metric-filter": (1, 512, r"[^:*]+", lambda n: True),
    "alarm": (1, 255, r"[^\x00-\x1f\x7f]+", lambda n: True),
    "dashboard": (1, 255, r"[A-Za-z0-9_-]+", lambda n: True),
    "sns-topic": (1, 256, r"[A-Za-z0-9_-]+(\.fifo)?", lambda n: True),
    "secret": (1, 512, r"[A-Za-z0-9/_+=.@-]+", lambda n: True),
    "kms-alias": (1, 256, r"alias/[A-Za-z0-9:/_-]+", lambda n: not n.startswith("alias/aws/")),
    "scaling-policy": (1, 256, r"[\x20-\x7e]+", lambda n: True),
    "state-machine": (1, 80, r"[A-Za-z0-9_-]+", lambda n: True),
    "event-rule": (1, 64, r"[A-Za-z0-9._-]+", lambda n: True),
    # A tag value (EC2 CreateTags: up to 256 characters; letters, digits, spaces, _ . : / = + - @).
    "name-tag": (1, 256, r"[A-Za-z0-9 ._:/=+@-]+", lambda n: True),
}


def aws_accepts(kind: str, name: str) -> bool:
    low, high, pattern, extra = AWS_TABLE[kind]
    return low <= len(name) <= high and bool(re.fullmatch(pattern, name, re.ASCII)) and extra(name)


def test_the_independent_table_covers_every_built_in_kind() -> None:
    # A kind a resource type defines inline (shared/aws/types) has its entry as its one source.
    assert set(AWS_TABLE) == {rule.kind for rule in BUILT_IN_RULES}
    for kind in [
        "s3-bucket",
        "rds-cluster",
        "rds-instance",
        "db-subnet-group",
        "db-parameter-group",
        "alb",
        "target-group",
        "ecs-cluster",
        "ecs-service",
        "task-family",
        "iam-role",
        "iam-policy",
        "security-group",
        "log-group",
        "alarm",
        "dashboard",
        "sns-topic",
        "secret",
        "kms-alias",
    ]:
        assert kind in NAME_RULES  # the kinds the stacks name


# --- properties of Namer.name --------------------------------------------------------------------

TRICKY = ["", "-", "--", "/", ".", " ", "..", "Web", "WEB", "a" * 300, "sg-x", "xn--", "aws/", "ü"]
part = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="abcXYZ019-_./ :@#", max_size=80),
    st.sampled_from(TRICKY),
    st.text(min_size=200, max_size=600),
)
projects = st.from_regex(r"[a-z][a-z0-9]{1,11}", fullmatch=True).filter(
    lambda p: not p.startswith(("sg", "xn", "internal", "sthree", "amzn"))
)
environments = st.sampled_from(
    ["dev", "staging", "prod", "pr-1", "pr-999999999", "feature-x-12345"]
)


# One example checks every kind: generating the input is the expensive part, naming is cheap.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects, environment=environments, parts=st.lists(part, max_size=4))
def test_every_name_is_valid_for_aws(project: str, environment: str, parts: list[str]) -> None:
    n = namer(project, environment)
    for kind in KINDS:
        name = n.name(kind, *parts)
        assert NAME_RULES[kind].problems(name) == [], (kind, name)
        assert kind not in AWS_TABLE or aws_accepts(kind, name), (kind, name)
        assert name.isascii()
        if NAME_RULES[kind].fold_case or NAME_RULES[kind].lowercase:
            assert name == name.lower(), (kind, name)


def test_clean_inputs_give_readable_names() -> None:
    n = namer()
    assert n.name("alb", "web") == "platform-dev-web"
    assert n.name("rds-cluster", "db") == "platform-dev-db"
    assert n.name("log-group", "app", "web") == "/platform/dev/app/web"
    assert n.name("kms-alias", "logs") == "alias/platform-dev-logs"
    assert n.name("s3-bucket", "artifacts") == f"platform-dev-artifacts-{ACCOUNT}-{REGION}"
    assert namer(environment="pr-42").name("ecs-service", "web") == "platform-pr-42-web"


def test_changed_or_truncated_names_carry_a_hash_of_the_full_input() -> None:
    n = namer()
    assert n.name("alb", "Web") == f"platform-dev-web-{stable_hash('platform-dev-Web')}"
    long = n.name("alb", "x" * 100)
    assert len(long) == 32 and long.endswith(stable_hash("platform-dev-" + "x" * 100))
    # Differences after the truncation point still give different names.
    assert n.name("alb", "x" * 100 + "a") != n.name("alb", "x" * 100 + "b")


def test_hashes_are_pinned_so_every_machine_agrees() -> None:
    # If these change, every deployed physical name changes: that is a replacement of everything.
    assert stable_hash("platform-dev-Web") == "i4w22l35"
    assert namer().name("target-group", "a" * 40) == "platform-dev-aaaaaaaaaa-kgmojntp"


def test_s3_names_keep_account_and_region_when_truncated() -> None:
    long_part = "artifacts-" * 20
    here = namer().name("s3-bucket", long_part)
    there = namer(account_id="210987654321").name("s3-bucket", long_part)
    assert here.endswith(f"-{ACCOUNT}-{REGION}") and len(here) <= 63
    assert there.endswith(f"-210987654321-{REGION}")
    assert here != there
    elsewhere = namer(region="eu-central-1").name("s3-bucket", long_part)
    assert elsewhere.endswith(f"-{ACCOUNT}-eu-central-1")


def test_s3_names_refuse_to_be_built_without_account_and_region() -> None:
    with pytest.raises(ValueError, match="account_id and region"):
        Namer("platform", "dev").name("s3-bucket", "artifacts")
    assert Namer("platform", "dev").name("alb", "web") == "platform-dev-web"


def test_case_insensitive_kinds_never_produce_names_equal_ignoring_case() -> None:
    for kind in ("iam-role", "alb", "target-group"):
        assert namer().name(kind, "Web").lower() != namer().name(kind, "web").lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Platform", "dev"), "project 'Platform' is not valid"),
        (("p", "dev"), "2-12 lowercase"),
        (("platform12345", "dev"), "2-12 lowercase"),
        (("platform", "Prod"), "environment name 'Prod' is not valid"),
        (("platform", "pr-0"), "looks like a PR environment"),
        (("sg", "dev"), "may not start with 'sg-'"),
        (("internal", "dev"), "may not start with 'internal-'"),
        (("amzn", "s3"), "may not start with 'amzn-s3-demo-'"),
    ],
)
def test_bad_project_or_environment_is_a_value_error_naming_the_rule(
    args: tuple[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Namer(*args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account_id": "12345"}, "12 digits"),
        ({"region": "Mars-1"}, "not an AWS region"),
        ({"account_id": ACCOUNT, "region": None}, "together"),
    ],
)
def test_bad_account_or_region_is_a_value_error(
    kwargs: dict[str, str | None], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Namer("platform", "dev", **{"account_id": ACCOUNT, "region": REGION, **kwargs})


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(UnknownKindError, match="known kinds: alarm, alb"):
        rule_for("load-balancer")
    with pytest.raises(UnknownKindError):
        namer().name("bucket", "x")


# --- rules fire on the mistakes people make -----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "reason"),
    [
        ("alb", "platform-production-web-frontend-1", "1-32 characters"),
        ("target-group", "-web", "start and end with a letter or digit"),
        ("alb", "internal-web", "may not start with 'internal-'"),
        ("s3-bucket", "Platform-Artifacts", "must be lowercase"),
        ("s3-bucket", "ab", "3-63 characters"),
        ("s3-bucket", "xn--platform", "may not start with 'xn--'"),
        ("s3-bucket", "192.168.1.10", "IP address"),
        ("s3-bucket", "platform..logs", "may not contain '..'"),
        ("s3-bucket", "platform-s3alias", "may not end with '-s3alias'"),
        ("s3-bucket", "platform_logs", "may not contain '_'"),
        ("rds-cluster", "platform--db", "may not contain '--'"),
        ("rds-cluster", "platform-db-", "may not end with '-'"),
        ("rds-instance", "1platform", "must start with a letter"),
        ("rds-cluster", "x" * 64, "1-63 characters"),
        ("db-parameter-group", "Platform-pg", "must be lowercase"),
        ("db-subnet-group", "default", "reserved"),
        ("security-group", "sg-web", "may not start with 'sg-'"),
        ("kms-alias", "alias/aws/s3", "may not start with 'alias/aws/'"),
        ("kms-alias", "platform-logs", "must start with 'alias/'"),
        ("kms-alias", "alias/", "need something after"),
        ("log-group", "aws/platform", "may not start with 'aws/'"),
        ("log-group", "/platform/app logs", "may not contain ' '"),
        ("iam-role", "r" * 65, "1-64 characters"),
        ("iam-role", "platform role", "may not contain ' '"),
        ("alarm", "cpu\nhigh", "may not contain"),
        ("dashboard", "platform.main", "may not contain '.'"),
        ("sns-topic", "alarms.fifo.x", "may not contain '.'"),
        ("secret", "platform-db-abc123", "6 characters"),
        ("ecs-cluster", "", "1-255 characters"),
    ],
)
def test_problems_fire_on_known_bad_names(kind: str, name: str, reason: str) -> None:
    problems = NAME_RULES[kind].problems(name)
    assert any(reason in p for p in problems), problems
    assert not aws_accepts(kind, name) or kind == "secret"  # the secret rule is our own advice


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("alb", "Platform-Web"),  # AWS accepts uppercase in load balancer names
        ("log-group", "my-app-logs"),  # the leading "/" is our style, not an AWS rule
        ("log-group", "/aws/lambda/fn"),
        ("sns-topic", "alarms.fifo"),
        ("alarm", "High CPU on platform-dev (p95 > 80%)"),
        ("iam-role", "Platform_Role+Deploy@x"),
        ("s3-bucket", "platform.logs.example"),
    ],
)
def test_problems_accept_valid_names_people_write_by_hand(kind: str, name: str) -> None:
    assert NAME_RULES[kind].problems(name) == []
    assert aws_accepts(kind, name)


# --- determinism across processes ------------------------------------------------------------------


def _sample_inputs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_./ :@#üß漢\u00a0"
    return ["".join(rng.choices(alphabet, k=rng.randrange(0, 90))) for _ in range(count)]


_NAMES_SCRIPT = """
import json, sys
from shared.naming import NAME_RULES, Namer
n = Namer("platform", "dev", account_id="123456789012", region="ap-southeast-2")
inputs = json.loads(sys.stdin.read())
print(json.dumps({k: [n.name(k, p) for p in inputs] for k in sorted(NAME_RULES)}))
"""


def test_names_are_the_same_in_a_fresh_process_with_another_hash_seed() -> None:
    inputs = _sample_inputs(7, 200)
    n = namer()
    here = {k: [n.name(k, p) for p in inputs] for k in KINDS}
    seed = "0" if os.environ.get("PYTHONHASHSEED") == "12345" else "12345"
    result = subprocess.run(
        [sys.executable, "-c", _NAMES_SCRIPT],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    assert json.loads(result.stdout) == here


# --- no collisions ------------------------------------------------------------------------------


@functools.cache
def _distinct_inputs(seed: int, count: int) -> list[str]:
    """Distinct single labels: clean, messy (case, punctuation, unicode) and over-long ones."""
    rng = random.Random(seed)
    clean, messy = "abcdefghijklmnopqrstuvwxyz0123456789-", "aAbB01-_./ :@#üß漢"
    found: set[str] = set()
    while len(found) < count:
        style = rng.randrange(3)
        if style == 0:
            text = "".join(rng.choices(clean, k=rng.randrange(1, 12)))
        elif style == 1:
            text = "".join(rng.choices(messy, k=rng.randrange(0, 10)))
        else:
            text = "x" * 250 + "".join(rng.choices(messy, k=rng.randrange(1, 6)))
        found.add(text)
    return sorted(found)


@pytest.mark.parametrize("kind", KINDS)
def test_ten_thousand_distinct_inputs_give_ten_thousand_distinct_names(kind: str) -> None:
    inputs = _distinct_inputs(2024, 10_000)
    n = namer()
    names = {n.name(kind, text) for text in inputs}
    assert len(names) == len(inputs)


# --- botocore: AWS's own machine-readable constraints, an oracle we did not write ---------------

# Java regexes in the service models: `\w` is ASCII-only in Java (Python needs re.ASCII) and
# `\p{Print}` is Java's POSIX class, printable US-ASCII.
_JAVA_TO_PYTHON = {r"\p{Print}": r"\x20-\x7e"}
BOTOCORE_SHAPES = {
    "iam-role": ("iam", "CreateRole", "RoleName"),
    "iam-policy": ("iam", "CreatePolicy", "PolicyName"),
    "iam-instance-profile": ("iam", "CreateInstanceProfile", "InstanceProfileName"),
    "log-group": ("logs", "CreateLogGroup", "logGroupName"),
    "metric-filter": ("logs", "PutMetricFilter", "filterName"),
    "alarm": ("cloudwatch", "PutMetricAlarm", "AlarmName"),
    "secret": ("secretsmanager", "CreateSecret", "Name"),
    "kms-alias": ("kms", "CreateAlias", "AliasName"),
    "scaling-policy": ("application-autoscaling", "PutScalingPolicy", "PolicyName"),
    "state-machine": ("stepfunctions", "CreateStateMachine", "name"),
    "event-rule": ("events", "PutRule", "Name"),
}
# These models carry no constraints today; if botocore gains some, move the kind up there.
BOTOCORE_UNCONSTRAINED = {
    "sns-topic": ("sns", "CreateTopic", "Name"),
    "alb": ("elbv2", "CreateLoadBalancer", "Name"),
    "target-group": ("elbv2", "CreateTargetGroup", "Name"),
    "rds-cluster": ("rds", "CreateDBCluster", "DBClusterIdentifier"),
    "rds-instance": ("rds", "CreateDBInstance", "DBInstanceIdentifier"),
    "dashboard": ("cloudwatch", "PutDashboard", "DashboardName"),
    "ecs-cluster": ("ecs", "CreateCluster", "clusterName"),
}
_SESSION = botocore.session.get_session()


@functools.cache
def _constraints(service: str, operation: str, member: str) -> dict[str, object]:
    model = _SESSION.get_service_model(service)
    shape = model.operation_model(operation).input_shape.members[member]
    # Look the shape up by name too, as the models define it (not a copy on the operation).
    named = model.shape_for(shape.name)
    return {k: v for k, v in named.metadata.items() if k in ("min", "max", "pattern")}


def _botocore_accepts(constraints: dict[str, object], name: str) -> bool:
    low, high = constraints.get("min", 0), constraints.get("max", 10**9)
    assert isinstance(low, int) and isinstance(high, int)
    if not low <= len(name) <= high:
        return False
    pattern = constraints.get("pattern")
    if pattern is None:
        return True
    assert isinstance(pattern, str)
    for java, python in _JAVA_TO_PYTHON.items():
        pattern = pattern.replace(java, python)
    if r"\x20-\x7e" in pattern and not pattern.startswith("["):
        pattern = pattern.replace(r"\x20-\x7e", r"[\x20-\x7e]")
    return re.fullmatch(pattern.strip("^$"), name, re.ASCII) is not None


@pytest.mark.parametrize("kind", sorted(BOTOCORE_SHAPES))
def test_rule_lengths_equal_botocore(kind: str) -> None:
    constraints = _constraints(*BOTOCORE_SHAPES[kind])
    assert constraints, f"botocore lost the constraints for {kind}"
    rule = NAME_RULES[kind]
    assert rule.max_length == constraints["max"]
    assert rule.min_length == constraints.get("min", 1)


@pytest.mark.parametrize("kind", sorted(BOTOCORE_UNCONSTRAINED))
def test_botocore_still_has_no_constraints_for(kind: str) -> None:
    assert _constraints(*BOTOCORE_UNCONSTRAINED[kind]) == {}


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(part, max_size=3))
def test_names_satisfy_botocore(parts: list[str]) -> None:
    n = namer()
    for kind, shape in BOTOCORE_SHAPES.items():
        name = n.name(kind, *parts)
        assert _botocore_accepts(_constraints(*shape), name), (kind, name)


@settings(max_examples=300, deadline=None)
@given(
    name=st.one_of(
        st.text(alphabet="aZ09+=,.@_-/:#* \t\x7fü", max_size=20),
        st.text(max_size=10),
        st.text(alphabet="ab", min_size=60, max_size=600),
    )
)
def test_rules_never_accept_what_botocore_rejects(name: str) -> None:
    for kind, shape in BOTOCORE_SHAPES.items():
        if NAME_RULES[kind].problems(name) == []:
            assert _botocore_accepts(_constraints(*shape), name), (kind, name)


def test_botocore_translation_is_not_vacuous() -> None:
    role = _constraints(*BOTOCORE_SHAPES["iam-role"])
    assert _botocore_accepts(role, "platform-dev-web")
    assert not _botocore_accepts(role, "platform dev")
    assert not _botocore_accepts(role, "rölle")  # Java's \w is ASCII
    scaling = _constraints(*BOTOCORE_SHAPES["scaling-policy"])
    assert _botocore_accepts(scaling, "cpu at 50%")
    assert not _botocore_accepts(scaling, "cpu\n")


# --- NameRule and Namer on hand-built rules: each check, its message, the Namer's guards ---------


def test_stable_hash_is_fixed_across_processes() -> None:
    # sha256 -> base32 -> lowercase: these values must never change (names would change).
    assert stable_hash("abc") == "xj4bnp4p"
    assert stable_hash("abc", 4) == "xj4b"
    assert stable_hash("\udc80") == stable_hash("\udc80")  # lone surrogates hash, not crash


# Rules as their arguments: each test builds its rule (mutmut maps code to the tests that run it).
SIZED: dict[str, Any] = dict(kind="thing", max_length=8, min_length=3, allowed="a-z", prefix="p/")
HOUSE_STYLE: dict[str, Any] = dict(
    kind="thing", max_length=8, allowed="a-z/", prefix="/", prefix_required=False
)
SHAPED: dict[str, Any] = dict(
    kind="thing",
    max_length=20,
    allowed="A-Za-z0-9-",
    lowercase=True,
    first_letter=True,
    alnum_ends=True,
    no_double_hyphen=True,
)
FIFO: dict[str, Any] = dict(kind="topic", max_length=20, allowed="a-z", optional_suffix=".fifo")
RESERVED: dict[str, Any] = dict(
    kind="bucket",
    max_length=63,
    allowed="a-z0-9.-",
    forbidden_prefixes=("xn--",),
    forbidden_suffixes=("-s3alias",),
    forbidden_substrings=("..",),
    forbidden_names=("reserved",),
    no_ip_address=True,
    no_secret_suffix=True,
)

GOOD_NAMES = [
    (SIZED, "p/abc"),
    (HOUSE_STYLE, "abc"),  # a prefix the house style adds, not one AWS requires
    (SHAPED, "a-b"),
    (FIFO, "abc.fifo"),  # the optional suffix, at the end only
    (RESERVED, "app-abc12"),
]

BAD_NAMES = [
    (
        SIZED,
        "p/",
        [
            "thing names must be 3-8 characters long (got 2)",
            "thing names need something after 'p/'",
        ],
    ),
    (
        SIZED,
        "abcdefghi",
        ["thing names must be 3-8 characters long (got 9)", "thing names must start with 'p/'"],
    ),
    (SIZED, "p/aB1b", ["thing names may not contain '1B'"]),
    (SHAPED, "Ab", ["thing names must be lowercase"]),
    (SHAPED, "1a", ["thing names must start with a letter"]),
    (
        SHAPED,
        "a-",
        [
            "thing names must start and end with a letter or digit",
            "thing names may not end with '-'",
        ],
    ),
    (
        SHAPED,
        "-a",
        [
            "thing names must start with a letter",
            "thing names must start and end with a letter or digit",
        ],
    ),
    (SHAPED, "a--b", ["thing names may not contain '--'"]),
    (FIFO, "a.fifob", ["topic names may not contain '.'"]),
    (
        RESERVED,
        "XN--a",
        ["bucket names may not contain 'NX'", "bucket names may not start with 'xn--'"],
    ),
    (
        RESERVED,
        "a-S3ALIAS",
        ["bucket names may not contain 'AILS'", "bucket names may not end with '-s3alias'"],
    ),
    (RESERVED, "reserved", ["'reserved' is reserved for bucket names"]),
    (RESERVED, "10.0.0.1", ["bucket names may not be formatted as an IP address"]),
    (
        RESERVED,
        "app-abc123",
        [
            "bucket names should not end in '-' plus 6 characters (Secrets Manager's "
            "own suffix, which confuses partial-ARN lookups)"
        ],
    ),
]


@pytest.mark.parametrize(("rule", "name"), GOOD_NAMES)
def test_good_name(rule: dict[str, Any], name: str) -> None:
    assert NameRule(**rule).problems(name) == []


@pytest.mark.parametrize(("rule", "name", "expected"), BAD_NAMES)
def test_bad_name(rule: dict[str, Any], name: str, expected: list[str]) -> None:
    assert NameRule(**rule).problems(name) == expected


@pytest.mark.parametrize(
    ("delimiter", "allowed", "raw", "clean"),
    [
        ("-", "a-z0-9.-", "A..b  c--d.", "a-b-c-d"),  # dots allowed by AWS, not emitted
        ("/", "a-z0-9/-", "/a//b-/c/", "a/b-c"),  # a run of separators keeps its first
        ("-", "a-z0-9-", "a_b.c", "a-b-c"),
    ],
)
def test_sanitize_keeps_letters_digits_and_allowed_separators(
    delimiter: str, allowed: str, raw: str, clean: str
) -> None:
    rule = NameRule("t", max_length=63, allowed=allowed, delimiter=delimiter, lowercase=True)
    assert _sanitize(rule, raw) == clean


def test_sanitize_folds_case_only_when_asked() -> None:
    keeps = NameRule("t", max_length=63, allowed="A-Za-z0-9-")
    folds = NameRule("t", max_length=63, allowed="A-Za-z0-9-", fold_case=True)
    assert (_sanitize(keeps, "AbC"), _sanitize(folds, "AbC")) == ("AbC", "abc")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"project": "A"}, "project 'A' is not valid: use 2-12 lowercase letters and digits"),
        ({"account_id": "12"}, "account_id '12' is not valid: use the 12 digits"),
        ({"region": "mars"}, "region 'mars' is not an AWS region name such as us-east-1"),
        ({"account_id": None}, "pass account_id and region together (S3 bucket names need both)"),
        ({"region": None}, "pass account_id and region together (S3 bucket names need both)"),
    ],
)
def test_namer_guards(kwargs: dict[str, str | None], message: str) -> None:
    fields: dict[str, str | None] = {
        "project": "acme",
        "environment": "prod",
        "account_id": "123456789012",
        "region": "us-east-1",
        **kwargs,
    }
    with pytest.raises(ValueError) as caught:
        Namer(**fields)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_namer_refuses_a_project_that_makes_a_reserved_prefix() -> None:
    assert "sthree-" in rule_for("s3-bucket").forbidden_prefixes
    with pytest.raises(
        ValueError,
        match=r"^project 'sthree' and environment 'dev' cannot make valid names: "
        r"s3-bucket names may not start with 'sthree-'$",
    ):
        Namer("sthree", "dev")
    assert Namer("acme", "live").name("alb") == "acme-live"


def test_global_names_need_account_and_region() -> None:
    with pytest.raises(ValueError, match="s3-bucket names are global across AWS accounts"):
        Namer("acme", "prod").name("s3-bucket", "logs")
    namer = Namer("acme", "prod", "123456789012", "us-east-1")
    assert namer.name("s3-bucket", "Logs") != "acme-prod-logs-123456789012-us-east-1"
    assert namer.name("s3-bucket", "logs") == "acme-prod-logs-123456789012-us-east-1"


def test_a_lossy_or_long_name_gets_a_hash_of_the_raw_input() -> None:
    namer = Namer("acme", "prod", "123456789012", "us-east-1")
    lossy = namer.name("alb", "Web")  # ALB names fold case: "web" would collide with it
    assert lossy == f"acme-prod-web-{stable_hash('acme-prod-Web')}"
    long = namer.name("alb", "x" * 40)
    assert len(long) == 32 and long.endswith(stable_hash("acme-prod-" + "x" * 40))
    bucket = namer.name("s3-bucket", "y" * 60)
    assert bucket.endswith(
        f"-{stable_hash('acme-prod-' + 'y' * 60 + '-123456789012-us-east-1')}-123456789012-us-east-1"
    )
    assert len(bucket) == 63


def test_a_pr_class_environment_with_a_custom_name_gets_a_stable_vpc_slot() -> None:
    from shared.environment import parse_environment

    # Changing these would move every such environment's VPC: they are fixed on purpose.
    assert parse_environment("preview", "pr").default_vpc_cidr == "10.248.216.0/21"
    assert parse_environment("pr-7").default_vpc_cidr == "10.128.56.0/21"
