"""The venv contract: what the CLI runs before any program or pack works on the venv `dev` makes."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import noxfile

ROOT = Path(noxfile.__file__).resolve().parent
PROJECT_FILES = [
    *sorted(ROOT.glob("stacks/*/Pulumi.yaml")),
    ROOT / "policies" / "PulumiPolicy.yaml",
]
UV = shutil.which("uv") is not None


def discovery(venv: Path) -> list[dict[str, str]]:
    """Exactly what the pip toolchain runs to discover plugins (sdk/python/toolchain/pip.go)."""
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    packages: list[dict[str, str]] = json.loads(done.stdout)
    return packages


def make(venv: Path, *extra: str) -> None:
    for command in noxfile.venv_commands(venv, uv=UV, extra=extra):
        subprocess.run(command, check=True, capture_output=True)


@pytest.fixture(scope="session")
def dev_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv made the way `nox -s dev` makes `.venv` (system site packages: no install, fast)."""
    venv = tmp_path_factory.mktemp("dev") / ".venv"
    make(venv, "--system-site-packages")
    return venv


@pytest.fixture(scope="session")
def dev_packages(dev_venv: Path) -> set[str]:
    """Every project resolves to the same venv, so the discovery runs once (~1 s)."""
    return {p["name"] for p in discovery(dev_venv)}


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_runs_on_the_dev_venv_with_pip(path: Path, dev_packages: set[str]) -> None:
    runtime = yaml.safe_load(path.read_text())["runtime"]
    assert runtime["name"] == "python" and runtime["options"]["toolchain"] == "pip"
    # Not resolved: the venv may be a link (a copy of the tree on this interpreter's venv).
    venv = Path(os.path.normpath(path.parent / runtime["options"]["virtualenv"]))
    assert venv == ROOT / ".venv"  # the folder `nox -s dev` creates
    assert "pip" in dev_packages


def test_a_venv_made_without_pip_gets_it(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    if UV:
        subprocess.run(
            ["uv", "venv", "--python", noxfile.PYTHON, str(venv)], check=True, capture_output=True
        )
    else:
        subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    assert (
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "--version"],
            capture_output=True,
            check=False,
        ).returncode
        != 0
    )
    make(venv)
    assert "pip" in {p["name"] for p in discovery(venv)}


class _Recorder:
    """Just enough of nox.Session for `dev`: what it would run."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, ...]] = []

    def run(self, *args: str, **kwargs: object) -> None:
        self.ran.append(args)

    def log(self, message: str) -> None:
        pass


def test_dev_installs_and_compiles_once_per_change_of_the_lock_or_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "pip").mkdir(parents=True)
    (site / "pip" / "__init__.py").write_text("")
    (tmp_path / ".venv" / "bin").mkdir()
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)

    def dev() -> list[str]:
        session = _Recorder()
        noxfile.dev(session)
        return [" ".join(args[:4]) for args in session.ran]

    first = dev()
    assert len(first) == 2 and "compileall" in first[-1]
    assert dev() == []  # nothing changed: no install, no bytecode pass
    (tmp_path / "uv.lock").write_text("version = 1\n# a new pin\n")
    assert len(dev()) == 2
    assert dev() == []
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    assert len(dev()) == 2


@pytest.mark.parametrize("posargs", [[], ["--move-state"], ["--stack", "other"]])
def test_bootstrap_session_plans_the_bootstrap_offline_on_the_dev_venv(
    posargs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[list[str]] = []

    def call(args: list[str]) -> int:
        ran.append(list(args))
        return 0

    monkeypatch.setattr(noxfile, "dev", lambda session: ran.append(["dev"]))
    monkeypatch.setattr("subprocess.call", call)
    session = _Recorder()
    session.posargs = posargs  # type: ignore[attr-defined]
    noxfile.bootstrap(session)
    assert ran == [["dev"], [noxfile.DEV_PYTHON, "-m", "tooling.deploy.bootstrap", *posargs]]
    assert importlib.util.find_spec(ran[1][2]) is not None
    assert noxfile.bootstrap.default is False  # it touches an AWS account's one-off project


def test_bootstrap_session_exits_with_the_tools_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(noxfile, "dev", lambda session: None)
    monkeypatch.setattr("subprocess.call", lambda args: 2)
    session = _Recorder()
    session.posargs = []  # type: ignore[attr-defined]
    with pytest.raises(SystemExit) as stopped:
        noxfile.bootstrap(session)
    assert stopped.value.code == 2  # a config mistake stays exit 2, not nox's 1


def _collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_only_the_extensions_session_runs_the_whole_suite_on_the_extended_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(noxfile, "dev", lambda session: None)
    session = _Recorder()
    session.posargs = []  # type: ignore[attr-defined]
    noxfile.extensions(session)
    assert session.ran == [(noxfile.DEV_PYTHON, "-m", "pytest", *noxfile.EXTENSIONS_ARGS)]
    assert noxfile.extensions.default is False
    whole = "test_the_whole_suite_passes_on_the_extended_tree"
    assert any(whole in test for test in _collected(*noxfile.EXTENSIONS_ARGS))
    by_default = _collected("tests/extensions")
    assert by_default and not any(whole in test for test in by_default)
