"""Run one layer program under `pulumi.runtime.set_mocks`, isolated in a forked child.

Pulumi keeps process-wide state (root stack, config, module cache), so every stack run happens in
a child forked from this warm parent: the parent pays the pulumi/pulumi_aws import cost once, each
child starts clean and sends back plain data.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import pickle
import runpy
import signal
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.layers import get_layer
from tooling.offline.model import (
    ORGANIZATION,
    UNKNOWN,
    LayerResult,
    config_string,
    wire_value,
)


class ProgramError(RuntimeError):
    """The layer program raised: carries the layer and the program's own traceback."""

    def __init__(self, layer: str, stack: str, message: str, program_traceback: str) -> None:
        self.layer, self.stack, self.program_traceback = layer, stack, program_traceback
        self.message = message
        super().__init__(f"layer {layer} (stack {stack}) failed: {message}")


class StackConfigError(ProgramError):
    """The program stopped on a config value the user wrote: `user_message` names layer and key."""

    user_message = ""


RUN_ERROR = "RunError"
# Exceptions from `shared` that mean "the user wrote something that cannot work", not a program bug.
_USER_MISTAKES = (
    "ConfigError",
    "EnvironmentNameError",
    "UnknownLayerError",
    "UnknownResourceTypeError",
)

# The pulumi_aws modules the layers use. pulumi_aws loads submodules lazily, on first attribute
# access; touching them here, in the parent, is what makes every forked stack run cheap.
AWS_MODULES = (
    "ec2",
    "rds",
    "s3",
    "kms",
    "ecs",
    "lb",
    "iam",
    "cloudwatch",
    "sns",
    "route53",
    "appautoscaling",
    "secretsmanager",
    "vpc",
)


def warm(modules: Iterable[str] = AWS_MODULES) -> None:
    """Import pulumi, pulumi_aws's layer modules and `shared` once, so forked children inherit them."""
    import pulumi  # noqa: F401
    import pulumi_aws

    import shared.config
    import shared.references  # noqa: F401
    import tooling.offline.mocks  # noqa: F401

    with warnings.catch_warnings():
        # Loading a module imports its deprecated classes too; that is not the user's concern.
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in modules:
            module = importlib.import_module(f"pulumi_aws.{name}")
            # Any non-dunder attribute forces the lazy module to execute.
            getattr(module, "_utilities", None)
    getattr(pulumi_aws, "Provider", None)


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
    program_dir: str | Path | None = None,
    secret_keys: Iterable[str] = (),
) -> LayerResult:
    """Run `stacks/<layer>/__main__.py` (or `program_dir`) under mocks in a forked child.

    `config` is the stack config (`<layer>:<key>` -> value); `upstream` maps layer names to the
    results whose outputs answer this program's StackReferences (same environment). A key that
    is a full reference name (`organization/<layer>/<env>`) answers a reference to another
    environment, such as a peer's network stack. `secret_keys` are config keys the program must
    see as secrets.
    """
    folder = str(program_dir or get_layer(layer).folder)
    refs = {
        (name if "/" in name else f"{ORGANIZATION}/{name}/{environment}"): _Upstream(
            dict(r.outputs), r.secret_outputs
        )
        for name, r in (upstream or {}).items()
    }
    # A file rather than a pipe: a big result never blocks the child on a full pipe.
    handle, path = tempfile.mkstemp(prefix=f"offline-{layer}-", suffix=".pickle")
    pid = os.fork()
    if pid == 0:  # child
        status = 0
        try:
            payload: object = _run_in_child(
                layer,
                environment,
                folder,
                config=dict(config or {}),
                refs=refs,
                preview=preview,
                secret_keys=list(secret_keys),
            )
        except BaseException as error:
            payload = _failure(error, folder)
            status = 1
        with os.fdopen(handle, "wb") as out:
            pickle.dump(payload, out)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    os.close(handle)
    try:
        os.waitpid(pid, 0)
        data = Path(path).read_bytes()
    except BaseException:  # Ctrl-C: stop the child too, and leave no file behind
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    finally:
        Path(path).unlink(missing_ok=True)
    return _layer_result(layer, environment, data)


def _layer_result(layer: str, environment: str, data: bytes) -> LayerResult:
    if not data:
        raise ProgramError(layer, environment, "the program's process died without a result", "")
    payload = pickle.loads(data)
    if isinstance(payload, tuple) and payload and payload[0] == "error":
        _, kind, message, tb = payload
        if kind in _USER_MISTAKES:
            error = StackConfigError(layer, environment, f"{kind}: {message}", tb)
            error.user_message = message
            raise error
        raise ProgramError(
            layer, environment, message if kind == RUN_ERROR else f"{kind}: {message}", tb
        )
    assert isinstance(payload, LayerResult)
    return payload


