"""What a plan needs: AWS's handler permissions, nothing dropped silently."""

from __future__ import annotations

import fnmatch

import pytest

from shared.aws.registry import handler_permissions
from tests.tooling.access.planned import CLASSES, needs, resources
from tooling.access.needs import (
    BROADER_THAN_PROVIDER,
    OPERATIONS,
    cloudformation_type,
    resource_needs,
)

# One xdist worker runs the tests that share tests/tooling/access/planned.py (--dist loadgroup):
# each class is planned once, not once per worker.
pytestmark = pytest.mark.xdist_group("access-plans")


@pytest.mark.parametrize("environment_class", CLASSES)
def test_every_handler_action_is_a_need_or_excluded_by_a_reviewed_row(
    environment_class: str,
) -> None:
    found, excluded, unknown = resource_needs(resources(environment_class))
    assert unknown == []
    assert {e.reason for e in excluded} and all(e.reason for e in excluded)
    accounted = {n.action for n in found} | {e.action for e in excluded}
    for resource in resources(environment_class):
        cfn = cloudformation_type(resource.type)
        if cfn is None:
            continue
        for operation in OPERATIONS:
            assert set(handler_permissions(cfn, operation)) <= accounted, resource.type


def test_every_reviewed_row_excludes_something_the_plans_would_need() -> None:
    listed = {
        action
        for c in CLASSES
        for r in resources(c)
        if (cfn := cloudformation_type(r.type))
        for op in OPERATIONS
        for action in handler_permissions(cfn, op)
    }
    dead = [
        row.pattern
        for row in BROADER_THAN_PROVIDER
        if not any(fnmatch.fnmatchcase(a.lower(), row.pattern.lower()) for a in listed)
    ]
    assert dead == []


def test_deregistering_a_task_definition_takes_no_resource_and_no_condition_key() -> None:
    deregister = [n for n in needs("pr") if n.action == "ecs:DeregisterTaskDefinition"]
    assert deregister
    assert {(n.resource, n.context) for n in deregister} == {("*", ())}


def test_a_create_carries_request_tags_and_later_calls_the_resources_own() -> None:
    machine = [n for n in needs("pr") if n.planned.endswith("StateMachine:restart")]
    create = next(n for n in machine if n.action == "states:CreateStateMachine")
    assert dict(create.context)["aws:RequestTag/Environment"] == "pr-1"
    assert "aws:ResourceTag/Environment" not in dict(create.context)
    delete = next(n for n in machine if n.action == "states:DeleteStateMachine")
    assert dict(delete.context) == {"aws:ResourceTag/Environment": "pr-1"}


@pytest.mark.parametrize("environment_class", CLASSES)
def test_every_role_a_stack_creates_carries_the_boundary(environment_class: str) -> None:
    roles = [r for r in resources(environment_class) if r.type == "aws:iam/role:Role"]
    assert roles
    assert {r.inputs.get("permissionsBoundary") for r in roles} == {
        "arn:aws:iam::123456789012:policy/platform-account-stack-role-boundary"
    }
