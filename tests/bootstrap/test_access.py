"""The bootstrap's CI roles follow the class registry, and the workflows bind only those roles to
environments of the role's class."""

from __future__ import annotations

import re
from typing import Any

from shared.environment import CLASSES, parse_environment
from shared.layers import REPO_ROOT
from tests.bootstrap.access_module import load_access
from tests.github.workflow_model import load

ACCESS = load_access()
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
# What a job deploys, previews, plans or removes, as it writes it.
_COMMAND = re.compile(
    r"(?:tooling\.deploy (?:deploy-all|up \S+|preview|cleanup-pr)|nox -s plan --) (\S+)"
)


def test_every_class_gets_one_deploying_role_and_a_previewed_one_a_read_only_role() -> None:
    assert tuple(CLASSES) == ACCESS.CLASSES
    for name, info in CLASSES.items():
        roles = {
            env: ci
            for env, ci in ACCESS.GITHUB_ENVIRONMENTS.items()
            if ci.environment_class == name
        }
        deploying = info.github_environment or name
        expected = {deploying: True, **({f"{deploying}-preview": False} if info.previewed else {})}
        assert {env: ci.deploys for env, ci in roles.items()} == expected, name


def _environment_of(job: dict[str, Any], written: str) -> str:
    name = written.strip('"')
    if name == "$ENVIRONMENT":
        name = str(job.get("env", {}).get("ENVIRONMENT", name))
    if "matrix." in name:
        return "$matrix"  # checked by the matrix's own test
    # A PR number is known only to the run: any number names the same class.
    return re.sub(r"\$\{\{[^}]*\}\}", "1", name)


def _worked_on() -> list[tuple[str, str, str | None, str]]:
    """(workflow, job, bound GitHub environment, environment worked on) for every command."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                for written in _COMMAND.findall(step.get("run", "")):
                    found.append(
                        (path.name, name, job.get("environment"), _environment_of(job, written))
                    )
    return found


def test_the_workflows_name_environments_of_known_classes_under_their_own_classs_role() -> None:
    worked_on = _worked_on()
    assert worked_on, "no deploy, preview or plan command found in the workflows"
    for workflow, job, bound, environment in worked_on:
        if environment == "$matrix":
            continue
        klass = parse_environment(environment).environment_class  # refuses an unknown class
        if bound is not None:
            assert bound in ACCESS.GITHUB_ENVIRONMENTS, (workflow, job, bound)
            assert ACCESS.GITHUB_ENVIRONMENTS[bound].environment_class == klass, (workflow, job)


def test_every_matrix_of_environments_names_known_environments() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in load(path)["jobs"].values():
            for environment in job.get("strategy", {}).get("matrix", {}).get("environment", []):
                parse_environment(str(environment))
