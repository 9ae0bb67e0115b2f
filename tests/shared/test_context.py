"""The stack context's pure parts: labels (name and tags from one call), the upstream and export
checks against shared.layers, and the common schema a layer without keys of its own gets."""

import ast
import shutil
from pathlib import Path

import pytest

from shared.config import (
    AppConfig,
    BootstrapConfig,
    ConfigError,
    LayerConfig,
    UnknownKeyError,
    parse,
    schema_of,
)
from shared.config.schema import keys, load
from shared.context import ContractError, StackContext
from shared.environment import parse_environment
from shared.layers import BOOTSTRAP, LAYER_NAMES, LAYERS, get_layer
from shared.naming import NAME_RULES
from tooling.offline import ProgramError, plan

REPO = Path(__file__).resolve().parents[2]


def context(layer: str = "app", stack: str = "dev") -> StackContext[LayerConfig]:
    config = parse(layer, {f"{layer}:owner": "Platform Team"}, stack=stack)
    return StackContext(
        layer=get_layer(layer), config=config, account_id="123456789012", region="us-east-1"
    )


def test_a_label_is_the_compliant_name_and_the_tags_with_name_set_to_it() -> None:
    label = context().label("alb", "app", "a" * 40)
    assert not NAME_RULES["alb"].problems(label.name)
    assert label.tags["Name"] == label.name
    assert label.tags["Owner"] == "Platform Team" and label.tags["Layer"] == "app"


def test_global_names_carry_account_and_region() -> None:
    assert context("data").label("s3-bucket", "artifacts").name.endswith("-123456789012-us-east-1")


def test_only_declared_upstream_layers_can_be_read() -> None:
    with pytest.raises(ContractError, match="does not read 'observability'"):
        context("app").upstream("observability")


def test_export_refuses_anything_but_the_contract() -> None:
    with pytest.raises(ContractError, match=r"missing \['alb_arn'"):
        context("app").export({"ecs_cluster_name": "x", "surprise": 1})


def test_a_layer_without_keys_of_its_own_gets_the_common_schema() -> None:
    assert schema_of("app") is AppConfig
    assert keys(LayerConfig) == ("costCenter", "environmentClass", "environmentSuffix", "owner")
    environment = parse_environment("dev")
    config = load(
        LayerConfig, "audit", {"audit:owner": "Ops", "aws:region": "eu-west-1"}, environment
    )
    assert (config.owner, config.region, config.tags["Layer"]) == ("Ops", "eu-west-1", "audit")
    with pytest.raises(UnknownKeyError, match="audit:vpcCidr"):
        load(LayerConfig, "audit", {"audit:vpcCidr": "10.0.0.0/16"}, environment)


def test_export_refuses_a_contract_output_that_is_none(tmp_path: Path) -> None:
    """Through the real network program: an output the mocks (or AWS) leave empty would reach
    every reader as `null`."""
    program = tmp_path / "network"
    shutil.copytree(REPO / "stacks" / "network", program)
    main = program / "__main__.py"
    main.write_text(main.read_text().replace('"vpc_cidr": str(cfg.vpc_cidr),', '"vpc_cidr": None,'))
    with pytest.raises(ProgramError) as error:
        plan("dev", layers=["network"], pack_dir=None, stacks_dir=tmp_path)
    assert "ContractError: the network layer exports vpc_cidr as None" in error.value.message


def test_a_child_context_adds_its_attributes_to_every_name_and_keeps_the_tags() -> None:
    ctx = context("app")
    redis = ctx.child("redis")
    label = redis.label("iam-role", "task")
    assert label.name == ctx.label("iam-role", "redis", "task").name == "platform-dev-redis-task"
    assert label.tags == {**ctx.tags, "Name": label.name}
    assert redis.child("replica").label("name-tag").name == "platform-dev-redis-replica"
    assert ctx.label("iam-role", "task").name == "platform-dev-task"  # the parent is unchanged


def test_a_child_name_still_follows_the_kinds_rule() -> None:
    long = context("app").child("a" * 30, "b" * 30)
    assert not NAME_RULES["alb"].problems(long.label("alb", "c" * 30).name)
    bucket = context("data").child("redis").label("s3-bucket", "backups").name
    assert bucket.startswith("platform-dev-redis-backups-") and not NAME_RULES[
        "s3-bucket"
    ].problems(bucket)


def test_a_label_context_knows_account_region_and_whose_resources_it_names() -> None:
    labels = context("data").child("redis")
    assert (labels.account_id, labels.region, labels.scope) == (
        "123456789012",
        "us-east-1",
        "platform dev",
    )


def test_the_bootstrap_project_opens_with_its_own_schema_and_contract() -> None:
    account = parse_environment("account", "prod")
    with pytest.raises(ConfigError, match=r"bootstrap:repository.*required"):
        load(BootstrapConfig, "bootstrap", {}, account)
    config = load(BootstrapConfig, "bootstrap", {"bootstrap:repository": "acme/infra"}, account)
    ctx = StackContext(
        layer=BOOTSTRAP, config=config, account_id="123456789012", region="us-east-1"
    )
    assert schema_of(BOOTSTRAP) is BootstrapConfig and BOOTSTRAP.name not in LAYER_NAMES
    assert ctx.label("kms-alias", "state").name == "alias/platform-account-state"
    assert ctx.tags["Layer"] == "bootstrap"
    with pytest.raises(ContractError, match="missing"):
        ctx.export({"state_bucket": "b"})


def test_no_builder_or_component_takes_the_whole_stack_context() -> None:
    # Only a program's __main__.py opens the context; the modules beside it get a LabelContext
    # and the values they need, so they can be read (and reused) without the stack around them.
    modules = [
        path
        for folder in (*(layer.folder for layer in LAYERS), BOOTSTRAP.folder)
        for path in folder.glob("*.py")
        if path.name != "__main__.py"
    ]
    assert modules
    for path in modules:
        tree = ast.parse(path.read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not names & {"StackContext", "stack_context"}, path
