"""bootstrap/access.py, loaded from its file: the bootstrap program imports it as a sibling module."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from shared.layers import REPO_ROOT


def load_access() -> ModuleType:
    """A fresh module each call, so it reads the class registry as it is now."""
    spec = importlib.util.spec_from_file_location(
        "bootstrap_access", REPO_ROOT / "bootstrap" / "access.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module
