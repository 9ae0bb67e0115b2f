"""shared.kms.KmsKey on the real programs' output: every key of the tree is one, made the same way,
and every resource a deployed stack held before the keys moved into the component keeps its URN or
is reached through an alias (so `pulumi up` adopts the keys instead of replacing them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bootstrap.planned import planned as planned_bootstrap
from tests.conftest import OfflinePlan
from tooling.offline import LayerResult, Resource
from tooling.offline.changes import DeployedState, plan_changes

KEY, ALIAS, COMPONENT = "aws:kms/key:Key", "aws:kms/alias:Alias", "platform:shared:KmsKey"
# `{environment: {project: [urn, ...]}}`, recorded before the keys moved (see its `_about`).
RECORDED = json.loads((Path(__file__).parents[1] / "fixtures" / "deployed_urns.json").read_text())
ENVIRONMENTS = sorted(key for key in RECORDED if not key.startswith("_"))
BOOTSTRAP_STACK = "account"


def planned(environment: str, offline_plan: OfflinePlan) -> dict[str, LayerResult]:
    if environment == BOOTSTRAP_STACK:
        return {"bootstrap": planned_bootstrap()[0]}
    return dict(offline_plan(environment).layers)


def deployed(environment: str) -> DeployedState:
    """The recorded URNs as a state: type and name are what a URN says; inputs do not matter here."""

    def resource(urn: str) -> Resource:
        qualified, name = urn.split("::")[2:]
        return Resource(
            type=qualified.rsplit("$", 1)[-1], name=name, urn=urn, inputs={}, outputs={}
        )

    layers = {
        project: LayerResult(project, environment, tuple(map(resource, urns)), {})
        for project, urns in RECORDED[environment].items()
    }
    return DeployedState(environment, layers)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_deployed_resource_keeps_its_urn_or_is_reached_through_an_alias(
    environment: str, offline_plan: OfflinePlan
) -> None:
    layers = planned(environment, offline_plan)
    changes = plan_changes(layers, deployed(environment)).changes
    assert [c.urn for c in changes if c.action == "delete"] == []
    moved = {c.old_urn: c.urn for c in changes if c.old_urn}
    recorded_keys = [
        urn
        for urns in RECORDED[environment].values()
        for urn in urns
        if f"::{KEY}::" in urn or f"${KEY}::" in urn or f"{ALIAS}::" in urn
    ]
    assert recorded_keys and sorted(moved) == sorted(recorded_keys)
    assert all(f"{COMPONENT}$" in urn for urn in moved.values())


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_key_is_a_kms_key_component_with_rotation_and_its_alias(
    environment: str, offline_plan: OfflinePlan
) -> None:
    for layer in planned(environment, offline_plan).values():
        components = {r.urn: r for r in layer.of_type(COMPONENT)}
        aliases = {r.parent: r for r in layer.of_type(ALIAS)}
        for key in layer.of_type(KEY):
            assert key.parent in components, f"{key.urn} is not in a KmsKey"
            assert key.inputs["enableKeyRotation"] is True
            assert key.inputs["deletionWindowInDays"] == 30
            assert json.loads(key.inputs["policy"])["Statement"]
            alias = aliases[key.parent]
            assert alias.inputs["targetKeyId"] == key.outputs["keyId"]
            assert alias.inputs["name"].startswith("alias/platform-")
        assert len(components) == len(layer.of_type(KEY))


def test_a_key_is_protected_where_its_program_says_and_its_alias_never(
    offline_plan: OfflinePlan,
) -> None:
    protected = {
        (project, r.name, r.protect, r.retain_on_delete)
        for project, layer in {
            **planned("prod", offline_plan),
            **planned(BOOTSTRAP_STACK, offline_plan),
        }.items()
        for r in layer.resources
        if r.type in (KEY, ALIAS)
    }
    assert ("data", "db-key", True, True) in protected  # deletion protection, final snapshot
    assert ("network", "logs-key", False, False) in protected
    assert ("bootstrap", "state", True, False) in protected
    assert not [p for p in protected if p[1].endswith("-alias") and (p[2] or p[3])]
