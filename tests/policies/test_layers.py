"""Every policy against real layer programs, through the Analyzer protocol (tooling.offline.evaluate).

For each policy: one case where it fires on a layer's real output with one resource edited the way
a bad change would, and the layer's default output where it does not. All edits of one layer run
go through one evaluate() call (one pack process), so the file stays fast.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from shared.environment import CLASSES, parse_environment
from shared.layers import LAYER_NAMES, get_layer
from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY
from tests.conftest import committed_config
from tests.stacks import offline_results
from tooling.offline import (
    LayerResult,
    Resource,
    Violation,
    evaluate,
    run_layer,
)

# One xdist worker runs every test here (--dist loadgroup): the layer runs and pack evaluations
# cached in this module happen once, not once per worker.
pytestmark = pytest.mark.xdist_group("policies-layers")

Edit = Callable[[Mapping[str, Any]], dict[str, Any]]


def _set(**changes: Any) -> Edit:
    return lambda props: {**props, **changes}


def _drop(*keys: str) -> Edit:
    return lambda props: {k: v for k, v in props.items() if k not in keys}


def _containers(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(props: Mapping[str, Any]) -> dict[str, Any]:
        definitions = json.loads(offline_results.plain(props["containerDefinitions"]))
        for container in definitions:
            change(container)
        return {**props, "containerDefinitions": json.dumps(definitions)}

    return edit


@dataclasses.dataclass(frozen=True)
class Bad:
    """A bad change: in `layer` for `environment`, edit the first resource of `type_`.

    `edit` returning None deletes the resource. The policy must flag the edited resource, or, for
    S3 stack policies, the resource of type `flags` that the edited one depends on (its bucket).
    """

    layer: str
    environment: str
    type_: str
    edit: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None
    flags: str | None = None
    config: tuple[tuple[str, str], ...] = ()  # a bad stack config instead of (or with) an edit


BUCKET = "aws:s3/bucket:Bucket"
INSECURE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


# policy -> the bad change that must make it fire
BAD: dict[str, Bad] = {
    "aws-rds-aurora-instance-class": Bad(
        "data", "prod", "aws:rds/clusterInstance:ClusterInstance", _set(instanceClass="db.t3.micro")
    ),
    "aws-rds-not-publicly-accessible": Bad(
        "data", "prod", "aws:rds/clusterInstance:ClusterInstance", _set(publiclyAccessible=True)
    ),
    "aws-rds-performance-insights": Bad(
        "data",
        "prod",
        "aws:rds/clusterInstance:ClusterInstance",
        _set(performanceInsightsEnabled=False),
    ),
    "aws-rds-cluster-final-snapshot": Bad(
        "data", "prod", "aws:rds/cluster:Cluster", _set(skipFinalSnapshot=True)
    ),
    "aws-rds-deletion-protection": Bad(
        "data", "prod", "aws:rds/cluster:Cluster", _set(deletionProtection=False)
    ),
    "aws-rds-backup-retention": Bad(
        "data", "prod", "aws:rds/cluster:Cluster", _set(backupRetentionPeriod=7)
    ),
    "aws-rds-storage-encrypted": Bad(
        "data", "prod", "aws:rds/cluster:Cluster", _set(storageEncrypted=False)
    ),
    "aws-rds-managed-master-password": Bad(
        "data",
        "prod",
        "aws:rds/cluster:Cluster",
        lambda props: {
            **_drop("manageMasterUserPassword")(props),
            "masterPassword": {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": "hunter2hunter2"},
        },
    ),
    "aws-s3-bucket-public-access-block": Bad(
        "data",
        "prod",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        _set(restrictPublicBuckets=False),
        flags=BUCKET,
    ),
    "aws-s3-bucket-server-side-encryption": Bad(
        "data",
        "prod",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        lambda props: None,
        flags=BUCKET,
    ),
    "aws-s3-bucket-tls-only": Bad(
        "data",
        "prod",
        "aws:s3/bucketPolicy:BucketPolicy",
        _set(policy=INSECURE_POLICY),
        flags=BUCKET,
    ),
    "aws-s3-bucket-versioning-prod": Bad(
        "data",
        "prod",
        "aws:s3/bucketVersioning:BucketVersioning",
        _set(versioningConfiguration={"status": "Suspended"}),
        flags=BUCKET,
    ),
    "aws-ec2-no-public-ingress": Bad(
        "network",
        "prod",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        _set(cidrIpv4="0.0.0.0/0", fromPort=22, toPort=22, ipProtocol="tcp"),
    ),
    "aws-ec2-security-group-rule-description": Bad(
        "network",
        "prod",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        _drop("description"),
    ),
    "aws-ecs-cluster-container-insights": Bad(
        "app",
        "prod",
        "aws:ecs/cluster:Cluster",
        _set(settings=[{"name": "containerInsights", "value": "disabled"}]),
    ),
    "aws-ecs-no-privileged-containers": Bad(
        "app",
        "prod",
        "aws:ecs/taskDefinition:TaskDefinition",
        _containers(lambda c: c.update(privileged=True)),
    ),
    "aws-ecs-container-logging": Bad(
        "app",
        "prod",
        "aws:ecs/taskDefinition:TaskDefinition",
        _containers(lambda c: c.pop("logConfiguration", None)),
    ),
    "aws-cloudwatch-log-group-retention": Bad(
        "app", "prod", "aws:cloudwatch/logGroup:LogGroup", _drop("retentionInDays")
    ),
    "aws-cloudwatch-log-group-kms": Bad(
        "app", "prod", "aws:cloudwatch/logGroup:LogGroup", _drop("kmsKeyId")
    ),
    "aws-tags-standard": Bad("observability", "prod", "aws:sns/topic:Topic", _drop("tags")),
    "aws-names-compliant": Bad(
        "app", "prod", "aws:lb/loadBalancer:LoadBalancer", _set(name="internal-platform-prod")
    ),
    # A bad config, not an edit: per-AZ NAT gateways in a PR environment.
    "aws-pr-cost-guard": Bad(
        "network",
        "pr-7",
        "aws:ec2/natGateway:NatGateway",
        config=(("network:natGateways", "per-az"),),
    ),
}


@functools.cache
def layer(name: str, environment: str, overrides: tuple[tuple[str, str], ...] = ()) -> LayerResult:
    """The real layer program's run, upstream layers first, with the stack's own config file."""
    upstream = {up: layer(up, environment) for up in get_layer(name).upstream}
    config = {**committed_config(name, environment), **dict(overrides)}
    return run_layer(name, environment, config=config, upstream=upstream)


def _edited(resource: Resource, edit: Callable[[Mapping[str, Any]], Any]) -> Resource:
    # Analyze sees inputs, AnalyzeStack outputs: a bad change shows in both.
    return dataclasses.replace(
        resource, inputs=edit(resource.inputs), outputs=edit(resource.outputs)
    )


def _bad_resources(name: str, environment: str) -> tuple[list[Resource], dict[str, set[str]]]:
    """The layer's resources with every bad change for it applied; policy -> URNs it may flag."""
    bads = {p: b for p, b in BAD.items() if (b.layer, b.environment) == (name, environment)}
    overrides = tuple(sorted(item for bad in bads.values() for item in bad.config))
    resources = list(layer(name, environment, overrides).resources)
    expected: dict[str, set[str]] = {}
    for policy, bad in bads.items():
        if bad.edit is None:  # the config is the bad change
            expected[policy] = {r.urn for r in resources if r.type == bad.type_}
            continue
        index = next(i for i, r in enumerate(resources) if r.type == bad.type_)
        target = resources[index]
        if bad.flags is None:
            expected[policy] = {target.urn}
        else:
            types = {r.urn: r.type for r in resources}
            expected[policy] = {d for d in target.dependencies if types.get(d) == bad.flags}
        if bad.edit(target.inputs) is None:
            del resources[index]
        else:
            resources[index] = _edited(target, bad.edit)
    return resources, expected


