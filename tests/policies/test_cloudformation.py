"""cfn-lint over the planned layers: coverage, no silent drop, findings mapped back, the pack wiring."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from policies import cfn_translate, load_balancer, s3, sdk
from policies.cfn_lint import EXCLUDED_RULES, Finding, lint_template
from policies.cfn_translate import (
    BUCKET_PARTS,
    NO_EQUIVALENT,
    TRANSLATIONS,
    UNKNOWN_PARAMETER,
    Planned,
    template,
    translate,
)
from policies.cloudformation import RULES, findings
from policies.spec import StackResource
from shared.aws.registry import CLOUDFORMATION_TYPES
from shared.environment import CLASSES
from shared.layers import LAYER_NAMES
from tests.conftest import deploy_overrides
from tests.policies.conftest import UNKNOWN, context, secret
from tooling.offline import LayerResult, PlanResult, Resource, evaluate, plan

# One xdist worker runs every test here (--dist loadgroup): the plans cached in this module run
# once, not once per worker.
pytestmark = pytest.mark.xdist_group("policies-cloudformation")

ENVIRONMENTS = ("dev", "staging", "prod", "pr-7")
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
    known = cfn_translate.coverage()
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
                translation = TRANSLATIONS.get(resource.type)
                if translation is None:
                    continue
                for key in resource.inputs:
                    assert key in cfn_translate.inputs()[resource.type] or key in {"region"}, key


def test_the_vendored_input_names_match_the_installed_sdk() -> None:
    vendored = json.loads(cfn_translate.INPUTS_FILE.read_text())["inputs"]
    fresh = cfn_translate.generate_inputs()["inputs"]
    assert vendored == fresh, "run `python -m policies.cfn_translate` and commit the result"
    assert set(vendored) <= set(sdk.resources())


def test_docs_list_every_translated_type_and_every_excluded_rule() -> None:
    text = DOCS.read_text()
    rows = dict(re.findall(r"^\| `(aws:[^`]+)` \| (.+?) \|$", text, re.MULTILINE))
    assert rows.keys() == cfn_translate.coverage().keys(), "update the table in docs/aws-rules.md"
    for token in TRANSLATIONS:
        assert CLOUDFORMATION_TYPES[token] in rows[token], token
    for token in NO_EQUIVALENT:
        assert rows[token].startswith("none"), token
    for rule in EXCLUDED_RULES:
        assert f"| {rule} |" in text, f"{rule} is excluded but not documented"


# ---- no silent drop: one bad value per translated type ---------------------------------------


LONG_TAG = {"Name": "x" * 300}


@dataclasses.dataclass(frozen=True)
class Control:
    edit: Mapping[str, Any]
    base: Mapping[str, Any] | None = None  # for a type no layer creates today


BAD_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}
)
CONTROLS: Mapping[str, Control] = {
    "aws:ec2/vpc:Vpc": Control({"cidrBlock": "10.0.0.0/33"}),
    "aws:ec2/subnet:Subnet": Control({"cidrBlock": "not-a-cidr"}),
    "aws:ec2/internetGateway:InternetGateway": Control({"tags": LONG_TAG}),
    "aws:ec2/eip:Eip": Control({"domain": "classic"}),
    "aws:ec2/natGateway:NatGateway": Control({"connectivityType": "sideways"}),
    "aws:ec2/routeTable:RouteTable": Control({"tags": LONG_TAG}),
    "aws:ec2/route:Route": Control({"destinationCidrBlock": "everywhere"}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Control({"routeTableId": ["a", "b"]}),
    "aws:ec2/securityGroup:SecurityGroup": Control({"description": "x" * 300}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Control({"fromPort": "any"}),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Control({"toPort": "any"}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Control({"routeTableIds": "rtb-0123"}),
    "aws:ec2/flowLog:FlowLog": Control({"trafficType": "SOME"}),
    "aws:cloudwatch/logGroup:LogGroup": Control({"retentionInDays": 17.0}),
    "aws:iam/role:Role": Control({"name": "r" * 65}),
    "aws:iam/rolePolicy:RolePolicy": Control({"policy": BAD_POLICY}),
    "aws:kms/key:Key": Control({"deletionWindowInDays": 3.0}),
    "aws:kms/alias:Alias": Control({"name": "platform-logs"}),
    "aws:rds/cluster:Cluster": Control({"backupRetentionPeriod": 40.0}),
    "aws:rds/clusterInstance:ClusterInstance": Control({"instanceClass": "db.t3.micro"}),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": Control({"tags": LONG_TAG}),
    "aws:rds/subnetGroup:SubnetGroup": Control({"subnetIds": "subnet-0123"}),
    "aws:s3/bucket:Bucket": Control({"bucket": "Not_A_Bucket"}),
    "aws:s3/bucketPolicy:BucketPolicy": Control({"policy": BAD_POLICY}),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": Control(
        {"rules": [{"id": "r", "status": "Sometimes", "expiration": {"days": 1.0}}]}
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        Control({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "ROT13"}}]})
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Control(
        {"versioningConfiguration": {"status": "Maybe"}}
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Control({"blockPublicAcls": [1]}),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Control(
        {"rule": {"objectOwnership": "Nobody"}}
    ),
    "aws:s3/bucketLogging:BucketLogging": Control(
        {"targetPrefix": ["logs/"]},
        base={
            "bucket": "platform-dev-x",
            "targetBucket": "platform-dev-logs",
            "targetPrefix": "l/",
        },
    ),
    "aws:ecs/cluster:Cluster": Control({"settings": "containerInsights"}),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": Control(
        {"defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 5000.0}]}
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Control({"cpu": "256", "memory": "8192"}),
    "aws:ecs/service:Service": Control({"propagateTags": "EVERYTHING"}),
    "aws:lb/loadBalancer:LoadBalancer": Control({"loadBalancerType": "classic"}),
    "aws:lb/targetGroup:TargetGroup": Control({"targetType": "pod"}),
    "aws:lb/listener:Listener": Control({"protocol": "FTP"}),
    "aws:appautoscaling/target:Target": Control({"scalableDimension": "ecs:service:Everything"}),
    "aws:appautoscaling/policy:Policy": Control({"policyType": "Guesswork"}),
    "aws:sns/topic:Topic": Control({"tags": LONG_TAG}),
    "aws:sns/topicPolicy:TopicPolicy": Control({"policy": BAD_POLICY}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Control({"comparisonOperator": "Bigger"}),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": Control({"name": "f" * 600}),
    "aws:cloudwatch/dashboard:Dashboard": Control({"dashboardBody": ["not", "a", "string"]}),
    "aws:cloudwatch/eventRule:EventRule": Control({"name": "r" * 65}),
    "aws:sfn/stateMachine:StateMachine": Control({"type": "SLOW"}),
    "aws:acm/certificate:Certificate": Control({"tags": LONG_TAG}),
    "aws:route53/record:Record": Control({"name": "x" * 1100}),
    "aws:sns/topicSubscription:TopicSubscription": Control({"protocol": ["email"]}),
}


def test_every_translated_type_has_a_negative_control() -> None:
    assert CONTROLS.keys() == {*TRANSLATIONS, *BUCKET_PARTS}


def _base(token: str) -> Resource:
    for layer in layers("prod").values():
        for resource in layer.resources:
            if resource.type == token:
                return resource
    control = CONTROLS[token]
    assert control.base is not None, f"{token}: no layer creates it; give the control a base"
    props = dict(control.base)
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
            {**base.inputs, "bucket": f"control-{index}"} if token in BUCKET_PARTS else base.inputs
        )
        good.append(Planned(token, urn, name, props))
        bad.append(Planned(token, urn, name, {**props, **control.edit}))

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
    assert bad[token] - good[token], f"{token}: {dict(CONTROLS[token].edit)} passed cfn-lint"


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
PREVIEW_ENVIRONMENTS = [name if info.named else "pr-7" for name, info in CLASSES.items()]


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
