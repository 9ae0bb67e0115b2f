"""Environment resolution (precedence, every error path), PR network derivation and profile sanity."""

from __future__ import annotations

import ast
import dataclasses
import ipaddress
import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.aws import instance_classes
from shared.aws.accepted_values import CLOUDWATCH_RETENTION_DAYS, FARGATE_MEMORY
from shared.environment import (
    CLASSES,
    ENVIRONMENT_CLASSES,
    NAMED_CLASSES,
    PR_CIDR_PREFIX,
    PR_CIDR_RANGE,
    PR_SLOTS,
    PROFILES,
    Environment,
    EnvironmentNameError,
    command_line_wins,
    parse_environment,
    pr_vpc_cidr,
    requests_peering,
    resolve_environment,
)
from shared.layers import REPO_ROOT

# --- the rule: the command line wins; a leftover ENVIRONMENT_SUFFIX warns once and is ignored -----


def test_the_command_line_wins_over_a_leftover_variable() -> None:
    resolved = resolve_environment("prod", environ={"ENVIRONMENT_SUFFIX": "dev"})
    assert resolved.environment.name == "prod" and resolved.environment.environment_class == "prod"
    assert resolved.warning is not None
    assert "ENVIRONMENT_SUFFIX=dev" in resolved.warning and "'prod'" in resolved.warning


def test_no_warning_when_the_variable_agrees_or_is_unset() -> None:
    assert resolve_environment("pr-7", environ={"ENVIRONMENT_SUFFIX": "pr-7"}).warning is None
    assert resolve_environment("dev", environ={}).warning is None
    assert resolve_environment("dev", environ={"ENVIRONMENT_SUFFIX": "  "}).warning is None


@pytest.mark.parametrize("blank", [None, "", "  ", "\t\n"])
@pytest.mark.parametrize("klass", [None, *ENVIRONMENT_CLASSES])
def test_the_variable_never_chooses_the_environment(blank: str | None, klass: str | None) -> None:
    # An empty argument (an unset $ENV in a script) with ENVIRONMENT_SUFFIX=prod is not prod.
    for leftover in NAMED_CLASSES:
        with pytest.raises(EnvironmentNameError, match="no environment given") as caught:
            resolve_environment(
                blank, environment_class=klass, environ={"ENVIRONMENT_SUFFIX": leftover}
            )
        assert f"ENVIRONMENT_SUFFIX={leftover} never chooses one" in str(caught.value)
    with pytest.raises(EnvironmentNameError, match="no environment given"):
        resolve_environment(blank, environ={})


def test_an_invalid_leftover_never_breaks_a_valid_command_line() -> None:
    resolved = resolve_environment("dev", environ={"ENVIRONMENT_SUFFIX": "not valid!"})
    assert resolved.environment.name == "dev" and resolved.warning is not None


def test_explicit_class_applies_to_the_command_line_name() -> None:
    env = resolve_environment("perf", environment_class="staging", environ={}).environment
    assert (env.name, env.environment_class) == ("perf", "staging")


def test_command_line_wins_warns_once_and_hides_the_variable_for_the_run() -> None:
    environ = {"ENVIRONMENT_SUFFIX": "pr-77"}
    warnings: list[str] = []
    with command_line_wins("dev", warnings.append, environ):
        assert "ENVIRONMENT_SUFFIX" not in environ
    assert environ == {"ENVIRONMENT_SUFFIX": "pr-77"}
    assert len(warnings) == 1 and "pr-77" in warnings[0]
    with command_line_wins("pr-77", warnings.append, environ):
        assert environ["ENVIRONMENT_SUFFIX"] == "pr-77"
    assert len(warnings) == 1


def test_peering_rank_is_the_place_in_the_class_registry() -> None:
    examples = [parse_environment(k if CLASSES[k].named else f"{k}-3") for k in ENVIRONMENT_CLASSES]
    assert [e.rank for e in examples] == list(range(len(CLASSES)))
    assert parse_environment("pr-3").rank > parse_environment("prod").rank