@functools.cache
def bad_run(name: str, environment: str) -> tuple[tuple[Violation, ...], dict[str, set[str]]]:
    resources, expected = _bad_resources(name, environment)
    return tuple(evaluate(resources, environment, layer=name)), expected


@functools.cache
def default_run(name: str, environment: str) -> tuple[Violation, ...]:
    return tuple(evaluate(list(layer(name, environment).resources), environment, layer=name))


@pytest.mark.parametrize("policy", sorted(BAD))
def test_policy_fires_on_a_bad_change_to_a_real_layer(policy: str) -> None:
    bad = BAD[policy]
    violations, expected = bad_run(bad.layer, bad.environment)
    hits = [v for v in violations if v.policy == policy and v.urn in expected[policy]]
    assert hits, f"{policy} did not fire on {expected[policy]}: {violations}"
    assert all(v.level in ("mandatory", "advisory") for v in hits)


@pytest.mark.parametrize("policy", sorted(BAD))
def test_policy_is_quiet_on_the_default_layer(policy: str) -> None:
    bad = BAD[policy]
    found = [v for v in default_run(bad.layer, bad.environment) if v.policy == policy]
    assert found == []


@pytest.mark.parametrize(
    ("name", "environment"),
    [(name, env) for name in LAYER_NAMES for env in ("prod", "pr-7")],
)
def test_default_layers_have_no_mandatory_violation(name: str, environment: str) -> None:
    mandatory = [v for v in default_run(name, environment) if v.level == "mandatory"]
    assert mandatory == []


