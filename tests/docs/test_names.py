""" "Engine" names one thing, the Pulumi engine: the offline planner and the deploy orchestrator's
`Deployer` have names of their own, in the docs and in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tooling.deploy.cli
import tooling.deploy.orchestrator
import tooling.deploy.sweep
import tooling.offline
from tests.docs.markdown import DOCS, README

# What the three used to be called, each of which named something other than the Pulumi engine.
OLD_NAMES = re.compile(r"offline (plan )?engine|mock engine|Engine protocol|as engine", re.I)


@pytest.mark.parametrize("path", [README, *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_the_docs_say_engine_only_for_the_pulumi_engine(path: Path) -> None:
    text = path.read_text()
    assert [m.group(0) for m in OLD_NAMES.finditer(text)] == []


def test_the_deploy_protocol_and_the_offline_planner_are_not_called_engine() -> None:
    modules = (
        tooling.deploy.orchestrator,
        tooling.deploy.cli,
        tooling.deploy.sweep,
        tooling.offline,
    )
    named = [f"{m.__name__}.{n}" for m in modules for n in vars(m) if "engine" in n.lower()]
    assert named == []
