"""Resources from a `pulumi stack export` file, as the engine would hand them to the policy pack.

The root stack and provider resources are kept: the engine sends them to AnalyzeStack. Secrets exported with
`--show-secrets` are unwrapped (policies see plaintext, as under the CLI); encrypted ones become a
placeholder. The root stack's outputs become the layer's outputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.wire import SECRET_SIGNATURE as SECRET_SIG
from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY
from tooling.offline.model import LayerResult, Resource

ENCRYPTED = "[encrypted secret]"


class StackExportError(ValueError):
    """The file is not a stack export we can read; the message says what is wrong."""


@dataclass(frozen=True)
class StackExport:
    environment: str
    layers: dict[str, LayerResult]  # by project, in file order


def _plain(value: Any) -> tuple[Any, bool]:
    """(value with secrets unwrapped, whether a secret was found)."""
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                return json.loads(value["plaintext"]), True
            return ENCRYPTED, True
        items = {k: _plain(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        items_list = [_plain(v) for v in value]
        return [v for v, _ in items_list], any(s for _, s in items_list)
    return value, False


def _urn_parts(urn: str) -> tuple[str, str]:
    """(stack, project) from `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        raise StackExportError(f"{urn!r} is not a Pulumi URN")
    return parts[0].removeprefix("urn:pulumi:"), parts[1]


def read_stack_export(path: Path, environment: str | None = None) -> StackExport:
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise StackExportError(f"{path}: no such file") from None
    except (OSError, json.JSONDecodeError) as error:
        raise StackExportError(f"{path}: not a JSON stack export ({error})") from None
    deployment = document.get("deployment", document) if isinstance(document, dict) else None
    raw = deployment.get("resources") if isinstance(deployment, dict) else None
    if not isinstance(raw, list):
        raise StackExportError(
            f"{path}: no deployment.resources[] list (expected the output of `pulumi stack export`)"
        )
    grouped: dict[str, list[Resource]] = {}
    outputs: dict[str, tuple[dict[str, Any], frozenset[str]]] = {}
    stacks: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "urn" not in item or "type" not in item:
            raise StackExportError(f"{path}: deployment.resources[{index}] has no urn/type")
        stack, project = _urn_parts(str(item["urn"]))
        stacks.add(stack)
        if item["type"] == "pulumi:pulumi:Stack":
            values = item.get("outputs") or {}
            plain = {k: _plain(v) for k, v in values.items()}
            outputs[project] = (
                {k: v for k, (v, _) in plain.items()},
                frozenset(k for k, (_, secret) in plain.items() if secret),
            )
        grouped.setdefault(project, []).append(
            Resource(
                type=str(item["type"]),
                name=str(item["urn"]).rsplit("::", 1)[-1],
                urn=str(item["urn"]),
                inputs=_plain(item.get("inputs") or {})[0],
                outputs=_plain(item.get("outputs") or {})[0],
                parent=str(item.get("parent") or ""),
                dependencies=tuple(item.get("dependencies") or ()),
                provider=str(item.get("provider") or ""),
                protect=bool(item.get("protect", False)),
                custom=bool(item.get("custom", True)),
            )
        )
    if environment is None:
        if len(stacks) != 1:
            raise StackExportError(
                f"{path}: resources from {len(stacks)} stacks ({', '.join(sorted(stacks)) or 'none'}); "
                "pass --env"
            )
        environment = stacks.pop()
    layers = {
        project: LayerResult(
            layer=project,
            stack=environment,
            resources=tuple(resources),
            outputs=outputs.get(project, ({}, frozenset()))[0],
            secret_outputs=outputs.get(project, ({}, frozenset()))[1],
        )
        for project, resources in grouped.items()
    }
    return StackExport(environment=environment, layers=layers)