def test_missing_tags_are_remediated_at_level_remediate() -> None:
    resources = list(layer("observability", "prod").resources)
    index = next(i for i, r in enumerate(resources) if r.type == "aws:sns/topic:Topic")
    resources[index] = _edited(resources[index], _drop("tags"))
    config = {"aws-tags-standard": "remediate"}  # dev, staging and pr default to it
    found = [
        v
        for v in evaluate(resources, "prod", layer="observability", policy_config=config)
        if v.policy == "aws-tags-standard"
    ]
    assert [(v.level, v.urn) for v in found] == [("remediate", resources[index].urn)]


def test_all_disabled_silences_every_policy() -> None:
    resources, _ = _bad_resources("app", "prod")
    assert evaluate(resources, "prod", layer="app", policy_config={"all": "disabled"}) == []


def test_all_disabled_with_one_policy_back_on() -> None:
    resources, _ = _bad_resources("app", "prod")
    config = {"all": "disabled", "aws-ecs-no-privileged-containers": "mandatory"}
    found = evaluate(resources, "prod", layer="app", policy_config=config)
    assert {v.policy for v in found} == {"aws-ecs-no-privileged-containers"}


# One environment per class of the registry.
CLASS_ENVIRONMENTS = [name if info.named else "pr-7" for name, info in CLASSES.items()]


@pytest.mark.parametrize("environment", CLASS_ENVIRONMENTS)
def test_a_mandatory_policy_that_cannot_judge_an_unknown_blocks_where_the_class_says(
    environment: str,
) -> None:
    """In preview a task's container definitions may be unknown; a rule that needs them cannot
    judge. Where the class's profile says `unknowns_block` (prod) that blocks at the rule's level;
    elsewhere it is the SDK's advisory "can't run", never a false violation."""
    from tooling.offline.model import UNKNOWN

    resources = list(layer("app", environment).resources)
    index = next(
        i for i, r in enumerate(resources) if r.type == "aws:ecs/taskDefinition:TaskDefinition"
    )
    resources[index] = _edited(resources[index], _set(containerDefinitions=UNKNOWN))
    found = [
        v
        for v in evaluate(resources, environment, layer="app", preview=True)
        if v.urn in (resources[index].urn, "") and v.policy.startswith("aws-ecs")
    ]
    assert found
    if parse_environment(environment).profile.unknowns_block:
        assert all(v.level == "mandatory" for v in found)
        assert all("cannot be checked before `up`" in v.message for v in found)
        assert all(
            ".containerDefinitions can't be known during preview" in v.message for v in found
        )
    else:
        assert all(v.level == "advisory" and "can't run" in v.message for v in found)
