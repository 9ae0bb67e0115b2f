"""The venv contract: what the CLI runs before any program or pack works on the venv `dev` makes."""

import json
import shutil
import subprocess
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
    venv = (path.parent / runtime["options"]["virtualenv"]).resolve()
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