# --- every error path ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "klass", "fragments"),
    [
        ("prd", None, ["unknown environment 'prd'", "Did you mean 'prod'", "pr-<number>"]),
        ("production", None, ["Did you mean 'prod'", "environmentClass"]),
        ("develop", None, ["Did you mean 'dev'"]),
        ("qa-eu", None, ["unknown environment 'qa-eu'", ", ".join(CLASSES)]),
        ("Prod", None, ["2-16 lowercase letters", "Did you mean 'prod'"]),
        ("my_env", None, ["is not valid"]),
        ("a" * 17, "dev", ["is not valid"]),
        ("pr-0", None, ["looks like a PR environment", "no leading zeros"]),
        ("pr-0", "pr", ["looks like a PR environment"]),
        ("pr-007", None, ["looks like a PR environment"]),
        ("pr-abc", "dev", ["looks like a PR environment"]),
        ("pr-1234567890", "pr", ["looks like a PR environment"]),
        ("dev", "bogus", ["environmentClass 'bogus'", ", ".join(CLASSES)]),
        ("dev", "prod", ["always has class 'dev'"]),
        ("prod", "dev", ["always has class 'prod'"]),
        ("pr-12", "staging", ["PR environment", "must be 'pr'"]),
        ("perf", "production", ["environmentClass 'production'"]),
    ],
)
def test_mistakes_raise_one_clear_error(name: str, klass: str | None, fragments: list[str]) -> None:
    with pytest.raises(EnvironmentNameError) as caught:
        parse_environment(name, klass)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_typo_never_silently_becomes_dev() -> None:
    for typo in ("prd", "production", "stage", "stg", "dvl", "prodd"):
        with pytest.raises(EnvironmentNameError):
            resolve_environment(typo, environ={})


def test_custom_names_need_and_keep_their_class() -> None:
    env = parse_environment("perf-2", "prod")
    assert (env.environment_class, env.pr_number) == ("prod", None)
    assert env.default_vpc_cidr == PROFILES["prod"].vpc_cidr


@pytest.mark.parametrize("name", ["dev", "staging", "prod"])
def test_known_names_may_repeat_their_own_class(name: str) -> None:
    assert parse_environment(name, name).environment_class == name


def test_pr_environments() -> None:
    env = parse_environment("pr-123")
    assert (env.environment_class, env.pr_number) == ("pr", 123)
    assert env.profile.disposable and env.profile.nat_none_allowed
    assert parse_environment("pr-123", "pr") == env


# --- PR networks --------------------------------------------------------------------------------

LONG_LIVED = [ipaddress.IPv4Network(PROFILES[c].vpc_cidr) for c in ("dev", "staging", "prod")]


def test_reserved_pr_range_overlaps_no_long_lived_environment() -> None:
    assert not any(PR_CIDR_RANGE.overlaps(net) for net in LONG_LIVED)
    assert PR_CIDR_RANGE.is_private


def test_long_lived_networks_do_not_overlap_each_other() -> None:
    for i, net in enumerate(LONG_LIVED):
        for other in LONG_LIVED[i + 1 :]:
            assert not net.overlaps(other)


@settings(max_examples=300, deadline=None)
@given(number=st.integers(1, 999_999_999))
def test_pr_cidr_is_inside_the_reserved_range(number: int) -> None:
    net = ipaddress.IPv4Network(pr_vpc_cidr(number))
    assert net.prefixlen == PR_CIDR_PREFIX
    assert net.subnet_of(PR_CIDR_RANGE)
    assert not any(net.overlaps(long_lived) for long_lived in LONG_LIVED)
    assert parse_environment(f"pr-{number}").default_vpc_cidr == str(net)


@settings(max_examples=300, deadline=None)
@given(first=st.integers(1, 999_999_999), gap=st.integers(1, PR_SLOTS - 1))
def test_concurrent_prs_within_pr_slots_never_overlap(first: int, gap: int) -> None:
    a = ipaddress.IPv4Network(pr_vpc_cidr(first))
    b = ipaddress.IPv4Network(pr_vpc_cidr(first + gap))
    assert not a.overlaps(b)


def test_pr_slots_wrap_exactly_at_pr_slots() -> None:
    # Documented limit: PRs PR_SLOTS apart share a network (never both open in practice).
    assert pr_vpc_cidr(5) == pr_vpc_cidr(5 + PR_SLOTS)
    assert PR_SLOTS == 4096


def test_custom_pr_class_environment_gets_a_stable_network_in_the_range() -> None:
    first = parse_environment("preview", "pr").default_vpc_cidr
    assert first == parse_environment("preview", "pr").default_vpc_cidr
    assert ipaddress.IPv4Network(first).subnet_of(PR_CIDR_RANGE)


# --- profile sanity -----------------------------------------------------------------------------

# Aurora PostgreSQL classes from the AWS docs ("Supported DB engines for DB instance classes").
AURORA_POSTGRES_CLASSES = {
    "db.t3.medium",
    "db.t3.large",
    "db.t4g.medium",
    "db.t4g.large",
    "db.r5.large",
    "db.r5.xlarge",
    "db.r6g.large",
    "db.r6g.xlarge",
    "db.r6i.large",
    "db.r7g.large",
    "db.r7g.xlarge",
}


