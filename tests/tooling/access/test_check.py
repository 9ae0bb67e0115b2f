"""The access check on the real plans and the real bootstrap, with its negative controls."""

from __future__ import annotations

import dataclasses
import json

import pytest

from shared.layers import REPO_ROOT
from tests.tooling.access.planned import CLASSES, model, needs, resources, stacks
from tooling.access.check import catalogue, escalations, gaps, permits, pulumi_needs
from tooling.access.derive import derive
from tooling.access.evaluator import Principal, Request
from tooling.access.model import AccessModel, Key, Role

# One xdist worker runs the tests that share tests/tooling/access/planned.py (--dist loadgroup):
# each class is planned once, not once per worker.
pytestmark = pytest.mark.xdist_group("access-plans")


def _deploy_role(m: AccessModel, environment_class: str) -> Role:
    return next(
        r for r in m.roles.values() if r.environment_class == environment_class and r.deploys
    )


def _without(principal: Principal, prefix: str) -> Principal:
    """The role's policies with every action starting `prefix` removed."""
    documents = []
    for document in principal.policies:
        statements = []
        for statement in document["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            kept = [a for a in actions if not a.startswith(prefix)]
            if kept:
                statements.append({**statement, "Action": kept})
        documents.append({**document, "Statement": statements})
    return dataclasses.replace(principal, policies=tuple(documents))


def test_the_committed_grants_are_derived_from_the_current_plans() -> None:
    committed = json.loads((REPO_ROOT / "bootstrap" / "ci_grants.json").read_text())
    assert derive({c: resources(c) for c in CLASSES}) == committed, (
        "bootstrap/ci_grants.json is stale: run `nox -s access -- --write --values tests/fixtures/deploy_values`"
    )


@pytest.mark.parametrize("environment_class", CLASSES)
def test_every_role_of_the_class_has_no_gap_and_no_escalation(environment_class: str) -> None:
    m = model()
    for role in m.roles.values():
        if role.environment_class != environment_class:
            continue
        wanted = [
            *needs(environment_class, role.deploys),
            *pulumi_needs(m, role, stacks(environment_class)),
        ]
        assert gaps(m, role, wanted) == []
        assert escalations(m, role) == []


def test_the_pr_role_deploys_replaces_a_task_definition_and_destroys() -> None:
    m = model()
    role = _deploy_role(m, "pr")
    task = [n for n in needs("pr") if "TaskDefinition:task" in n.planned]
    assert {n.operation for n in task} == {"create", "read", "update", "delete"}
    assert any(n.action == "ecs:DeregisterTaskDefinition" and n.resource == "*" for n in task)
    assert gaps(m, role, task) == []


def test_without_states_the_pr_role_cannot_create_the_app_layers_state_machine() -> None:
    m = model()
    role = _deploy_role(m, "pr")
    broken = dataclasses.replace(role, principal=_without(role.principal, "states:"))
    found = gaps(m, broken, needs("pr"))
    assert any(
        f.action == "states:CreateStateMachine"
        and "app:aws:sfn/stateMachine:StateMachine" in f.planned
        for f in found
    )


def test_create_role_without_the_boundary_condition_is_an_escalation() -> None:
    m = model()
    role = _deploy_role(m, "pr")
    extra = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*"}]}  # fmt: skip
    broken = dataclasses.replace(
        role,
        principal=dataclasses.replace(role.principal, policies=(*role.principal.policies, extra)),
    )
    assert [f.planned for f in escalations(m, broken)] == ["CreateRole without the boundary"]


def test_a_key_without_its_key_policy_is_decrypted_by_another_class() -> None:
    m = model()
    prod_key = m.keys["secrets-prod"]
    dropped = m.with_key("secrets-prod", Key(prod_key.arn, None, prod_key.tags))
    staging = _deploy_role(m, "staging")
    assert escalations(m, staging) == []
    found = escalations(dropped, staging)
    assert [(f.action, f.resource) for f in found if "secrets" in f.planned] == [
        ("kms:Decrypt", prod_key.arn)
    ]


def test_staging_cannot_read_prod_state_or_decrypt_prod_secrets() -> None:
    m = model()
    staging = _deploy_role(m, "staging")
    state = f"{m.bucket_arn}/prod/.pulumi/stacks/data/prod.json"
    assert not permits(m, staging, Request("s3:GetObject", state))
    key = m.keys["secrets-prod"]
    tags = {f"aws:ResourceTag/{k}": v for k, v in key.tags.items()}
    assert not permits(m, staging, Request("kms:Decrypt", key.arn, tags))


@pytest.mark.parametrize(
    "method", [m.name for m in catalogue(model(), _deploy_role(model(), "pr"))]
)
def test_each_escalation_method_is_found_when_granted_and_denied_by_the_model(method: str) -> None:
    m = model()
    for role in m.roles.values():
        chosen = next(x for x in catalogue(m, role) if x.name == method)
        assert not all(permits(m, role, r) for r in chosen.requests), (
            role.github_environment,
            method,
        )
    # The negative control: an administrator (no boundary, no guard) reaches it.
    admin = Principal("arn:aws:iam::123456789012:role/admin",
                      ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},))  # fmt: skip
    role = _deploy_role(m, "pr")
    chosen = next(x for x in catalogue(m, role) if x.name == method)
    assert all(permits(m, dataclasses.replace(role, principal=admin), r) for r in chosen.requests)


def test_a_create_scoped_only_by_request_tag_reaches_another_classs_subnet() -> None:
    m = model()
    role = _deploy_role(m, "staging")
    wide = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:CreateNatGateway", "Resource": "*",
         "Condition": {"StringLike": {"aws:RequestTag/Environment": "staging"}}}]}  # fmt: skip
    broken = dataclasses.replace(
        role,
        principal=dataclasses.replace(role.principal, policies=(*role.principal.policies, wide)),
    )
    found = {(f.action, f.planned) for f in escalations(m, broken)}
    assert ("ec2:CreateNatGateway", "create into prod's resource") in found
    assert escalations(m, role) == []


def test_only_a_break_glass_admin_purges_state_history() -> None:
    m = model()
    purge = Request("s3:DeleteObjectVersion", f"{m.bucket_arn}/prod/.pulumi/history/data/x.json")
    admin = Principal(
        "arn:aws:iam::123456789012:role/break-glass",
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            },
        ),
    )
    assert permits(m, dataclasses.replace(_deploy_role(m, "prod"), principal=admin), purge)
    assert not any(permits(m, role, purge) for role in m.roles.values())


def test_the_shipped_example_repository_is_checked_with_a_stand_in() -> None:
    # The bootstrap refuses the example repository; the access check of a fresh clone still runs,
    # and the trust it reads names the stand-in, never the example.
    from tooling.access import bootstrap_plan
    from tooling.deploy.bootstrap import stack_config

    assert stack_config()["bootstrap:repository"] == bootstrap_plan.EXAMPLE_REPOSITORY
    model = bootstrap_plan.bootstrap_model()
    assert model.roles
    assert bootstrap_plan.EXAMPLE_REPOSITORY not in repr(model)
