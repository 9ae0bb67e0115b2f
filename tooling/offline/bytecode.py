"""Bytecode for the modules an offline plan imports, written once per virtualenv.

pulumi_aws is large: importing its layer modules from source takes ~2.5 s, from bytecode ~1 s.
Environments that set PYTHONDONTWRITEBYTECODE (containers, CI images) would pay the 2.5 s on
every run; `compileall` writes the .pyc files regardless, and later runs only compare timestamps.
"""

from __future__ import annotations

import compileall
import importlib.util
from pathlib import Path

from tooling.offline.engine import AWS_MODULES

PACKAGES = ("pulumi", "pulumi_policy", "grpc", "google.protobuf", "yaml", "rich")


def _folder(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def compile_imports() -> None:
    aws = _folder("pulumi_aws")
    folders = [folder for folder in map(_folder, PACKAGES) if folder is not None]
    if aws is not None:
        folders.extend(aws / name for name in AWS_MODULES)
        for path in aws.glob("*.py"):
            compileall.compile_file(str(path), quiet=2)
        compileall.compile_dir(str(aws / "config"), quiet=2, workers=0)
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=2, workers=0)
