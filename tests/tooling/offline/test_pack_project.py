"""A pack's folder as the CLI reads it: PulumiPolicy.yaml, the interpreter, the server command."""

import os
import sys
from pathlib import Path

import pytest

from shared.layers import POLICY_PACK_DIR, REPO_ROOT
from tooling.offline.pack_process import PolicyPackError
from tooling.offline.pack_project import ENGINE_ADDRESS, load_pack_project, server_command


def pack(tmp_path: Path, project_file: str) -> Path:
    (tmp_path / "PulumiPolicy.yaml").write_text(project_file)
    return tmp_path


def test_the_repositorys_pack_runs_with_pulumi_policy_on_the_dev_venv() -> None:
    project = load_pack_project(POLICY_PACK_DIR)
    assert (project.runtime, project.path) == ("python", POLICY_PACK_DIR)
    # pulumi-language-python RunPlugin: unbuffered, so the port it prints arrives at once.
    python, *arguments = server_command(project)
    assert Path(python).resolve() == (REPO_ROOT / ".venv" / "bin" / "python").resolve()
    assert arguments == [
        "-u",
        "-m",
        "pulumi.policy",
        ENGINE_ADDRESS,
        str(POLICY_PACK_DIR),
    ]


def test_a_folder_without_pulumipolicy_yaml_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match="not a policy pack"):
        load_pack_project(tmp_path)


@pytest.mark.parametrize(
    ("project_file", "refusal"),
    [
        ("runtime: [python\n", "not valid YAML"),
        ("- python\n", "must be a mapping"),
        ("runtime: go\n", "runtime 'go' is not one the offline plan runs"),
        ("runtime:\n  name: python\n  options: [x]\n", "optional `options` mapping"),
    ],
)
def test_a_project_file_the_cli_would_refuse_is_refused(
    tmp_path: Path, project_file: str, refusal: str
) -> None:
    with pytest.raises(PolicyPackError, match=refusal.replace("[", r"\[")):
        load_pack_project(pack(tmp_path, project_file))


def test_a_missing_virtualenv_says_how_to_create_it(tmp_path: Path) -> None:
    project = load_pack_project(
        pack(tmp_path, "runtime:\n  name: python\n  options:\n    virtualenv: venv\n")
    )
    with pytest.raises(PolicyPackError, match=r"is not a virtual environment.*nox -s dev"):
        server_command(project)


def test_without_a_virtualenv_pulumi_python_cmd_chooses_the_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip.go CommandPath: PULUMI_PYTHON_CMD first, then python3, then python, on PATH.
    monkeypatch.setenv("PULUMI_PYTHON_CMD", Path(sys.executable).name)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    command = server_command(load_pack_project(pack(tmp_path, "runtime: python\n")))
    assert Path(command[0]).name == Path(sys.executable).name
    assert command[1:] == ["-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(tmp_path.resolve())]


def test_a_node_pack_without_node_on_path_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PolicyPackError, match="`node` is not on PATH"):
        server_command(load_pack_project(pack(tmp_path, "runtime: nodejs\n")))


def test_a_node_pack_without_its_dependencies_says_npm_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `node` whose require.resolve of @pulumi/pulumi/cmd/run-policy-pack fails, as without npm install.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "node").write_text("#!/bin/sh\necho 'Cannot find module' >&2\nexit 1\n")
    (bin_dir / "node").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(PolicyPackError, match=r"not installed: run npm install in"):
        server_command(load_pack_project(pack(tmp_path, "runtime: nodejs\n")))
