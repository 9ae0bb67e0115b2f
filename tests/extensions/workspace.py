"""A copy of the repository to extend, and the measure of what each extension changed in it.

What an extension costs is measured, not declared: the tree is snapshotted before and after each
step, so an edit the extension needed but the checklist forgot shows up in the count.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shared.layers import REPO_ROOT

# What a clean clone does not have, or what a copy must not drag along (caches, state, output).
_NOT_COPIED = (
    ".git",
    ".venv",
    ".nox",
    "node_modules",
    "outputs",
    "mutants",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".benchmarks",
    ".pulumi-state",
)
NODE_PACK = Path("tests/fixtures/node_policy_pack/node_modules")
_REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=\S*")


@dataclass(frozen=True)
class Change:
    path: str
    created: bool
    added: int
    removed: int
    hunks: int  # separate places in the file that changed


@dataclass
class Step:
    """One extension: the files a person writes, then the files the regeneration commands write."""

    name: str
    written: list[Change] = field(default_factory=list)
    generated: list[Change] = field(default_factory=list)

    def summary(self) -> str:
        def lines(changes: list[Change]) -> str:
            return ", ".join(
                f"{c.path} ({'new, ' if c.created else ''}+{c.added}/-{c.removed})" for c in changes
            )

        return (
            f"{self.name}: writes {len(self.written)} files, +{sum(c.added for c in self.written)} "
            f"lines [{lines(self.written)}]; generated {len(self.generated)} "
            f"[{lines(self.generated)}]"
        )


def _snapshot(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if relative.parts[0] in (".venv", ".nox") or "__pycache__" in relative.parts:
            continue
        if path.is_file() and not path.is_symlink() and NODE_PACK not in relative.parents:
            found[relative.as_posix()] = path.read_text(errors="replace")
    return found


def _changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    changes = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        diff = list(
            difflib.unified_diff(
                (old or "").splitlines(), (new or "").splitlines(), lineterm="", n=0
            )
        )
        added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
        removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
        hunks = sum(1 for line in diff if line.startswith("@@"))
        changes.append(Change(path, old is None, added, removed, hunks))
    return changes


class Workspace:
    """A copy of the repository that runs on the test run's own interpreter and packages."""

    def __init__(self, root: Path, source: Path | None = REPO_ROOT) -> None:
        self.root = root
        if source is not None:
            shutil.copytree(source, root, ignore=shutil.ignore_patterns(*_NOT_COPIED))
            # Every Pulumi.yaml and the pack name `.venv` at the root: the interpreter running
            # these tests has every dependency, and PYTHONPATH makes it import the copy.
            (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
            if (source / NODE_PACK).is_dir():
                (root / NODE_PACK).symlink_to(source / NODE_PACK, target_is_directory=True)
        self.steps: list[Step] = []
        self._current: Step | None = None
        self._before: dict[str, str] = {}

    def begin(self, name: str) -> None:
        self._current = Step(name)
        self.steps.append(self._current)
        self._before = _snapshot(self.root)

    def written(self) -> Step:
        """Closes what a person writes by hand; the regeneration commands come next."""
        assert self._current is not None
        after = _snapshot(self.root)
        self._current.written = _changes(self._before, after)
        self._before = after
        return self._current

    def generated(self) -> Step:
        assert self._current is not None
        after = _snapshot(self.root)
        self._current.generated = _changes(self._before, after)
        self._before = after
        return self._current

    # --- editing, as a person would
    def create(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        assert not target.exists(), f"{path} exists already"
        target.write_text(text)

    def insert(self, path: str, *, before: str, text: str) -> None:
        """Puts `text` right before the one place `before` occurs in `path`."""
        target = self.root / path
        source = target.read_text()
        assert source.count(before) == 1, f"{path}: {before!r} is not one place"
        target.write_text(source.replace(before, text + before))

    def append(self, path: str, text: str) -> None:
        target = self.root / path
        target.write_text(target.read_text() + text)

    # --- running, as a person would
    @property
    def environ(self) -> dict[str, str]:
        # The pack and the programs run in processes of their own: they must import the copy too.
        # No region but what a command sets itself: a person's shell may have none.
        inherited = {k: v for k, v in os.environ.items() if k not in _REGION_VARIABLES}
        return {**inherited, "PYTHONPATH": str(self.root), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(
        self, *command: str, timeout: float = 600, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command),
            cwd=self.root,
            env={**self.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(
        self, *args: str, timeout: float = 600, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, *args, timeout=timeout, env=env)

    def nox(
        self, *args: str, timeout: float = 600, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.python("-m", "nox", "--no-install", *args, timeout=timeout, env=env)

    def regenerate(self, commands: Sequence[Sequence[str]]) -> None:
        """Runs the README's commands as written: `python ...` and `nox ...` on this interpreter."""
        for command in commands:
            assignments = [word for word in command if _ASSIGNMENT.fullmatch(word)]
            env = dict(word.split("=", 1) for word in assignments)
            program, *args = command[len(assignments) :]
            assert program in ("python", "nox"), f"not a command this test can run: {command}"
            run = self.python if program == "python" else self.nox
            done = run(*args, env=env)
            assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"
