"""The Deployer protocol on the offline runner: stacks are LayerResults in a dict, programs run under mocks.

By default each layer runs its contract program (tests/fixtures/layer_programs.py), generated once
per test process from shared.layers.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

# tooling.offline.mocks is imported once here, so every forked program run starts warm.
import tooling.offline.mocks  # noqa: F401
from shared.environment import Environment
from shared.layers import STACKS_DIR, Layer
from tests.conftest import deploy_values
from tests.fixtures.layer_programs import write_layer_programs
from tooling.deploy.orchestrator import (
    DeployError,
    DestroyReport,
    StackMissingError,
    StackOutputs,
)
from tooling.offline import LayerResult, ProgramError, load_stack_config, run_layer


@functools.cache
def contract_programs() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="contract-programs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return write_layer_programs(folder)


class OfflineDeployer:
    def __init__(
        self,
        *,
        programs: Path | None = None,
        fail: Mapping[str, str] | None = None,
        protected: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.programs = programs or contract_programs()  # a tree of layer programs
        self.fail = dict(fail or {})
        self.protected = dict(protected or {})
        # (layer, environment) -> the last update's result; None: the stack exists but is empty.
        self.stacks: dict[tuple[str, str], LayerResult | None] = {}
        self.calls: list[tuple[str, str, str]] = []

    def stack_names(self, layer: Layer) -> tuple[str, ...]:
        return tuple(env for name, env in self.stacks if name == layer.name)

    def exists(self, layer: Layer, environment: Environment) -> bool:
        return (layer.name, environment.name) in self.stacks

    def _run(self, layer: Layer, environment: Environment, *, preview: bool) -> LayerResult:
        if layer.name in self.fail:
            raise DeployError(self.fail[layer.name])
        upstream: dict[str, LayerResult] = {}
        for name in layer.upstream:
            found = self.stacks.get((name, environment.name))
            if found is None:
                raise DeployError(f"unknown stack organization/{name}/{environment.name}")
            upstream[name] = found
        # The real programs read their committed Pulumi.<env>.yaml, as `pulumi up` would; all get
        # the stand-ins for the values users set (an alarm destination in prod).
        committed = load_stack_config(layer.name, environment.name)
        config = {
            **(committed if self.programs == STACKS_DIR else {}),
            **deploy_values(environment.name, layer.name),
        }
        try:
            return run_layer(
                layer.name,
                environment.name,
                config=config,
                upstream=upstream,
                preview=preview,
                program_dir=self.programs / layer.name,
            )
        except ProgramError as error:
            raise DeployError(str(error)) from None

    def up(self, layer: Layer, environment: Environment) -> StackOutputs:
        self.calls.append(("up", layer.name, environment.name))
        result = self._run(layer, environment, preview=False)
        self.stacks[(layer.name, environment.name)] = result
        return StackOutputs(dict(result.outputs), result.secret_outputs)

    def preview(self, layer: Layer, environment: Environment) -> None:
        self.calls.append(("preview", layer.name, environment.name))
        if (layer.name, environment.name) not in self.stacks:  # select_stack: never creates one
            raise StackMissingError(
                f"stack {environment.name} of stacks/{layer.name} does not exist"
            )
        self._run(layer, environment, preview=True)

    def destroy(
        self, layer: Layer, environment: Environment, *, remove_stack: bool
    ) -> DestroyReport:
        self.calls.append(("destroy", layer.name, environment.name))
        if layer.name in self.fail:
            raise DeployError(self.fail[layer.name])
        key = (layer.name, environment.name)
        if layer.name in self.protected:
            return DestroyReport(protected=self.protected[layer.name])
        if remove_stack:
            del self.stacks[key]
        else:
            self.stacks[key] = None
        return DestroyReport()
