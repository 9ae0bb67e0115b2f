"""The GitHub workflows we ship, validated offline: GitHub's schema, zizmor's audit, and our rules."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.layers import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
INSTALL_PULUMI = ".github/scripts/install-pulumi.sh"


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return dict(document)


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_the_four_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == [
        "deploy.yml",
        "pr-environment.yml",
        "pull-request.yml",
        "sweep-pr-environments.yml",
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


def test_prod_deploys_only_after_staging_and_a_read_only_preview_of_prod() -> None:
    jobs = load(WORKFLOWS_DIR / "deploy.yml")["jobs"]
    assert jobs["staging"]["needs"] == "release-ref"
    assert jobs["staging"]["environment"] == "staging"
    assert jobs["prod-preview"]["needs"] == "staging"
    assert jobs["prod-preview"]["environment"] == "production-preview"
    assert jobs["prod"]["needs"] == "prod-preview"
    assert jobs["prod"]["environment"] == "production"
    runs = [step.get("run", "") for step in jobs["prod"]["steps"]]
    assert ".venv/bin/python -m tooling.deploy deploy-all prod --yes" in runs


def test_the_approval_gate_shows_a_real_preview_of_prod_in_the_run_summary() -> None:
    """What the reviewer of `production` reads: `pulumi preview` of prod, with the read-only role
    that the `production-preview` environment holds, in the summary of the run awaiting approval."""
    job = load(WORKFLOWS_DIR / "deploy.yml")["jobs"]["prod-preview"]
    (preview,) = [s["run"] for s in job["steps"] if "tooling.deploy preview" in s.get("run", "")]
    assert (
        '.venv/bin/python -m tooling.deploy preview prod 2>&1 | tee -a "$GITHUB_STEP_SUMMARY"'
        in preview
    )
    assert "set -o pipefail" in preview and 'exit "$status"' in preview
    assert not any("deploy-all" in s.get("run", "") for s in job["steps"])


def test_pull_requests_run_the_checks_and_plan_dev_and_prod() -> None:
    jobs = load(WORKFLOWS_DIR / "pull-request.yml")["jobs"]
    runs = [step.get("run", "") for step in jobs["checks"]["steps"]]
    for command in ("nox -s lint typecheck tests", "nox -s plan -- dev", "nox -s plan -- prod"):
        assert command in runs


def test_every_job_a_pull_request_starts_waits_for_the_checks() -> None:
    """Except the removal of a closed pull request's environment: its checks no longer matter."""
    for path in WORKFLOWS:
        workflow = load(path)
        if "pull_request" not in workflow["on"]:
            continue
        types = set((workflow["on"]["pull_request"] or {}).get("types", ["opened"]))
        for name, job in workflow["jobs"].items():
            if name == "checks" or types == {"closed"}:
                continue
            assert job.get("needs") == "checks", (path.name, name)
    assert "checks" in load(WORKFLOWS_DIR / "pull-request.yml")["jobs"]


def credential_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    """Jobs that can obtain an AWS session or read a secret."""
    found = []
    for path in WORKFLOWS:
        workflow = load(path)
        for name, job in workflow["jobs"].items():
            text = yaml.safe_dump(job)
            if job.get("permissions", {}).get("id-token") == "write" or "secrets." in text:
                found.append((path.name, name, job))
    return found


def test_jobs_holding_credentials_install_only_locked_dependencies() -> None:
    assert (REPO_ROOT / "uv.lock").is_file()
    jobs = credential_jobs()
    assert len(jobs) == 7
    for workflow, name, job in jobs:
        runs = [step["run"] for step in job["steps"] if "run" in step]
        installs = [run for run in runs if "install" in run or "sync" in run]
        assert installs, (workflow, name)
        for run in installs:
            assert (
                run
                == "python -m pip install --require-hashes --no-deps -r .github/uv-requirements.txt"
                or run.startswith("uv sync --locked ")
                or run == INSTALL_PULUMI
            ), (workflow, name, run)
        # nox would install its sessions' dependencies unlocked.
        assert not any(run.startswith("nox ") or " nox " in run for run in runs), (workflow, name)
    pinned = (REPO_ROOT / ".github" / "uv-requirements.txt").read_text()
    assert re.search(r"^uv==[\d.]+ --hash=sha256:[0-9a-f]{64}$", pinned, re.MULTILINE)


