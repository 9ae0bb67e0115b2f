"""The registry table and the schemas behind it: every mapped type is one AWS publishes."""

from __future__ import annotations

import pytest

from shared.aws import registry
from shared.aws.cloudformation import translations
from shared.aws.types import TYPES


def test_the_table_maps_every_type_the_translation_knows() -> None:
    assert set(registry.CLOUDFORMATION_TYPES) == set(translations())


@pytest.mark.parametrize(
    "cfn_type",
    sorted(
        {*registry.CLOUDFORMATION_TYPES.values(), *(e.part_of for e in TYPES.values() if e.part_of)}
    ),
)
def test_every_mapped_type_has_a_registry_schema(cfn_type: str) -> None:
    assert registry.schema(cfn_type)["typeName"] == cfn_type


def test_handler_permissions_come_from_aws_data() -> None:
    assert "ecs:DeregisterTaskDefinition" in registry.handler_permissions(
        "AWS::ECS::TaskDefinition", "delete"
    )
    assert "states:CreateStateMachine" in registry.handler_permissions(
        "AWS::StepFunctions::StateMachine", "create"
    )
    assert registry.handler_permissions("AWS::EC2::SecurityGroupIngress", "list") != ()


def test_create_only_properties_say_what_replaces() -> None:
    assert "BucketName" in registry.create_only_properties("AWS::S3::Bucket")
    assert "ContainerDefinitions" in registry.create_only_properties("AWS::ECS::TaskDefinition")
    assert "Tags" not in registry.create_only_properties("AWS::S3::Bucket")


def test_an_unknown_type_is_named() -> None:
    with pytest.raises(KeyError, match="AWS::Nope::Thing"):
        registry.schema("AWS::Nope::Thing")
    assert registry.cloudformation_type("aws:nope/thing:Thing") is None
    assert registry.cloudformation_type("aws:s3/bucket:Bucket") == "AWS::S3::Bucket"
