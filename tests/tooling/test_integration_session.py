"""`nox -s integration -- <env>` without AWS: pytest exactly as the session runs it, without hypothesis."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import noxfile

REPO = Path(__file__).resolve().parents[2]
# The integration group installs pytest and boto3 only: hide the test group's hypothesis.
WITHOUT_HYPOTHESIS = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Hide())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def session_pytest_args() -> list[str]:
    """INTEGRATION_PYTEST_ARGS from noxfile.py (nox itself is not installed in the test group)."""
    tree = ast.parse((REPO / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "INTEGRATION_PYTEST_ARGS" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py defines no INTEGRATION_PYTEST_ARGS")


def run_session_pytest(environment: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INTEGRATION_ENV"}
    # No test-group plugins either (xdist, hypothesis's own pytest plugin): only pytest is there.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if environment is not None:
        env["INTEGRATION_ENV"] = environment
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_HYPOTHESIS, *session_pytest_args()],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_session_fails_saying_there_is_no_deployment() -> None:
    environment = "pr-987654321"  # never deployed from this checkout
    assert not (REPO / "outputs" / environment).exists()
    result = run_session_pytest(environment)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"no deployment of {environment}" in output
    assert "ImportError" not in output and "hypothesis" not in output


def test_without_an_environment_every_check_is_skipped_with_the_reason() -> None:
    result = run_session_pytest(None)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "skipped" in output and "passed" not in output and "failed" not in output


@pytest.mark.parametrize("posargs", [[], ["--help"], ["-h"], ["dev", "prod"], ["-k", "dev"]])
def test_an_option_or_a_wrong_count_is_the_usage_not_an_environment(posargs: list[str]) -> None:
    with pytest.raises(ValueError, match="usage: nox -s integration -- <env>"):
        noxfile.integration_environment(posargs)


@pytest.mark.parametrize("name", ["", " ", "Prod", "pr-0", "pr-07", "a", "dev;rm"])
def test_a_malformed_environment_name_is_refused_with_the_reason(name: str) -> None:
    with pytest.raises(ValueError, match="usage") as raised:
        noxfile.integration_environment([name])
    assert "environment" in str(raised.value)


@pytest.mark.parametrize("name", ["dev", "staging", "prod", "pr-123", "qa-eu"])
def test_a_well_formed_environment_name_is_checked(name: str) -> None:
    assert noxfile.integration_environment([name]) == name
