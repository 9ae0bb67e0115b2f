"""What a plan shows: a rich rendering for people and a JSON document for machines.

Secrets are masked in both: secret outputs by name, secret values anywhere in resource properties
(tooling.redaction), and any secret a policy message echoes. Unknown values (preview) are shown as
`[unknown]`. Text that comes from users, programs or packs is never read as rich markup.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tooling.offline.analyzer import Violation
from tooling.offline.model import UNKNOWN
from tooling.offline.planner import PlanResult
from tooling.redaction import Masker, current

HEADING = "offline plan — no cloud calls"
SECRET = "[secret]"
UNKNOWN_SHOWN = "[unknown]"
LEVEL_STYLES = {"mandatory": "bold red", "advisory": "yellow", "remediate": "cyan"}
# More findings in one layer than this are listed a line each, after a count per policy.
TABLE_ROWS = 200


def _shown(value: Any) -> Any:
    """For display, once masked: unknown values (preview) as `[unknown]`."""
    if value == UNKNOWN:
        return UNKNOWN_SHOWN
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def plan_secrets(result: PlanResult) -> set[str]:
    """Every secret string the plan holds, to mask from every output."""
    found: set[str] = set(result.config_secrets)
    public = "\n".join(layer.public_text() for layer in result.layers.values())
    for layer in result.layers.values():
        found |= layer.secret_texts(public)
    return found


def masked(result: PlanResult, masker: Masker, *, inputs: bool = True) -> PlanResult:
    """A copy of `result` with every string masked, secret outputs `[secret]` by name.

    Every report is made from such a copy, so no view of the plan can show a secret it holds or a
    pack echoed. Resource outputs are left out (no report shows them), and with `inputs=False`
    resource inputs too (the console shows only counts).
    """
    layers = {
        name: dataclasses.replace(
            layer,
            resources=tuple(
                dataclasses.replace(
                    r,
                    type=masker.text(r.type),
                    name=masker.text(r.name),
                    urn=masker.text(r.urn),
                    inputs=masker.value(r.inputs) if inputs else {},
                    outputs={},
                )
                for r in layer.resources
            ),
            outputs={
                masker.text(key): SECRET if key in layer.secret_outputs else masker.value(value)
                for key, value in layer.outputs.items()
            },
        )
        for name, layer in result.layers.items()
    }
    return dataclasses.replace(
        result,
        environment=masker.text(result.environment),
        layers=layers,
        violations=[
            dataclasses.replace(
                v,
                policy=masker.text(v.policy),
                pack=masker.text(v.pack),
                urn=masker.text(v.urn),
                message=masker.text(v.message),
                before=None if v.before is None else masker.value(v.before),
                after=None if v.after is None else masker.value(v.after),
            )
            for v in result.violations
        ],
        notes=tuple(masker.text(note) for note in result.notes),
        pack=masker.text(result.pack),
    )


def plan_masker(result: PlanResult) -> Masker:
    """The run's masker (tooling.redaction) extended by every secret the plan holds."""
    return current().extended(plan_secrets(result))


def to_json(result: PlanResult, masker: Masker | None = None) -> dict[str, Any]:
    """The machine-readable report; the schema is documented in the README ("Offline plan")."""
    result = masked(result, masker or plan_masker(result))
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
                "outputs": _shown(layer.outputs),
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


def json_text(result: PlanResult) -> str:
    """The JSON report as text, as `--json` writes it."""
    masker = plan_masker(result)
    # Masked again as text: an escape sequence of the JSON itself may spell a secret.
    return masker.text(json.dumps(to_json(result, masker), indent=2, sort_keys=True)) + "\n"


def write_json(result: PlanResult, path: Path) -> None:
    """Written whole or not at all: a temporary file in the same folder, renamed over `path`.

    A `path` that is not a regular file (a pipe, a terminal, `/dev/stdout`, bash's `>(jq .)`) is
    written in place: a rename would replace the link (as root) or fail in `/dev/fd`.
    """
    text = json_text(result)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _short_urn(urn: str) -> str:
    """`urn:pulumi:dev::data::aws:rds/cluster:Cluster::db` -> `aws:rds/cluster:Cluster::db`."""
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    return "::".join(parts[2:]) if len(parts) >= 4 else urn


def _message(violation: Violation) -> str:
    # pulumi-policy prefixes the policy description; the reported reason is the useful line.
    return violation.message.split("\n", 1)[-1]


def _changes(violation: Violation) -> str:
    """A remediation's changed properties, before -> after (the CLI shows both sides); the
    violation comes from a masked copy of the plan."""
    if violation.before is None or violation.after is None:
        return ""
    before, after = dict(violation.before), dict(violation.after)
    keys = [k for k in sorted({*before, *after}) if before.get(k) != after.get(k)]
    if not keys:
        return "no property changed"

    def side(values: dict[str, Any]) -> str:
        shown = _shown({k: values[k] for k in keys if k in values})
        return json.dumps(shown, sort_keys=True, separators=(",", ":"))

    return f"before {side(before)} after {side(after)}"