def _failure(error: BaseException, folder: str) -> tuple[str, str, str, str]:
    """("error", kind, message, traceback) for the parent. A `pulumi.RunError` (ConfigMissingError
    too) is shown by its message alone, as the CLI's Python host does
    (pulumi/pulumi `sdk/python/cmd/pulumi-language-python-exec`: `except pulumi.RunError`);
    anything else keeps its traceback, trimmed to the program's own frames."""
    import pulumi

    if type(error).__name__ in _USER_MISTAKES:  # reported by the parent with the user's message
        return ("error", type(error).__name__, str(error), _program_traceback(error, folder))
    for exception in (error, error.__cause__, error.__context__):
        if isinstance(exception, pulumi.RunError):
            return ("error", RUN_ERROR, str(exception), "")
    return ("error", type(error).__name__, str(error), _program_traceback(error, folder))


def _program_traceback(error: BaseException, folder: str) -> str:
    """The program's own frames: the harness, runpy, asyncio and the Pulumi SDK are noise.

    An exception raised inside an `apply` surfaces from `wait_for_rpcs` with the SDK's frames; the
    program's frames are on its cause, so the chain is searched for the first one that has some.
    """
    import pulumi

    noise = (
        str(Path(__file__).resolve()),
        "<frozen runpy>",
        str(Path(asyncio.__file__).parent),
        str(Path(pulumi.__file__).parent),
    )
    chain = [error, *(e for e in (error.__cause__, error.__context__) if e is not None)]
    for exception in chain:
        frames = [
            frame
            for frame in traceback.extract_tb(exception.__traceback__)
            if not frame.filename.startswith(noise)
        ]
        if frames:
            lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
            lines.extend(traceback.format_exception_only(type(exception), exception))
            return "".join(lines)
    return "".join(traceback.format_exception_only(type(error), error))


def _run_in_child(
    layer: str,
    environment: str,
    folder: str,
    *,
    config: dict[str, Any],
    refs: dict[str, _Upstream],
    preview: bool,
    secret_keys: list[str],
) -> LayerResult:
    import pulumi
    from pulumi.runtime import settings, stack

    from tooling.offline.mocks import PlanMocks, RecordingMonitor

    # A fresh loop: an inherited one would share its selector (epoll fd) with the parent.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = PlanMocks(
        environment=environment, config=config, references=refs, project=layer, preview=preview
    )
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks,
        project=layer,
        stack=environment,
        preview=preview,
        organization=ORGANIZATION,
        monitor=monitor,
    )
    pulumi.runtime.set_all_config(
        {k: config_string(v) for k, v in config.items()}, secret_keys or None
    )
    _forget_parent_tasks(loop)
    sys.path.insert(0, folder)
    runpy.run_path(folder, run_name="__main__")
    loop.run_until_complete(stack.wait_for_rpcs())
    root = settings.get_root_resource()
    outputs: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        known = loop.run_until_complete(output.is_known())
        # Unknown (preview) outputs travel as the engine's sentinel, so downstream sees them unknown.
        outputs[name] = loop.run_until_complete(output.future()) if known else UNKNOWN
        if loop.run_until_complete(output.is_secret()):
            secret.add(name)
    return LayerResult(
        layer=layer,
        stack=environment,
        # Registration order depends on when inputs resolve; sorted by URN, a plan is repeatable.
        resources=tuple(sorted(monitor.recorded, key=lambda r: r.urn)),
        outputs=wire_value(outputs),
        secret_outputs=frozenset(secret),
    )


def _forget_parent_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Drop Output tasks the parent created on its own loop (e.g. a test that built an Output).

    Pulumi tracks every Output in process-wide settings that `set_mocks` does not reset; tasks of
    the parent's loop can never finish in the child, and `wait_for_rpcs` would wait for them forever.
    """
    from pulumi.runtime.settings import SETTINGS

    with SETTINGS.lock:
        stale = {task for task in SETTINGS.outputs if task.get_loop() is not loop}
        SETTINGS.outputs.difference_update(stale)
    # Kept alive until os._exit: collecting them would print "Task was destroyed but it is pending".
    _PARENT_TASKS.extend(stale)


_PARENT_TASKS: list[object] = []
