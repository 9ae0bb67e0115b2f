"""The pack's assembly: environment from the stack, per-class configs, and the analyzer servicer.

The servicer is driven in-process here (the same class the PolicyPack constructor serves over
gRPC); tests/policies/test_layers.py goes through the real protocol with tooling.offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies import pack
from policies.catalog import RULES
from policies.spec import Context, Rule, StackResource
from shared.environment import (
    CLASSES,
    ENVIRONMENT_CLASSES,
    PROFILES,
    EnvironmentNameError,
    parse_environment,
)
from tests.policies.conftest import UNKNOWN, secret

MEMBER = "aws:rds/clusterInstance:ClusterInstance"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PULUMI_STACK": "prod"}, ("prod", "prod")),
        ({"PULUMI_STACK": "pr-42"}, ("pr-42", "pr")),
        (
            {
                "PULUMI_STACK": "live",
                "PULUMI_PROJECT": "data",
                "PULUMI_CONFIG": '{"data:environmentClass": "prod"}',
            },
            ("live", "prod"),
        ),
        # The stack wins over a leftover variable naming another environment.
        ({"PULUMI_STACK": "prod", "ENVIRONMENT_SUFFIX": "dev"}, ("prod", "prod")),
        ({"PULUMI_STACK": "pr-3", "ENVIRONMENT_SUFFIX": "staging"}, ("pr-3", "pr")),
    ],
)
def test_environment_comes_from_the_stack(
    environ: dict[str, str], expected: tuple[str, str]
) -> None:
    environment = pack.stack_environment(environ)
    assert (environment.name, environment.environment_class) == expected


def test_an_unresolvable_stack_stops_the_pack_instead_of_guessing() -> None:
    with pytest.raises(EnvironmentNameError, match="Did you mean 'prod'"):
        pack.stack_environment({"PULUMI_STACK": "prd"})


def test_region_from_stack_config_then_env() -> None:
    assert pack.stack_region({"PULUMI_CONFIG": '{"aws:region": "eu-west-1"}'}) == "eu-west-1"
    assert pack.stack_region({"AWS_REGION": "us-west-2"}) == "us-west-2"
    assert pack.stack_region({}) is None


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_every_class_config_lists_only_deviations_with_valid_levels(klass: str) -> None:
    config = pack.class_config(klass)
    assert set(config) - {"all"} <= {rule.name for rule in RULES}
    for rule in RULES:
        assert pack.default_level(rule, config) in pack.LEVELS
        assert set(pack.default_properties(rule, config)) <= set(rule.config_schema)
    for name, entry in config.items():
        rule = next(r for r in RULES if r.name == name)
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel")
        assert level != rule.default_level, f"{klass}.json repeats {name}'s default"


def test_levels_deviate_per_class() -> None:
    kms = next(rule for rule in RULES if rule.name == "aws-cloudwatch-log-group-kms")
    tags = next(rule for rule in RULES if rule.name == "aws-tags-standard")
    assert pack.default_level(kms, pack.class_config("prod")) == "mandatory"
    assert pack.default_level(kms, pack.class_config("dev")) == "advisory"
    assert pack.default_level(tags, pack.class_config("dev")) == "remediate"
    assert pack.default_level(tags, pack.class_config("prod")) == "mandatory"


def test_a_class_without_a_config_file_gets_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    name = next(n for n in ("qa", "qa-a", "qa-b") if not (pack.CONFIG_DIR / f"{n}.json").exists())
    assert pack.class_config(name) == {}
    monkeypatch.setitem(CLASSES, name, CLASSES["dev"])
    policies = pack.policies(
        {"PULUMI_STACK": "perf", "PULUMI_CONFIG": f'{{"x:environmentClass": "{name}"}}'}
    )
    assert len(policies) == len(RULES)


def test_backup_minimum_defaults_to_the_profile_without_config() -> None:
    for klass in ENVIRONMENT_CLASSES:
        assert "aws-rds-backup-retention" not in pack.class_config(klass)
    # The classes differ, so the minimum really is each profile's.
    assert len({p.backup_retention_days for p in PROFILES.values()}) > 1


def test_every_rule_has_prose() -> None:
    for rule in RULES:
        assert rule.name.startswith("aws-") and rule.description and rule.remediation, rule.name
        assert rule.severity in ("low", "medium", "high", "critical")


def _servicer(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> _PolicyAnalyzerServicer:
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    policies = pack.policies(environ)
    return _PolicyAnalyzerServicer(pack.PACK_NAME, "0.0.1", policies, pack.LEVELS["advisory"])


def _analyze(servicer: _PolicyAnalyzerServicer, type_: str, props: dict[str, Any]) -> Any:
    properties = struct_pb2.Struct()
    json_format.ParseDict(props, properties)
    request = analyzer_pb2.AnalyzeRequest(
        type=type_, properties=properties, urn=f"urn:{type_}", name="r"
    )
    return servicer.Analyze(request, None)  # type: ignore[no-untyped-call]


PROD = {
    "PULUMI_STACK": "prod",
    "PULUMI_PROJECT": "data",
    "PULUMI_CONFIG": '{"aws:region": "us-east-1"}',
}


def test_servicer_reports_a_mandatory_violation_naming_the_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servicer = _servicer(PROD, monkeypatch)
    response = _analyze(
        servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": "db.t3.micro"}
    )
    found = [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]
    assert len(found) == 1 and "db.t3.micro" in found[0].message
    assert found[0].enforcementLevel == analyzer_pb2.MANDATORY


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_an_unknown_value_a_rule_must_read_is_cant_run_or_blocks_as_the_class_says(
    klass: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = klass if CLASSES[klass].named else "pr-7"
    servicer = _servicer({**PROD, "PULUMI_STACK": name}, monkeypatch)
    response = _analyze(servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": UNKNOWN})
    (found,) = [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]
    if CLASSES[klass].profile.unknowns_block:  # mandatory here: it blocks
        assert found.enforcementLevel == analyzer_pb2.MANDATORY
        assert "cannot be checked before `up`" in found.message
        assert ".instanceClass can't be known during preview" in found.message
    else:
        assert found.enforcementLevel == analyzer_pb2.ADVISORY and "during preview" in found.message


def test_secret_password_fires_without_leaking(monkeypatch: pytest.MonkeyPatch) -> None:
    servicer = _servicer(PROD, monkeypatch)
    response = _analyze(servicer, "aws:rds/cluster:Cluster", {"masterPassword": secret("hunter2")})
    messages = [
        d.message for d in response.diagnostics if d.policyName == "aws-rds-managed-master-password"
    ]
    assert messages and not any("hunter2" in m for m in messages)


def test_configure_disabled_silences_a_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    servicer = _servicer(PROD, monkeypatch)
    request = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            "aws-rds-aurora-instance-class": analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.DISABLED
            )
        }
    )
    servicer.Configure(request, None)  # type: ignore[no-untyped-call]
    response = _analyze(
        servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": "db.t3.micro"}
    )
    assert not [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]


def test_remediation_adds_missing_tags_and_keeps_secrets_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servicer = _servicer({**PROD, "PULUMI_STACK": "dev"}, monkeypatch)
    properties = struct_pb2.Struct()
    json_format.ParseDict(
        {"cidrBlock": "10.0.0.0/16", "tags": {"Team": "x"}, "note": secret("s")}, properties
    )
    request = analyzer_pb2.AnalyzeRequest(
        type="aws:ec2/vpc:Vpc",
        properties=properties,
        urn="urn:pulumi:dev::network::aws:ec2/vpc:Vpc::vpc",
        name="vpc",
    )
    response = servicer.Remediate(request, None)  # type: ignore[no-untyped-call]
    (remediation,) = [r for r in response.remediations if r.policyName == "aws-tags-standard"]
    fixed = json_format.MessageToDict(remediation.properties)
    assert fixed["tags"] == {
        "Team": "x",
        "Project": "platform",
        "Environment": "dev",
        "Layer": "network",  # from the URN, not PULUMI_PROJECT
        "ManagedBy": "pulumi",
    }
    assert "4dabf18193072939515e22adb298388d" in json.dumps(fixed["note"])


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"aws-rds-backup-retention": {"minimumDays": 99}}, "99 is greater than the maximum of 35"),
        ({"aws-rds-backup-retention": {"minimumDay": 7}}, "'minimumDay' was unexpected"),
        ({"aws-rds-deletion-protection": "required"}, "'required' is not a level"),
        ({"all": "strict"}, "'strict' is not a level"),
    ],
)
def test_a_class_config_the_cli_would_refuse_is_refused_by_its_one_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: dict[str, Any], problem: str
) -> None:
    (tmp_path / "qa.json").write_text(json.dumps(document))
    monkeypatch.setattr(pack, "CONFIG_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"qa\.json: ") as raised:
        pack.class_config("qa")
    assert problem in str(raised.value)


# --- The pack's glue, piece by piece: stack settings, levels, contexts, policy objects -----------

PROD_STACK = pack._Stack(environment=parse_environment("prod"), region="eu-west-1", project="data")


def _rule(**kwargs: Any) -> Rule:
    fields: dict[str, Any] = {
        "name": "aws-test-rule",
        "description": "A rule for tests.",
        "severity": "high",
        "remediation": "Fix it.",
        "reads": {"aws:s3/bucket:Bucket": ("bucket",)},
    }
    if "check_stack" not in kwargs:
        fields["check_resource"] = lambda t, p, c: [f"{t} {dict(p)} {c.region} {dict(c.config)}"]
    return Rule(**{**fields, **kwargs})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"aws:region": "eu-west-1"}', {"aws:region": "eu-west-1"}),
        ("", {}),
        ("not json", {}),
        ('["a list"]', {}),
    ],
)
def test_stack_config_is_a_json_object_or_nothing(raw: str, expected: dict[str, Any]) -> None:
    assert pack.stack_config({"PULUMI_CONFIG": raw}) == expected
    assert pack.stack_config({}) == {}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # The project's own key first, then any project's; blank counts as unset.
        ({"data:environmentSuffix": "pr-9", "other:environmentSuffix": "dev"}, "pr-9"),
        ({"other:environmentSuffix": "pr-9"}, "pr-9"),
        ({"data:environmentSuffix": "  "}, "pr-9"),
        ({"x:environmentSuffix": ""}, "pr-9"),
        ({}, "pr-9"),
    ],
)
def test_the_environment_suffix_setting_and_its_fallbacks(
    config: dict[str, Any], expected: str
) -> None:
    environ = {
        "PULUMI_STACK": "pr-9",
        "PULUMI_PROJECT": "data",
        "PULUMI_CONFIG": json.dumps(config),
    }
    assert pack.stack_environment(environ).name == expected


@pytest.mark.parametrize(
    "config", [{"data:environmentSuffix": "prod"}, {"other:environmentSuffix": "staging"}]
)
def test_a_suffix_that_renames_the_stacks_environment_stops_the_pack(
    config: dict[str, Any],
) -> None:
    environ = {
        "PULUMI_STACK": "pr-9",
        "PULUMI_PROJECT": "data",
        "PULUMI_CONFIG": json.dumps(config),
    }
    with pytest.raises(ValueError, match="differs from the stack's environment 'pr-9'"):
        pack.stack_environment(environ)


def test_the_environment_class_setting_names_the_class_of_a_custom_stack() -> None:
    environ = {
        "PULUMI_STACK": "live",
        "PULUMI_PROJECT": "app",
        "PULUMI_CONFIG": json.dumps({"app:environmentClass": "staging"}),
    }
    assert pack.stack_environment(environ).environment_class == "staging"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PULUMI_CONFIG": '{"aws:region": "eu-west-1"}', "AWS_REGION": "us-west-2"}, "eu-west-1"),
        ({"PULUMI_CONFIG": '{"aws:region": ""}', "AWS_REGION": "us-west-2"}, "us-west-2"),
        ({"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ap-south-1"}, "us-west-2"),
        ({"AWS_DEFAULT_REGION": "ap-south-1"}, "ap-south-1"),
        ({"AWS_REGION": "", "AWS_DEFAULT_REGION": "ap-south-1"}, "ap-south-1"),
    ],
)
def test_region_fallbacks(environ: dict[str, str], expected: str) -> None:
    assert pack.stack_region(environ) == expected


def test_a_class_config_naming_an_unknown_policy_is_refused(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "qa.json").write_text('{"aws-no-such-policy": "advisory", "all": "advisory"}')
    (tmp_path / "ok.json").write_text('{"all": "advisory"}')
    monkeypatch.setattr(pack, "CONFIG_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"qa\.json: .*unknown: \['aws-no-such-policy'\]"):
        pack.class_config("qa")
    assert pack.class_config("ok") == {"all": "advisory"}


@pytest.mark.parametrize(
    ("config", "level"),
    [
        ({"aws-test-rule": "advisory", "all": "disabled"}, "advisory"),
        ({"aws-test-rule": {"enforcementLevel": "remediate"}, "all": "disabled"}, "remediate"),
        ({"aws-test-rule": {"minimumDays": 3}, "all": "disabled"}, "disabled"),
        ({"all": "disabled"}, "disabled"),
        ({"aws-other": "disabled"}, "mandatory"),
        ({}, "mandatory"),
    ],
)
def test_default_level_per_policy_then_all_then_the_rules_own(
    config: dict[str, Any], level: str
) -> None:
    assert pack.default_level(_rule(), config) == level


def test_default_properties_are_the_entry_without_its_level() -> None:
    rule = _rule()
    entry = {"aws-test-rule": {"enforcementLevel": "advisory", "minimumDays": 3}}
    assert pack.default_properties(rule, entry) == {"minimumDays": 3}
    assert pack.default_properties(rule, {"aws-test-rule": "advisory"}) == {}
    assert pack.default_properties(rule, {}) == {}


@pytest.mark.parametrize(
    ("provider", "tags"),
    [
        ({"defaultTags": {"tags": {"Owner": "team", "Cost": 3}}}, {"Owner": "team", "Cost": "3"}),
        ({"defaultTags": {"tags": None}}, {}),
        ({"defaultTags": None}, {}),
        ({"defaultTags": "unknown"}, {}),
        ({}, {}),
        (None, {}),
    ],
)
def test_default_tags_of_the_provider(provider: Any, tags: dict[str, str]) -> None:
    assert pack._default_tags(provider) == tags


@pytest.mark.parametrize(
    ("urn", "project"),
    [
        ("urn:pulumi:prod::data::aws:s3/bucket:Bucket::b", "data"),
        ("urn:pulumi:prod::data::aws:s3/bucket:Bucket", None),
        ("urn:other:prod::data::aws:s3/bucket:Bucket::b", None),
        ("", None),
    ],
)
def test_project_of_a_urn(urn: str, project: str | None) -> None:
    assert pack.project_of(urn) == project


def test_context_region_from_the_stack_then_the_provider() -> None:
    provider = {"region": "us-west-2", "defaultTags": {"tags": {"Owner": "t"}}}
    ctx = pack._context(PROD_STACK, {"a": 1, "b": 1}, {"b": 2}, provider, "")
    assert ctx == Context(
        environment=PROD_STACK.environment,
        region="eu-west-1",
        config={"a": 1, "b": 2},
        layer="data",
        default_tags={"Owner": "t"},
    )
    regionless = pack._Stack(environment=PROD_STACK.environment, region=None, project=None)
    assert pack._context(regionless, {}, None, provider).region == "us-west-2"
    assert pack._context(regionless, {}, None, {"region": 5}).region is None
    assert pack._context(regionless, {}, None, None).region is None
    urn = "urn:pulumi:prod::app::aws:s3/bucket:Bucket::b"
    assert pack._context(PROD_STACK, {}, None, None, urn).layer == "app"


def test_stack_resources_collect_every_dependency_once_sorted() -> None:
    dep = SimpleNamespace
    resource = SimpleNamespace(
        resource_type="aws:s3/bucket:Bucket",
        urn="urn:b",
        props={"bucket": "b"},
        dependencies=[dep(urn="urn:z"), dep(urn="urn:a")],
        property_dependencies={"policy": [dep(urn="urn:m"), dep(urn="urn:a")], "x": []},
        name="b",
    )
    assert pack._stack_resources([resource]) == [  # type: ignore[list-item]
        StackResource(
            type="aws:s3/bucket:Bucket",
            urn="urn:b",
            props={"bucket": "b"},
            dependencies=("urn:a", "urn:m", "urn:z"),
            name="b",
            property_dependencies={"policy": ("urn:m", "urn:a"), "x": ()},
        )
    ]


def test_to_policy_carries_the_rules_prose_level_and_schema() -> None:
    schema = {"minimumDays": {"type": "integer"}}
    policy = pack.to_policy(_rule(config_schema=schema), {"aws-test-rule": "advisory"}, PROD_STACK)
    assert isinstance(policy, ResourceValidationPolicy)
    assert (policy.name, policy.description, policy.remediation_steps) == (
        "aws-test-rule",
        "A rule for tests.",
        "Fix it.",
    )
    assert policy.enforcement_level == pack.LEVELS["advisory"]
    assert policy.severity == pack.SEVERITIES["high"]
    assert policy.config_schema is not None
    assert policy.config_schema.properties == schema
    assert pack.to_policy(_rule(), {}, PROD_STACK).config_schema is None


def _args(type_: str, props: dict[str, Any], config: dict[str, Any] | None = None) -> Any:
    return SimpleNamespace(
        resource_type=type_,
        props=props,
        urn=f"urn:pulumi:prod::app::{type_}::r",
        provider=SimpleNamespace(props={"region": "us-east-2"}),
        get_config=lambda: config,
    )


def test_a_resource_policy_reports_the_rules_findings_with_merged_config() -> None:
    policy = pack.to_policy(_rule(), {"aws-test-rule": {"minimumDays": 3}}, PROD_STACK)
    reported: list[tuple[str, Any]] = []
    validate = policy._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    validate(
        _args("aws:s3/bucket:Bucket", {"bucket": "b"}, {"x": 1}),
        lambda m, u: reported.append((m, u)),
    )
    assert reported == [
        ("aws:s3/bucket:Bucket {'bucket': 'b'} eu-west-1 {'minimumDays': 3, 'x': 1}", None)
    ]
    reported.clear()
    validate(_args("aws:sqs/queue:Queue", {}), lambda m, u: reported.append((m, u)))
    assert reported == []


def test_a_stack_policy_reports_each_finding_at_its_urn() -> None:
    def check(resources: Any, context: Context) -> list[tuple[str, str]]:
        return [(r.urn, f"{r.name} in {context.environment.name}") for r in resources]

    policy = pack.to_policy(_rule(check_stack=check), {}, PROD_STACK)
    assert isinstance(policy, StackValidationPolicy)
    resource = SimpleNamespace(
        resource_type="t",
        urn="urn:r",
        props={},
        dependencies=[],
        property_dependencies={},
        name="r",
    )
    reported: list[tuple[str, Any]] = []
    validate = policy._StackValidationPolicy__validate  # type: ignore[attr-defined]
    validate(
        SimpleNamespace(resources=[resource], get_config=dict), lambda m, u: reported.append((m, u))
    )
    assert reported == [("r in prod", "urn:r")]


def test_a_remediating_policy_applies_the_fix_in_place_or_leaves_the_resource() -> None:
    def fix(type_: str, props: Any, context: Context) -> dict[str, Any] | None:
        return {"tags": {"Layer": context.layer}} if "tags" not in props else None

    policy = pack.to_policy(_rule(fix=fix), {}, PROD_STACK)
    remediate = policy._ResourceValidationPolicy__remediate  # type: ignore[attr-defined]
    props: dict[str, Any] = {"bucket": "b"}
    assert remediate(_args("aws:s3/bucket:Bucket", props)) == {
        "bucket": "b",
        "tags": {"Layer": "app"},
    }
    assert props == {"bucket": "b", "tags": {"Layer": "app"}}
    assert remediate(_args("aws:s3/bucket:Bucket", {"tags": {}})) is None


def test_policies_resolve_the_stack_once_for_every_rule() -> None:
    environ = {
        "PULUMI_STACK": "staging",
        "PULUMI_PROJECT": "data",
        "PULUMI_CONFIG": '{"aws:region": "eu-west-1"}',
    }
    found = {p.name: p for p in pack.policies(environ)}
    staging = pack.class_config("staging")
    for name, level in staging.items():
        assert found[name].enforcement_level == pack.LEVELS[level]


def test_the_projects_own_key_wins_even_when_listed_after_another_projects() -> None:
    config = {"other:environmentSuffix": "dev", "data:environmentSuffix": "prod"}
    environ = {
        "PULUMI_PROJECT": "data",
        "PULUMI_CONFIG": json.dumps(config),
    }
    assert pack.stack_environment(environ).name == "prod"
    # Without a project, the unqualified key is the project's own.
    bare = {"other:environmentSuffix": "dev", ":environmentSuffix": "prod"}
    assert pack.stack_environment({"PULUMI_CONFIG": json.dumps(bare)}).name == "prod"


def test_validation_takes_the_region_from_the_provider_and_the_sent_config() -> None:
    regionless = pack._Stack(environment=PROD_STACK.environment, region=None, project="data")
    policy = pack.to_policy(_rule(), {}, regionless)
    reported: list[tuple[str, Any]] = []
    validate = policy._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    validate(_args("aws:s3/bucket:Bucket", {}, {"x": 1}), lambda m, u: reported.append((m, u)))
    assert reported == [("aws:s3/bucket:Bucket {} us-east-2 {'x': 1}", None)]


def test_stack_validation_gets_the_sent_config() -> None:
    def check(resources: Any, context: Context) -> list[tuple[str, str]]:
        return [("urn:s", str(dict(context.config)))]

    policy = pack.to_policy(_rule(check_stack=check), {}, PROD_STACK)
    reported: list[tuple[str, Any]] = []
    validate = policy._StackValidationPolicy__validate  # type: ignore[attr-defined]
    args = SimpleNamespace(resources=[], get_config=lambda: {"maxNatGateways": 3})
    validate(args, lambda m, u: reported.append((m, u)))
    assert reported == [("{'maxNatGateways': 3}", "urn:s")]


def test_a_remediating_policy_validates_too_and_fixes_with_the_full_context() -> None:
    def fix(type_: str, props: Any, context: Context) -> dict[str, Any] | None:
        return {"seen": [context.region, dict(context.config), context.layer]}

    regionless = pack._Stack(environment=PROD_STACK.environment, region=None, project="data")
    policy = pack.to_policy(_rule(fix=fix), {}, regionless)
    remediate = policy._ResourceValidationPolicy__remediate  # type: ignore[attr-defined]
    fixed = remediate(_args("aws:s3/bucket:Bucket", {}, {"x": 1}))
    assert fixed == {"seen": ["us-east-2", {"x": 1}, "app"]}
    reported: list[tuple[str, Any]] = []
    validate = policy._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    validate(_args("aws:s3/bucket:Bucket", {}), lambda m, u: reported.append((m, u)))
    assert len(reported) == 1


def test_policies_carry_the_stacks_region_and_project() -> None:
    environ = {
        "PULUMI_STACK": "prod",
        "PULUMI_PROJECT": "data",
        "PULUMI_CONFIG": '{"aws:region": "eu-west-1"}',
    }
    found = {p.name: p for p in pack.policies(environ)}
    classes = found["aws-rds-aurora-instance-class"]
    reported: list[str] = []
    args = SimpleNamespace(
        resource_type="aws:rds/clusterInstance:ClusterInstance",
        props={"engine": "aurora-postgresql", "instanceClass": "db.t3.small"},
        urn="",
        provider=None,
        get_config=lambda: None,
    )
    classes._ResourceValidationPolicy__validate(args, lambda m, u: reported.append(m))  # type: ignore[attr-defined]
    assert len(reported) == 1 and "in eu-west-1" in reported[0], reported
    tags = found["aws-tags-standard"]
    bucket = SimpleNamespace(
        resource_type="aws:s3/bucket:Bucket",
        props={},
        urn="",
        provider=None,
        get_config=lambda: None,
    )
    fixed = tags._ResourceValidationPolicy__remediate(bucket)  # type: ignore[attr-defined]
    assert "data" in fixed["tags"].values()


@pytest.mark.parametrize("both", [True, False])
def test_a_rule_has_exactly_one_kind_of_check(both: bool) -> None:
    def check_stack(resources: Any, context: Context) -> list[tuple[str, str]]:
        return []

    kwargs: dict[str, Any] = (
        {"check_stack": check_stack, "check_resource": lambda t, p, c: []}
        if both
        else {"check_resource": None}
    )
    with pytest.raises(
        ValueError, match=r"^aws-test-rule: give exactly one of check_resource or check_stack$"
    ):
        _rule(**kwargs)


def test_the_pack_reads_only_the_environment_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT_SUFFIX", "staging")
    monkeypatch.setenv("PULUMI_STACK", "staging")
    with pytest.raises(ValueError, match="no environment given"):
        pack.stack_environment({})
