"""A model of which workflow jobs a pull request can start, and what each of them can read.

GitHub gives a job the variables and secrets of the environment it binds (`environment:`), plus
the repository's and organisation's. Every value that differs per environment class (role,
backend, secrets provider, passphrase) is kept in a GitHub environment only (docs/ci.md), so what a
job can read of prod is decided by the environment it binds, and by the names it references.

Reachable from a pull request: every job of a workflow triggered by `pull_request` or
`pull_request_target`, every job of a reusable workflow such a job calls (`uses: ./...`), and every
job of a workflow that `workflow_run` starts after one of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
REFERENCE = re.compile(r"\b(secrets|vars)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
REFERENCE_BY_INDEX = re.compile(r"\b(secrets|vars)\s*\[")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return dict(document)


def events(workflow: Mapping[str, Any]) -> set[str]:
    on = workflow["on"]
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    return set(on)


@dataclass(frozen=True)
class Job:
    workflow: str  # file name
    name: str
    environment: str | None  # the bound GitHub environment's name, as written
    references: frozenset[tuple[str, str]]  # ("secrets"|"vars", NAME), job and workflow level
    inherits_secrets: bool  # `secrets: inherit` into a reusable workflow
    indexed_access: bool  # `secrets[...]`/`vars[...]`: names not knowable statically
    calls: str | None  # a reusable workflow this job runs (`uses: ./.github/workflows/x.yml`)


def _environment(job: Mapping[str, Any]) -> str | None:
    bound = job.get("environment")
    if isinstance(bound, Mapping):
        bound = bound.get("name")
    return None if bound is None else str(bound)


def jobs(path: Path) -> Iterator[Job]:
    workflow = load(path)
    workflow_level = yaml.safe_dump({k: v for k, v in workflow.items() if k != "jobs"})
    for name, job in workflow["jobs"].items():
        text = workflow_level + yaml.safe_dump(job)
        uses = job.get("uses")
        yield Job(
            workflow=path.name,
            name=name,
            environment=_environment(job),
            references=frozenset(REFERENCE.findall(text)),
            inherits_secrets=job.get("secrets") == "inherit",
            indexed_access=bool(REFERENCE_BY_INDEX.search(text)),
            calls=Path(uses).name if isinstance(uses, str) and uses.startswith("./") else None,
        )


def reachable_from_pull_requests(folder: Path) -> list[Job]:
    """Every job a pull request can start, directly or through called or chained workflows."""
    workflows = {path.name: load(path) for path in sorted(folder.glob("*.y*ml"))}
    names = {file: str(workflow.get("name", file)) for file, workflow in workflows.items()}
    reached = {file for file, workflow in workflows.items() if events(workflow) & PR_EVENTS}
    changed = True
    while changed:
        changed = False
        for file, workflow in workflows.items():
            if file in reached:
                continue
            on = workflow["on"]
            chained = on.get("workflow_run", {}) if isinstance(on, Mapping) else {}
            upstream = set((chained or {}).get("workflows", []))
            called_by_reached = any(job.calls == file for r in reached for job in jobs(folder / r))
            if called_by_reached or upstream & {names[r] for r in reached}:
                reached.add(file)
                changed = True
    return [job for file in sorted(reached) for job in jobs(folder / file)]


def prod_exposure(
    job: Job, *, pr_environments: frozenset[str], allowed: frozenset[str]
) -> list[str]:
    """Why `job` could read prod's variables or secrets; empty when it cannot."""
    found = []
    if job.environment is not None and job.environment not in pr_environments:
        found.append(f"binds environment {job.environment!r}, not one of {sorted(pr_environments)}")
    if job.inherits_secrets:
        found.append("passes `secrets: inherit` to another workflow")
    if job.indexed_access:
        found.append("reads secrets/vars by index: the names cannot be checked")
    for kind, name in sorted(job.references):
        if (kind, name) == ("secrets", "GITHUB_TOKEN"):
            continue  # the job's own token, scoped by `permissions:`
        if job.environment is None:
            found.append(
                f"reads {kind}.{name} without an environment: only repository-wide values are "
                "left, and those are the ones every environment (prod too) would see"
            )
        elif name not in allowed:
            found.append(f"reads {kind}.{name}, which is not one of the PR environment's names")
    return [f"{job.workflow}:{job.name} {reason}" for reason in found]
