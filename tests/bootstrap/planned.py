"""The bootstrap program's real offline output, computed once per test process."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from policies.spec import StackResource
from tooling.deploy.bootstrap import plan_bootstrap
from tooling.offline import LayerResult, Resource, Violation

ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
# The shipped stack file holds the example repository, which the bootstrap refuses.
REPOSITORY = "acme-platform-team/aws-platform"


@cache
def planned() -> tuple[LayerResult, tuple[Violation, ...]]:
    result, violations = plan_bootstrap(overrides={"bootstrap:repository": REPOSITORY})
    return result, tuple(violations)


def resources() -> tuple[Resource, ...]:
    return planned()[0].resources


def as_stack(found: Sequence[Resource]) -> list[StackResource]:
    return [
        StackResource(r.type, r.urn, r.inputs, dependencies=r.dependencies, name=r.name)
        for r in found
    ]


def edited(
    found: Sequence[Resource], type_: str, change: Callable[[dict[str, Any]], Any]
) -> list[Resource]:
    """The real output with `change` applied to the inputs (and outputs) of every `type_`."""
    out = []
    for r in found:
        if r.type != type_:
            out.append(r)
            continue
        inputs, outputs = json.loads(json.dumps(r.inputs)), json.loads(json.dumps(r.outputs))
        change(inputs)
        change(outputs)
        out.append(dataclasses.replace(r, inputs=inputs, outputs=outputs))
    return out


def trust(role: Resource) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(role.inputs["assumeRolePolicy"])
    return document
