"""How people use this repo: `nox -l` lists the sessions, each with a one-line description."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
# Compile bytecode at install time: the offline planner forks a child per stack, and with
# PYTHONDONTWRITEBYTECODE set (common in CI) every child would recompile pulumi_aws from source.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml(Path(__file__).parent / "pyproject.toml")
PYTHON = "3.11"
# The tests, the type check and the offline tools run on .venv itself, where the policy pack runs
# too (its PulumiPolicy.yaml virtualenv): `dev` keeps it current, and a venv of a session's own
# would be a second install and bytecode pass of pulumi_aws to pay.
DEV_PYTHON = str(Path(".venv") / "bin" / "python")


def _install(session: nox.Session, *groups: str) -> None:
    """The project (editable, so `shared` is importable) plus the named dependency groups."""
    session.install("-e", ".")
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


def venv_commands(venv: Path, *, uv: bool, extra: tuple[str, ...] = ()) -> list[list[str]]:
    """How `dev` makes `.venv`: WITH pip, because every Pulumi.yaml says `toolchain: pip`.

    The CLI's pip toolchain lists the venv's packages with `<venv>/bin/python -m pip list --format
    json` before a program or pack starts (pulumi/pulumi sdk/python/toolchain/pip.go `ListPackages`);
    `uv venv` alone makes a venv without pip, where that fails. `toolchain: uv` would avoid pip
    (uv.go runs `uv pip list` and `uv run`), but `uv run` syncs the whole root project on every
    program start; a seeded venv keeps the CLI on the plain, fast path. A pre-existing venv without
    pip gets it installed.
    """
    python = str(venv / "bin" / "python")
    if uv:
        create = ["uv", "venv", "--seed", "--python", PYTHON, *extra, str(venv)]
    else:
        create = [sys.executable, "-m", "venv", *extra, str(venv)]
    if not (venv / "bin" / "python").exists():
        return [create]
    if any(venv.glob("lib/python*/site-packages/pip/__init__.py")):
        return []
    if uv:
        return [["uv", "pip", "install", "--python", python, "pip"]]
    return [[python, "-m", "ensurepip", "--default-pip"]]


def install_stamp(root: Path = Path(".")) -> str:
    """What `.venv` was installed from: uv.lock and pyproject.toml (and the Python it targets)."""
    digest = hashlib.sha256(PYTHON.encode())
    for name in ("uv.lock", "pyproject.toml"):
        path = root / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


STAMP = Path(".venv") / ".installed-from"


@nox.session(venv_backend="none")
def dev(session: nox.Session) -> None:
    """Create or update the repo's .venv that every Pulumi project and the policy pack use."""
    venv = Path(".venv")
    stamp = install_stamp()
    uv = shutil.which("uv") is not None
    commands = venv_commands(venv, uv=uv)
    # Nothing changed since the last install: skip it and its bytecode pass (3-4 s otherwise).
    if not commands and STAMP.is_file() and STAMP.read_text() == stamp:
        session.log(".venv is up to date with uv.lock and pyproject.toml: nothing to install.")
        return
    requirements = ["-e", ".", *nox.project.dependency_groups(PYPROJECT, "dev")]
    # external: other sessions call dev too, and .venv is not their own venv.
    for command in commands:
        session.run(*command, silent=True, external=True)
    python = str(venv / "bin" / "python")
    if uv:
        session.run("uv", "pip", "install", "--python", python, *requirements, external=True)
    else:
        session.run(python, "-m", "pip", "install", "-q", *requirements, external=True)
    # Installers skip packages already present, so bytecode a pre-existing .venv lacks would never
    # appear; compileall writes what is missing or stale, once per install.
    site_packages = next(venv.glob("lib/python*/site-packages"))
    session.run(
        python, "-m", "compileall", "-q", "-j", "0", str(site_packages), silent=True, external=True
    )
    STAMP.write_text(stamp)
    session.log("Ready: .venv is what stacks/*/Pulumi.yaml and policies/PulumiPolicy.yaml run on.")


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """Run the test suite (offline: no Pulumi CLI, no AWS)."""
    # On .venv itself, where the pack runs too (policies/PulumiPolicy.yaml, as the CLI would run
    # it): its dev group holds the test group, and a venv of the session's own is a second install
    # and bytecode pass of pulumi_aws to pay for nothing.
    dev(session)
    # Every core by default: the suite is CPU-bound (forked stack runs, policy-pack servers). The
    # conformance cases share their pack processes on one worker (their xdist_group).
    args = session.posargs or ["-n", "auto", "--dist", "loadgroup"]
    session.run(DEV_PYTHON, "-m", "pytest", *args, external=True)


