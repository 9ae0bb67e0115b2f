"""Multi-stack orchestration: what Pulumi's CLI lacks (pulumi/pulumi #9257, #5462, #2309).

Every layer of an environment in `shared.layers` order, stopping at the first failure with the exact
command to resume; previews that survive a missing upstream stack; reverse-order destroys that
never force protected resources. What runs each stack operation is a protocol, `Deployer`: the
Automation API adapter in production, an offline double in tests. Nothing here imports
`pulumi.automation`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.environment import Environment, classes_with
from shared.layers import LAYERS, Layer, get_layer, readers
from tooling.outputs import OutputFileWriter

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class DeployError(Exception):
    """A stack operation failed; the message is written for a person and needs no traceback."""


class StackMissingError(DeployError):
    """The stack, or a stack it reads, does not exist yet: a preview would have to create it."""


OfflinePlan = Callable[[Environment, Sequence[Layer]], None]
"""Shows the offline plan of layers that cannot be previewed yet (tooling.offline's plan)."""


@dataclass(frozen=True)
class StackOutputs:
    values: dict[str, Any]
    secret: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DestroyReport:
    protected: tuple[str, ...] = ()
    """URNs left in place because they are protected; the stack is kept when this is not empty."""


class Deployer(Protocol):
    """One stack operation at a time; failures raise DeployError."""

    def exists(self, layer: Layer, environment: Environment) -> bool: ...

    def up(self, layer: Layer, environment: Environment) -> StackOutputs: ...

    def preview(self, layer: Layer, environment: Environment) -> None:
        """Preview an existing stack; never creates one (StackMissingError instead)."""
        ...

    def destroy(
        self, layer: Layer, environment: Environment, *, remove_stack: bool
    ) -> DestroyReport: ...


class SelectionError(ValueError):
    """A user asked for layers that cannot be combined that way."""


def select_layers(*, start_from: str | None = None, only: Sequence[str] = ()) -> tuple[Layer, ...]:
    """`--from LAYER`: that layer and every later one; `--only A B`: exactly those; in deploy order."""
    if start_from is not None and only:
        raise SelectionError("use either --from or --only, not both")
    if start_from is not None:
        first = get_layer(start_from)
        return LAYERS[LAYERS.index(first) :]
    if only:
        wanted = {get_layer(name).name for name in only}
        return tuple(layer for layer in LAYERS if layer.name in wanted)
    return LAYERS


def _names(layers: Sequence[Layer]) -> str:
    return ", ".join(layer.name for layer in layers) or "none"


@dataclass
class Orchestrator:
    deployer: Deployer
    writer: OutputFileWriter
    say: Callable[[str], None] = print
    ask: Callable[[str], str] = input
    offline_plan: OfflinePlan | None = None
    layers: tuple[Layer, ...] = LAYERS  # the layer graph; tests give other shapes

    def _header(self, index: int, total: int, layer: Layer, environment: Environment) -> None:
        self.say(f"\n[{index}/{total}] {layer.name} ({environment.name})")

    def _confirm(self, prompt: str, accepted: set[str]) -> bool:
        try:
            answer = self.ask(prompt)
        except EOFError:  # no terminal (CI, a pipe): never assume yes
            answer = ""
        except KeyboardInterrupt:  # Ctrl-C at the prompt is a no
            self.say("")
            answer = ""
        return answer.strip().lower() in accepted

    def deploy(
        self,
        environment: Environment,
        layers: Sequence[Layer],
        *,
        yes: bool = False,
        resume: Callable[[Sequence[Layer]], str],
    ) -> int:
        """`up` each layer in order, writing its outputs; stop at the first failure."""
        selected = {layer.name for layer in layers}
        for layer in layers:
            for name in layer.upstream:
                if name not in selected and not self.deployer.exists(get_layer(name), environment):
                    self.say(
                        f"{layer.name} reads from {name}, which has no stack in {environment.name} "
                        f"yet. Deploy it first: nox -s deploy-all -- {environment.name} "
                        f"--from {name}"
                    )
                    return 1
        if environment.profile.confirm_deploy and not yes:
            prompt = f"Deploy {_names(layers)} to {environment.name}? [y/N] "
            if not self._confirm(prompt, {"y", "yes"}):
                self.say(f"Nothing deployed to {environment.name} (confirm, or pass --yes).")
                return 1
        done: list[Layer] = []
        for index, layer in enumerate(layers, start=1):
            self._header(index, len(layers), layer, environment)
            remaining = layers[index - 1 :]
            try:
                outputs = self.deployer.up(layer, environment)
            except DeployError as error:
                self.say(f"\n{layer.name} ({environment.name}) failed: {error}")
                self.say(f"Done: {_names(done)}. Not touched: {_names(remaining[1:])}.")
                self.say(f"Resume with: {resume(remaining)}")
                return 1
            except KeyboardInterrupt:
                # Pulumi got the same Ctrl-C and stops its update cleanly; this layer is unfinished.
                self.say(f"\ninterrupted during {layer.name} ({environment.name})")
                self.say(f"Done: {_names(done)}. Not finished: {_names(remaining)}.")
                self.say(f"Resume with: {resume(remaining)}")
                return EXIT_INTERRUPTED
            path = self.writer.write(environment.name, layer.name, outputs.values, outputs.secret)
            done.append(layer)
            self.say(f"{layer.name} ({environment.name}) is up; outputs in {path}")
        self.say(f"\nDeployed {_names(done)} to {environment.name}.")
        return 0

    def preview(self, environment: Environment, layers: Sequence[Layer]) -> int:
        """Preview each existing layer; one whose stack or upstream does not exist yet is "not
        previewable yet" (exit 0 for it) and its offline plan is shown instead. Nothing is created:
        a read-only role could not, and a created empty stack would break the next deploy."""
        skipped: list[Layer] = []
        failed: list[Layer] = []
        for index, layer in enumerate(layers, start=1):
            self._header(index, len(layers), layer, environment)
            missing = [
                name
                for name in (*layer.upstream, layer.name)
                if not self.deployer.exists(get_layer(name), environment)
            ]
            if missing:
                skipped.append(layer)
                self.say(
                    f"not previewable yet: stack(s) {', '.join(missing)} of {environment.name} "
                    "do not exist yet (a preview never creates one); its offline plan is shown "
                    "below."
                )
                continue
            try:
                self.deployer.preview(layer, environment)
            except StackMissingError as error:
                skipped.append(layer)
                self.say(f"not previewable yet: {error}; its offline plan is shown below.")
            except DeployError as error:
                failed.append(layer)
                self.say(f"{layer.name} ({environment.name}) preview failed: {error}")
        if skipped:
            failed.extend(self._offline(environment, skipped))
        previewed = [layer for layer in layers if layer not in skipped and layer not in failed]
        self.say(
            f"\nPreviewed: {_names(previewed)}. Not previewable yet: {_names(skipped)}. "
            f"Failed: {_names(failed)}."
        )
        return 1 if failed else 0

    def _offline(self, environment: Environment, layers: Sequence[Layer]) -> list[Layer]:
        """The offline plan of `layers`; the layers it could not plan count as failed."""
        self.say(f"\nOffline plan of {_names(layers)} ({environment.name}), no AWS involved:")
        if self.offline_plan is None:
            self.say(f"run `nox -s plan -- {environment.name}` to see it.")
            return []
        try:
            self.offline_plan(environment, layers)
        except DeployError as error:
            self.say(f"the offline plan failed: {error}")
            return list(layers)
        return []

    def destroy(
        self,
        environment: Environment,
        *,
        yes: bool = False,
        remove_stacks: bool = False,
        keep_going: bool = False,
    ) -> int:
        """Destroy every layer in reverse order; protected resources are reported, never forced.

        Without `keep_going` the first layer that fails or keeps a protected resource stops the
        run. With it, every layer whose readers (`shared.layers.readers`) are all gone is still
        destroyed, and the end names each layer left and why."""
        layers = tuple(reversed(self.layers))
        if environment.profile.confirm_deploy and not yes:
            prompt = (
                f"Destroy every layer of {environment.name} ({_names(layers)})? "
                "Type the environment name to confirm: "
            )
            if not self._confirm(prompt, {environment.name}):
                self.say(
                    f"Nothing destroyed (type {environment.name!r}, or pass --yes-destroy-prod)."
                )
                return 1
        destroyed: list[Layer] = []
        left: dict[str, str] = {}  # layer name -> why it is still there
        for index, layer in enumerate(layers, start=1):
            self._header(index, len(layers), layer, environment)
            waiting = [name for name in readers(layer.name, self.layers) if name in left]
            if waiting:
                left[layer.name] = f"still read by {', '.join(waiting)}"
                self.say(f"{layer.name} ({environment.name}) not destroyed: {left[layer.name]}")
                continue
            if not self.deployer.exists(layer, environment):
                self.say(f"no {layer.name} stack in {environment.name}: nothing to destroy")
                self.writer.remove(environment.name, layer.name)
                continue
            try:
                report = self.deployer.destroy(layer, environment, remove_stack=remove_stacks)
            except KeyboardInterrupt:
                self.say(f"\ninterrupted during {layer.name} ({environment.name})")
                self.say(
                    f"Destroyed: {_names(destroyed)}. Still there: {_names(layers[index - 1 :])}."
                )
                self.say("Run the same command again to finish; finished layers are no-ops.")
                return EXIT_INTERRUPTED
            except DeployError as error:
                self.say(f"\n{layer.name} ({environment.name}) destroy failed: {error}")
                if keep_going:
                    left[layer.name] = f"destroy failed: {error}"
                    continue
                self.say(
                    f"Destroyed: {_names(destroyed)}. Still there: {_names(layers[index - 1 :])}."
                )
                self.say(
                    "Fix the cause and run the same command again; finished layers are no-ops."
                )
                return 1
            self.writer.remove(environment.name, layer.name)
            if report.protected:
                self._kept(layer, environment, report.protected)
                if keep_going:
                    left[layer.name] = f"{len(report.protected)} protected resource(s) kept"
                    continue
                self.say(
                    f"Stopped before {_names(layers[index:])}: they may still serve these "
                    f"resources. If they really must go: cd stacks/{layer.name} && pulumi state "
                    f"unprotect --all -s {environment.name}, then run this again."
                )
                return 1
            destroyed.append(layer)
        if left:
            self._left(environment, destroyed, left)
            return 1
        if remove_stacks:
            self.writer.remove_environment(environment.name)
        self.say(
            f"\nDestroyed {_names(destroyed) if destroyed else 'nothing'} in {environment.name}."
        )
        return 0

    def _kept(self, layer: Layer, environment: Environment, protected: Sequence[str]) -> None:
        self.say(
            f"{layer.name} ({environment.name}) kept {len(protected)} protected resource(s), "
            "not forced:"
        )
        for urn in protected:
            self.say(f"  {urn}")

    def _left(
        self, environment: Environment, destroyed: Sequence[Layer], left: Mapping[str, str]
    ) -> None:
        self.say(f"\nDestroyed: {_names(destroyed)}. Left in {environment.name}:")
        for name, why in left.items():
            self.say(f"  {name}: {why}")
        self.say("Fix the causes and run the same command again; finished layers are no-ops.")

    def cleanup_pr(self, environment: Environment) -> int:
        """A PR environment's end: destroy every layer, remove its stacks and output files; a
        layer that fails does not stop the ones the order still allows (see `destroy`)."""
        if not environment.profile.disposable:
            self.say(
                f"cleanup-pr only removes environments of a disposable class ({', '.join(classes_with(lambda p: p.disposable))}); "
                f"{environment.name} is {environment.environment_class}. Use destroy-all for it."
            )
            return 2
        return self.destroy(environment, yes=True, remove_stacks=True, keep_going=True)
