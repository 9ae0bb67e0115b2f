"""The change plan against deployed states: real programs' plans, their own states, edited states."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from shared.environment import CLASSES
from tooling.offline import LayerResult, PlanResult, Resource
from tooling.offline.__main__ import main
from tooling.offline.changes import (
    Change,
    ChangePlan,
    DeployedState,
    plan_changes,
    property_verdict,
    read_state,
    state_document,
    write_state,
)
from tooling.offline.stack_export import StackExportError

# Every class of the registry, by one environment of it.
ENVIRONMENTS = [name if info.named else f"{name}-1" for name, info in CLASSES.items()]
CLUSTER = "aws:rds/cluster:Cluster"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _state(
    tmp_path: Path, result: PlanResult, edit: Callable[[dict[str, Any]], None] | None = None
) -> DeployedState:
    """The state a deployment of `result` leaves, optionally edited resource by resource."""
    for name, layer in result.layers.items():
        document = state_document(layer)
        if edit is not None:
            for item in document["deployment"]["resources"]:
                edit(item)
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    return read_state([tmp_path], result.environment)


def _of(plan: ChangePlan, type_: str) -> list[Change]:
    return [c for c in plan.changes if c.type == type_]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_own_state_has_no_changes(environment: str, offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan(environment)
    plan = plan_changes(result.layers, _state(tmp_path, result))
    assert plan.changed == []
    assert plan.count("same") == sum(len(layer.resources) for layer in result.layers.values())


def test_renaming_the_cluster_in_prod_replaces_it(offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan("prod")

    def rename(item: dict[str, Any]) -> None:
        if item["type"] == CLUSTER:
            item["inputs"]["clusterIdentifier"] = "platform-prod-old-name"

    (change,) = _of(plan_changes(result.layers, _state(tmp_path, result, rename)), CLUSTER)
    assert change.action == "replace"
    assert change.replace_keys == ("clusterIdentifier",)
    assert change.delete_first  # an explicit identifier cannot exist twice
    assert change.protected  # prod protects its cluster: `up` would stop here
    assert any("remove `protect`" in r for r in change.reasons)


def test_a_tag_change_is_an_update(offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan("dev")

    def retag(item: dict[str, Any]) -> None:
        if item["type"] == "aws:ec2/vpc:Vpc":
            item["inputs"]["tags"] = {**item["inputs"]["tags"], "Owner": "someone-else"}

    plan = plan_changes(result.layers, _state(tmp_path, result, retag))
    (change,) = plan.changed
    assert (change.type, change.action, change.properties) == (
        "aws:ec2/vpc:Vpc",
        "update",
        ("tags",),
    )


def test_a_removed_resource_is_a_delete(offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan("dev")
    state = _state(tmp_path, result)
    network = result.layers["network"]
    gone = network.of_type("aws:ec2/flowLog:FlowLog")[0]
    planned = {
        **result.layers,
        "network": dataclasses.replace(
            network, resources=tuple(r for r in network.resources if r.urn != gone.urn)
        ),
    }
    plan = plan_changes(planned, state)
    assert [(c.urn, c.action) for c in plan.changed] == [(gone.urn, "delete")]


def test_a_rule_opened_wider_is_replaced(offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan("prod")
    rule = next(r for r in result.layers["network"].of_type(RULE) if r.inputs.get("cidrIpv4"))
    narrower = _narrower(rule.inputs["cidrIpv4"])

    def narrow(item: dict[str, Any]) -> None:
        if item["urn"] == rule.urn:
            item["inputs"]["cidrIpv4"] = narrower

    (change,) = plan_changes(result.layers, _state(tmp_path, result, narrow)).changed
    assert (change.urn, change.action, change.replace_keys) == (rule.urn, "replace", ("cidrIpv4",))


def _narrower(cidr: str) -> str:
    network = ipaddress.ip_network(cidr)
    return str(next(network.subnets(prefixlen_diff=1)))


def test_the_cli_plans_against_a_state_folder(
    offline_plan: Any, tmp_path: Path, capsys: Any
) -> None:
    """`plan dev --against DIR`: the state the same plan wrote gives no change and exit 0; the
    dev class has no guard."""
    write_state(offline_plan("dev").layers.values(), tmp_path / "state")
    code = main(
        [
            "plan",
            "dev",
            "--no-policy",
            "--against",
            str(tmp_path / "state"),
            "--outputs",
            str(tmp_path / "out"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "no changes" in out


def test_the_cli_refuses_a_stranger_in_the_state_folder(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "database.json").write_text("{}")
    assert main(["plan", "dev", "--no-policy", "--against", str(tmp_path)]) == 2
    assert "not named after a layer" in capsys.readouterr().err


def test_a_state_of_another_environment_is_refused(offline_plan: Any, tmp_path: Path) -> None:
    write_state([offline_plan("dev").layers["network"]], tmp_path)
    with pytest.raises(StackExportError, match="not of 'staging'"):
        read_state([tmp_path], "staging")


# ---- Pulumi's own rules, on one resource -----------------------------------------------------------

URN = "urn:pulumi:prod::data::aws:s3/bucket:Bucket::artifacts"


def _bucket(
    inputs: Mapping[str, Any],
    urn: str = URN,
    *,
    protect: bool = False,
    replaceOnChanges: tuple[str, ...] = (),
    ignoreChanges: tuple[str, ...] = (),
    deleteBeforeReplace: bool | None = None,
    aliases: tuple[Any, ...] = (),
) -> Resource:
    """A bucket with resource options as the program declares them (camelCase, as in the SDK)."""
    return Resource(
        type="aws:s3/bucket:Bucket",
        name=urn.rsplit("::", 1)[-1],
        urn=urn,
        inputs=dict(inputs),
        outputs={},
        protect=protect,
        replace_on_changes=replaceOnChanges,
        ignore_changes=ignoreChanges,
        delete_before_replace=deleteBeforeReplace,
        declared_aliases=aliases,
    )


def _one(
    old: Resource | None, new: Resource | None, flags: Mapping[str, Any] | None = None
) -> Change:
    state = DeployedState(
        "prod",
        {"data": LayerResult("data", "prod", (old,) if old else (), {})},
        {old.urn: flags or {}} if old else {},
    )
    planned = {"data": LayerResult("data", "prod", (new,) if new else (), {})}
    (change,) = plan_changes(planned, state).changes
    return change


def test_an_autonamed_resource_keeps_its_name_and_is_replaced_create_first() -> None:
    old = _bucket(
        {"bucket": "artifacts-1a2b3c4", "__defaults": ["bucket"], "objectLockEnabled": False}
    )
    assert _one(old, _bucket({"objectLockEnabled": False})).action == "same"
    change = _one(old, _bucket({"bucket": "renamed"}))
    assert (change.action, change.delete_first) == ("replace", True)
    # Left to the autonamer, the old and the new bucket can live side by side: create first.
    change = _one(
        old, _bucket({"objectLockEnabled": True}, replaceOnChanges=("objectLockEnabled",))
    )
    assert (change.action, change.delete_first) == ("replace", False)


def test_replace_on_changes_and_ignore_changes() -> None:
    old = _bucket({"bucket": "b", "tags": {"a": "1"}})
    assert _one(old, _bucket({"bucket": "b", "tags": {"a": "2"}})).action == "update"
    assert (
        _one(old, _bucket({"bucket": "b", "tags": {"a": "2"}}, replaceOnChanges=("tags",))).action
        == "replace"
    )
    assert (
        _one(old, _bucket({"bucket": "b", "tags": {"a": "2"}}, ignoreChanges=("tags.a",))).action
        == "same"
    )
    assert (
        _one(old, _bucket({"bucket": "b", "tags": {"a": "2"}}, ignoreChanges=("tags",))).action
        == "same"
    )


def test_delete_before_replace_option_wins_over_the_name_rule() -> None:
    old = _bucket({"bucket": "b"})
    change = _one(old, _bucket({"bucket": "c"}, deleteBeforeReplace=False))
    assert (change.action, change.delete_first) == ("replace", False)


def test_an_alias_is_the_same_resource() -> None:
    old = _bucket({"bucket": "b"}, urn="urn:pulumi:prod::data::aws:s3/bucket:Bucket::old-name")
    new = _bucket({"bucket": "b"}, aliases=({"name": "old-name"},))
    change = _one(old, new)
    assert (change.action, change.old_urn) == ("same", old.urn)
    unaliased = plan_changes(
        {"data": LayerResult("data", "prod", (_bucket({"bucket": "b"}),), {})},
        DeployedState("prod", {"data": LayerResult("data", "prod", (old,), {})}),
    )
    assert sorted(c.action for c in unaliased.changes) == ["create", "delete"]


def test_protect_and_retain_on_delete() -> None:
    old = _bucket({"bucket": "b"}, protect=True)
    deleted = plan_changes(
        {"data": LayerResult("data", "prod", (), {})},
        DeployedState("prod", {"data": LayerResult("data", "prod", (old,), {})}),
    ).changes[0]
    assert (deleted.action, deleted.protected) == ("delete", True)
    assert any("pulumi state unprotect" in r for r in deleted.reasons)
    # Unprotecting and replacing in one update is allowed (the program no longer protects it).
    assert not _one(old, _bucket({"bucket": "c"})).protected
    retained = plan_changes(
        {"data": LayerResult("data", "prod", (), {})},
        DeployedState(
            "prod",
            {"data": LayerResult("data", "prod", (_bucket({"bucket": "b"}),), {})},
            {URN: {"retainOnDelete": True}},
        ),
    ).changes[0]
    assert (retained.action, retained.retained, retained.destructive) == ("delete", True, False)


def test_an_encrypted_secret_is_not_compared_but_said() -> None:
    from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY
    from tooling.offline.stack_export import ENCRYPTED

    old = _bucket(
        {"bucket": "b", "tags": {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": ENCRYPTED}}
    )
    new = _bucket(
        {"bucket": "b", "tags": {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": {"a": "1"}}}
    )
    state = DeployedState("prod", {"data": LayerResult("data", "prod", (old,), {})})
    plan = plan_changes({"data": LayerResult("data", "prod", (new,), {})}, state)
    assert plan.changed == []
    assert "1 secret input(s) are encrypted" in plan.notes[0]


def test_what_no_data_decides_may_replace() -> None:
    verdict, _ = property_verdict(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "urn:x::y::z::w",
        {"role": "a"},
        {"role": "b"},
        "role",
    )
    assert verdict == "may-replace"
    assert (
        property_verdict(
            CLUSTER,
            "urn:x::y::z::w",
            {"applyImmediately": False},
            {"applyImmediately": True},
            "applyImmediately",
        )[0]
        == "update"
    )


# ---- accuracy against AWS's resource documentation ----------------------------------------------

_CFN = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference"
# (Pulumi type, input, old, new, what AWS's CloudFormation resource reference says, its page)
ACCURACY: list[tuple[str, str, Any, Any, str, str]] = [
    (CLUSTER, "clusterIdentifier", "a", "b", "replace", f"{_CFN}/aws-resource-rds-dbcluster.html"),
    (
        CLUSTER,
        "storageEncrypted",
        True,
        False,
        "replace",
        f"{_CFN}/aws-resource-rds-dbcluster.html",
    ),
    (
        CLUSTER,
        "engine",
        "aurora-postgresql",
        "aurora-mysql",
        "replace",
        f"{_CFN}/aws-resource-rds-dbcluster.html",
    ),
    (CLUSTER, "backupRetentionPeriod", 7, 14, "update", f"{_CFN}/aws-resource-rds-dbcluster.html"),
    (
        CLUSTER,
        "deletionProtection",
        False,
        True,
        "update",
        f"{_CFN}/aws-resource-rds-dbcluster.html",
    ),
    (
        "aws:rds/clusterInstance:ClusterInstance",
        "instanceClass",
        "db.r6g.large",
        "db.r6g.xlarge",
        "update",
        f"{_CFN}/aws-resource-rds-dbinstance.html",
    ),
    (
        "aws:rds/clusterInstance:ClusterInstance",
        "identifier",
        "a",
        "b",
        "replace",
        f"{_CFN}/aws-resource-rds-dbinstance.html",
    ),
    ("aws:s3/bucket:Bucket", "bucket", "a", "b", "replace", f"{_CFN}/aws-resource-s3-bucket.html"),
    (
        "aws:s3/bucket:Bucket",
        "tags",
        {"a": "1"},
        {"a": "2"},
        "update",
        f"{_CFN}/aws-resource-s3-bucket.html",
    ),
    (
        "aws:ec2/vpc:Vpc",
        "cidrBlock",
        "10.0.0.0/16",
        "10.1.0.0/16",
        "replace",
        f"{_CFN}/aws-resource-ec2-vpc.html",
    ),
    (
        "aws:ec2/vpc:Vpc",
        "enableDnsHostnames",
        False,
        True,
        "update",
        f"{_CFN}/aws-resource-ec2-vpc.html",
    ),
    (
        "aws:ec2/subnet:Subnet",
        "cidrBlock",
        "10.0.0.0/24",
        "10.0.1.0/24",
        "replace",
        f"{_CFN}/aws-resource-ec2-subnet.html",
    ),
    (
        "aws:ec2/subnet:Subnet",
        "mapPublicIpOnLaunch",
        False,
        True,
        "update",
        f"{_CFN}/aws-resource-ec2-subnet.html",
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        "description",
        "a",
        "b",
        "replace",
        f"{_CFN}/aws-resource-ec2-securitygroup.html",
    ),
    (
        RULE,
        "cidrIpv4",
        "10.0.0.0/8",
        "0.0.0.0/0",
        "replace",
        f"{_CFN}/aws-resource-ec2-securitygroupingress.html",
    ),
    (
        "aws:cloudwatch/logGroup:LogGroup",
        "name",
        "a",
        "b",
        "replace",
        f"{_CFN}/aws-resource-logs-loggroup.html",
    ),
    (
        "aws:cloudwatch/logGroup:LogGroup",
        "retentionInDays",
        30,
        90,
        "update",
        f"{_CFN}/aws-resource-logs-loggroup.html",
    ),
    ("aws:iam/role:Role", "name", "a", "b", "replace", f"{_CFN}/aws-resource-iam-role.html"),
    ("aws:iam/role:Role", "path", "/", "/x/", "replace", f"{_CFN}/aws-resource-iam-role.html"),
    ("aws:kms/key:Key", "description", "a", "b", "update", f"{_CFN}/aws-resource-kms-key.html"),
    (
        "aws:kms/key:Key",
        "enableKeyRotation",
        False,
        True,
        "update",
        f"{_CFN}/aws-resource-kms-key.html",
    ),
    (
        "aws:ecs/taskDefinition:TaskDefinition",
        "cpu",
        "256",
        "512",
        "replace",
        f"{_CFN}/aws-resource-ecs-taskdefinition.html",
    ),
    (
        "aws:ecs/service:Service",
        "desiredCount",
        1,
        2,
        "update",
        f"{_CFN}/aws-resource-ecs-service.html",
    ),
    (
        "aws:lb/loadBalancer:LoadBalancer",
        "internal",
        False,
        True,
        "replace",
        f"{_CFN}/aws-resource-elasticloadbalancingv2-loadbalancer.html",
    ),
    (
        "aws:lb/loadBalancer:LoadBalancer",
        "idleTimeout",
        60,
        120,
        "update",
        f"{_CFN}/aws-resource-elasticloadbalancingv2-loadbalancer.html",
    ),
    (
        "aws:lb/targetGroup:TargetGroup",
        "port",
        80,
        8080,
        "replace",
        f"{_CFN}/aws-resource-elasticloadbalancingv2-targetgroup.html",
    ),
    ("aws:sns/topic:Topic", "name", "a", "b", "replace", f"{_CFN}/aws-resource-sns-topic.html"),
    (
        "aws:sns/topic:Topic",
        "displayName",
        "a",
        "b",
        "update",
        f"{_CFN}/aws-resource-sns-topic.html",
    ),
    (
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "threshold",
        1,
        2,
        "update",
        f"{_CFN}/aws-resource-cloudwatch-alarm.html",
    ),
    (
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name",
        "a",
        "b",
        "replace",
        f"{_CFN}/aws-resource-cloudwatch-alarm.html",
    ),
]
# Where the plan is more cautious than the documentation (AWS's schema marks it conditional).
CAUTIOUS = {(CLUSTER, "engine")}


@pytest.mark.parametrize(("type_", "key", "old", "new", "documented", "source"), ACCURACY)
def test_accuracy_against_aws_documentation(
    type_: str, key: str, old: Any, new: Any, documented: str, source: str
) -> None:
    verdict, _ = property_verdict(
        type_, f"urn:pulumi:prod::p::{type_}::r", {key: old}, {key: new}, key
    )
    expected = "may-replace" if (type_, key) in CAUTIOUS else documented
    assert verdict == expected


def test_the_accuracy_table_is_documented() -> None:
    page = (Path(__file__).resolve().parents[3] / "docs" / "change-plan.md").read_text()
    for type_, key, *_ in ACCURACY:
        assert f"| `{type_}` | `{key}` |" in page
    assert len(ACCURACY) >= 20 and len({row[0] for row in ACCURACY}) >= 8


def test_a_real_deployment_with_its_own_ids_has_no_changes(
    offline_plan: Any, tmp_path: Path
) -> None:
    """AWS gave the deployed resources other ids and the account is another: a resource that is
    not replaced keeps AWS's values, and so does every input built from them."""
    import re

    result = offline_plan("prod")
    for name, layer in result.layers.items():
        text = json.dumps(state_document(layer))
        text = re.sub(
            r"\b(vpc|subnet|sg|sgr|rtb|igw|nat|eipalloc|vpce|fl)-([0-9a-f]{17})\b",
            lambda m: f"{m.group(1)}-{m.group(2)[::-1]}",
            text,
        )
        (tmp_path / f"{name}.json").write_text(text.replace("123456789012", "210987654321"))
    plan = plan_changes(result.layers, read_state([tmp_path], "prod"))
    assert [(c.urn, c.properties) for c in plan.changed] == []


