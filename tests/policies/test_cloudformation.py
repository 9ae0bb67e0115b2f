"""cfn-lint over the planned layers: coverage, no silent drop, findings mapped back, the pack wiring."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from policies import load_balancer, s3
from policies.cfn.lint import EXCLUDED_RULES, Finding, lint_template
from policies.cloudformation import RULES, findings
from policies.spec import StackResource
from shared.aws import cloudformation
from shared.aws.cloudformation import UNKNOWN_PARAMETER, Planned, template, translate
from shared.aws.types import TYPES, Translation
from shared.environment import CLASSES
from shared.layers import LAYER_NAMES
from tests.conftest import deploy_overrides
from tests.policies.conftest import UNKNOWN, context, secret
from tooling.offline import LayerResult, PlanResult, Resource, evaluate, plan

# One xdist worker runs every test here (--dist loadgroup): the plans cached in this module run
# once, not once per worker.
pytestmark = pytest.mark.xdist_group("policies-cloudformation")

# One environment of each class, from the registry.
ENVIRONMENTS = tuple(name if info.named else "pr-7" for name, info in CLASSES.items())
REGION = "us-east-1"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "aws-rules.md"
# Rules that only fire when the translation itself is wrong (a misnamed, missing or mistyped
# property): a real plan must never produce them.
TRANSLATION_RULES = frozenset({"E3002", "E3003", "E3012", "E1001"})


@functools.cache
def layers(environment: str) -> Mapping[str, LayerResult]:
    return dict(
        plan(environment, pack_dir=None, config_overrides=deploy_overrides(environment)).layers
    )


def planned(resources: tuple[Resource, ...]) -> list[Planned]:
    return [
        Planned(r.type, r.urn, r.name, r.inputs, r.dependencies, r.property_dependencies)
        for r in resources
    ]


def lint(resources: list[Planned]) -> tuple[Finding, ...]:
    return lint_template(template(translate(resources)), REGION)


# ---- coverage ------------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_planned_type_is_translated_or_listed_with_a_reason(environment: str) -> None:
    known = cloudformation.coverage()
    for name, layer in layers(environment).items():
        created = {r.type for r in layer.resources if r.custom and r.type.startswith("aws:")}
        missing = sorted(created - known.keys())
        assert not missing, f"{name} creates types with no translation and no listed reason"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_real_plans_translate_without_shape_errors(environment: str) -> None:
    """A misnamed or dropped-required property would show as one of these rules: none may fire."""
    for name, layer in layers(environment).items():
        shapes = [f for f in lint(planned(layer.resources)) if f.rule_id in TRANSLATION_RULES]
        assert shapes == [], f"{name}: {shapes}"


def test_every_input_a_real_plan_sets_is_translated_or_dropped_with_a_reason() -> None:
    for environment in ENVIRONMENTS:
        for layer in layers(environment).values():
            for resource in layer.resources:
                if resource.type not in cloudformation.translations():
                    continue
                for key in resource.inputs:
                    assert key in cloudformation.inputs()[resource.type] or key in {"region"}, key


def test_docs_list_every_excluded_rule() -> None:
    text = DOCS.read_text()
    for rule in EXCLUDED_RULES:
        assert f"| {rule} |" in text, f"{rule} is excluded but not documented"


# ---- no silent drop: one bad value per translated type ---------------------------------------


# Every translated type's negative control: `Translation.rejects` in the resource type table.
CONTROLS: Mapping[str, Translation] = {
    token: entry.translation
    for token, entry in cloudformation.translations().items()
    if entry.translation is not None
}


def test_every_translated_type_has_a_negative_control() -> None:
    assert all(control.rejects for control in CONTROLS.values())


def _base(token: str) -> Resource:
    for layer in layers("prod").values():
        for resource in layer.resources:
            if resource.type == token:
                return resource
    control = CONTROLS[token]
    assert control.rejects_base is not None, f"{token}: no layer creates it; give rejects_base"
    props = dict(control.rejects_base)
    return Resource(token, "control", f"urn:pulumi:prod::data::{token}::control", props, props)


@functools.cache
def _controls() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(token -> rule ids on the good resource, token -> rule ids on the bad one), two lints."""
    good: list[Planned] = []
    bad: list[Planned] = []
    for index, (token, control) in enumerate(CONTROLS.items()):
        base = _base(token)
        name = f"control{index}"
        urn = f"urn:pulumi:prod::controls::{token}::{name}"
        # Each S3 part gets a bucket of its own (by name), so controls never share a bucket.
        props = (
            {**base.inputs, "bucket": f"control-{index}"}
            if TYPES[token].folds_into
            else base.inputs
        )
        good.append(Planned(token, urn, name, props))
        bad.append(Planned(token, urn, name, {**props, **control.rejects}))

    def by_token(resources: list[Planned]) -> dict[str, set[str]]:
        translated = translate(resources)
        urn_of = {r.logical_id: r.urn for r in translated}
        out: dict[str, set[str]] = {token: set() for token in CONTROLS}
        for finding in lint_template(template(translated), REGION):
            urn = urn_of.get(str(finding.path[1]), "") if len(finding.path) > 1 else ""
            token = urn.split("::")[2] if urn else ""
            if token in out:
                out[token].add(finding.rule_id)
        return out

    return by_token(good), by_token(bad)


