"""The resource type table: its entries' rules, and that a new type is one entry everywhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.aws.types import (
    ID_ONLY,
    TYPES,
    ResourceType,
    Shape,
    Translation,
    UnknownResourceTypeError,
    assemble,
    module_for,
    resource_type,
)
from shared.name_rule import NameRule
from shared.naming import NAME_RULES, name_rules
from tests.fixtures import absent_type

REPO = Path(__file__).resolve().parents[3]
TYPES_DIR = REPO / "shared" / "aws" / "types"


def test_every_entry_lives_in_the_module_of_its_service() -> None:
    for token, entry in TYPES.items():
        assert entry.token == token
        module = _service_module_of(entry)
        assert module_for(token) == f"shared/aws/types/{module}.py", token


def _service_module_of(entry: ResourceType) -> str:
    from shared.aws import types

    for name in dir(types):
        found = getattr(types, name)
        if entry in getattr(found, "TYPES", ()):
            return name
    raise AssertionError(f"{entry.token} is in no service module")


def test_every_name_kind_is_one_the_namer_knows() -> None:
    for entry in TYPES.values():
        for key, kind in entry.name_kinds().items():
            assert kind in NAME_RULES, f"{entry.token} {key}: unknown kind {kind}"


def test_a_missing_type_names_the_file_to_add_it_to() -> None:
    with pytest.raises(UnknownResourceTypeError) as error:
        resource_type(absent_type.TOKEN)
    assert absent_type.MODULE in str(error.value)
    assert resource_type("aws:s3/bucket:Bucket") is TYPES["aws:s3/bucket:Bucket"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give either cloudformation or no_cloudformation"),
        ({"cloudformation": "AWS::X::Y", "no_cloudformation": "no"}, "give either"),
        ({"cloudformation": "AWS::X::Y"}, "needs a translation"),
        ({"no_cloudformation": "no", "folds_into": "aws:x/y:Y"}, "folds_into needs"),
    ],
)
def test_an_entry_says_its_cloudformation_type_or_why_it_has_none(
    fields: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as error:
        ResourceType("aws:thing/widget:Widget", "a widget", shape=ID_ONLY, **fields)  # type: ignore[arg-type]
    assert "shared/aws/types/thing.py" in str(error.value)


def test_a_token_listed_twice_is_a_bug() -> None:
    entry = ResourceType("aws:x/y:Y", "y", shape=ID_ONLY, no_cloudformation="none")
    assert assemble([entry]) == {"aws:x/y:Y": entry}
    with pytest.raises(RuntimeError, match="aws:x/y:Y has two entries"):
        assemble([entry, entry])


def test_an_inline_kind_joins_the_built_in_ones_and_may_not_redefine_one() -> None:
    built_in = (NameRule("thing", max_length=8, allowed="a-z"),)
    new = NameRule("gadget", max_length=9, allowed="a-z")
    entry = ResourceType(
        "aws:x/y:Y", "y", shape=ID_ONLY, names={"name": new}, no_cloudformation="none"
    )
    assert name_rules(built_in, {"aws:x/y:Y": entry}) == {"thing": built_in[0], "gadget": new}
    clash = ResourceType(
        "aws:x/y:Y",
        "y",
        shape=ID_ONLY,
        names={"name": NameRule("thing", max_length=9, allowed="a-z")},
        no_cloudformation="none",
    )
    with pytest.raises(RuntimeError, match="redefines the name kind 'thing'"):
        name_rules(built_in, {"aws:x/y:Y": clash})
    same = ResourceType(
        "aws:x/y:Y", "y", shape=ID_ONLY, names={"name": built_in[0]}, no_cloudformation="none"
    )
    assert name_rules(built_in, {"aws:x/y:Y": same}) == {"thing": built_in[0]}


def test_a_translated_type_has_a_translation_and_a_shape_fills_its_templates() -> None:
    for entry in TYPES.values():
        assert isinstance(entry.shape, Shape)
        if entry.cloudformation:
            assert isinstance(entry.translation, Translation)


# A type new to the project, written as the README says: one module, one entry.
NEW_MODULE = '''"""ElastiCache."""

from shared.aws.types import ResourceType, Shape, Translation
from shared.name_rule import NameRule

TYPES = (
    ResourceType(
        "aws:elasticache/subnetGroup:SubnetGroup",
        "the cache's subnets",
        shape=Shape(id="{name}", arn="arn:aws:elasticache:{region}:{account}:subnetgroup:{name}"),
        names={
            "name": NameRule(
                "cache-subnet-group",
                max_length=255,
                allowed="a-z0-9-",
                lowercase=True,
                first_letter=True,
                no_double_hyphen=True,
            )
        },
        cloudformation="AWS::ElastiCache::SubnetGroup",
        translation=Translation(fields={"name": "CacheSubnetGroupName"}),
        holds_data="nothing but its subnet list",
    ),
)
'''

# Run against a copy of `shared` holding the new module: every derived table picks it up.
PROBE = """
import json
from policies.naming import NAME_PROPERTIES, check_names
from policies.spec import Context
from shared.aws import cloudformation, registry
from shared.environment import parse_environment
from shared.naming import Namer
from tooling.docs import resource_types_table
from tooling.offline import change_guard, mocks