def test_dependents_of_a_replaced_resource_see_its_new_values(
    offline_plan: Any, tmp_path: Path
) -> None:
    """A replaced VPC gets a new id: what is built in it is replaced too, as `up` would."""
    import re

    result = offline_plan("dev")
    for name, layer in result.layers.items():
        document = state_document(layer)
        for item in document["deployment"]["resources"]:
            if item["type"] == "aws:ec2/vpc:Vpc":
                item["inputs"]["cidrBlock"] = "10.99.0.0/16"
        text = re.sub(
            r"\b(vpc|subnet|sg|sgr|rtb|igw|nat|eipalloc|vpce|fl)-([0-9a-f]{17})\b",
            lambda m: f"{m.group(1)}-{m.group(2)[::-1]}",
            json.dumps(document),
        )
        (tmp_path / f"{name}.json").write_text(text)
    plan = plan_changes(result.layers, read_state([tmp_path], "dev"))
    replaced = {c.type for c in plan.changes if c.action == "replace"}
    assert {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/securityGroup:SecurityGroup",
    } <= replaced


def test_only_the_planned_layers_are_compared(offline_plan: Any, tmp_path: Path) -> None:
    result = offline_plan("dev")
    state = _state(tmp_path, result)
    planned = {"network": result.layers["network"]}
    plan = plan_changes(planned, state)
    assert plan.changed == []
    assert any("not compared: not planned" in note for note in plan.notes)