# The newest release of each action's newest major, as a commit SHA with its version beside it.
# Found with: git -C <the action's mirror> tag --sort=-v:refname | head, then
# git rev-parse <tag>^{commit} (each of these tags is a lightweight tag on that commit).
ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "aws-actions/configure-aws-credentials": (
        "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "v6.2.3",
    ),
}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_its_newest_release_pinned_by_sha_with_the_version_beside(
    path: Path,
) -> None:
    lines = [line.strip() for line in path.read_text().splitlines() if "uses: " in line]
    assert lines
    for line in lines:
        action = line.split("uses: ")[1].split("@")[0]
        assert action in ACTIONS, f"{action}: add it to ACTIONS with its newest release"
        sha, version = ACTIONS[action]
        assert line.split("uses: ")[1] == f"{action}@{sha} # {version}", line


def test_the_integration_checks_run_after_each_deploy() -> None:
    for workflow, name, job in credential_jobs():
        runs = [step.get("run", "") for step in job["steps"]]
        deploys = [i for i, run in enumerate(runs) if "tooling.deploy deploy-all" in run]
        if not deploys:
            continue
        checks = [i for i, run in enumerate(runs) if run.startswith(".venv/bin/python -m pytest")]
        assert checks and checks[0] > deploys[0], (workflow, name)
        assert "tests/integration -m integration" in runs[checks[0]]
        environment = runs[deploys[0]].split("deploy-all ")[1].split()[0]
        check_env = job["steps"][checks[0]]["env"]["INTEGRATION_ENV"]
        assert check_env.strip('"') in (environment, "${{ env.ENVIRONMENT }}")


def test_pr_cleanup_runs_on_close_whatever_the_labels() -> None:
    jobs = load(WORKFLOWS_DIR / "pr-environment.yml")["jobs"]
    condition = jobs["cleanup"]["if"]
    assert "github.event.action == 'closed'" in condition
    assert "labels" not in condition
    assert jobs["cleanup"]["environment"] == "pr"


def test_the_integration_step_has_every_module_its_tests_import() -> None:
    """The deploy jobs sync only the deploy and integration groups: pytest still loads
    tests/conftest.py for tests/integration, so its imports must be in those groups too."""
    import ast
    import tomllib

    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    groups = pyproject["dependency-groups"]
    requirements = [
        *pyproject["project"]["dependencies"],
        *groups["deploy"],
        *groups["integration"],
    ]
    installed = {re.split(r"[~=<>!\[ ;]", req, maxsplit=1)[0].lower() for req in requirements}
    distribution = {"yaml": "pyyaml"}
    local = {"shared", "tooling", "policies", "tests", "__future__"}
    files = [
        REPO_ROOT / "tests" / "conftest.py",
        *(REPO_ROOT / "tests" / "integration").glob("*.py"),
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                assert distribution.get(top, top).replace("_", "-") in installed, (path, top)


def test_closed_pull_requests_environments_are_swept_on_a_schedule_in_the_pr_environment() -> None:
    workflow = load(REPO_ROOT / ".github" / "workflows" / "sweep-pr-environments.yml")
    assert workflow["on"]["schedule"] and "workflow_dispatch" in workflow["on"]
    (job,) = workflow["jobs"].values()
    assert job["environment"] == "pr"
    assert job["permissions"]["pull-requests"] == "read"
    (sweep,) = [step for step in job["steps"] if "tooling.deploy.sweep" in step.get("run", "")]
    assert sweep["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert workflow["jobs"]["sweep"]["concurrency"]["cancel-in-progress"] is False