token = "aws:elasticache/subnetGroup:SubnetGroup"
name = Namer("platform", "dev").name("cache-subnet-group", "redis")
# What `python -m policies.cfn.inputs` (which reads `translations()`) adds for it, from the SDK:
assert token in cloudformation.translations()
vendored = json.loads(cloudformation.INPUTS_FILE.read_text())
vendored["inputs"][token] = ["description", "name", "region", "subnetIds", "tags"]
cloudformation.INPUTS_FILE.write_text(json.dumps(vendored))
planned = cloudformation.Planned(token, "urn:c", "c", {"name": name, "description": "d"})
[resource] = cloudformation.translate([planned])
ident, state = mocks.shape_resource(token, "c", {"name": name}, region="us-east-1", seed="s")
print(json.dumps({
    "name": name,
    "kind": NAME_PROPERTIES[(token, "name")],
    "bad_name": check_names(token, {"name": "Bad--Name"}, Context(parse_environment("dev"))),
    "cfn": registry.CLOUDFORMATION_TYPES[token],
    "translated": [resource.type, resource.properties],
    "mock": [ident, state["arn"]],
    "docs": [line for line in resource_types_table().splitlines() if token in line],
    "guard": change_guard.DATA_TYPES[token],
}))
"""


def test_a_new_type_is_one_entry_and_every_table_picks_it_up(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "shared", tmp_path / "shared", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "shared" / "aws" / "types" / "elasticache.py").write_text(NEW_MODULE)
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", PROBE]
    done = subprocess.run(
        command, check=False, cwd=tmp_path, env=environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["name"] == "platform-dev-redis"
    assert found["kind"] == "cache-subnet-group"
    assert found["bad_name"] == [
        "name: cache-subnet-group names may contain only characters matching [a-z0-9-]",
        "name: cache-subnet-group names must be lowercase",
        "name: cache-subnet-group names may not contain '--'",
    ]
    assert found["cfn"] == "AWS::ElastiCache::SubnetGroup"
    assert found["translated"] == [
        "AWS::ElastiCache::SubnetGroup",
        {"CacheSubnetGroupName": "platform-dev-redis", "Description": "d"},
    ]
    assert found["mock"] == [
        "platform-dev-redis",
        "arn:aws:elasticache:us-east-1:123456789012:subnetgroup:platform-dev-redis",
    ]
    assert found["docs"] == [
        "| `aws:elasticache/subnetGroup:SubnetGroup` | the cache's subnets | "
        "AWS::ElastiCache::SubnetGroup | `name` (cache-subnet-group: 1-255 of `[a-z0-9-]`) | "
        "nothing but its subnet list |"
    ]
    assert found["guard"] == "nothing but its subnet list"
