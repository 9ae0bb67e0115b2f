"""Every type token and camelCase property a policy reads exists in the installed pulumi-aws SDK.

Names come from the SDK's own input types (`pulumi.getter(name=...)` metadata via
`pulumi._types`), tokens from its resource classes; nothing here is a hand-written list. This is
what catches a policy that could never fire (a snake_case key, a misspelt or renamed token).
"""

from __future__ import annotations

import importlib
import json
import re
import typing
from functools import cache
from typing import Any

import pytest
from pulumi import _types

from policies import sdk, tagging
from policies.catalog import RULES

# Importing SDK modules pulls in their deprecated aliases, which warn on import.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

READS = sorted(
    {
        (rule.name, token, path)
        for rule in RULES
        if rule.name != "aws-tags-standard"  # ~860 types: covered by the taggable-list test below
        for token, paths in rule.reads.items()
        for path in paths or ("",)
    }
)


def _input_class(annotation: Any) -> type | None:
    """The input type inside Optional[Input[Sequence[Input[XArgs]]]] and friends."""
    if isinstance(annotation, type) and _types.is_input_type(annotation):
        return annotation
    for argument in typing.get_args(annotation):
        found = _input_class(argument)
        if found is not None:
            return found
    return None


@cache
def _args_class(token: str) -> type:
    resource = sdk.resources()[token]
    # Through the package, as programs do: importing a submodule of pulumi_aws's lazily loaded
    # packages directly leaves the package without its attributes (aws.iam.Role) for later users.
    package = importlib.import_module(resource.module.rsplit(".", 1)[0])
    cls: type = getattr(package, resource.args_class)
    return cls


def _resolve(cls: type, path: str) -> None:
    for step in path.replace("[]", "").split("."):
        names = _types.input_type_types(cls)
        assert step in names, f"{step!r} is not an input of {cls.__name__}: {sorted(names)}"
        inner = _input_class(names[step])
        if inner is not None:
            cls = inner


@pytest.mark.parametrize(("rule", "token", "path"), READS)
def test_policy_reads_real_sdk_properties(rule: str, token: str, path: str) -> None:
    assert token in sdk.resources(), f"{rule}: {token} is not a pulumi-aws resource type"
    if path:
        _resolve(_args_class(token), path)


def test_paths_are_camel_case() -> None:
    for _, _, path in READS:
        assert "_" not in path, path


def test_the_sdk_scan_finds_every_registered_resource() -> None:
    source = (sdk.sdk_dir() / "__init__.py").read_text()
    registered = re.search(r'resource_modules="""(.*?)"""', source, re.DOTALL)
    assert registered is not None
    tokens = {t for module in json.loads(registered.group(1)) for t in module["classes"]}
    assert len(tokens) > 1000
    assert tokens <= set(sdk.resources())


def test_vendored_taggable_types_equal_the_sdk() -> None:
    expected = {token for token, r in sdk.resources().items() if r.taggable}
    assert tagging.taggable_types() == expected, "run: python -m policies.tagging"


@pytest.mark.parametrize(
    "token",
    [
        "aws:rds/cluster:Cluster",
        "aws:s3/bucket:Bucket",
        "aws:ecs/service:Service",
        "aws:ec2/vpc:Vpc",
    ],
)
def test_taggable_scan_agrees_with_input_type_metadata(token: str) -> None:
    assert "tags" in _types.input_type_types(_args_class(token))
    assert token in tagging.taggable_types()


def test_a_non_taggable_resource_is_not_in_the_list() -> None:
    token = "aws:s3/bucketPolicy:BucketPolicy"
    assert "tags" not in _types.input_type_types(_args_class(token))
    assert token not in tagging.taggable_types()
