"""Resources from a `pulumi stack export` file, as the engine would hand them to the policy pack.

The root stack and provider resources are kept: the CLI analyzes them as any other resource
(`pkg/resource/deploy/analyze_snapshot.go`). Secrets stay wrapped as
the engine sends them (policies read the plaintext of a `--show-secrets` export, as under the CLI;
encrypted ones carry a placeholder), so every report can mask them (tooling.redaction). The root
stack's outputs become the layer's outputs.

Anything not shaped like an export (pulumi/pulumi `sdk/go/common/apitype/core.go`
`UntypedDeployment`/`ResourceV3`) is refused with one message naming the file and the place, and
so is what `pulumi policy analyze --file` refuses (`pkg/resource/stack/deployment.go`
`UnmarshalUntypedDeployment`): a deployment version outside 1..4 (a missing one is 0), a version 4
deployment needing a feature the CLI does not know, and a number a float64 cannot hold (NaN,
Infinity, 1e400). Resources pending deletion (`delete: true`) are read, and skipped by the analysis.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.wire import SECRET_SIGNATURE as SECRET_SIG
from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY
from tooling.offline.model import ROOT_STACK_TYPE, LayerResult, Resource
from tooling.offline.resource_options import export_timeouts
from tooling.offline.stack_config import stack_name_problem
from tooling.redaction import is_secret, wrap

ENCRYPTED = "[encrypted secret]"
URN_PREFIX = "urn:pulumi:"
# deployment.go: DeploymentSchemaVersionOldestSupported .. DeploymentSchemaVersionLatest, and the
# features a version 4 deployment may name (supportedFeatures).
OLDEST_VERSION, LATEST_VERSION = 1, 4
SUPPORTED_FEATURES = frozenset(
    {
        "refreshBeforeUpdate",
        "views",
        "hooks",
        "taint",
        "replaceWith",
        "snippets-prototype",
        "extensionParameterization",
        "byteString",
    }
)


class StackExportError(ValueError):
    """The file is not a stack export we can read; the message says what is wrong."""


@dataclass(frozen=True)
class StackExport:
    environment: str
    layers: dict[str, LayerResult]  # by project, in file order


class _Shape(Exception):
    """Raised while walking the document; becomes a StackExportError naming the file."""


def _secret(value: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An export's secret (`plaintext` JSON or `ciphertext`) in the engine's wire form."""
    if "plaintext" in value:
        plaintext = value["plaintext"]
        if not isinstance(plaintext, str):
            raise _Shape(
                f"{where}: a secret's plaintext must be a JSON string, not {_kind(plaintext)}"
            )
        try:
            return wrap(_plain(json.loads(plaintext), where))
        except json.JSONDecodeError:
            raise _Shape(f"{where}: a secret's plaintext is not JSON text") from None
    if isinstance(value.get("ciphertext"), str):
        return wrap(ENCRYPTED)
    raise _Shape(f"{where}: a secret has neither plaintext (a string) nor ciphertext (a string)")


