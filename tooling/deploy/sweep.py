"""`python -m tooling.deploy.sweep`: destroy the PR environments whose pull requests are closed.

GitHub sends no `closed` event the pull-request workflow can act on for every pull request (one
with merge conflicts never runs it), so what that cleanup missed keeps billing. This sweep, run on
a schedule, lists the `pr-<number>` stacks every layer has in the state backend (through the
Automation API adapter), asks GitHub's REST API for each pull request ("Get a pull request",
`GET /repos/{owner}/{repo}/pulls/{pull_number}`, `state` is `open` or `closed`), and runs
`cleanup-pr` for the closed ones, going on past an environment that fails.

Exit codes: 0 every closed pull request's environment is gone (or none was found), 1 one or more
could not be removed or GitHub could not answer for one, 2 a set-up problem (no repository or
token, no Pulumi CLI, no credentials), before anything is destroyed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shared.environment import PR_CLASS, Environment, EnvironmentNameError, parse_environment
from shared.layers import LAYERS, Layer
from tooling.deploy.orchestrator import Deployer, DeployError, Orchestrator
from tooling.deploy.preflight import PreflightError
from tooling.outputs import OUTPUTS_DIR, OutputFileWriter

API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"  # X-GitHub-Api-Version the responses are shaped by
TIMEOUT_SECONDS = 30

Fetch = Callable[[str], tuple[int, Any]]
"""GET an API path (`/repos/...`): (HTTP status, decoded JSON body)."""


class StackLister(Protocol):
    def stack_names(self, layer: Layer) -> tuple[str, ...]: ...


class SweepDeployer(Deployer, StackLister, Protocol):
    """The orchestrator's deployer that can also list a layer's stacks (AutomationDeployer)."""


class GitHubError(Exception):
    """GitHub did not answer as documented; the message names the request and its reason."""


def github_fetch(token: str, api_url: str = API_URL) -> Fetch:
    """GETs against GitHub's REST API with the token, the JSON media type and the API version."""

    def fetch(path: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{api_url}{path}",
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "platform-pr-sweep",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return int(response.status), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                return int(error.code), json.loads(body or b"null")
            except ValueError:
                return int(error.code), None
        except (urllib.error.URLError, TimeoutError) as error:
            raise GitHubError(f"GET {path}: GitHub could not be reached ({error})") from None

    return fetch


def pull_request_state(fetch: Fetch, repository: str, number: int) -> str | None:
    """`open` or `closed`, or None when the repository has no such pull request (404)."""
    path = f"/repos/{repository}/pulls/{number}"
    status, body = fetch(path)
    if status == 404:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    state = body.get("state") if isinstance(body, dict) else None
    if status != 200 or state not in ("open", "closed"):
        raise GitHubError(
            f"GET {path}: HTTP {status}: {message or 'no pull request in the answer'}"
        )
    return str(state)


def pr_environments(names: Iterable[str]) -> list[Environment]:
    """The PR environments (`pr-<number>`) among stack names, by number; other names are skipped."""
    found: dict[int, Environment] = {}
    for name in names:
        try:
            environment = parse_environment(name)
        except EnvironmentNameError:
            continue  # a custom name needs its declared class; the sweep only removes pr-<n>
        if environment.pr_number is not None:
            found[environment.pr_number] = environment
    return [found[number] for number in sorted(found)]


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # no such pull request, or GitHub failed

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.unknown else 0


def sweep(
    *,
    repository: str,
    fetch: Fetch,
    lister: StackLister,
    cleanup: Callable[[Environment], int],
    say: Callable[[str], None],
    dry_run: bool = False,
    layers: Sequence[Layer] = LAYERS,
) -> SweepReport:
    """Remove the environment of every closed pull request; the rest is reported, never touched."""
    names = [name for layer in layers for name in lister.stack_names(layer)]
    report = SweepReport()
    environments = pr_environments(names)
    say(f"PR environments with stacks: {', '.join(e.name for e in environments) or 'none'}")
    for environment in environments:
        assert environment.pr_number is not None  # pr_environments keeps only numbered ones
        try:
            state = pull_request_state(fetch, repository, environment.pr_number)
        except GitHubError as error:
            say(f"{environment.name}: kept, {error}")
            report.unknown.append(environment.name)
            continue
        if state is None:
            say(
                f"{environment.name}: kept, {repository} has no pull request "
                f"#{environment.pr_number}: remove it by hand if it is not another repository's"
            )
            report.unknown.append(environment.name)
        elif state == "open":
            report.open.append(environment.name)
        elif dry_run:
            say(f"{environment.name}: pull request closed, would run cleanup-pr")
            report.removed.append(environment.name)
        else:
            say(f"\n{environment.name}: pull request closed, cleanup-pr")
            code = cleanup(environment)
            (report.removed if code == 0 else report.failed).append(environment.name)
    verb = "Would remove" if dry_run else "Removed"
    say(
        f"\n{verb}: {', '.join(report.removed) or 'none'}. Failed: "
        f"{', '.join(report.failed) or 'none'}. Open: {', '.join(report.open) or 'none'}. "
        f"Kept, unknown: {', '.join(report.unknown) or 'none'}."
    )
    return report


DeployerFactory = Callable[[Mapping[str, str], str], SweepDeployer]


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    deployer_factory: DeployerFactory | None = None,
    fetch: Fetch | None = None,
    outputs_dir: Path = OUTPUTS_DIR,
) -> int:
    from tooling.deploy.cli import automation_deployer  # the CLI's checks, not at import time

    parser = argparse.ArgumentParser(
        prog="python -m tooling.deploy.sweep",
        description="Destroy the PR environments whose pull requests are closed.",
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    say = functools.partial(print, flush=True)
    repository = environ.get("GITHUB_REPOSITORY", "")
    token = environ.get("GITHUB_TOKEN", "")
    if "/" not in repository or (fetch is None and not token):
        print(
            "error: set GITHUB_REPOSITORY (<owner>/<repo>) and GITHUB_TOKEN (a token that may "
            "read its pull requests); GitHub Actions sets both for a workflow",
            file=sys.stderr,
        )
        return 2
    try:
        deployer = (deployer_factory or automation_deployer)(environ, PR_CLASS)
    except PreflightError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    orchestrator = Orchestrator(deployer=deployer, writer=OutputFileWriter(outputs_dir), say=say)
    try:
        report = sweep(
            repository=repository,
            fetch=fetch or github_fetch(token),
            lister=deployer,
            cleanup=orchestrator.cleanup_pr,
            say=say,
            dry_run=args.dry_run,
        )
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
