"""The pack's glue pinned piece by piece: stack settings, levels, contexts, policy objects."""

import json
from types import SimpleNamespace
from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from policies import pack
from policies.spec import Context, Rule, StackResource
from shared.environment import parse_environment

PROD = pack._Stack(environment=parse_environment("prod"), region="eu-west-1", project="data")


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
    ctx = pack._context(PROD, {"a": 1, "b": 1}, {"b": 2}, provider, "")
    assert ctx == Context(
        environment=PROD.environment,
        region="eu-west-1",
        config={"a": 1, "b": 2},
        layer="data",
        default_tags={"Owner": "t"},
    )
    regionless = pack._Stack(environment=PROD.environment, region=None, project=None)
    assert pack._context(regionless, {}, None, provider).region == "us-west-2"
    assert pack._context(regionless, {}, None, {"region": 5}).region is None
    assert pack._context(regionless, {}, None, None).region is None
    urn = "urn:pulumi:prod::app::aws:s3/bucket:Bucket::b"
    assert pack._context(PROD, {}, None, None, urn).layer == "app"


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
    policy = pack.to_policy(_rule(config_schema=schema), {"aws-test-rule": "advisory"}, PROD)
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
    assert pack.to_policy(_rule(), {}, PROD).config_schema is None


def _args(type_: str, props: dict[str, Any], config: dict[str, Any] | None = None) -> Any:
    return SimpleNamespace(
        resource_type=type_,
        props=props,
        urn=f"urn:pulumi:prod::app::{type_}::r",
        provider=SimpleNamespace(props={"region": "us-east-2"}),
        get_config=lambda: config,
    )


def test_a_resource_policy_reports_the_rules_findings_with_merged_config() -> None:
    policy = pack.to_policy(_rule(), {"aws-test-rule": {"minimumDays": 3}}, PROD)
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

    policy = pack.to_policy(_rule(check_stack=check), {}, PROD)
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

    policy = pack.to_policy(_rule(fix=fix), {}, PROD)
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
    regionless = pack._Stack(environment=PROD.environment, region=None, project="data")
    policy = pack.to_policy(_rule(), {}, regionless)
    reported: list[tuple[str, Any]] = []
    validate = policy._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    validate(_args("aws:s3/bucket:Bucket", {}, {"x": 1}), lambda m, u: reported.append((m, u)))
    assert reported == [("aws:s3/bucket:Bucket {} us-east-2 {'x': 1}", None)]


def test_stack_validation_gets_the_sent_config() -> None:
    def check(resources: Any, context: Context) -> list[tuple[str, str]]:
        return [("urn:s", str(dict(context.config)))]

    policy = pack.to_policy(_rule(check_stack=check), {}, PROD)
    reported: list[tuple[str, Any]] = []
    validate = policy._StackValidationPolicy__validate  # type: ignore[attr-defined]
    args = SimpleNamespace(resources=[], get_config=lambda: {"maxNatGateways": 3})
    validate(args, lambda m, u: reported.append((m, u)))
    assert reported == [("{'maxNatGateways': 3}", "urn:s")]


def test_a_remediating_policy_validates_too_and_fixes_with_the_full_context() -> None:
    def fix(type_: str, props: Any, context: Context) -> dict[str, Any] | None:
        return {"seen": [context.region, dict(context.config), context.layer]}

    regionless = pack._Stack(environment=PROD.environment, region=None, project="data")
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
