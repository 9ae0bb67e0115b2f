"""The bootstrap project: planned offline like the layers, clean with the pack, outside the chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from shared.layers import LAYER_NAMES, REPO_ROOT, STACKS_DIR
from tests.bootstrap.access_module import load_access
from tests.bootstrap.planned import (
    BUCKET,
    LIFECYCLE,
    REPOSITORY,
    ROLE,
    edited,
    planned,
    resources,
    trust,
)
from tooling.deploy import bootstrap
from tooling.offline import evaluate

# One xdist worker runs the tests that share tests/bootstrap/planned.py (--dist loadgroup): the
# bootstrap is planned once, not once per worker.
pytestmark = pytest.mark.xdist_group("bootstrap-plan")


def test_it_is_a_project_of_its_own_on_the_repos_venv_outside_the_four_layers() -> None:
    project = yaml.safe_load((REPO_ROOT / "bootstrap" / "Pulumi.yaml").read_text())
    assert project["name"] == "bootstrap"
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": "../.venv"},
    }
    assert "bootstrap" not in LAYER_NAMES
    assert sorted(p.name for p in STACKS_DIR.iterdir() if p.is_dir()) == sorted(LAYER_NAMES)
    program = (REPO_ROOT / "bootstrap" / "__main__.py").read_text()
    assert "StackReference(" not in program and "references.upstream" not in program


def test_it_plans_clean_offline_with_the_pack() -> None:
    result, violations = planned()
    assert [v for v in violations if v.blocking] == []
    # The one advisory: no S3 server access logs for the state bucket (CloudTrail data events are
    # the audit trail docs/ci.md recommends for state; a log bucket would itself need one).
    assert [(v.policy, v.level) for v in violations] == [
        ("aws-s3-bucket-access-logging", "advisory")
    ]
    outputs = result.outputs
    bucket = outputs["state_bucket"]
    assert outputs["backend_urls"]["production"] == f"s3://{bucket}/prod?region=us-east-1"
    assert outputs["secrets_providers"]["pr"].startswith("awskms://alias/")
    assert set(outputs["role_arns"]) == set(load_access().GITHUB_ENVIRONMENTS)
    assert {"production", "production-preview"} <= set(outputs["role_arns"])


def test_every_role_is_trusted_only_for_its_own_github_environment() -> None:
    roles = {r.inputs["name"]: trust(r) for r in resources() if r.type == ROLE}
    expected = {f"platform-account-ci-{env}": env for env in load_access().GITHUB_ENVIRONMENTS}
    assert set(roles) == set(expected)
    for name, document in roles.items():
        (statement,) = document["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert (
            "oidc-provider/token.actions.githubusercontent.com"
            in str(statement["Principal"]["Federated"])
            or statement["Principal"]["Federated"]
        )
        assert statement["Condition"] == {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": (
                    f"repo:{REPOSITORY}:environment:{expected[name]}"
                ),
            }
        }


def policy_of(role_policy_name: str) -> dict[str, Any]:
    for r in resources():
        if r.type == "aws:iam/rolePolicy:RolePolicy" and r.name == role_policy_name:
            document: dict[str, Any] = json.loads(r.inputs["policy"])
            return document
    raise AssertionError(role_policy_name)


def test_each_role_reaches_only_its_class_state_and_attaches_no_aws_managed_policy() -> None:
    bucket = planned()[0].outputs["state_bucket"]
    for name, prefix in (("pr", "pr"), ("staging", "staging"), ("production", "prod")):
        statements = {s["Sid"]: s for s in policy_of(f"ci-{name}-state")["Statement"]}
        assert statements["WriteOwnState"]["Resource"] == f"arn:aws:s3:::{bucket}/{prefix}/*"
        assert statements["ReadOwnState"]["Resource"] == f"arn:aws:s3:::{bucket}/{prefix}/*"
    attached = [
        r.inputs["policyArn"]
        for r in resources()
        if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    ]
    assert attached
    assert [arn for arn in attached if ":aws:policy/" in arn] == []


def documents_of(github_environment: str) -> list[dict[str, Any]]:
    """The role's inline state policy and its managed grant policies."""
    grants = [
        json.loads(r.inputs["policy"])
        for r in resources()
        if r.type == "aws:iam/policy:Policy"
        and r.name.removeprefix(f"ci-{github_environment}-").isdigit()
    ]
    return [policy_of(f"ci-{github_environment}-state"), *grants]


def test_every_role_fits_iams_policy_quotas() -> None:
    attachments: dict[str, int] = {}
    for r in resources():
        if r.type == "aws:iam/policy:Policy":
            assert _characters(r.inputs["policy"]) <= 6144, r.name
        if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            attachments[r.inputs["role"]] = attachments.get(r.inputs["role"], 0) + 1
    assert attachments and max(attachments.values()) <= 10
    inline: dict[str, int] = {}
    for r in resources():
        if r.type == "aws:iam/rolePolicy:RolePolicy":
            size = _characters(r.inputs["policy"])
            inline[r.inputs["role"]] = inline.get(r.inputs["role"], 0) + size
    assert inline and max(inline.values()) <= 10240


def test_the_preview_roles_write_nothing_but_pulumis_lock_files() -> None:
    bucket = planned()[0].outputs["state_bucket"]
    for name, prefix in (("pr-preview", "pr"), ("production-preview", "prod")):
        documents = documents_of(name)
        assert len(documents) > 1
        statements = [s for document in documents for s in document["Statement"]]
        writes = [
            s
            for s in statements
            if s["Effect"] == "Allow"
            and any(a.startswith(("s3:Put", "s3:Delete")) for a in _actions(s))
        ]
        assert [w["Resource"] for w in writes] == [
            f"arn:aws:s3:::{bucket}/{prefix}/.pulumi/locks/*"
        ]


def _characters(document: Any) -> int:
    """A policy's size as IAM counts it, white space left out."""
    return len(json.dumps(json.loads(document), separators=(",", ":")))


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_a_bad_bootstrap_output_is_stopped_by_the_pack() -> None:
    def wildcard(props: dict[str, Any]) -> None:
        document = json.loads(props["assumeRolePolicy"])
        condition = document["Statement"][0]["Condition"]
        subject = condition["StringEquals"].pop("token.actions.githubusercontent.com:sub")
        condition["StringLike"] = {
            "token.actions.githubusercontent.com:sub": subject.split(":environment:")[0] + ":*"
        }
        props["assumeRolePolicy"] = json.dumps(document)

    def no_expiry(props: dict[str, Any]) -> None:
        for rule in props["rules"]:
            rule.pop("noncurrentVersionExpiration", None)

    bad = edited(edited(resources(), ROLE, wildcard), LIFECYCLE, no_expiry)
    violations = evaluate(bad, "account", layer="bootstrap", stack_config=bootstrap.stack_config())
    fired = {(v.policy, v.level) for v in violations}
    assert fired == {
        ("aws-iam-github-oidc-subject-pinned", "mandatory"),
        ("aws-s3-state-bucket", "mandatory"),
        ("aws-s3-bucket-access-logging", "advisory"),  # as on the good output
    }
    oidc = {v.urn for v in violations if v.policy == "aws-iam-github-oidc-subject-pinned"}
    assert len(oidc) == len(load_access().GITHUB_ENVIRONMENTS)  # every CI role
    assert any(BUCKET.split(":")[-1] in v.urn for v in violations)
