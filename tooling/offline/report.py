"""What a plan shows: a rich rendering for people and a JSON document for machines.

Secret outputs are masked in both; unknown values (preview) are shown as `[unknown]`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tooling.offline.analyzer import Violation
from tooling.offline.model import UNKNOWN
from tooling.offline.planner import PlanResult

HEADING = "offline plan — no cloud calls"
SECRET = "[secret]"
UNKNOWN_SHOWN = "[unknown]"
LEVEL_STYLES = {"mandatory": "bold red", "advisory": "yellow", "remediate": "cyan"}


def _shown(value: Any) -> Any:
    if value == UNKNOWN:
        return UNKNOWN_SHOWN
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def public_outputs(outputs: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    return {name: SECRET if name in secret else _shown(value) for name, value in outputs.items()}


def to_json(result: PlanResult) -> dict[str, Any]:
    """The machine-readable report; the schema is documented in the README ("Offline plan")."""
    return {
        "environment": result.environment,
        "layers": [
            {
                "name": layer.layer,
                "stack": layer.stack,
                "resources": [
                    {"type": r.type, "name": r.name, "urn": r.urn, "inputs": _shown(r.inputs)}
                    for r in layer.resources
                ],
                "outputs": public_outputs(layer.outputs, layer.secret_outputs),
                "secret_outputs": sorted(layer.secret_outputs),
            }
            for layer in result.layers.values()
        ],
        "violations": [
            {
                "policy": v.policy,
                "pack": v.pack,
                "level": v.level,
                "layer": v.layer,
                "urn": v.urn,
                "message": v.message,
            }
            for v in result.violations
        ],
    }


def write_json(result: PlanResult, path: Path) -> None:
    path.write_text(json.dumps(to_json(result), indent=2, sort_keys=True) + "\n")


def _short_urn(urn: str) -> str:
    """`urn:pulumi:dev::data::aws:rds/cluster:Cluster::db` -> `aws:rds/cluster:Cluster::db`."""
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    return "::".join(parts[2:]) if len(parts) >= 4 else urn


def _message(violation: Violation) -> str:
    # pulumi-policy prefixes the policy description; the reported reason is the useful line.
    return violation.message.split("\n", 1)[-1]


def render(result: PlanResult, console: Console, *, subtitle: str = "") -> None:
    console.rule(Text(HEADING, style="bold"))
    details = [f"environment [bold]{result.environment}[/bold]"]
    details.append(
        f"policy pack [bold]{result.pack}[/bold]" if result.pack else "policies: not run"
    )
    if subtitle:
        details.append(subtitle)
    console.print(" · ".join(details))
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    for layer in result.layers.values():
        console.print()
        console.rule(f"[bold]{layer.layer}[/bold] (stack {layer.stack})", align="left")
        counts = Counter(r.type for r in layer.resources)
        resources = Table("resource type", "count", title="resources", title_justify="left")
        for type_, count in sorted(counts.items()):
            resources.add_row(type_, str(count))
        resources.add_row(
            Text("total", style="bold"), Text(str(len(layer.resources)), style="bold")
        )
        console.print(resources)
        if layer.outputs:
            outputs = Table("output", title="outputs", title_justify="left")
            outputs.add_column("value", overflow="fold")
            for name, value in public_outputs(layer.outputs, layer.secret_outputs).items():
                shown = value if isinstance(value, str) else json.dumps(value)
                outputs.add_row(name, Text(shown, style="dim" if value == SECRET else ""))
            console.print(outputs)
        findings = [v for v in result.violations if v.layer == layer.layer]
        if findings:
            table = Table("level", title="policy results", title_justify="left")
            for column in ("policy", "pack", "resource", "message"):
                table.add_column(column, overflow="fold")
            for v in findings:
                table.add_row(
                    Text(v.level, style=LEVEL_STYLES.get(v.level, "")),
                    v.policy,
                    v.pack,
                    _short_urn(v.urn),
                    _message(v),
                )
            console.print(table)
    console.print()
    console.print(summary(result))


def summary(result: PlanResult) -> Text:
    levels = Counter(v.level for v in result.violations)
    resources = sum(len(layer.resources) for layer in result.layers.values())
    verdict = "FAIL" if result.mandatory else "PASS"
    policies = (
        f"{levels['mandatory']} mandatory, {levels['advisory']} advisory"
        + (f", {levels['remediate']} remediated" if levels["remediate"] else "")
        if result.pack
        else "policies not run"
    )
    text = Text()
    text.append(verdict, style="bold red" if result.mandatory else "bold green")
    text.append(
        f" — {len(result.layers)} layer(s), {resources} resource(s), {policies} "
        f"(offline: nothing was deployed)"
    )
    return text