@pytest.mark.parametrize("token", sorted(CONTROLS))
def test_one_bad_value_through_the_translation_is_caught(token: str) -> None:
    good, bad = _controls()
    assert bad[token] - good[token], f"{token}: {dict(CONTROLS[token].rejects)} passed cfn-lint"


# ---- the translation's decisions -------------------------------------------------------------


def test_unknown_values_become_a_parameter_ref_and_are_not_findings() -> None:
    props = {"cidrBlock": UNKNOWN, "vpcId": UNKNOWN, "availabilityZone": UNKNOWN}
    resources = [Planned("aws:ec2/subnet:Subnet", "urn:a", "a", props)]
    document = template(translate(resources))
    assert document["Resources"]["ASubnet"]["Properties"]["CidrBlock"] == {"Ref": UNKNOWN_PARAMETER}
    assert lint_template(document, REGION) == ()


def test_secrets_are_unwrapped_and_output_only_properties_skipped() -> None:
    props = {"name": secret("platform-dev"), "arn": "arn:aws:sns:::x", "tagsAll": {"a": "b"}}
    [topic] = translate([Planned("aws:sns/topic:Topic", "urn:t", "t", props)])
    assert topic.properties == {"TopicName": "platform-dev"}


@pytest.mark.parametrize("order", [1, -1], ids=["as-recorded", "reversed"])
def test_s3_configuration_folds_into_its_bucket(order: int) -> None:
    # The logging configuration depends on both buckets; the order of its dependencies (the SDK
    # builds them from a set) must not decide which bucket it configures.
    resources = [
        dataclasses.replace(r, dependencies=r.dependencies[::order])
        for r in planned(layers("prod")["data"].resources)
    ]
    buckets = {r.logical_id: r for r in translate(resources) if r.type == "AWS::S3::Bucket"}
    assert set(buckets) == {"ArtifactsBucket", "AccessLogsBucket"}
    folded = {
        "BucketEncryption",
        "LifecycleConfiguration",
        "OwnershipControls",
        "PublicAccessBlockConfiguration",
        "VersioningConfiguration",
    }
    assert folded | {"LoggingConfiguration"} <= buckets["ArtifactsBucket"].properties.keys()
    assert folded <= buckets["AccessLogsBucket"].properties.keys()
    assert "LoggingConfiguration" not in buckets["AccessLogsBucket"].properties


BUCKET_A = Planned("aws:s3/bucket:Bucket", "urn:a", "a", {"bucket": "bucket-a"})
BUCKET_B = Planned("aws:s3/bucket:Bucket", "urn:b", "b", {"bucket": "bucket-b"})
LOGGING = "aws:s3/bucketLogging:BucketLogging"


def _logging(bucket: str, **extra: Any) -> Planned:
    props = {"bucket": bucket, "targetBucket": "bucket-b", "targetPrefix": "logs/"}
    return Planned(LOGGING, "urn:log", "log", props, ("urn:a", "urn:b"), **extra)


def _configured(*resources: Planned) -> dict[str, set[str]]:
    return {r.logical_id: set(r.properties) for r in translate(list(resources))}


def test_the_bucket_input_s_own_dependency_names_the_owner_over_its_value() -> None:
    log = _logging(UNKNOWN, property_dependencies={"bucket": ("urn:b",), "targetBucket": ()})
    assert _configured(BUCKET_A, BUCKET_B, log) == {
        "ABucket": {"BucketName"},
        "BBucket": {"BucketName", "LoggingConfiguration"},
    }


def test_without_property_dependencies_the_bucket_name_decides() -> None:
    assert _configured(BUCKET_A, BUCKET_B, _logging("bucket-a"))["ABucket"] == {
        "BucketName",
        "LoggingConfiguration",
    }


def test_a_single_bucket_among_the_dependencies_owns_an_unnamed_configuration() -> None:
    log = dataclasses.replace(_logging(UNKNOWN), dependencies=("urn:other", "urn:b"))
    assert _configured(BUCKET_A, BUCKET_B, log)["BBucket"] == {
        "BucketName",
        "LoggingConfiguration",
    }


def test_an_ambiguous_configuration_is_judged_on_its_own_bucket() -> None:
    configured = _configured(BUCKET_A, BUCKET_B, _logging(UNKNOWN))
    assert configured == {
        "ABucket": {"BucketName"},
        "BBucket": {"BucketName"},
        "LogBucketLogging": {"BucketName", "LoggingConfiguration"},
    }


# ---- the policy: findings mapped back, on real programs' output -------------------------------


def _stack(resources: tuple[Resource, ...]) -> list[StackResource]:
    return [
        StackResource(r.type, r.urn, r.outputs, r.dependencies, r.name, r.property_dependencies)
        for r in resources
    ]


