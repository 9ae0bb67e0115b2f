"""What an extension costs, measured on a copy of the tree: a resource type new to the project, a
layer's own config keys, a fifth layer of those types, an environment class and a policy.

Each is written into the copy as a person would write it (tests/extensions/extensions.py), then the
README's "then run" commands regenerate what is generated. The files each one wrote must be exactly
the README's checklist row, "one entry in" a file must be one place in it, and then the offline plan
of the new layer and the new class, and the whole test suite, must pass on the copy.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import noxfile
from tests.extensions.checklist import Checklist, checklists
from tests.extensions.extensions import EXTENSIONS
from tests.extensions.workspace import Step, Workspace

# One worker builds the copy once and runs everything on it.
pytestmark = pytest.mark.xdist_group("extensions")
CHECKLISTS = checklists()


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tree = Workspace(tmp_path_factory.mktemp("extended") / "repo")
    stamp = tree.root / noxfile.STAMP
    # nox -s plan installs into .venv when its stamp differs: never into this run's interpreter.
    assert stamp.is_file() and stamp.read_text() == noxfile.install_stamp(tree.root), (
        f"{sys.prefix} is not installed from this tree's uv.lock: run `nox -s dev` first"
    )
    for extension in EXTENSIONS:
        tree.begin(extension.checklist)
        extension.write(tree)
        tree.written()
    # Each row's commands, each once, after every change is written: they regenerate the whole
    # tree, so running one per row would only repeat it.
    commands = [c for e in EXTENSIONS for c in CHECKLISTS[e.checklist].commands]
    tree.begin("then run")
    tree.regenerate(list(dict.fromkeys(commands)))
    tree.generated()
    yield tree
    for step in tree.steps:
        print(step.summary())


def test_every_extension_the_tests_make_has_a_readme_row() -> None:
    assert {e.checklist for e in EXTENSIONS} == set(CHECKLISTS)


@pytest.mark.parametrize("extension", EXTENSIONS, ids=lambda e: e.checklist)
def test_an_extension_writes_exactly_what_its_readme_row_says(
    extended: Workspace, extension: object
) -> None:
    (step,) = [s for s in extended.steps if s.name == getattr(extension, "checklist", None)]
    checklist = CHECKLISTS[step.name]
    extra, missing = checklist.unmatched([c.path for c in step.written])
    assert (extra, missing) == ([], []), step.summary()
    for change in step.written:
        if any(checklist.pattern(entry).match(change.path) for entry in checklist.entries):
            assert (change.hunks, change.removed) == (1, 0), f"not one entry: {step.summary()}"


def _passed(output: str) -> str:
    found: list[str] = re.findall(r"^.*\b(?:passed|failed|error)\b.*$", output, re.M)
    return found[-1] if found else "?"


@pytest.mark.parametrize("environment", ["dev", "qa"])
def test_the_offline_plan_of_the_new_layer_and_class_passes(
    extended: Workspace, environment: str
) -> None:
    # The new layer and class have no stack files yet: their region comes from AWS_REGION.
    region = {"AWS_REGION": "us-east-1"}
    done = extended.nox("-s", "plan", "--", environment, "--layer", "cache", env=region)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "offline plan" in done.stdout + done.stderr


PLAN_QA = """
import json
from tooling.offline import plan
result = plan("qa")
print(json.dumps({
    "layers": list(result.layers),
    "cidr": result.layers["network"].outputs["vpc_cidr"],
    "policies": list(result.policies),
    "mandatory": [v.policy for v in result.mandatory],
}))
"""


def test_the_plan_of_the_new_class_has_every_layer_its_network_and_the_new_policy(
    extended: Workspace,
) -> None:
    done = extended.python("-c", PLAN_QA, env={"AWS_REGION": "us-east-1"})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["layers"][-1] == "cache" and result["cidr"] == "10.40.0.0/16"
    assert "aws-ec2-vpc-dns" in result["policies"] and result["mandatory"] == []


@pytest.mark.whole_suite
def test_the_whole_suite_passes_on_the_extended_tree(extended: Workspace) -> None:
    done = extended.python(
        "-m",
        "pytest",
        "-q",
        "-n",
        "2",
        "--dist",
        "loadgroup",
        "-p",
        "no:cacheprovider",
        "--ignore=tests/extensions",
        timeout=900,
        env={"AWS_REGION": "us-east-1"},  # as CI's test job sets it
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    print(f"the suite on the extended tree: {_passed(done.stdout)}")


def test_a_checklist_row_names_paths_and_commands() -> None:
    row = Checklist(
        change="x",
        writes=("stacks/<layer>/__main__.py", "shared/layers.py"),
        entries=("shared/layers.py",),
        commands=(("python", "-m", "tooling.docs"),),
    )
    assert row.unmatched(["stacks/cache/__main__.py", "shared/layers.py"]) == ([], [])
    assert row.unmatched(["stacks/cache/extra/__main__.py"]) == (
        ["stacks/cache/extra/__main__.py"],
        ["stacks/<layer>/__main__.py", "shared/layers.py"],
    )


def test_steps_count_files_lines_and_places(tmp_path: Path) -> None:
    tree = Workspace(tmp_path, source=None)
    (tmp_path / "a.py").write_text("one\ntwo\nthree\n")
    tree.begin("toy")
    tree.insert("a.py", before="three\n", text="two and a half\n")
    tree.create("b/c.py", "new\n")
    step: Step = tree.written()
    assert [(c.path, c.created, c.added, c.removed, c.hunks) for c in step.written] == [
        ("a.py", False, 1, 0, 1),
        ("b/c.py", True, 1, 0, 1),
    ]
