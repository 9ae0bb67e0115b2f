"""tests/integration stays out of the default run and explains itself when run without a deployment."""

import os
import subprocess
import sys

from shared.layers import REPO_ROOT


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "INTEGRATION_ENV"} | env
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            *args,
        ],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_default_run_does_not_collect_the_integration_folder() -> None:
    collected = pytest_run("--collect-only", "-q")
    assert "tests/tooling/deploy/test_cli.py" in collected.stdout
    assert "tests/integration" not in collected.stdout


def test_run_by_hand_every_check_is_skipped_with_the_reason() -> None:
    checks = sum(
        path.read_text().count("\ndef test_")
        for path in (REPO_ROOT / "tests" / "integration").glob("test_*.py")
    )
    without_env = pytest_run("tests/integration", "-q", "-rs")
    assert checks and f"{checks} skipped" in without_env.stdout
    assert "run `nox -s integration -- <env>`" in without_env.stdout


def test_an_environment_without_a_deployment_fails_saying_so() -> None:
    # Passing with every check skipped would claim a deployment was verified.
    no_outputs = pytest_run("tests/integration", "-q", "-rs", INTEGRATION_ENV="pr-999999999")
    assert no_outputs.returncode != 0
    assert "no deployment of pr-999999999" in no_outputs.stdout + no_outputs.stderr
    assert "(nox -s deploy-all -- pr-999999999)" in no_outputs.stdout + no_outputs.stderr
