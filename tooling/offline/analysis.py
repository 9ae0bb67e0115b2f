"""One stack through every policy pack, in the order the Pulumi CLI uses.

Per resource (pulumi/pulumi `pkg/resource/deploy/step_generator.go`, `analyze_snapshot.go`):
1. every pack's Remediate, one pack after another, each seeing the properties the previous one
   left (a deployment applies them; a snapshot, `pulumi policy analyze`, only reports them);
2. every pack's Analyze of the remediated properties; a violation is filed against the resource
   under analysis, and one still at level remediate counts as mandatory.
Then every pack's AnalyzeStack over the outputs. Every resource the Pulumi engine holds is analyzed, the
root stack and the providers included; resources pending deletion (`delete: true`) are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.layers import POLICY_PACK_DIR
from tooling.offline.analyzer import PolicyPackServer, Violation, policy_pack
from tooling.offline.model import Resource
from tooling.offline.policy_config import parse_policy_config


def root_stack_urn(resources: Sequence[Resource]) -> str:
    """analyze_snapshot.go snapshotRootStackURN: the root stack without a parent."""
    for resource in resources:
        if resource.is_root_stack and not resource.parent:
            return resource.urn
    return ""


def analyze_stack(
    servers: Sequence[PolicyPackServer],
    resources: Sequence[Resource],
    *,
    layer: str,
    outputs: Mapping[str, Any] | None = None,
    apply_remediations: bool = True,
) -> list[Violation]:
    """Every pack over one stack; the violations per resource, then the stack's, pack by pack."""
    if not servers:
        return []
    for server in servers:
        server.ready(layer)
    everything = [r for r in servers[0].complete(resources, layer, outputs or {}) if not r.delete]
    providers = {r.urn: r for r in everything if r.is_provider}
    for server in servers:
        server.spread_for(len(everything))
    per_resource: list[list[Violation]] = [[] for _ in everything]
    properties: list[Mapping[str, Any]] = [r.inputs for r in everything]
    for server in servers:
        properties, said = server.remediate(
            everything, properties, providers, layer, apply=apply_remediations
        )
        for found, more in zip(per_resource, said, strict=True):
            found.extend(more)
    for server in servers:
        for found, more in zip(
            per_resource,
            server.analyze_each(everything, properties, providers, layer),
            strict=True,
        ):
            found.extend(more)
    violations = [v for found in per_resource for v in found]
    root = root_stack_urn(everything)
    for server in servers:
        violations.extend(server.analyze_whole_stack(everything, providers, layer, root))
    return violations


def evaluate(
    resources: Sequence[Resource],
    environment: str,
    *,
    layer: str,
    pack_dir: Path = POLICY_PACK_DIR,
    policy_config: Mapping[str, Any] | None = None,
    stack_config: Mapping[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
    preview: bool = False,
) -> list[Violation]:
    """Run one pack over one layer's resources through the Analyzer protocol; every result, in order.

    `policy_config` is a `--policy-pack-config` document; without one the pack's own defaults and
    initialConfig decide, as under the CLI.
    """
    configs = (
        []
        if policy_config is None
        else [(parse_policy_config(policy_config, source="policy config"), "policy config")]
    )
    with policy_pack(
        pack_dir, environment=environment, project=layer, config=stack_config, preview=preview
    ) as server:
        server.configure(
            layer=layer, stack_config=stack_config, secret_keys=secret_keys, policy_configs=configs
        )
        return analyze_stack([server], resources, layer=layer)