def test_the_cli_refuses_preview_against_a_state(tmp_path: Path, capsys: Any) -> None:
    assert main(["plan", "dev", "--no-policy", "--preview", "--against", str(tmp_path)]) == 2
    assert "leave out --preview" in capsys.readouterr().err


def test_options_recorded_as_fields_are_read() -> None:
    old = _bucket({"bucket": "b", "tags": {"a": "1"}})
    base: dict[str, Any] = {"type": old.type, "name": old.name, "urn": old.urn, "outputs": {}}
    ignored = Resource(inputs={"bucket": "b", "tags": {"a": "2"}}, ignore_changes=("tags",), **base)
    assert _one(old, ignored).action == "same"
    unset = Resource(inputs={"bucket": "c"}, delete_before_replace=None, **base)
    assert _one(old, unset).delete_first  # None: the explicit name decides
    create_first = Resource(inputs={"bucket": "c"}, delete_before_replace=False, **base)
    assert not _one(old, create_first).delete_first


def test_the_bridge_bookkeeping_is_not_an_input() -> None:
    old = _bucket(
        {"bucket": "b", "forceDestroy": False, "__defaults": ["forceDestroy"], "__meta": "{}"}
    )
    assert _one(old, _bucket({"bucket": "b"})).action == "same"


def test_options_only_a_change_plan_needs_are_recorded_from_the_program() -> None:
    # The Analyzer never sees replaceOnChanges or retainOnDelete, and sees aliases only once they
    # matched an old resource; the change plan needs them as the program declared them.
    from tooling.offline.layer_runner import run_layer

    program = Path(__file__).parents[2] / "conformance" / "programs" / "resources"
    opts = {"aliases": ["old-name"], "replaceOnChanges": ["tags"], "retainOnDelete": True}
    result = run_layer(
        "data",
        "prod",
        config={
            "data:resources": [{"type": "test:index:Thing", "name": "thing", "opts": opts}],
            "aws:region": "us-west-2",
        },
        program_dir=program,
    )
    (thing,) = [r for r in result.resources if r.type == "test:index:Thing"]
    assert thing.aliases == ()
    assert thing.declared_aliases == ({"name": "old-name"},)
    assert (thing.replace_on_changes, thing.retain_on_delete) == (("tags",), True)
    old = dataclasses.replace(
        thing, urn=thing.urn.replace("::thing", "::old-name"), declared_aliases=()
    )
    change = _one(old, thing)
    assert (change.action, change.old_urn) == ("same", old.urn)