def _plain(value: Any, where: str) -> Any:
    """Property values as the engine sends them: secrets wrapped, everything else as is."""
    if isinstance(value, Mapping):
        if SECRET_SIG_KEY in value:
            if value[SECRET_SIG_KEY] != SECRET_SIG:
                return {k: _plain(v, f"{where}.{k}") for k, v in value.items()}  # another signature
            return _secret(value, where)
        return {k: _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _urn_parts(urn: Any, where: str) -> tuple[str, str, str]:
    """(stack, project, type) from `urn:pulumi:<stack>::<project>::<qualified type>::<name>`."""
    if not isinstance(urn, str):
        raise _Shape(f"{where}.urn must be a string, not {_kind(urn)}")
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith(URN_PREFIX):
        raise _Shape(
            f"{where}.urn {urn!r} is not a Pulumi URN "
            "(urn:pulumi:<stack>::<project>::<type>::<name>)"
        )
    stack, project, qualified = parts[0].removeprefix(URN_PREFIX), parts[1], parts[2]
    problem = stack_name_problem(stack)
    if problem:
        raise _Shape(f"{where}.urn {urn!r}: its stack name is invalid: {problem}")
    if not project or not qualified:
        raise _Shape(f"{where}.urn {urn!r} has an empty project or type")
    return stack, project, qualified.rsplit("$", 1)[-1]


def _field(item: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = item.get(key)
    if value is not None and not isinstance(value, kind):
        expected = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
        wanted = " or ".join(
            expected.get(k, k.__name__) for k in (kind if isinstance(kind, tuple) else (kind,))
        )
        raise _Shape(f"{where}.{key} must be {wanted}, not {_kind(value)}")
    return value


def _resource(item: Any, where: str) -> tuple[str, str, Resource]:
    """(stack, project, resource) of one `deployment.resources[]` entry."""
    if not isinstance(item, dict):
        raise _Shape(f"{where} must be an object, not {_kind(item)}")
    stack, project, urn_type = _urn_parts(item.get("urn"), where)
    type_ = _field(item, "type", str, where)
    if not type_:
        raise _Shape(f"{where} has no type")
    if type_ != urn_type:
        raise _Shape(f"{where}.type {type_!r} does not match its URN's type {urn_type!r}")
    inputs = _field(item, "inputs", dict, where) or {}
    outputs = _field(item, "outputs", dict, where) or {}
    dependencies = _field(item, "dependencies", list, where) or []
    if not all(isinstance(d, str) for d in dependencies):
        raise _Shape(f"{where}.dependencies must be a list of URN strings")
    property_dependencies = _field(item, "propertyDependencies", dict, where) or {}
    for key, urns in property_dependencies.items():
        # map[PropertyKey][]URN in Go: a null list is an empty one (older SDKs write it).
        if not (urns is None or (isinstance(urns, list) and all(isinstance(u, str) for u in urns))):
            raise _Shape(f"{where}.propertyDependencies.{key} must be a list of URN strings")
    for key in ("parent", "provider"):
        _field(item, key, str, where)
    for key in ("protect", "custom", "delete"):
        _field(item, key, bool, where)
    for key in ("ignoreChanges", "additionalSecretOutputs", "aliases"):
        values = _field(item, key, list, where) or []
        if not all(isinstance(v, str) for v in values):
            raise _Shape(f"{where}.{key} must be a list of strings")
    _field(item, "customTimeouts", dict, where)
    resource = Resource(
        type=type_,
        name=item["urn"].split("::", 3)[3],
        urn=item["urn"],
        inputs=_plain(inputs, f"{where}.inputs"),
        outputs=_plain(outputs, f"{where}.outputs"),
        parent=item.get("parent") or "",
        dependencies=tuple(dependencies),
        property_dependencies={k: tuple(v or ()) for k, v in property_dependencies.items()},
        provider=item.get("provider") or "",
        protect=bool(item.get("protect", False)),
        custom=bool(item.get("custom", True)),
        ignore_changes=tuple(item.get("ignoreChanges") or ()),
        additional_secret_outputs=tuple(item.get("additionalSecretOutputs") or ()),
        aliases=tuple(item.get("aliases") or ()),
        custom_timeouts=export_timeouts(item.get("customTimeouts")),
        delete=bool(item.get("delete", False)),
    )
    return stack, project, resource


def _read_document(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StackExportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise StackExportError(f"{path}: is a folder, not a stack export file") from None
    except OSError as error:
        raise StackExportError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StackExportError(
            f"{path}: not UTF-8 text (byte {error.start} is {raw[error.start]:#04x}); "
            "`pulumi stack export` writes UTF-8 JSON"
        ) from None
    try:
        return json.loads(text, parse_constant=_not_a_float, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as error:
        raise StackExportError(f"{path}: not a JSON stack export ({error})") from None
    except _Number as error:
        raise StackExportError(f"{path}: {_where(text, error.text)}: {error}") from None
    except RecursionError:
        raise StackExportError(f"{path}: JSON nested too deeply to be a stack export") from None


class _Number(ValueError):
    """A JSON number Go's encoding/json cannot put in a float64: the CLI refuses the file."""

    def __init__(self, text: str) -> None:
        self.text = text
        shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text)} digits)"
        super().__init__(
            f"the number {shown} cannot be held by a stack export "
            "(JSON numbers are 64-bit floats: no NaN, no Infinity, at most about 1.8e308)"
        )


def _not_a_float(text: str) -> Any:
    raise _Number(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Number(text)
    return value


def _int(text: str) -> int:
    value = int(text)
    if len(text) > 300 and not math.isfinite(float(text)):
        raise _Number(text)
    return value


def _where(text: str, token: str) -> str:
    """`line L, column C` of the first occurrence of `token` in the document."""
    offset = max(text.find(token), 0)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _deployment(document: Any, path: Path) -> list[Any]:
    """`deployment.resources` of an UntypedDeployment, with its version and features checked."""
    if not isinstance(document, dict):
        raise StackExportError(
            f"{path}: not a stack export (expected the JSON object `pulumi stack export` writes, "
            f"not {_kind(document)})"
        )
    version = document.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise StackExportError(f"{path}: version must be a number, not {_kind(version)}")
    # deployment.go ErrDeploymentSchemaVersionTooOld / TooNew, worded as the CLI words them.
    if version < OLDEST_VERSION:
        missing = " (it has no version)" if "version" not in document else f" (version {version})"
        raise StackExportError(
            f"{path}: this stack's deployment is too old{missing}; "
            f"`pulumi stack export` writes versions {OLDEST_VERSION}-{LATEST_VERSION}"
        )
    if version > LATEST_VERSION:
        raise StackExportError(
            f"{path}: this stack's deployment version is too new (version {version}; the CLI "
            f"reads up to {LATEST_VERSION})"
        )
    features = document.get("features") or []
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise StackExportError(f"{path}: features must be a list of strings")
    unsupported = [f for f in features if f not in SUPPORTED_FEATURES]
    if version >= 4 and unsupported:  # validateSupportedFeatures: only read from version 4
        raise StackExportError(
            f"{path}: this stack's deployment needs support for the following features: "
            f"{', '.join(unsupported)}"
        )
    deployment = document.get("deployment")
    raw = deployment.get("resources") if isinstance(deployment, dict) else None
    if raw is None and isinstance(deployment, dict):
        return []  # an empty stack: `resources` is omitempty
    if not isinstance(raw, list):
        raise StackExportError(
            f"{path}: no deployment.resources[] list (expected the output of `pulumi stack export`)"
        )
    return raw


def read_stack_export(path: Path, environment: str | None = None) -> StackExport:
    raw = _deployment(_read_document(path), path)
    grouped: dict[str, list[Resource]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    stacks: set[str] = set()
    try:
        for index, item in enumerate(raw):
            stack, project, resource = _resource(item, f"deployment.resources[{index}]")
            stacks.add(stack)
            grouped.setdefault(project, []).append(resource)
            if resource.type == ROOT_STACK_TYPE:
                outputs[project] = resource.outputs
    except _Shape as error:
        raise StackExportError(f"{path}: {error}") from None
    except RecursionError:
        raise StackExportError(f"{path}: values nested too deeply to be a stack export") from None
    if environment is None:
        if not stacks:
            return StackExport(environment="", layers={})  # nothing to analyze (policy_analyze.go)
        if len(stacks) != 1:
            raise StackExportError(
                f"{path}: resources from {len(stacks)} stacks ({', '.join(sorted(stacks)) or 'none'}); "
                "pass --env"
            )
        environment = stacks.pop()
    layers = {}
    for project, resources in grouped.items():
        values = outputs.get(project, {})
        layers[project] = LayerResult(
            layer=project,
            stack=environment,
            resources=tuple(resources),
            # A whole output that is secret is unwrapped and named secret, as a plan reports it.
            outputs={k: v["value"] if is_secret(v) else v for k, v in values.items()},
            secret_outputs=frozenset(k for k, v in values.items() if is_secret(v)),
        )
    return StackExport(environment=environment, layers=layers)
