"""Shared by the stack tests: a warm parent process and each stack's committed config."""

import warnings
from collections.abc import Iterator
from typing import Any

import pulumi_aws as aws
import pytest
import yaml

from shared.layers import get_layer


@pytest.fixture(scope="session", autouse=True)
def warm_sdk() -> Iterator[None]:
    """Import the SDK modules the programs use once, so every forked stack run starts warm."""
    # pulumi_aws submodules are lazy: touching a class is what imports one. Importing s3 warns
    # about the deprecated classes it defines, which these programs do not use.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        classes: list[type] = [aws.ec2.Vpc, aws.vpc.SecurityGroupIngressRule, aws.kms.Key]
        classes += [aws.iam.Role, aws.cloudwatch.LogGroup, aws.rds.Cluster, aws.s3.Bucket]
    assert all(isinstance(c, type) for c in classes)
    yield


def stack_config(layer: str, environment: str, **overrides: Any) -> dict[str, Any]:
    """`Pulumi.<env>.yaml` of the layer (PR environments have none) plus `<layer>:<key>` overrides."""
    path = get_layer(layer).folder / f"Pulumi.{environment}.yaml"
    config = yaml.safe_load(path.read_text())["config"] if path.exists() else {}
    return {**config, **{f"{layer}:{key}": value for key, value in overrides.items()}}
