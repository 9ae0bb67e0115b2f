"""The sweep of closed pull requests' environments, against recorded GitHub responses.

The fixtures in tests/fixtures/github are shaped as GitHub's REST API answers "Get a pull request"
(`GET /repos/{owner}/{repo}/pulls/{pull_number}`, API version 2022-11-28) and its error bodies
(docs.github.com/rest/pulls/pulls#get-a-pull-request).
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from shared.environment import Environment
from shared.layers import LAYERS, Layer
from tests.tooling.deploy.offline_deployer import OfflineDeployer
from tooling.deploy.sweep import (
    API_VERSION,
    GitHubError,
    github_fetch,
    main,
    pr_environments,
    pull_request_state,
    sweep,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"
REPOSITORY = "octocat/Hello-World"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class RecordedGitHub:
    """Answers each API path from a recorded response; records what was asked."""

    def __init__(self, answers: Mapping[int, tuple[int, str]]) -> None:
        self.answers = dict(answers)
        self.paths: list[str] = []

    def __call__(self, path: str) -> tuple[int, Any]:
        self.paths.append(path)
        number = int(path.rsplit("/", 1)[-1])
        status, fixture = self.answers[number]
        return status, recorded(fixture)


class Lister:
    def __init__(self, names: Mapping[str, tuple[str, ...]]) -> None:
        self.names = dict(names)

    def stack_names(self, layer: Layer) -> tuple[str, ...]:
        return self.names.get(layer.name, ())


class Cleanups:
    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing, self.done = failing, []  # type: ignore[var-annotated]

    def __call__(self, environment: Environment) -> int:
        self.done.append(environment.name)
        return 1 if environment.name in self.failing else 0


# Stacks as a backend lists them: PR environments in some layers only, and long-lived ones.
STACKS = {
    LAYERS[0].name: ("dev", "prod", "pr-12", "pr-13", "pr-14", "pr-99"),
    LAYERS[-1].name: ("pr-12", "staging", "feature-x"),
}
GITHUB = {
    12: (200, "pull-closed-conflicted.json"),
    13: (200, "pull-merged.json"),
    14: (200, "pull-open.json"),
    99: (404, "not-found.json"),
}


def test_the_recorded_responses_have_githubs_fields() -> None:
    closed = recorded("pull-closed-conflicted.json")
    assert (closed["state"], closed["merged"], closed["number"]) == ("closed", False, 12)
    assert recorded("pull-merged.json")["merged_at"] is not None
    assert recorded("pull-open.json")["closed_at"] is None
    assert recorded("not-found.json")["message"] == "Not Found"


def test_the_environments_of_closed_pull_requests_are_removed_open_ones_kept() -> None:
    github, cleanups = RecordedGitHub(GITHUB), Cleanups()
    lines: list[str] = []
    report = sweep(
        repository=REPOSITORY,
        fetch=github,
        lister=Lister(STACKS),
        cleanup=cleanups,
        say=lines.append,
    )
    assert github.paths == [f"/repos/{REPOSITORY}/pulls/{n}" for n in (12, 13, 14, 99)]
    assert cleanups.done == ["pr-12", "pr-13"]  # closed unmerged (a conflicted one), and merged
    assert (report.removed, report.open, report.unknown) == (
        ["pr-12", "pr-13"],
        ["pr-14"],
        ["pr-99"],
    )
    assert "pr-99: kept, octocat/Hello-World has no pull request #99" in "\n".join(lines)
    assert report.exit_code == 1  # an unknown stack needs a person


def test_a_failing_environment_does_not_stop_the_next_one() -> None:
    cleanups = Cleanups(failing=("pr-12",))
    answers = {n: GITHUB[n] for n in (12, 13)}
    report = sweep(
        repository=REPOSITORY,
        fetch=RecordedGitHub(answers),
        lister=Lister({LAYERS[0].name: ("pr-12", "pr-13")}),
        cleanup=cleanups,
        say=lambda line: None,
    )
    assert cleanups.done == ["pr-12", "pr-13"]
    assert (report.failed, report.removed, report.exit_code) == (["pr-12"], ["pr-13"], 1)


def test_a_dry_run_removes_nothing() -> None:
    cleanups = Cleanups()
    lines: list[str] = []
    report = sweep(
        repository=REPOSITORY,
        fetch=RecordedGitHub(GITHUB),
        lister=Lister(STACKS),
        cleanup=cleanups,
        say=lines.append,
        dry_run=True,
    )
    assert cleanups.done == []
    assert report.removed == ["pr-12", "pr-13"]
    assert lines[-1].startswith("\nWould remove: pr-12, pr-13.")


def test_github_refusing_the_token_keeps_the_environment_and_says_why() -> None:
    with pytest.raises(GitHubError) as raised:
        pull_request_state(RecordedGitHub({12: (401, "bad-credentials.json")}), REPOSITORY, 12)
    assert str(raised.value) == f"GET /repos/{REPOSITORY}/pulls/12: HTTP 401: Bad credentials"


def test_only_numbered_pr_environments_are_swept() -> None:
    names = ["dev", "pr-7", "pr-07", "feature-x", "pr-7", "staging", "pr-123"]
    assert [e.name for e in pr_environments(names)] == ["pr-7", "pr-123"]


class Response(io.BytesIO):
    status = 200

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *args: object) -> None:
        pass


def test_the_request_is_githubs_documented_one(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[urllib.request.Request] = []

    def urlopen(request: urllib.request.Request, timeout: float) -> Response:
        sent.append(request)
        return Response((FIXTURES / "pull-open.json").read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    status, body = github_fetch("t0ken")(f"/repos/{REPOSITORY}/pulls/14")
    assert (status, body["state"]) == (200, "open")
    (request,) = sent
    assert request.full_url == f"https://api.github.com/repos/{REPOSITORY}/pulls/14"
    headers = {k.lower(): v for k, v in request.header_items()}
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["authorization"] == "Bearer t0ken"
    assert headers["x-github-api-version"] == API_VERSION


def test_an_http_error_is_answered_with_its_status_and_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def urlopen(request: urllib.request.Request, timeout: float) -> Response:
        body = io.BytesIO((FIXTURES / "not-found.json").read_bytes())
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, body)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    assert pull_request_state(github_fetch("t"), REPOSITORY, 99) is None


def test_main_sweeps_the_backends_stacks_through_the_deployer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployer = OfflineDeployer()
    for layer in LAYERS:
        for name in ("pr-12", "pr-14", "dev"):
            deployer.stacks[(layer.name, name)] = None

    def factory(environ: Mapping[str, str], environment: str) -> OfflineDeployer:
        return deployer

    code = main(
        [],
        environ={"GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": "t"},
        deployer_factory=factory,
        fetch=RecordedGitHub(GITHUB),
        outputs_dir=tmp_path,
    )
    assert code == 0
    assert not any(env == "pr-12" for _, env in deployer.stacks)
    assert all((layer.name, "pr-14") in deployer.stacks for layer in LAYERS)
    assert "Removed: pr-12." in capsys.readouterr().out


def test_main_without_a_repository_is_a_set_up_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], environ={"GITHUB_TOKEN": "t"}) == 2
    assert "set GITHUB_REPOSITORY" in capsys.readouterr().err
