"""The offline plan: every layer of one environment in deploy order, then the policy packs over them.

The layer graph is a chain (each layer reads the one before it), so layers run one after another
in forked children of this (warm) process. The pack processes are launched before this process
imports pulumi_aws, so their start-up (cfn-lint's warm-up included) runs on the other core, and each
layer is checked as soon as it ran, while the next layer's program runs.

Policy config is the pack's business: it applies its own defaults and `initialConfig`; the plan adds
only the user's `--policy-pack-config` files, merged the way the CLI merges them (see policy_config).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared import config as shared_config
from shared.aws import availability_zones as aws_zones
from shared.config.schema import LayerConfig, settings
from shared.environment import Environment, parse_environment, requests_peering
from shared.layers import LAYER_NAMES, POLICY_PACK_DIR, Layer, with_upstream
from tooling.offline.analysis import analyze_stack
from tooling.offline.analyzer import PolicyPackServer, Violation, policy_packs
from tooling.offline.layer_runner import run_layer, warm
from tooling.offline.model import ORGANIZATION, LayerResult
from tooling.offline.policy_config import PolicyConfig, pair_configs
from tooling.offline.stack_config import namespaced, read_stack_config, stack_file
from tooling.redaction import remember, scrub

REGION_KEY = "aws:region"


class PlanError(ValueError):
    """A usage or config mistake found before any program ran; the message names layer and key."""


@dataclass(frozen=True)
class PlanResult:
    environment: str
    layers: dict[str, LayerResult]  # in deploy order
    violations: list[Violation]
    notes: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # the packs' policy names; empty when none were evaluated
    pack: str = ""  # "<name>@<version>" of the evaluated packs (comma-separated), "" when skipped
    # Decrypted `secure:` config values: scrubbed from every report, as any other secret.
    config_secrets: frozenset[str] = frozenset()

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
    secure_keys: tuple[str, ...]  # secrets whose plaintext is unknown offline
    environment: Environment
    program_dir: Path | None = field(default=None)
    secret_keys: tuple[str, ...] = ()  # every secret key, decrypted or not
    # The layer's peers (`Layer.peers_key`) as the program reads them (the config holds the CLI's
    # JSON text of the list).
    peers: tuple[str, ...] = ()


def _plaintexts(config: Mapping[str, Any], secret_keys: Sequence[str]) -> list[str]:
    """The known plaintexts of secret config keys (decrypted `secure:` values), to scrub."""
    return [
        str(config[key])
        for key in secret_keys
        if key in config and not shared_config.is_undecrypted(config[key])
    ]


def _prepare(
    layer: Layer,
    environment: str,
    overrides: Mapping[str, Any],
    stacks_dir: Path | None,
) -> _LayerInput:
    stack = read_stack_config(layer.name, environment, stacks_dir=stacks_dir)
    # A `secure:` value not decrypted offline is set (and secret), its value unknown until deployed.
    undecrypted = dict.fromkeys(stack.secure_keys, shared_config.UNDECRYPTED)
    values = {**undecrypted, **stack.values, **namespaced(layer.name, overrides)}
    if not values.get(REGION_KEY):
        # The AWS provider's own fallback when aws:region is unset; never a silent us-east-1.
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            values[REGION_KEY] = region
    try:
        # The same pure validation the program runs first: a bad value stops here, clearly.
        parsed = shared_config.parse(layer.name, values, stack=environment)
    except ValueError as error:
        # A decrypted secret is checked like any value, but its error never shows the plaintext.
        raise PlanError(scrub(str(error), _plaintexts(values, stack.secret_keys))) from None
    return _LayerInput(
        layer=layer,
        config=values,
        secure_keys=tuple(
            k for k in stack.secure_keys if k not in namespaced(layer.name, overrides)
        ),
        environment=parsed.environment,
        program_dir=(stacks_dir / layer.name) if stacks_dir else None,
        secret_keys=tuple(
            k for k in stack.secret_keys if k not in namespaced(layer.name, overrides)
        ),
        peers=_peers(layer, parsed),
    )


def _peers(layer: Layer, parsed: LayerConfig) -> tuple[str, ...]:
    if not layer.peers_key:
        return ()
    field_of = {declared.key: name for name, declared in settings(type(parsed))}
    return tuple(getattr(parsed, field_of[layer.peers_key]))


def _check_regions(
    prepared: Sequence[_LayerInput], environment: str, stacks_dir: Path | None
) -> None:
    """One stated region, known to AWS's data, for every layer of the environment: a layer reads
    its upstream's subnets, security groups and database, which exist in one region only."""
    regions = {item.layer.name: str(item.config.get(REGION_KEY) or "") for item in prepared}
    missing = [name for name, region in regions.items() if not region]
    if missing:
        files = ", ".join(str(stack_file(name, environment, stacks_dir)) for name in missing)
        raise PlanError(
            f"no AWS region for {environment}: set aws:region in {files} (or AWS_REGION for an "
            "environment without stack files); no region means none, not us-east-1"
        )
    if len(set(regions.values())) > 1:
        listed = ", ".join(f"{name} in {region}" for name, region in regions.items())
        raise PlanError(
            f"the layers of {environment} are in different regions ({listed}): every layer of "
            "an environment must be in one region (set the same aws:region in each stack file)"
        )
    region = next(iter(regions.values()), "")
    if region and aws_zones.zones_in(region) is None:
        raise PlanError(
            f"aws:region {region!r} of {environment} is not a region AWS's data lists "
            f"({aws_zones.source()}): {', '.join(aws_zones.regions())}"
        )