def test_every_class_has_a_profile() -> None:
    assert set(PROFILES) == set(ENVIRONMENT_CLASSES)


def test_backups() -> None:
    assert PROFILES["prod"].backup_retention_days == 30
    assert PROFILES["dev"].backup_retention_days == 7
    for profile in PROFILES.values():
        assert 1 <= profile.backup_retention_days <= 35  # Aurora's range


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_a_profile_keeps_its_databases_where_its_class_enforces_the_safety_net(klass: str) -> None:
    # Defaults the pack would refuse are no defaults: the profile turns on what the class's policy
    # config makes mandatory (prod's both; a class that opts into one, that one).
    from policies.catalog import RULES
    from policies.pack import class_config, default_level

    config = class_config(klass)
    enforced = {r.name: default_level(r, config) == "mandatory" for r in RULES}
    profile = PROFILES[klass]
    assert profile.final_snapshot is enforced["aws-rds-cluster-final-snapshot"]
    assert profile.deletion_protection is enforced["aws-rds-deletion-protection"]


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_route53_is_off_only_for_pr_environments(klass: str) -> None:
    assert PROFILES[klass].route53 is (klass != "pr")


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_defaults_are_values_aws_accepts(klass: str) -> None:
    profile = PROFILES[klass]
    assert profile.db_instance_class in AURORA_POSTGRES_CLASSES
    assert instance_classes.verdict(
        "aurora-postgresql", profile.db_instance_class, "us-east-1"
    ).supported
    assert profile.ecs_memory in FARGATE_MEMORY[profile.ecs_cpu]
    assert profile.log_retention_days in CLOUDWATCH_RETENTION_DAYS
    assert 2 <= profile.az_count <= 6
    assert 1 <= profile.desired_count <= profile.max_count
    if klass != "pr":
        net = ipaddress.IPv4Network(profile.vpc_cidr)
        assert net.is_private and 16 <= net.prefixlen <= 24


def test_prod_is_the_most_resilient() -> None:
    prod = PROFILES["prod"]
    assert prod.nat_gateways == "per-az" and prod.az_count >= 3 and prod.db_instance_count >= 2
    assert not prod.force_destroy_buckets and not prod.fargate_spot
    assert all(prod.desired_count >= p.desired_count for p in PROFILES.values())


def test_buckets_are_force_destroyed_wherever_the_class_keeps_no_data_on_destroy() -> None:
    # The access-log bucket always holds objects (S3 logs even the provider's own reads): without
    # force_destroy no destroy of the environment could finish. A class that protects its data
    # (deletion protection, a final snapshot) keeps its buckets' objects too.
    for name, info in CLASSES.items():
        profile = info.profile
        keeps_data = profile.deletion_protection or profile.final_snapshot
        assert profile.force_destroy_buckets is not keeps_data, name


# --- peering: who requests ---------------------------------------------------------------------


ONE_OF_EACH_CLASS = [
    parse_environment(name if info.named else f"{name}x1", name) for name, info in CLASSES.items()
]


@pytest.mark.parametrize(
    ("own", "peer"),
    list(itertools.permutations(ONE_OF_EACH_CLASS, 2)),
    ids=lambda e: e.environment_class,
)
def test_the_shorter_lived_environment_requests_the_peering(
    own: Environment, peer: Environment
) -> None:
    assert requests_peering(own, peer) == (own.rank > peer.rank)
    assert requests_peering(own, peer) != requests_peering(peer, own)


@given(first=st.integers(1, 999_999_999), second=st.integers(1, 999_999_999))
def test_peers_of_one_class_agree_on_one_requester(first: int, second: int) -> None:
    a, b = parse_environment(f"pr-{first}"), parse_environment(f"pr-{second}")
    if a == b:
        assert not requests_peering(a, b)
        return
    assert requests_peering(a, b) != requests_peering(b, a)  # ties by name: exactly one requests


# --- adding a class: its registry entry and its policy deviations; everything else follows -------

QA_DEVIATIONS = {"aws-rds-deletion-protection": "mandatory"}
QA_CIDR = "10.99.0.0/16"


def _unused_class_name() -> str:
    # Not a name the registry (perhaps extended by now) or the pack's config already has.
    from policies import pack

    return next(
        name
        for name in ("qa", "qa-a", "qa-b", "qa-c")
        if name not in CLASSES and not (pack.CONFIG_DIR / f"{name}.json").exists()
    )


