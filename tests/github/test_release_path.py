"""The path from a commit to prod: which refs may deploy, what runs before the credentials, which
runs may overlap, and what a pull request sees of the deployed state. Offline: the workflow files,
and their shell steps run against a local git repository and a stand-in for curl."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from shared.layers import LAYER_NAMES, REPO_ROOT
from tests.github.test_workflows import INSTALL_PULUMI, WORKFLOWS, WORKFLOWS_DIR, load

CONFIGURE = "aws-actions/configure-aws-credentials@"
PIN_FILE = REPO_ROOT / ".github" / "pulumi-cli.txt"
SCRIPT = REPO_ROOT / INSTALL_PULUMI


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path.name, name, job) for path in WORKFLOWS for name, job in load(path)["jobs"].items()
    ]


def holds_credentials(job: dict[str, Any]) -> bool:
    return any(step.get("uses", "").startswith(CONFIGURE) for step in job.get("steps", []))


# --- which refs deploy ---------------------------------------------------------------------------


def tag_check() -> str:
    job = load(WORKFLOWS_DIR / "deploy.yml")["jobs"]["release-ref"]
    (step,) = [s for s in job["steps"] if "merge-base" in s.get("run", "")]
    assert job["steps"][0]["with"]["fetch-depth"] == 0, "the check needs main's history"
    return str(step["run"])


def git(folder: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-C", str(folder), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_release_tag_deploys_only_a_commit_that_main_contains(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "on main")
    on_main = git(tmp_path, "rev-parse", "HEAD")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "only on a branch")
    off_main = git(tmp_path, "rev-parse", "HEAD")
    # What actions/checkout with fetch-depth 0 leaves: main as a remote-tracking branch.
    git(tmp_path, "update-ref", "refs/remotes/origin/main", on_main)

    def check(sha: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GITHUB_SHA": sha, "GITHUB_REF": "refs/tags/v1.0.0"}
        return subprocess.run(
            ["bash", "-e", "-c", tag_check()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert check(on_main).returncode == 0
    refused = check(off_main)
    assert refused.returncode == 1
    assert f"refs/tags/v1.0.0 ({off_main}) is not a commit of main" in refused.stdout


def test_every_deploy_job_waits_for_the_ref_check_and_it_runs_only_for_main_or_a_tag() -> None:
    workflow = load(WORKFLOWS_DIR / "deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"], "tags": ["v*"]}
    jobs = workflow["jobs"]
    condition = " ".join(jobs["release-ref"]["if"].split())
    assert condition == (
        "github.ref == 'refs/heads/main' "
        "|| (github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v'))"
    )
    # A skipped check skips everything after it (`needs` without `always()`).
    assert jobs["staging"]["needs"] == "release-ref"
    for name, job in jobs.items():
        assert "always()" not in str(job.get("if", "")), name


def test_docs_name_the_rulesets_and_self_review_that_github_enforces() -> None:
    guide = (REPO_ROOT / "docs" / "ci.md").read_text()
    for rule in ("ruleset", "Prevent self-review", "v*", "production-preview", "pr-preview"):
        assert rule in guide, rule


# --- the Pulumi CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow", "name", "job"),
    [job for job in all_jobs() if holds_credentials(job[2])],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_pinned_cli_is_installed_before_any_credentials_step(
    workflow: str, name: str, job: dict[str, Any]
) -> None:
    steps = job["steps"]
    installs = [i for i, s in enumerate(steps) if s.get("run") == INSTALL_PULUMI]
    credentials = [i for i, s in enumerate(steps) if s.get("uses", "").startswith(CONFIGURE)]
    assert installs and credentials and installs[0] < credentials[0], (workflow, name)
    # Nothing is installed once the credentials are there.
    for step in steps[credentials[0] :]:
        assert "install" not in step.get("run", "") and "sync" not in step.get("run", "")


def pinned() -> dict[str, str]:
    return dict(re.findall(r"^(version|sha256)=(.*)$", PIN_FILE.read_text(), re.MULTILINE))


def test_the_pinned_cli_is_the_version_of_the_locked_sdk() -> None:
    lock = (REPO_ROOT / "uv.lock").read_text()
    sdk = re.search(r'^name = "pulumi"\nversion = "([^"]+)"', lock, re.MULTILINE)
    assert sdk is not None
    assert pinned()["version"] == sdk.group(1)
    assert re.fullmatch(r"(|[0-9a-f]{64})", pinned()["sha256"])


def archive_with_cli() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        body = b"#!/bin/sh\necho v0.0.0-test\n"
        info = tarfile.TarInfo("pulumi/pulumi")
        info.size, info.mode = len(body), 0o755
        tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def run_installer(
    tmp_path: Path, sha256: str, *args: str, checksums: str = ""
) -> subprocess.CompletedProcess[str]:
    """The script on a copy of .github with `sha256` pinned; curl answers with a local archive
    (`--output`) or with `checksums` (stdout)."""
    github = tmp_path / "repo" / ".github"
    (github / "scripts").mkdir(parents=True)
    (github / "scripts" / SCRIPT.name).write_bytes(SCRIPT.read_bytes())
    (github / "scripts" / SCRIPT.name).chmod(0o755)
    pin = re.sub(r"^sha256=.*$", f"sha256={sha256}", PIN_FILE.read_text(), flags=re.MULTILINE)
    (github / PIN_FILE.name).write_text(pin)
    archive = tmp_path / "served.tar.gz"
    archive.write_bytes(archive_with_cli())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "checksums.txt").write_text(checksums)
    (bin_dir / "curl").write_text(
        '#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done\n'
        f'if [ -n "$out" ]; then cp "{archive}" "$out"; else cat "{tmp_path / "checksums.txt"}"; fi\n'
    )
    (bin_dir / "curl").chmod(0o755)
    (tmp_path / "runner").mkdir()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "GITHUB_PATH": str(tmp_path / "github_path"),
    }
    return subprocess.run(
        [str(github / "scripts" / SCRIPT.name), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_cli_archive_is_installed_only_with_the_pinned_sha256(tmp_path: Path) -> None:
    good = hashlib.sha256(archive_with_cli()).hexdigest()
    done = run_installer(tmp_path / "good", good)
    assert done.returncode == 0, done.stderr
    on_path = Path((tmp_path / "good" / "github_path").read_text().strip())
    assert (on_path / "pulumi").is_file() and "v0.0.0-test" in done.stdout

    tampered = run_installer(tmp_path / "bad", "0" * 64)
    assert tampered.returncode == 1
    assert "does not have the pinned sha256" in tampered.stderr
    assert not (tmp_path / "bad" / "github_path").exists()
    assert not list((tmp_path / "bad" / "runner").rglob("pulumi/pulumi"))


def test_without_a_pinned_sha256_nothing_is_downloaded(tmp_path: Path) -> None:
    done = run_installer(tmp_path, "")
    assert done.returncode == 2
    assert "no sha256 pinned for the Pulumi CLI" in done.stderr
    assert not list((tmp_path / "runner").iterdir())


# --- overlapping runs and time limits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow", "name", "job"),
    all_jobs(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_job_has_a_time_limit(workflow: str, name: str, job: dict[str, Any]) -> None:
    assert isinstance(job.get("timeout-minutes"), int), (workflow, name)
    assert 0 < job["timeout-minutes"] <= 120


def stack_environment(job: dict[str, Any]) -> str | None:
    """The Pulumi environment a job deploys, previews or removes, as the job writes it."""
    for step in job.get("steps", []):
        found = re.search(
            r"tooling\.deploy (?:deploy-all|preview|cleanup-pr) (\S+)", step.get("run", "")
        )
        if found:
            name = found.group(1).strip('"')
            return (
                str(job.get("env", {}).get("ENVIRONMENT", name)) if name == "$ENVIRONMENT" else name
            )
    return None


def test_jobs_on_one_pulumi_environment_share_one_group_and_are_never_cancelled() -> None:
    """Pulumi's lock is per stack: two runs on one environment collide, and a cancelled `up`
    leaves the lock behind. One group per environment, whichever workflow the job is in."""
    groups: dict[str, set[str]] = {}
    for workflow, name, job in all_jobs():
        environment = stack_environment(job)
        if environment is None:
            continue
        concurrency = job["concurrency"]
        assert concurrency["cancel-in-progress"] is False, (workflow, name)
        assert concurrency["group"] == f"environment-{environment}", (workflow, name)
        groups.setdefault(concurrency["group"], set()).add(f"{workflow}:{name}")
    pr = "environment-pr-${{ github.event.pull_request.number }}"
    assert groups[pr] == {
        "pull-request.yml:preview",
        "pull-request.yml:deploy",
        "pr-environment.yml:cleanup",
    }
    assert groups["environment-prod"] == {"deploy.yml:prod-preview", "deploy.yml:prod"}
    assert groups["environment-staging"] == {"deploy.yml:staging"}


def test_no_cancelling_concurrency_covers_a_job_with_credentials() -> None:
    for path in WORKFLOWS:
        workflow = load(path)
        if workflow.get("concurrency", {}).get("cancel-in-progress"):
            assert not any(holds_credentials(j) for j in workflow["jobs"].values()), path.name
        for name, job in workflow["jobs"].items():
            if holds_credentials(job):
                assert job["concurrency"]["cancel-in-progress"] is False, (path.name, name)


# --- the deployed state, for pull requests -------------------------------------------------------


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_each_deploy_exports_every_layers_state_as_an_artifact(environment: str) -> None:
    jobs = load(WORKFLOWS_DIR / "deploy.yml")["jobs"]
    (job,) = [
        j for j in jobs.values() if stack_environment(j) == environment and "deploy-all" in str(j)
    ]
    steps = job["steps"]
    deploy = next(i for i, s in enumerate(steps) if "deploy-all" in s.get("run", ""))
    export = next(i for i, s in enumerate(steps) if "pulumi stack export" in s.get("run", ""))
    upload = next(i for i, s in enumerate(steps) if "upload-artifact@" in s.get("uses", ""))
    assert deploy < export < upload
    script = steps[export]["run"]
    assert f"pulumi stack export --stack {environment} --file" in script
    assert "--show-secrets" not in script  # ciphertext only, as the state holds it
    # The loop runs over the layers shared.layers names, as this interpreter prints them.
    listing = re.search(r"\$\((\.venv/bin/python -c '[^']+')\)", script)
    assert listing is not None
    printed = subprocess.run(
        ["bash", "-c", listing.group(1).replace(".venv/bin/python", sys.executable)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.split() == list(LAYER_NAMES)
    assert steps[upload]["with"]["name"] == f"state-{environment}"
    assert steps[upload]["with"]["path"] == "state/"
    for step in (steps[export], steps[upload]):
        assert step["if"] == "${{ !cancelled() && steps.deploy.outcome == 'success' }}"
    assert steps[deploy]["id"] == "deploy"


def test_pull_requests_plan_against_the_exported_state_without_aws_credentials() -> None:
    job = load(WORKFLOWS_DIR / "pull-request.yml")["jobs"]["change-plan"]
    assert job["permissions"] == {"contents": "read", "actions": "read"}
    assert "environment" not in job and not holds_credentials(job)
    assert job["strategy"]["matrix"]["environment"] == ["staging", "prod"]
    steps = job["steps"]
    find = steps[0]
    assert "actions/workflows/deploy.yml/runs?branch=main&event=push" in find["run"]
    assert "artifacts?name=state-$ENVIRONMENT" in find["run"]
    (download,) = [s for s in steps if "download-artifact@" in s.get("uses", "")]
    assert download["with"]["run-id"] == "${{ steps.export.outputs.run-id }}"
    assert download["with"]["github-token"] == "${{ github.token }}"
    (plan,) = [s for s in steps if "--against" in s.get("run", "")]
    assert 'nox -s plan -- "$ENVIRONMENT" --against "../deployed/$ENVIRONMENT"' in plan["run"]
    assert '| tee -a "$GITHUB_STEP_SUMMARY"' in plan["run"] and 'exit "$status"' in plan["run"]
    assert download["with"]["path"] == "deployed/${{ matrix.environment }}"
    # The artifacts it reads are the ones the deploy jobs write.
    uploads = {
        s["with"]["name"]
        for j in load(WORKFLOWS_DIR / "deploy.yml")["jobs"].values()
        for s in j["steps"]
        if "upload-artifact@" in s.get("uses", "")
    }
    assert uploads == {f"state-{e}" for e in job["strategy"]["matrix"]["environment"]}


def test_the_pr_preview_runs_in_its_own_read_only_environment() -> None:
    jobs = load(WORKFLOWS_DIR / "pull-request.yml")["jobs"]
    assert jobs["preview"]["environment"] == "pr-preview"
    assert jobs["deploy"]["environment"] == "pr"


def test_pin_takes_the_sha256_of_the_linux_archive_from_the_releases_checksums(
    tmp_path: Path,
) -> None:
    version = pinned()["version"]
    sums = (
        f"{'a' * 64}  pulumi-v{version}-darwin-x64.tar.gz\n"
        f"{'b' * 64}  pulumi-v{version}-linux-x64.tar.gz\n"
    )
    done = run_installer(tmp_path, "", "--pin", checksums=sums)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "repo" / ".github" / PIN_FILE.name).read_text()
    assert re.search(rf"^sha256={'b' * 64}$", written, re.MULTILINE)
    assert f"version={version}" in written
    missing = run_installer(tmp_path / "other", "", "--pin", checksums=sums.splitlines()[0])
    assert missing.returncode == 1 and "no sha256 for" in missing.stderr