def _pack_dirs(pack_dir: Path | Sequence[Path] | None) -> list[Path]:
    if pack_dir is None:
        return []
    return [pack_dir] if isinstance(pack_dir, Path | str) else [Path(p) for p in pack_dir]


def plan(
    environment: str,
    *,
    layers: Sequence[str] | None = None,
    config_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    pack_dir: Path | Sequence[Path] | None = POLICY_PACK_DIR,
    policy_config_files: Sequence[Path] = (),
    stacks_dir: Path | None = None,
    preview: bool = False,
) -> PlanResult:
    """Run the layers (the named ones plus everything upstream; all by default) and the packs.

    Config per layer: `stacks/<layer>/Pulumi.<environment>.yaml` merged with
    `config_overrides[layer]`. `pack_dir` is one pack folder or several (`--policy-pack`); `None` or
    `[]` skips policy evaluation. `policy_config_files` pair with the packs by position
    (`--policy-pack-config`). `stacks_dir` points at another tree of layer programs.
    Raises PlanError (config/usage), StackConfigError/ProgramError (a program failed),
    PolicyConfigError (a policy config the pack refuses) and PolicyPackError (a pack could not run).
    """
    overrides = dict(config_overrides or {})
    try:
        selected = with_upstream(list(layers) if layers else list(LAYER_NAMES))
    except ValueError as error:
        raise PlanError(str(error)) from None
    unknown = sorted(set(overrides) - set(LAYER_NAMES))
    if unknown:
        raise PlanError(f"config_overrides for unknown layer(s): {', '.join(unknown)}")
    packs = _pack_dirs(pack_dir)
    configs = pair_configs(packs, policy_config_files)  # a bad file stops before any layer runs
    prepared = [
        _prepare(layer, environment, overrides.get(layer.name, {}), stacks_dir)
        for layer in selected
    ]
    _check_regions(prepared, environment, stacks_dir)
    notes = _secure_note(prepared)
    secrets = frozenset(
        text for item in prepared for text in _plaintexts(item.config, item.secret_keys)
    )
    remember(secrets)  # a program's traceback or a pack's output may echo them
    if not packs:
        warm()
        results = _run_layers(prepared, environment, preview)
        return PlanResult(environment, results, [], notes, config_secrets=secrets)
    union = {k: v for item in prepared for k, v in item.config.items()}
    with policy_packs(
        packs, environment=environment, project=selected[0].name, config=union, preview=preview
    ) as servers:
        # Launched before the layer runner imports pulumi_aws: the pack's own start-up (pulumi, its
        # policies, cfn-lint's warm-up) runs on the other core meanwhile.
        warm()
        results, violations = _run_and_check(prepared, environment, preview, servers, configs)
        notes += _empty_pack_notes(servers)
    return PlanResult(
        environment, results, violations, notes, *_pack_summary(servers), config_secrets=secrets
    )