EXTENSIONS_ARGS = (
    "tests/extensions",
    "-m",
    "whole_suite or not whole_suite",
    "-p",
    "no:cacheprovider",
)


@nox.session(venv_backend="none", default=False)
def extensions(session: nox.Session) -> None:
    """What a change costs, all of it: tests/extensions with the whole suite on the extended copy."""
    dev(session)
    session.run(DEV_PYTHON, "-m", "pytest", *EXTENSIONS_ARGS, *session.posargs, external=True)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff (no changes made)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(venv_backend="none")
def typecheck(session: nox.Session) -> None:
    """Type-check every package, stack program and test with mypy --strict."""
    dev(session)  # .venv holds the typecheck group, and the packages mypy reads
    mypy = [DEV_PYTHON, "-m", "mypy"]
    session.run(*mypy, *(session.posargs or ["."]), external=True)
    if not session.posargs:
        # Pulumi runs each program from its own folder, so its sibling modules are top-level
        # imports: check every stack with that folder as the import root, as the CLI runs it.
        for folder in [*sorted(Path("stacks").glob("*/")), Path("bootstrap")]:
            files = sorted(str(path) for path in folder.glob("*.py"))
            session.run(*mypy, *files, env={"MYPYPATH": str(folder)}, external=True)


def _python(session: nox.Session) -> str:
    return str(Path(session.bin) / "python")


def _run_tool(session: nox.Session, python: str, *args: str) -> None:
    """Run one of our CLIs and exit with its code: session.run would turn every failure into 1,
    and callers (CI, scripts) rely on 1 = policy violation or failed step, 2 = usage/set-up error.
    The CLIs print their own usage, so a missing argument is reported by them, with exit 2."""
    session.log(" ".join(("python", *args)))
    code = subprocess.call([python, *args])
    if code:
        sys.exit(code)


# --- offline plan sessions --------------------------------------------------------------------------


@nox.session(venv_backend="none")
def plan(session: nox.Session) -> None:
    """Offline plan of every layer for one environment: `nox -s plan -- dev [--layer app] [--json F]`."""
    dev(session)
    # The access check (docs/access.md) joins the bootstrap's plan with this one.
    _run_tool(session, DEV_PYTHON, "-m", "tooling.offline", "plan", "--access", *session.posargs)


@nox.session(venv_backend="none")
def access(session: nox.Session) -> None:
    """A class's CI roles against its plan: `nox -s access -- pr` (table, policy JSON, findings)."""
    dev(session)  # the layer programs and the bootstrap run on .venv under the offline planner
    _run_tool(session, DEV_PYTHON, "-m", "tooling.access", *session.posargs)


@nox.session(name="policy-check", venv_backend="none")
def policy_check(session: nox.Session) -> None:
    """Check a `pulumi stack export` file with the policy pack: `nox -s policy-check -- F [--env E]`."""
    dev(session)
    _run_tool(session, DEV_PYTHON, "-m", "tooling.offline", "policy-check", *session.posargs)


@nox.session(venv_backend="none", default=False)
def bootstrap(session: nox.Session) -> None:
    """The bootstrap project planned offline with the pack: -- [--stack S] [--move-state [--from URL]]."""
    dev(session)
    _run_tool(session, DEV_PYTHON, "-m", "tooling.deploy.bootstrap", *session.posargs)


@nox.session(venv_backend="none", default=False)
def bench(session: nox.Session) -> None:
    """Measure the offline planner: import floor, full plan, nox overhead, analyzer throughput, memory."""
    dev(session)
    session.run(DEV_PYTHON, "-m", "tooling.offline.bench", *session.posargs, external=True)


# --- mutation testing ------------------------------------------------------------------------------

# mutmut 3 records which tests reach each function and runs only those per mutant; its settings
# (what is mutated, which tests run) are [tool.mutmut] in pyproject.toml. Not in a dependency group:
# only this session uses it, and uv.lock stays the deploy's lock.
MUTMUT = "mutmut~=3.8.1"


