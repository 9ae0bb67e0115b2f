"""The GitHub workflows we ship, validated offline: GitHub's schema, zizmor's audit, and our rules."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.layers import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return dict(document)


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_the_three_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == [
        "deploy.yml",
        "pr-environment.yml",
        "pull-request.yml",
    ]


def test_workflows_match_githubs_schema() -> None:
    result = tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_even_as_an_auditor() -> None:
    result = tool(
        "zizmor", "--offline", "--persona=auditor", "--no-progress", str(WORKFLOWS[0].parent)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_least_privilege_pinned_actions_and_no_fork_secrets(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "nothing by default; each job asks for what it needs"
    assert "pull_request_target" not in workflow["on"]
    for name, job in workflow["jobs"].items():
        permissions = job["permissions"]
        assert set(permissions.values()) <= {"read", "write"}
        assert {k for k, v in permissions.items() if v == "write"} <= {"id-token"}, name
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.fullmatch(step["uses"]), f"{name}: {step['uses']} is not pinned"
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
        text = yaml.safe_dump(job)
        if "pull_request" in workflow["on"] and ("secrets." in text or "id-token" in permissions):
            assert "head.repo.full_name == github.repository" in job["if"], (
                f"{name} must not run for pull requests from forks"
            )
            assert "environment" in job


def test_prod_deploys_only_after_staging_in_the_production_environment() -> None:
    jobs = load(REPO_ROOT / ".github" / "workflows" / "deploy.yml")["jobs"]
    assert jobs["prod"]["needs"] == "staging"
    assert jobs["prod"]["environment"] == "production"
    assert jobs["staging"]["environment"] == "staging"
    runs = [step.get("run", "") for step in jobs["prod"]["steps"]]
    assert "nox -s deploy-all -- prod --yes" in runs


def test_pull_requests_run_the_checks_and_plan_dev_and_prod() -> None:
    jobs = load(REPO_ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]
    runs = [step.get("run", "") for step in jobs["checks"]["steps"]]
    for command in ("nox -s lint typecheck tests", "nox -s plan -- dev", "nox -s plan -- prod"):
        assert command in runs
    assert jobs["preview"]["needs"] == "checks"
