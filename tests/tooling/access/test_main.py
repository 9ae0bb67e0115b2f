"""`python -m tooling.access` and the offline plan's `--access`: tables, JSON, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from tests.tooling.access.planned import model
from tooling.access import __main__ as cli
from tooling.access import bootstrap_plan
from tooling.access.evaluator import Principal
from tooling.offline.__main__ import main as offline_main

# One xdist worker runs the tests that share tests/tooling/access/planned.py (--dist loadgroup):
# each class is planned once, not once per worker.
pytestmark = pytest.mark.xdist_group("access-plans")


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200), buffer


def test_an_unknown_class_is_one_message_and_exit_2(tmp_path: Path) -> None:
    console, buffer = _console()
    assert cli.main(["prd"], console) == 2
    assert "name one environment class" in buffer.getvalue()
    assert cli.main(["dev", "--out", str(tmp_path / "missing")], console) == 2
    assert cli.main(["dev", "--values", str(tmp_path / "missing")], console) == 2


def test_the_plan_with_access_names_the_missing_state_machine_action(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    m = model()
    role = m.roles["pr"]
    documents = []
    for document in role.principal.policies:
        statements = []
        for statement in document["Statement"]:
            actions = statement["Action"]
            kept = [
                a
                for a in ([actions] if isinstance(actions, str) else actions)
                if not a.startswith("states:")
            ]
            if kept:
                statements.append({**statement, "Action": kept})
        documents.append({**document, "Statement": statements})
    broken = m.with_role("pr", Principal(role.principal.arn, tuple(documents)))
    monkeypatch.setattr(bootstrap_plan, "bootstrap_model", lambda: broken)
    console, buffer = _console()
    code = offline_main(
        ["plan", "pr-1", "--access", "--no-policy", "--outputs", str(tmp_path)], console
    )
    text = buffer.getvalue()
    assert code == 1
    assert "states:CreateStateMachine" in text and "StateMachine:restart" in text
    assert "access: pr-preview" in text


def test_a_clean_class_prints_the_table_and_writes_the_policy_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cli, "bootstrap_model", model)
    console, buffer = _console()
    assert cli.main(["pr", "--out", str(tmp_path)], console) == 0
    assert "OnResourcesTaggedAsClass" in buffer.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "access-pr-preview.json",
        "access-pr.json",
    ]


def test_a_plan_the_engine_refuses_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # pr-1 has no stack files: without AWS_REGION the plan has no region, a user's mistake.
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    buffer = io.StringIO()
    code = cli.main(["pr", "--out", str(tmp_path)], Console(file=buffer, width=300))
    out = buffer.getvalue()
    assert code == 2 and out.startswith("error: no AWS region for pr-1") and out.count("\n") == 1
    assert "Traceback" not in out