@pytest.fixture
def qa(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A class as an engineer adds it: staging's profile with a network of its own, inserted
    right after staging, and a policy config that opts into one of prod's safety nets."""
    from policies import pack
    from shared import environment

    name = _unused_class_name()
    staging = CLASSES["staging"]
    added = dataclasses.replace(
        staging, profile=dataclasses.replace(staging.profile, vpc_cidr=QA_CIDR)
    )
    before = dict(CLASSES)
    entries = list(before.items())
    entries.insert(list(before).index("staging") + 1, (name, added))
    # In place: every module that imported the registry holds this very dict.
    CLASSES.clear()
    CLASSES.update(entries)
    monkeypatch.setattr(environment, "ENVIRONMENT_CLASSES", tuple(CLASSES))
    named = tuple(name for name, info in CLASSES.items() if info.named)
    monkeypatch.setattr(environment, "NAMED_CLASSES", named)
    config = tmp_path / "config"
    shutil.copytree(pack.CONFIG_DIR, config)
    (config / f"{name}.json").write_text(json.dumps(QA_DEVIATIONS))
    monkeypatch.setattr(pack, "CONFIG_DIR", config)
    try:
        yield name
    finally:
        CLASSES.clear()
        CLASSES.update(before)


def _row(table: str, first: str) -> list[str]:
    (line,) = [line for line in table.splitlines() if line.startswith(f"| {first} |")]
    return [cell.strip() for cell in line.strip("|").split("|")][1:]


def test_an_added_class_is_ranked_documented_policed_and_bootstrapped(
    qa: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from policies import pack
    from policies.catalog import RULES
    from policies.spec import Context
    from tests.bootstrap.access_module import load_access
    from tooling import docs

    # Ranks are places in the registry: the class sits right after staging, the rest move down.
    classes = list(CLASSES)
    assert classes.index(qa) == classes.index("staging") + 1
    examples = [name if info.named else f"{name}-7" for name, info in CLASSES.items()]
    assert [parse_environment(name).rank for name in examples] == list(range(len(classes)))
    assert parse_environment(qa).default_vpc_cidr == QA_CIDR

    # Docs: a column in every generated table, and the committed docs are stale until regenerated.
    column = classes.index(qa)
    assert _row(docs.profiles_table(), "setting") == classes
    assert _row(docs.config_defaults_table(), "`network:vpcCidr`")[column] == QA_CIDR
    assert _row(docs.policy_levels_table(), "`aws-rds-deletion-protection`")[column] == "M"
    assert docs.main(["--check"]) == docs.EXIT_STALE
    assert "run `python -m tooling.docs`" in capsys.readouterr().err

    # Policies: its stacks' pack runs the safety net it opted into, and only that one of prod's.
    levels = {
        policy.name: str(policy.enforcement_level and policy.enforcement_level.value)
        for policy in pack.policies({"PULUMI_STACK": qa, "PULUMI_PROJECT": "data"})
    }
    assert levels["aws-rds-deletion-protection"] == "mandatory"
    assert levels["aws-rds-cluster-final-snapshot"] == "disabled"
    (rule,) = [r for r in RULES if r.name == "aws-rds-deletion-protection"]
    found = rule.check("aws:rds/cluster:Cluster", {}, Context(environment=parse_environment(qa)))
    assert found == [f"deletionProtection is not enabled on a {qa} database"]

    # The bootstrap: its state prefix, secrets key and deploying CI role.
    access = load_access()
    assert tuple(classes) == access.CLASSES
    role = access.GITHUB_ENVIRONMENTS[qa]
    assert (role.environment_class, role.deploys) == (qa, True)


def _class_name_comparisons(path: Path, root: Path = REPO_ROOT) -> list[str]:
    """`x == "prod"`, `x in ("dev", "pr")`, ...: a comparison with a registered class's name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            literals = (
                operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) else [operand]
            )
            names = {str(c.value) for c in literals if isinstance(c, ast.Constant)} & set(CLASSES)
            where = f"{path.relative_to(root)}:{node.lineno}"
            found += [f"{where} compares with {name!r}" for name in sorted(names)]
    return found


def test_no_code_but_the_registry_compares_a_class_name(tmp_path: Path) -> None:
    """What a class does is its profile or its policy config; a branch on its name elsewhere is
    behaviour a new class cannot opt into."""
    probe = tmp_path / "probe.py"
    probe.write_text('ok = env.environment_class in ("pr", "preview") or name != "prod"\n')
    assert _class_name_comparisons(probe, tmp_path) == [
        "probe.py:1 compares with 'pr'",
        "probe.py:1 compares with 'prod'",
    ]
    sources = [
        path
        for folder in ("shared", "policies", "tooling", "stacks", "bootstrap")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        if path != REPO_ROOT / "shared" / "environment.py"
    ]
    assert [hit for path in sources for hit in _class_name_comparisons(path)] == []