@nox.session(python=PYTHON, default=False)
def mutation(session: nox.Session) -> None:
    """Mutation-test policies/ and shared/ with their unit tests; score per package (docs/mutation.md)."""
    dev(session)  # the bootstrap-based policy tests run the pack on .venv
    _install(session, "test")
    session.install(MUTMUT)
    # mutmut runs the tests inside mutants/; the pack's PulumiPolicy.yaml there points at ../.venv.
    venv_link = Path("mutants") / ".venv"
    venv_link.parent.mkdir(exist_ok=True)
    if not venv_link.is_symlink():
        venv_link.symlink_to(Path("..") / ".venv")
    # mutmut re-mutates a changed module but copies the packages' data files (policies/data,
    # shared/aws/data, the pack's config) only once: refresh them, or tests would read stale data.
    for package in ("policies", "shared"):
        for source in Path(package).rglob("*"):
            target = Path("mutants") / source
            if source.is_file() and source.suffix not in (".py", ".pyc") and target.parent.is_dir():
                shutil.copy2(source, target)
    # Two workers: the machine this was sized on has two cores. Arguments select mutants by name.
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    # The same names: the report then scores only the mutants this run checked.
    _run_tool(session, _python(session), "-m", "tooling.mutation", *session.posargs)


# --- deployment sessions ----------------------------------------------------------------------------
# Each runs `python -m tooling.deploy` on the repo's .venv, the one every Pulumi.yaml points at, so
# the CLI runs the programs and the policy pack on exactly what the orchestrator checked.


def _deploy(session: nox.Session, command: str) -> None:
    dev(session)
    python = str(Path(".venv") / "bin" / "python")
    _run_tool(session, python, "-m", "tooling.deploy", command, *session.posargs)


@nox.session(name="deploy-all", venv_backend="none", default=False)
def deploy_all(session: nox.Session) -> None:
    """Deploy every layer of an environment in order: -- <env> [--from L | --only L ...] [--yes]."""
    _deploy(session, "deploy-all")


@nox.session(venv_backend="none", default=False)
def preview(session: nox.Session) -> None:
    """Preview every layer with the policy pack (what CI runs): -- <env> [--only L ...]."""
    _deploy(session, "preview")


@nox.session(name="destroy-all", venv_backend="none", default=False)
def destroy_all(session: nox.Session) -> None:
    """Destroy every layer in reverse order: -- <env> [--yes-destroy-prod] [--plan]."""
    _deploy(session, "destroy-all")


@nox.session(name="cleanup-pr", venv_backend="none", default=False)
def cleanup_pr(session: nox.Session) -> None:
    """Destroy a PR environment and remove its stacks and output files: -- pr-<n>."""
    _deploy(session, "cleanup-pr")


@nox.session(venv_backend="none", default=False)
def up(session: nox.Session) -> None:
    """Deploy one layer (same checks as deploy-all): -- <layer> <env> [--yes]."""
    _deploy(session, "up")


# `--confcutdir` keeps pytest from importing tests/conftest.py, whose test-group imports (hypothesis)
# the integration group does not install; tests/integration/conftest.py stops the run when there is
# no deployment to check. tests/tooling/test_integration_session.py runs exactly these arguments.
INTEGRATION_PYTEST_ARGS = (
    "tests/integration",
    "--confcutdir",
    "tests/integration",
    "-m",
    "integration",
    "-p",
    "no:cacheprovider",
)


INTEGRATION_USAGE = "usage: nox -s integration -- <env>   (after nox -s deploy-all -- <env>)"


def integration_environment(posargs: Sequence[str]) -> str:
    """The one environment `nox -s integration` checks, or ValueError with the usage or the reason.

    An option (`--help`) or a malformed name must not become a search for its deployment."""
    if len(posargs) != 1 or posargs[0].startswith("-"):
        raise ValueError(INTEGRATION_USAGE)
    # shared.environment is standard library only; nox may not have this folder on sys.path.
    if str(Path(__file__).resolve().parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
    from shared.environment import ENVIRONMENT_CLASSES, EnvironmentNameError, parse_environment

    try:
        return parse_environment(posargs[0]).name
    except EnvironmentNameError as error:
        refused = error
    # A custom name's class is declared in its stack files; here only its form can be checked.
    for environment_class in ENVIRONMENT_CLASSES:
        with contextlib.suppress(EnvironmentNameError):
            return parse_environment(posargs[0], environment_class).name
    raise ValueError(f"{refused}\n{INTEGRATION_USAGE}")


@nox.session(python=PYTHON, default=False)
def integration(session: nox.Session) -> None:
    """Check a live environment with boto3, from outputs/<env>/flat-outputs.json: -- <env>."""
    try:
        environment = integration_environment(session.posargs)
    except ValueError as error:
        session.error(str(error))
    session.install(*nox.project.dependency_groups(PYPROJECT, "integration"))
    session.install("-e", ".")
    session.run("pytest", *INTEGRATION_PYTEST_ARGS, env={"INTEGRATION_ENV": environment})
