"""Run one layer program under `pulumi.runtime.set_mocks`, isolated in a forked child.

Pulumi keeps process-wide state (root stack, config, module cache), so every stack run happens in
a child forked from this warm parent: the parent pays the pulumi/pulumi_aws import cost once, each
child starts clean and sends back plain data.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import runpy
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.layers import get_layer

ORGANIZATION = "organization"


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    provider: str = ""
    protect: bool = False
    custom: bool = True


@dataclass(frozen=True)
class LayerResult:
    layer: str
    stack: str
    resources: tuple[Resource, ...]
    outputs: dict[str, Any]
    secret_outputs: frozenset[str] = field(default_factory=frozenset)

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Resource:
        found = self.of_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}")
        return found[0]


class ProgramError(RuntimeError):
    """The layer program raised: carries the layer and the program's own traceback."""

    def __init__(self, layer: str, stack: str, message: str, program_traceback: str) -> None:
        self.layer, self.stack, self.program_traceback = layer, stack, program_traceback
        super().__init__(f"layer {layer} (stack {stack}) failed: {message}")


@dataclass(frozen=True)
class _Upstream:
    outputs: dict[str, Any]
    secret_outputs: frozenset[str]


def run_layer(
    layer: str,
    environment: str,
    *,
    config: Mapping[str, Any] | None = None,
    upstream: Mapping[str, LayerResult] | None = None,
    preview: bool = False,
    program_dir: str | None = None,
) -> LayerResult:
    """Run `stacks/<layer>/__main__.py` (or `program_dir`) under mocks in a forked child.

    `config` is the stack config (`<layer>:<key>` -> value); `upstream` maps layer names to the
    results whose outputs answer this program's StackReferences (same environment). A key that
    is a full reference name (`organization/<layer>/<env>`) answers a reference to another
    environment, such as a peer's network stack.
    """
    folder = program_dir or str(get_layer(layer).folder)
    refs = {
        (name if "/" in name else f"{ORGANIZATION}/{name}/{environment}"): _Upstream(
            dict(r.outputs), r.secret_outputs
        )
        for name, r in (upstream or {}).items()
    }
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        status = 0
        try:
            payload: object = _run_in_child(
                layer, environment, folder, config=dict(config or {}), refs=refs, preview=preview
            )
        except BaseException as error:
            payload = ("error", type(error).__name__, str(error), traceback.format_exc())
            status = 1
        with os.fdopen(write_fd, "wb") as pipe:
            pickle.dump(payload, pipe)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise ProgramError(layer, environment, "the program's process died without a result", "")
    payload = pickle.loads(data)
    if isinstance(payload, tuple) and payload and payload[0] == "error":
        _, kind, message, tb = payload
        raise ProgramError(layer, environment, f"{kind}: {message}", tb)
    assert isinstance(payload, LayerResult)
    return payload


def _run_in_child(
    layer: str,
    environment: str,
    folder: str,
    *,
    config: dict[str, Any],
    refs: dict[str, _Upstream],
    preview: bool,
) -> LayerResult:
    import pulumi
    from pulumi.runtime import settings, stack

    from tooling.offline.mocks import PlanMocks, RecordingMonitor

    mocks = PlanMocks(environment=environment, config=config, references=refs)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks,
        project=layer,
        stack=environment,
        preview=preview,
        organization=ORGANIZATION,
        monitor=monitor,
    )
    pulumi.runtime.set_all_config({k: _config_string(v) for k, v in config.items()})
    loop = asyncio.get_event_loop()
    sys.path.insert(0, folder)
    runpy.run_path(folder, run_name="__main__")
    loop.run_until_complete(stack.wait_for_rpcs())
    root = settings.get_root_resource()
    outputs: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        outputs[name] = loop.run_until_complete(output.future())
        if loop.run_until_complete(output.is_secret()):
            secret.add(name)
    return LayerResult(
        layer=layer,
        stack=environment,
        resources=tuple(monitor.recorded),
        outputs=outputs,
        secret_outputs=frozenset(secret),
    )


def _config_string(value: Any) -> str:
    """Pulumi hands config to programs as strings; structured values as JSON."""
    import json

    if isinstance(value, str):
        return value
    return json.dumps(value)
