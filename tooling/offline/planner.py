"""The offline plan: every layer of one environment in deploy order, then the policy pack over them.

Layers run in forked children of this (warm) process; a layer starts as soon as everything upstream
of it has finished, so independent layers run side by side. The pack process is launched before the
first layer and connected to after the last one, so its start-up overlaps the layer runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared import config as shared_config
from shared.layers import LAYER_NAMES, POLICY_PACK_DIR, Layer, with_upstream
from tooling.offline.analyzer import (
    Violation,
    load_policy_config,
    policy_config_file,
    policy_pack,
)
from tooling.offline.engine import LayerResult, LayerRun, start_layer, warm
from tooling.offline.stack_config import namespaced, read_stack_config


class PlanError(ValueError):
    """A usage or config mistake found before any program ran; the message names layer and key."""


@dataclass(frozen=True)
class PlanResult:
    environment: str
    layers: dict[str, LayerResult]  # in deploy order
    violations: list[Violation]
    notes: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # the pack's policy names; empty when none were evaluated
    pack: str = ""  # "<name>@<version>" of the evaluated pack, "" when policies were skipped

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


@dataclass(frozen=True)
class _LayerInput:
    layer: Layer
    config: dict[str, Any]
    secure_keys: tuple[str, ...]
    environment_class: str
    program_dir: Path | None = field(default=None)


def _prepare(
    layer: Layer,
    environment: str,
    overrides: Mapping[str, Any],
    stacks_dir: Path | None,
) -> _LayerInput:
    stack = read_stack_config(layer.name, environment, stacks_dir=stacks_dir)
    values = {**stack.values, **namespaced(layer.name, overrides)}
    try:
        # The same pure validation the program runs first: a bad value stops here, clearly.
        parsed = shared_config.parse(layer.name, values, stack=environment)
    except ValueError as error:
        raise PlanError(str(error)) from None
    return _LayerInput(
        layer=layer,
        config=values,
        secure_keys=tuple(
            k for k in stack.secure_keys if k not in namespaced(layer.name, overrides)
        ),
        environment_class=parsed.common.environment.environment_class,
        program_dir=(stacks_dir / layer.name) if stacks_dir else None,
    )


def plan(
    environment: str,
    *,
    layers: Sequence[str] | None = None,
    config_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    pack_dir: Path | None = POLICY_PACK_DIR,
    stacks_dir: Path | None = None,
    preview: bool = False,
) -> PlanResult:
    """Run the layers (the named ones plus everything upstream; all by default) and the pack.

    Config per layer: `stacks/<layer>/Pulumi.<environment>.yaml` merged with
    `config_overrides[layer]`. `pack_dir=None` skips policy evaluation. `stacks_dir` points at
    another tree of layer programs (tests use fixture programs).
    Raises PlanError (config/usage), StackConfigError/ProgramError (a program failed) and
    PolicyPackError (the pack could not be run).
    """
    overrides = dict(config_overrides or {})
    try:
        selected = with_upstream(list(layers) if layers else list(LAYER_NAMES))
    except ValueError as error:
        raise PlanError(str(error)) from None
    unknown = sorted(set(overrides) - set(LAYER_NAMES))
    if unknown:
        raise PlanError(f"config_overrides for unknown layer(s): {', '.join(unknown)}")
    prepared = [
        _prepare(layer, environment, overrides.get(layer.name, {}), stacks_dir)
        for layer in selected
    ]
    notes = _secure_note(prepared)
    warm()
    if pack_dir is None:
        results = _run_layers(prepared, environment, preview)
        return PlanResult(environment, results, [], notes)
    union = {k: v for item in prepared for k, v in item.config.items()}
    with policy_pack(
        pack_dir, environment=environment, project=selected[0].name, config=union, preview=preview
    ) as server:
        results = _run_layers(prepared, environment, preview)
        violations: list[Violation] = []
        for item in prepared:
            config_file = policy_config_file(pack_dir, item.environment_class)
            server.configure(
                layer=item.layer.name,
                policy_config=load_policy_config(pack_dir, item.environment_class),
                source=str(config_file),
            )
            violations.extend(
                server.analyze(results[item.layer.name].resources, layer=item.layer.name)
            )
        policies = tuple(p.name for p in server.policies)
        if not policies:
            notes += (
                f"the policy pack in {pack_dir} has no policies: nothing was checked "
                "(the policy-pack issue fills it)",
            )
        pack = f"{server.name}@{server.version}"
    return PlanResult(environment, results, violations, notes, policies, pack)


def _secure_note(prepared: Sequence[_LayerInput]) -> tuple[str, ...]:
    keys = [key for item in prepared for key in item.secure_keys]
    if not keys:
        return ()
    return (
        f"secure config values cannot be decrypted offline: planned as if unset and not validated "
        f"(pass the plaintext as a config override to check it): {', '.join(keys)}",
    )


def _run_layers(
    prepared: Sequence[_LayerInput], environment: str, preview: bool
) -> dict[str, LayerResult]:
    """Start every layer whose upstream is done; wait in deploy order; repeat."""
    done: dict[str, LayerResult] = {}
    pending = list(prepared)
    while pending:
        ready = [p for p in pending if all(name in done for name in p.layer.upstream)]
        runs: list[tuple[_LayerInput, LayerRun]] = [
            (
                item,
                start_layer(
                    item.layer.name,
                    environment,
                    config=item.config,
                    upstream=dict(done),
                    preview=preview,
                    program_dir=item.program_dir,
                    secret_keys=item.secure_keys,
                ),
            )
            for item in ready
        ]
        failure: BaseException | None = None
        for item, run in runs:
            try:
                done[item.layer.name] = run.result()
            except BaseException as error:  # collect every child before reporting the first failure
                failure = failure or error
        if failure is not None:
            raise failure
        pending = [p for p in pending if p.layer.name not in done]
    return {item.layer.name: done[item.layer.name] for item in prepared}


def policy_check(
    export_file: Path, *, environment: str | None = None, pack_dir: Path = POLICY_PACK_DIR
) -> PlanResult:
    """The pack over the resources of a `pulumi stack export` file, one project at a time."""
    from shared.environment import parse_environment
    from tooling.offline.stack_export import read_stack_export

    export = read_stack_export(export_file, environment)
    try:
        klass = parse_environment(export.environment).environment_class
    except ValueError as error:
        raise PlanError(str(error)) from None
    violations: list[Violation] = []
    with policy_pack(
        pack_dir,
        environment=export.environment,
        project=next(iter(export.layers), "stack"),
        config={},
    ) as server:
        for name, layer in export.layers.items():
            server.configure(
                layer=name,
                policy_config=load_policy_config(pack_dir, klass),
                source=str(policy_config_file(pack_dir, klass)),
            )
            violations.extend(server.analyze(layer.resources, layer=name))
        pack = f"{server.name}@{server.version}"
        policies = tuple(p.name for p in server.policies)
    return PlanResult(export.environment, export.layers, violations, (), policies, pack)
