"""How people use this repo: `nox -l` lists the sessions, each with a one-line description."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
# Compile bytecode at install time: the offline engine forks a child per stack, and with
# PYTHONDONTWRITEBYTECODE set (common in CI) every child would recompile pulumi_aws from source.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"


def _install(session: nox.Session, *groups: str) -> None:
    """The project (editable, so `shared` is importable) plus the named dependency groups."""
    session.install("-e", ".")
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session(venv_backend="none")
def dev(session: nox.Session) -> None:
    """Create or update the repo's .venv that every Pulumi project and the policy pack use."""
    venv = Path(".venv")
    requirements = ["-e", ".", *nox.project.dependency_groups(PYPROJECT, "dev")]
    if shutil.which("uv"):
        if not venv.exists():
            session.run("uv", "venv", "--python", PYTHON, str(venv))
        session.run("uv", "pip", "install", "--python", str(venv / "bin" / "python"), *requirements)
    else:
        if not venv.exists():
            session.run(sys.executable, "-m", "venv", str(venv))
        session.run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements)
    session.log("Ready: .venv is what stacks/*/Pulumi.yaml and policies/PulumiPolicy.yaml run on.")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (offline: no Pulumi CLI, no AWS)."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff (no changes made)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Type-check every package, stack program and test with mypy --strict."""
    _install(session, "typecheck")
    session.run("mypy", *(session.posargs or ["."]))


# --- offline plan sessions (issue 3) --------------------------------------------------------------


# --- deployment sessions (issue 7) ----------------------------------------------------------------
