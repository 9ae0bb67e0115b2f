"""A policy pack's folder, as the Pulumi CLI reads it: `PulumiPolicy.yaml`, and the command that
starts the pack's server for its runtime.

Mirrors pulumi/pulumi: the pip toolchain's choice of interpreter (`sdk/python/toolchain/pip.go`,
`Command`, `ValidateVenv`, `CommandPath`), the language hosts' `RunPlugin` for an analyzer
(`sdk/python/cmd/pulumi-language-python/main.go`: `-u -m pulumi.policy <engine> <pack dir>`;
`sdk/nodejs/cmd/pulumi-language-nodejs/main.go`: `node <run-policy-pack> <engine> <pack dir>`),
and `pkg/resource/plugin/analyzer_plugin.go` for what a missing Node module means.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tooling.offline.pack_process import PolicyPackError

# The CLI passes the Pulumi engine's address; the offline plan has no Pulumi engine, and packs
# only dial it to log.
ENGINE_ADDRESS = "127.0.0.1:0"


@dataclass(frozen=True)
class PackProject:
    """A policy pack folder as its `PulumiPolicy.yaml` describes it."""

    path: Path
    runtime: str
    options: dict[str, Any]
    version: str


def load_pack_project(pack_dir: Path) -> PackProject:
    path = Path(pack_dir).resolve()
    project_file = path / "PulumiPolicy.yaml"
    if not project_file.is_file():
        raise PolicyPackError(f"{path} is not a policy pack (no PulumiPolicy.yaml)")
    try:
        document = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PolicyPackError(f"{project_file}: not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise PolicyPackError(f"{project_file}: must be a mapping with a `runtime`")
    runtime = document.get("runtime")
    options: Any = {}
    if isinstance(runtime, dict):
        options = runtime.get("options") or {}
        runtime = runtime.get("name")
    if runtime not in ("python", "nodejs") or not isinstance(options, dict):
        raise PolicyPackError(
            f"{project_file}: runtime {runtime!r} is not one the offline plan runs "
            "(python or nodejs, with an optional `options` mapping)"
        )
    return PackProject(path, str(runtime), dict(options), str(document.get("version") or ""))


def _python_command(project: PackProject) -> str:
    """The interpreter the CLI's pip toolchain would use (sdk/python/toolchain/pip.go `Command`)."""
    virtualenv = project.options.get("virtualenv")
    if virtualenv:
        venv = (project.path / str(virtualenv)).resolve()
        python = venv / "bin" / "python"
        if not python.is_file():  # pip.go ValidateVenv -> NewVirtualEnvError
            raise PolicyPackError(
                f"the policy pack {project.path} sets virtualenv {virtualenv!r}, but {venv} is not "
                "a virtual environment: create it first (nox -s dev)"
            )
        return str(python)
    # pip.go CommandPath: PULUMI_PYTHON_CMD, else python3, else python, looked up on PATH.
    for name in (os.environ.get("PULUMI_PYTHON_CMD"), "python3", "python"):
        found = shutil.which(name) if name else None
        if found:
            return found
    raise PolicyPackError("no python3 on PATH to run the policy pack (or set PULUMI_PYTHON_CMD)")


def _node_command(project: PackProject) -> list[str]:
    """`node <run-policy-pack>` as resolved from the pack folder (pulumi-language-nodejs RunPlugin)."""
    node = shutil.which("node")
    if node is None:
        raise PolicyPackError(
            f"the policy pack {project.path} runs on Node.js, but `node` is not on PATH"
        )
    module = "@pulumi/pulumi/cmd/run-policy-pack"
    resolved = subprocess.run(
        [node, "-e", f"console.log(require.resolve({json.dumps(module)}))"],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=False,
    )
    if resolved.returncode != 0 or not resolved.stdout.strip():
        # analyzer_plugin.go: errRunPolicyModuleNotFound
        raise PolicyPackError(
            f"the policy pack's dependencies are not installed: run npm install in {project.path}"
        )
    return [node, resolved.stdout.strip()]


def server_command(project: PackProject) -> list[str]:
    if project.runtime == "nodejs":
        return [*_node_command(project), ENGINE_ADDRESS, str(project.path)]
    # pulumi-language-python RunPlugin for kind=analyzer: `-u -m pulumi.policy <args...> <pack dir>`.
    return [
        _python_command(project),
        "-u",
        "-m",
        "pulumi.policy",
        ENGINE_ADDRESS,
        str(project.path),
    ]
