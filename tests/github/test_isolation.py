"""No job a pull request can start can read prod's variables or secrets, nor obtain a prod role."""

from pathlib import Path

import pytest

from shared.layers import REPO_ROOT
from tests.github.workflow_model import (
    load,
    prod_exposure,
    reachable_from_pull_requests,
)

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
# The PR role's environment and the read-only preview role's (docs/ci.md).
PR_ENVIRONMENTS = frozenset({"pr", "pr-preview"})
# What each of them holds (docs/ci.md); prod holds the same names with prod values.
PR_NAMES = frozenset(
    {
        "AWS_ROLE_ARN",
        "AWS_REGION",
        "PULUMI_BACKEND_URL",
        "PULUMI_SECRETS_PROVIDER",
        "PULUMI_CONFIG_PASSPHRASE",
    }
)
RELEASE_REFS = "github.ref == 'refs/heads/main'"
# The GitHub environments docs/ci.md sets up, each with its own role.
GITHUB_ENVIRONMENTS = (
    "pr",
    "pr-preview",
    "dev",
    "staging",
    "production-preview",
    "production",
)


def exposures(folder: Path) -> list[str]:
    return [
        reason
        for job in reachable_from_pull_requests(folder)
        for reason in prod_exposure(job, pr_environments=PR_ENVIRONMENTS, allowed=PR_NAMES)
    ]


def test_no_job_reachable_from_a_pull_request_can_read_prods_values() -> None:
    reached = {(job.workflow, job.name) for job in reachable_from_pull_requests(WORKFLOWS)}
    assert reached == {
        ("pull-request.yml", "checks"),
        ("pull-request.yml", "change-plan"),
        ("pull-request.yml", "preview"),
        ("pull-request.yml", "deploy"),
        ("pr-environment.yml", "cleanup"),
    }
    assert exposures(WORKFLOWS) == []


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)


@pytest.mark.parametrize(
    ("workflows", "expected"),
    [
        (
            {"a.yml": "on: pull_request\njobs:\n  j:\n    environment: production\n"},
            "a.yml:j binds environment 'production'",
        ),
        (
            {"a.yml": "on: [pull_request_target]\njobs:\n  j:\n    environment: {name: staging}\n"},
            "a.yml:j binds environment 'staging'",
        ),
        (
            {
                "a.yml": "on: pull_request\nenv:\n  P: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}\n"
                "jobs:\n  j:\n    runs-on: x\n"
            },
            "a.yml:j reads secrets.PULUMI_CONFIG_PASSPHRASE without an environment",
        ),
        (
            {
                "a.yml": "on: pull_request\njobs:\n  j:\n    environment: pr\n"
                "    steps:\n      - run: echo ${{ vars.PROD_ROLE_ARN }}\n"
            },
            "a.yml:j reads vars.PROD_ROLE_ARN, which is not one of the PR environment's names",
        ),
        (
            {
                "a.yml": "on: pull_request\njobs:\n  j:\n    uses: ./.github/workflows/b.yml\n",
                "b.yml": "on: workflow_call\njobs:\n  k:\n    environment: production\n",
            },
            "b.yml:k binds environment 'production'",
        ),
        (
            {
                "a.yml": "name: checks\non: pull_request\njobs:\n  j:\n    runs-on: x\n",
                "b.yml": "on:\n  workflow_run:\n    workflows: [checks]\n"
                "jobs:\n  k:\n    environment: production\n",
            },
            "b.yml:k binds environment 'production'",
        ),
        (
            {
                "a.yml": "on: pull_request\njobs:\n  j:\n    uses: org/repo/.github/workflows/x.yml@v1\n"
                "    secrets: inherit\n"
            },
            "a.yml:j passes `secrets: inherit`",
        ),
    ],
)
def test_the_model_sees_every_way_a_pull_request_reaches_prod(
    tmp_path: Path, workflows: dict[str, str], expected: str
) -> None:
    for name, text in workflows.items():
        write(tmp_path, name, text)
    assert any(reason.startswith(expected) for reason in exposures(tmp_path)), exposures(tmp_path)


def test_a_push_only_workflow_binding_production_is_not_reachable(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "on: push\njobs:\n  j:\n    environment: production\n")
    assert exposures(tmp_path) == []


def test_prod_is_reached_only_from_main_or_a_release_tag_and_only_by_the_deploy_workflow() -> None:
    workflow = load(WORKFLOWS / "deploy.yml")
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["on"]["push"] == {"branches": ["main"], "tags": ["v*"]}
    # workflow_dispatch can be started on any branch: the first job refuses other refs, and every
    # later one needs it (tests/github/test_release_path.py).
    condition = " ".join(workflow["jobs"]["release-ref"]["if"].split())
    assert condition == (
        f"{RELEASE_REFS} || (github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v'))"
    )
    bound = {
        (path.name, name): job.get("environment")
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in load(path)["jobs"].items()
        if str(job.get("environment", "")).startswith("production")
    }
    assert bound == {
        ("deploy.yml", "prod-preview"): "production-preview",
        ("deploy.yml", "prod"): "production",
    }


def test_each_job_assumes_the_role_of_the_environment_it_binds() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
                    role = step["with"]["role-to-assume"]
                    # Each environment holds its own role: read-only ones in the *-preview ones.
                    assert role == "${{ vars.AWS_ROLE_ARN }}", (path.name, name)
                    assert job["environment"] in GITHUB_ENVIRONMENTS, (path.name, name)


def test_docs_ci_names_every_environment_value_the_workflows_read() -> None:
    from tests.github.workflow_model import jobs

    guide = (REPO_ROOT / "docs" / "ci.md").read_text()
    read = {
        name
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for job in jobs(path)
        for _, name in job.references
    }
    assert read == PR_NAMES
    for name in read:
        assert f"`{name}`" in guide, name
    for environment in GITHUB_ENVIRONMENTS:
        assert f"`{environment}`" in guide, environment