def _edited(
    resources: tuple[Resource, ...], token: str, change: Callable[[dict[str, Any]], None]
) -> tuple[Resource, ...]:
    out = []
    done = False
    for resource in resources:
        if resource.type == token and not done:
            inputs = dict(resource.inputs)
            change(inputs)
            out.append(dataclasses.replace(resource, inputs=inputs, outputs=inputs))
            done = True
        else:
            out.append(resource)
    return tuple(out)


def test_a_finding_names_the_resource_and_the_pulumi_property() -> None:
    data = _edited(
        layers("prod")["data"].resources,
        "aws:rds/cluster:Cluster",
        lambda p: p.update(backupRetentionPeriod=40.0),
    )
    found = findings(_stack(data), context("prod", region=REGION))
    cluster = next(r for r in data if r.type == "aws:rds/cluster:Cluster")
    assert any(
        urn == cluster.urn and "property backupRetentionPeriod" in message
        for urn, _, message in found
    ), found


def test_the_network_layer_as_planned_has_no_finding() -> None:
    for environment in ENVIRONMENTS:
        network = layers(environment)["network"].resources
        assert findings(_stack(network), context(environment, region=REGION)) == []


def test_through_the_pack_errors_are_mandatory_in_prod_and_warnings_advisory() -> None:
    app = _edited(
        layers("prod")["app"].resources,
        "aws:lb/listener:Listener",
        lambda p: p.update(protocol="FTP"),
    )
    violations = evaluate(list(app), "prod", layer="app")
    errors = [v for v in violations if v.policy == "aws-cfn-lint-errors"]
    assert errors and all(v.level == "mandatory" for v in errors), violations
    assert any(v.urn.endswith("::http") and "protocol" in v.message for v in errors), errors
    data = evaluate(list(layers("prod")["data"].resources), "prod", layer="data")
    warnings = [v for v in data if v.policy == "aws-cfn-lint-warnings"]
    assert all(v.level == "advisory" for v in warnings)


def test_the_unedited_app_layer_has_no_cfn_lint_error_through_the_pack() -> None:
    violations = evaluate(list(layers("prod")["app"].resources), "prod", layer="app")
    assert [v for v in violations if v.policy == "aws-cfn-lint-errors"] == []


def _associations(subnets: tuple[str, str]) -> list[StackResource]:
    return [
        StackResource(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            f"urn:pulumi:dev::network::aws:ec2/routeTableAssociation:RouteTableAssociation::{n}",
            {"subnetId": subnet, "routeTableId": "rtb-0123456789abcdef0"},
            (),
            n,
        )
        for n, subnet in zip(("a", "b"), subnets, strict=True)
    ]


def test_a_value_unknown_during_preview_is_never_judged_equal_to_another() -> None:
    # Every unknown is one placeholder: cfn-lint would call two unknown subnets duplicates.
    known = findings(_associations(("subnet-0123456789abcdef0",) * 2), context("dev"))
    assert {f.rule_id for _, f, _ in known} == {"E3022"}
    assert findings(_associations((UNKNOWN, UNKNOWN)), context("dev")) == []


@functools.cache
def preview_plan(environment: str) -> PlanResult:
    """The environment's preview plan with the pack (read-only results, shared by the tests)."""
    return plan(environment, preview=True, config_overrides=deploy_overrides(environment))


def test_a_preview_plan_has_no_cfn_lint_error() -> None:
    result = preview_plan("prod")
    errors = [v for v in result.violations if v.policy == "aws-cfn-lint-errors"]
    assert [v.message for v in errors if v.level != "advisory"] == []


# One environment per class of the registry.
PREVIEW_ENVIRONMENTS = list(ENVIRONMENTS)


@pytest.mark.parametrize("environment", PREVIEW_ENVIRONMENTS)
def test_preview_plans_run_every_cfn_lint_policy_for_every_layer(environment: str) -> None:
    # An S3 part's `bucket` is unknown in preview; it folds into its bucket by its dependencies,
    # so neither cfn-lint nor the S3 stack policies "can't run" for the data layer.
    result = preview_plan(environment)
    assert set(result.layers) == set(LAYER_NAMES)
    # The bucket-policy document holds the bucket's ARN, truly unknown until `up`: the TLS rule
    # alone may say it cannot run.
    stack_rules = {rule.name for rule in (*RULES, *s3.RULES)} - {"aws-s3-bucket-tls-only"}
    cannot_run = [
        (v.layer, v.policy, v.message)
        for v in result.violations
        if v.policy in stack_rules and "can't run" in v.message
    ]
    assert cannot_run == []


def test_prods_mandatory_https_rule_runs_in_preview() -> None:
    result = preview_plan("prod")
    https = [v for v in result.violations if v.policy == load_balancer.RULES[0].name]
    assert https == [], "no finding and no can't-run: the pending certificate ARN is settled"
    # A stack policy whose verdict needs a whole unknown document (the bucket policy holds the
    # bucket's ARN) blocks in prod instead of approving blind.
    blocked = [v for v in result.violations if "cannot be checked before `up`" in v.message]
    assert "aws-s3-bucket-tls-only" in {v.policy for v in blocked}
    assert all(v.level == "mandatory" for v in blocked) and result.exit_code == 1