def _finding_text(violation: Violation) -> str:
    changes = _changes(violation)
    message = _message(violation)
    return f"{message} ({changes})" if changes else message


def _render_log(result: PlanResult, console: Console, subtitle: str) -> None:
    """For a CI log (stdout not a terminal): plain lines, never wrapped, one per finding, so a
    grep for a policy name or a URN finds the whole finding. `result` is a masked copy."""

    def line(text: str) -> None:
        console.print(Text(text), soft_wrap=True, highlight=False, markup=False)

    details = [HEADING, f"environment {result.environment}"]
    details.append(f"policy pack {result.pack}" if result.pack else "policies: not run")
    line(" · ".join([*details, *([subtitle] if subtitle else [])]))
    for note in result.notes:
        line(f"note: {note}")
    for layer in result.layers.values():
        counts = Counter(r.type for r in layer.resources)
        types = ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))
        line(
            f"layer {layer.layer} (stack {layer.stack}): {len(layer.resources)} resource(s): {types}"
        )
        for name, value in _shown(layer.outputs).items():
            line(
                f"output {layer.layer}.{name} = {value if isinstance(value, str) else json.dumps(value)}"
            )
    for v in result.violations:
        text = " ".join(_finding_text(v).split())
        line(f"{v.level} {v.policy} {v.pack} {v.urn or '(stack)'} {text}")
    line(summary(result).plain)


def render(result: PlanResult, console: Console, *, subtitle: str = "") -> None:
    masker = plan_masker(result)
    result = masked(result, masker, inputs=False)
    subtitle = masker.text(subtitle)
    if not console.is_terminal:
        _render_log(result, console, subtitle)
        return
    console.rule(Text(HEADING, style="bold"))
    details = [Text.assemble("environment ", (result.environment, "bold"))]
    details.append(
        Text.assemble("policy pack ", (result.pack, "bold"))
        if result.pack
        else Text("policies: not run")
    )
    if subtitle:
        details.append(Text(subtitle))
    console.print(Text(" · ").join(details))
    for note in result.notes:
        console.print(Text.assemble(("note:", "yellow"), " ", note))
    for layer in result.layers.values():
        console.print()
        console.rule(Text.assemble((layer.layer, "bold"), f" (stack {layer.stack})"), align="left")
        counts = Counter(r.type for r in layer.resources)
        resources = Table("resource type", "count", title="resources", title_justify="left")
        for type_, count in sorted(counts.items()):
            resources.add_row(Text(type_), str(count))
        resources.add_row(
            Text("total", style="bold"), Text(str(len(layer.resources)), style="bold")
        )
        console.print(resources)
        if layer.outputs:
            outputs = Table("output", title="outputs", title_justify="left")
            outputs.add_column("value", overflow="fold")
            for name, value in _shown(layer.outputs).items():
                shown = value if isinstance(value, str) else json.dumps(value)
                outputs.add_row(Text(name), Text(shown, style="dim" if value == SECRET else ""))
            console.print(outputs)
        findings = [v for v in result.violations if v.layer == layer.layer]
        if len(findings) > TABLE_ROWS:
            _render_lines(findings, console)
        elif findings:
            table = Table("level", title="policy results", title_justify="left")
            for column in ("policy", "pack", "resource", "message"):
                table.add_column(column, overflow="fold")
            for v in findings:
                table.add_row(
                    Text(v.level, style=LEVEL_STYLES.get(v.level, "")),
                    Text(v.policy),
                    Text(v.pack),
                    Text(_short_urn(v.urn)),
                    Text(_finding_text(v)),
                )
            console.print(table)
    console.print()
    console.print(summary(result))


def _render_lines(findings: list[Violation], console: Console) -> None:
    """Every finding, one line each: a table's layout costs seconds per thousand rows."""
    by_policy = Counter((v.level, v.policy, v.pack) for v in findings)
    counts = Table("level", "policy", "pack", "count", title="policy results", title_justify="left")
    for (level, policy, pack), count in sorted(by_policy.items()):
        counts.add_row(Text(level, style=LEVEL_STYLES.get(level, "")), policy, pack, str(count))
    console.print(counts)
    lines = Text("\n").join(
        Text.assemble(
            (v.level, LEVEL_STYLES.get(v.level, "")),
            f" {v.policy} ({v.pack}) {_short_urn(v.urn)}: ",
            _finding_text(v),
        )
        for v in findings
    )
    console.print(lines, soft_wrap=True)


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