def _run_and_check(
    prepared: Sequence[_LayerInput],
    environment: str,
    preview: bool,
    servers: Sequence[PolicyPackServer],
    configs: Sequence[Sequence[tuple[Mapping[str, PolicyConfig], str]]],
) -> tuple[dict[str, LayerResult], list[Violation]]:
    """The layers in deploy order, each one checked as soon as it ran, as the CLI analyzes a stack
    at the end of its own update: the pack (its own process) checks a layer while the layer runner runs
    the next one. One worker keeps the packs' calls in layer order, and the violations are
    gathered in that order, so the result does not depend on timing."""

    def check(item: _LayerInput, result: LayerResult, public: str) -> list[Violation]:
        return _check(servers, result, item.config, item.secret_keys, configs, public=public)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyze")
    checks: list[Future[list[Violation]]] = []
    # What the layers run so far show in the clear: a piece of a secret document that an upstream
    # layer exports in the clear (a database endpoint) is no secret in this one either.
    shown: list[str] = []

    def ran(item: _LayerInput, result: LayerResult) -> None:
        shown.append(result.public_text())
        checks.append(pool.submit(check, item, result, "\n".join(shown)))

    try:
        results = _run_layers(prepared, environment, preview, on_layer=ran)
        violations = [v for future in checks for v in future.result()]
    finally:
        # A layer that failed (or Ctrl-C) must not wait for the pack: stopping it ends the calls.
        pool.shutdown(wait=False, cancel_futures=True)
    return results, violations


def _check(
    servers: Sequence[PolicyPackServer],
    result: LayerResult,
    stack_config: Mapping[str, Any],
    secret_keys: Sequence[str],
    configs: Sequence[Sequence[tuple[Mapping[str, PolicyConfig], str]]],
    *,
    apply_remediations: bool = True,
    public: str = "",
) -> list[Violation]:
    """Every pack over one layer, as one stack operation: all packs remediate, then all analyze."""
    remember(result.secret_texts(public))  # the packs see them in plaintext, and may echo them
    for server, pack_configs in zip(servers, configs, strict=True):
        server.configure(
            layer=result.layer,
            stack_config=stack_config,
            secret_keys=secret_keys,
            policy_configs=pack_configs,
        )
    return analyze_stack(
        servers,
        result.resources,
        layer=result.layer,
        outputs=result.outputs,
        apply_remediations=apply_remediations,
    )


def _pack_summary(servers: Sequence[PolicyPackServer]) -> tuple[tuple[str, ...], str]:
    policies = tuple(p.name for server in servers for p in server.policies)
    return policies, ", ".join(server.label for server in servers)


def _empty_pack_notes(servers: Sequence[PolicyPackServer]) -> tuple[str, ...]:
    return tuple(
        f"the policy pack in {server.pack_dir} has no policies: nothing was checked"
        for server in servers
        if not server.policies
    )


def _secure_note(prepared: Sequence[_LayerInput]) -> tuple[str, ...]:
    keys = [key for item in prepared for key in item.secure_keys]
    if not keys:
        return ()
    return (
        f"secure config values cannot be decrypted offline: planned as set, their values unknown "
        f"until deployed and not validated (set the stack's passphrase, or pass the plaintext as a "
        f"config override, to check them): {', '.join(keys)}",
    )


def _run_layers(
    prepared: Sequence[_LayerInput],
    environment: str,
    preview: bool,
    on_layer: Callable[[_LayerInput, LayerResult], object] | None = None,
) -> dict[str, LayerResult]:
    """Each layer in deploy order, its upstream's results answering its StackReferences;
    `on_layer` is told of each layer as soon as it ran."""
    done: dict[str, LayerResult] = {}
    for item in prepared:
        upstream: dict[str, LayerResult] = dict(done)
        upstream.update(_peer_stacks(item, environment, preview))
        done[item.layer.name] = run_layer(
            item.layer.name,
            environment,
            config=item.config,
            upstream=upstream,
            preview=preview,
            program_dir=item.program_dir,
            secret_keys=item.secret_keys,
        )
        if on_layer is not None:
            on_layer(item, done[item.layer.name])
    return done


