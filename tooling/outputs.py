"""Stack outputs as files: `outputs/<env>/<layer>.json` plus a merged `outputs/<env>/flat-outputs.json`.

Both the real deploy (after each layer) and the offline plan write them, so tools downstream (the
integration tests, scripts, CI) read one shape whichever produced it:

- `<layer>.json`: `{"environment", "layer", "offline", "outputs": {name: value}, "secret_outputs": [...]}`
- `flat-outputs.json`: `{"environment", "offline", "<layer>.<output>": value, ...}`; keys holding a dot
  are outputs, keys without one are metadata.

Secret values (whole outputs named secret, secret values nested in any output, and any secret the run
knows where it appears in another value) are replaced by `REDACTED` unless the writer was asked to
show them. A preview's unknown values are refused: these
files hold only values a deployment (or a full offline plan) knows. Every file is
written to a temporary file in the same folder and renamed over the old one, so a reader never sees
half a file. A real deployment's files are never overwritten by an offline plan: made-up ids must not
pass for real ones.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from shared.layers import LAYER_NAMES, REPO_ROOT, get_layer
from tooling import redaction
from tooling.redaction import SHOWN

OUTPUTS_DIR = REPO_ROOT / "outputs"
FLAT_FILE = "flat-outputs.json"
REDACTED = SHOWN


class OutputFileWriter:
    """Writes one environment's output files; `offline=True` marks them as made by the offline plan."""

    def __init__(
        self, root: Path = OUTPUTS_DIR, *, show_secrets: bool = False, offline: bool = False
    ) -> None:
        self.root = root
        self.show_secrets = show_secrets
        self.offline = offline

    def folder(self, environment: str) -> Path:
        return self.root / environment

    def write(
        self,
        environment: str,
        layer: str,
        outputs: Mapping[str, Any],
        secret_outputs: Iterable[str] = (),
    ) -> Path | None:
        """Write one layer's outputs and refresh the flat file; None when real outputs were kept."""
        get_layer(layer)
        folder = self.folder(environment)
        existing = self._read(folder / f"{layer}.json")
        if self.offline and existing is not None and not existing.get("offline", False):
            return None
        if not self.offline:
            # Offline files of other layers hold made-up ids: never merge them with real ones.
            for name in LAYER_NAMES:
                other = self._read(folder / f"{name}.json")
                if other is not None and other.get("offline", False):
                    (folder / f"{name}.json").unlink()
        secrets = sorted(set(secret_outputs))
        unknown = sorted(name for name, value in outputs.items() if _holds_unknown(value))
        if unknown:
            raise ValueError(
                f"outputs of {layer} ({environment}) are unknown until deployed: "
                f"{', '.join(unknown)}; a preview writes no output files"
            )
        document = {
            "environment": environment,
            "layer": layer,
            "offline": self.offline,
            "outputs": {
                name: value
                if self.show_secrets
                else REDACTED
                if name in secrets
                else redaction.current().value(value)
                for name, value in sorted(outputs.items())
            },
            "secret_outputs": secrets,
        }
        path = folder / f"{layer}.json"
        _write_atomically(path, document)
        self._write_flat(environment)
        return path

    def remove(self, environment: str, layer: str) -> None:
        """Forget one layer (after it was destroyed) and refresh the flat file."""
        (self.folder(environment) / f"{get_layer(layer).name}.json").unlink(missing_ok=True)
        self._write_flat(environment)

    def remove_environment(self, environment: str) -> None:
        shutil.rmtree(self.folder(environment), ignore_errors=True)

    def _write_flat(self, environment: str) -> None:
        folder = self.folder(environment)
        layers = [
            doc for name in LAYER_NAMES if (doc := self._read(folder / f"{name}.json")) is not None
        ]
        flat_path = folder / FLAT_FILE
        if not layers:
            flat_path.unlink(missing_ok=True)
            return
        flat: dict[str, Any] = {
            "environment": environment,
            "offline": any(doc.get("offline", False) for doc in layers),
        }
        for doc in layers:
            for name, value in doc["outputs"].items():
                flat[f"{doc['layer']}.{name}"] = value
        _write_atomically(flat_path, flat)

    def check(self, environment: str) -> None:
        """Every layer's output file of `environment` can be read (OutputFileError if not), so a
        corrupt one stops a run before it starts, not after its first layer."""
        for name in LAYER_NAMES:
            self._read(self.folder(environment) / f"{name}.json")

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return None
        except OSError as error:
            raise OutputFileError(f"{path}: cannot be read ({error.strerror})") from None
        except UnicodeDecodeError as error:
            raise OutputFileError(f"{path}: not UTF-8 text (byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise OutputFileError(
                f"{path}: not valid JSON at line {error.lineno}, column {error.colno} "
                f"({error.msg}); delete it and run again to rewrite it"
            ) from None
        except RecursionError:
            raise OutputFileError(f"{path}: nested too deeply to be an output file") from None
        if not (
            isinstance(document, dict)
            and isinstance(document.get("layer"), str)
            and isinstance(document.get("outputs"), dict)
        ):
            raise OutputFileError(
                f"{path}: not an output file (a JSON object with `layer` and `outputs`); delete "
                "it and run again to rewrite it"
            )
        return document


class OutputFileError(ValueError):
    """An output file that cannot be read back; the message names it and where it is broken."""


def _holds_unknown(value: Any) -> bool:
    from pulumi.runtime.rpc import UNKNOWN  # the engine's wire sentinel for "known after deploy"

    if isinstance(value, Mapping):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_unknown(v) for v in value)
    return isinstance(value, str) and value == UNKNOWN


def _write_atomically(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(document, file, indent=2, sort_keys=False, default=str)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_flat_outputs(environment: str, root: Path = OUTPUTS_DIR) -> dict[str, Any]:
    """The merged outputs of an environment; FileNotFoundError when none were written."""
    document = json.loads((root / environment / FLAT_FILE).read_text())
    if not isinstance(document, dict):
        raise ValueError(f"{root / environment / FLAT_FILE} is not a JSON object")
    return document
