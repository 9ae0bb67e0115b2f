"""What a plan shows: a rich rendering for people and a JSON document for machines.

Secrets are masked in both: secret outputs by name, secret values anywhere in resource properties
(tooling.redaction), and any secret a policy message echoes. Unknown values (preview) are shown as
`[unknown]`. Text that comes from users, programs or packs is never read as rich markup.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tooling.offline.analyzer import Violation
from tooling.offline.model import UNKNOWN
from tooling.offline.planner import PlanResult
from tooling.redaction import redact, scrub, secret_texts

HEADING = "offline plan — no cloud calls"
SECRET = "[secret]"
UNKNOWN_SHOWN = "[unknown]"
LEVEL_STYLES = {"mandatory": "bold red", "advisory": "yellow", "remediate": "cyan"}
# More findings in one layer than this are listed a line each, after a count per policy.
TABLE_ROWS = 200


def _shown(value: Any, secrets: Iterable[str] = ()) -> Any:
    """For display: secrets masked (wrapped ones, and `secrets` wherever they appear as text)."""
    value = redact(value)
    if value == UNKNOWN:
        return UNKNOWN_SHOWN
    if isinstance(value, dict):
        return {k: _shown(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v, secrets) for v in value]
    return scrub(value, secrets) if isinstance(value, str) and secrets else value


def public_outputs(
    outputs: dict[str, Any], secret: frozenset[str], secrets: Iterable[str] = ()
) -> dict[str, Any]:
    return {
        name: SECRET if name in secret else _shown(value, secrets)
        for name, value in outputs.items()
    }


def plan_secrets(result: PlanResult) -> set[str]:
    """Every secret string the plan holds, to scrub from free text such as policy messages."""
    found: set[str] = set()
    for layer in result.layers.values():
        for resource in layer.resources:
            found |= secret_texts(resource.inputs) | secret_texts(resource.outputs)
        found |= secret_texts(layer.outputs)
        for name in layer.secret_outputs:
            found |= secret_texts({"value": layer.outputs.get(name)}, inside=True)
    found |= result.config_secrets
    return found


def to_json(result: PlanResult) -> dict[str, Any]:
    """The machine-readable report; the schema is documented in the README ("Offline plan")."""
    secrets = plan_secrets(result)
    return {
        "environment": result.environment,
        "layers": [
            {
                "name": layer.layer,
                "stack": layer.stack,
                "resources": [
                    {
                        "type": r.type,
                        "name": r.name,
                        "urn": r.urn,
                        "inputs": _shown(r.inputs, result.config_secrets),
                    }
                    for r in layer.resources
                ],
                "outputs": public_outputs(
                    layer.outputs, layer.secret_outputs, result.config_secrets
                ),
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
                "message": scrub(v.message, secrets),
            }
            for v in result.violations
        ],
    }


def json_text(result: PlanResult) -> str:
    """The JSON report as text, as `--json` writes it."""
    return json.dumps(to_json(result), indent=2, sort_keys=True) + "\n"


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


def _changes(violation: Violation, secrets: Iterable[str]) -> str:
    """A remediation's changed properties, before -> after, masked (the CLI shows both sides)."""
    if violation.before is None or violation.after is None:
        return ""
    before, after = dict(violation.before), dict(violation.after)
    keys = [k for k in sorted({*before, *after}) if before.get(k) != after.get(k)]
    if not keys:
        return "no property changed"

    def side(values: dict[str, Any]) -> str:
        shown = _shown({k: values[k] for k in keys if k in values}, secrets)
        return json.dumps(shown, sort_keys=True, separators=(",", ":"))

    return f"before {side(before)} after {side(after)}"


def _finding_text(violation: Violation, secrets: Iterable[str]) -> str:
    changes = _changes(violation, secrets)
    message = scrub(_message(violation), secrets)
    return f"{message} ({changes})" if changes else message


def _render_log(
    result: PlanResult, console: Console, secrets: Iterable[str], subtitle: str
) -> None:
    """For a CI log (stdout not a terminal): plain lines, never wrapped, one per finding, so a
    grep for a policy name or a URN finds the whole finding."""

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
        shown = public_outputs(layer.outputs, layer.secret_outputs, secrets)
        for name, value in shown.items():
            line(
                f"output {layer.layer}.{name} = {value if isinstance(value, str) else json.dumps(value)}"
            )
    for v in result.violations:
        text = " ".join(_finding_text(v, secrets).split())
        line(f"{v.level} {v.policy} {v.pack} {v.urn or '(stack)'} {text}")
    line(summary(result).plain)


def render(result: PlanResult, console: Console, *, subtitle: str = "") -> None:
    secrets = plan_secrets(result)
    if not console.is_terminal:
        _render_log(result, console, secrets, subtitle)
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
            shown_outputs = public_outputs(layer.outputs, layer.secret_outputs, secrets)
            for name, value in shown_outputs.items():
                shown = value if isinstance(value, str) else json.dumps(value)
                outputs.add_row(Text(name), Text(shown, style="dim" if value == SECRET else ""))
            console.print(outputs)
        findings = [v for v in result.violations if v.layer == layer.layer]
        if len(findings) > TABLE_ROWS:
            _render_lines(findings, secrets, console)
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
                    Text(_finding_text(v, secrets)),
                )
            console.print(table)
    console.print()
    console.print(summary(result))


def _render_lines(findings: list[Violation], secrets: Iterable[str], console: Console) -> None:
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
            _finding_text(v, secrets),
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