# --- peering --------------------------------------------------------------------------------------


def _peer_stacks(item: _LayerInput, environment: str, preview: bool) -> dict[str, LayerResult]:
    """The peers' stacks of this layer (`Layer.peers_key`), planned offline so the key can be checked.

    Who requests decides what each side reads (shared.environment.requests_peering): a requester
    reads the accepter's stack as it stood before, an accepter reads the requester's stack peered
    with it. So a peer is planned without peers when this environment requests; when the peer
    requests, it is planned peering only with this environment, which itself first runs without
    peers, as it stood before.
    """
    if not item.peers:
        return {}
    layer = item.layer
    own = item.environment
    stacks_dir = item.program_dir.parent if item.program_dir else None
    found: dict[str, LayerResult] = {}
    own_before: LayerResult | None = None
    for peer in item.peers:
        if requests_peering(own, parse_environment(peer)):
            result = _peer_stack(layer, peer, [], {}, stacks_dir=stacks_dir, preview=preview)
        else:
            if own_before is None:
                own_before = _peer_stack(
                    layer,
                    environment,
                    [],
                    {},
                    stacks_dir=stacks_dir,
                    preview=preview,
                    base=item.config,
                )
            result = _peer_stack(
                layer,
                peer,
                [environment],
                {_reference(layer, environment): own_before},
                stacks_dir=stacks_dir,
                preview=preview,
            )
        found[_reference(layer, peer)] = result
    return found


def _reference(layer: Layer, environment: str) -> str:
    return f"{ORGANIZATION}/{layer.name}/{environment}"


def _peer_stack(
    layer: Layer,
    environment: str,
    peers: list[str],
    upstream: Mapping[str, LayerResult],
    *,
    stacks_dir: Path | None,
    preview: bool,
    base: Mapping[str, Any] | None = None,
) -> LayerResult:
    """`layer`'s stack of `environment` peering with `peers` only; `base` is its config (default:
    its stack file)."""
    if base is None:
        stack = read_stack_config(layer.name, environment, stacks_dir=stacks_dir)
        base, secret_keys = stack.values, stack.secret_keys
    else:
        secret_keys = ()
    values = {**base, f"{layer.name}:{layer.peers_key}": peers}
    try:
        shared_config.parse(layer.name, values, stack=environment)
    except ValueError as error:
        message = scrub(str(error), _plaintexts(base, secret_keys))
        raise PlanError(f"peer environment {environment}: {message}") from None
    return run_layer(
        layer.name,
        environment,
        config=values,
        upstream=upstream,
        preview=preview,
        program_dir=(stacks_dir / layer.name) if stacks_dir else None,
        secret_keys=secret_keys,
    )


def policy_check(
    export_file: Path,
    *,
    environment: str | None = None,
    pack_dir: Path | Sequence[Path] = POLICY_PACK_DIR,
    policy_config_files: Sequence[Path] = (),
) -> PlanResult:
    """The packs over the resources of a `pulumi stack export` file, one project at a time."""
    from tooling.offline.stack_export import read_stack_export

    packs = _pack_dirs(pack_dir)
    configs = pair_configs(packs, policy_config_files)
    export = read_stack_export(export_file, environment)
    if not export.layers:  # policy_analyze.go: an empty stack is said so, and is no failure
        return PlanResult(
            export.environment or "(none)",
            {},
            [],
            (f"{export_file} has no resources; nothing to analyze.",),
        )
    try:
        parse_environment(export.environment)
    except ValueError as error:
        raise PlanError(str(error)) from None
    violations: list[Violation] = []
    with policy_packs(
        packs,
        environment=export.environment,
        project=next(iter(export.layers), "stack"),
        config={},
    ) as servers:
        for layer in export.layers.values():
            # analyze_snapshot.go: a snapshot's remediations are reported, never applied.
            violations.extend(_check(servers, layer, {}, (), configs, apply_remediations=False))
    return PlanResult(
        export.environment,
        export.layers,
        violations,
        _empty_pack_notes(servers),
        *_pack_summary(servers),
    )
