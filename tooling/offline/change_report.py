"""The change plan as text: one line per change (a CI log reads it as well as a terminal), the
broadening list and the guard's verdicts after it. Values are never printed, only property names;
anything that could echo a secret goes through `tooling.redaction.scrub`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from tooling.offline.change_guard import Finding
from tooling.offline.changes import Action, Change, ChangePlan
from tooling.redaction import scrub

SYMBOLS: dict[Action, str] = {
    "create": "+",
    "update": "~",
    "replace": "+-",
    "may-replace": "+-?",
    "delete": "-",
    "same": "=",
}
ORDER: tuple[Action, ...] = ("create", "update", "replace", "may-replace", "delete", "same")


def change_line(change: Change) -> str:
    words = [f"{SYMBOLS[change.action]:<3}", f"{change.action:<11}", change.urn]
    if change.properties:
        shown = [f"{p}*" if p in change.replace_keys else p for p in change.properties]
        words.append(f"[{', '.join(shown)}]")
    if change.action in ("replace", "may-replace"):
        words.append("(delete-before-create)" if change.delete_first else "(create-before-delete)")
    if change.protected:
        words.append("UP WOULD FAIL: protected")
    if change.retained:
        words.append("(retained in AWS)")
    return " ".join(words)


def summary(plan: ChangePlan) -> str:
    return ", ".join(f"{plan.count(a)} {a}" for a in ORDER)


def render_changes(
    plan: ChangePlan,
    findings: Sequence[Finding],
    console: Console,
    *,
    environment: str,
    secrets: Iterable[str] = (),
) -> None:
    hidden = list(secrets)

    def say(text: str = "", style: str = "") -> None:
        console.print(Text(scrub(text, hidden), style=style), highlight=False, soft_wrap=True)

    say()
    say(f"Change plan of {environment} against its deployed state ({summary(plan)})", "bold")
    for change in plan.changed:
        say(change_line(change))
        for reason in change.reasons:
            say(f"      {reason}", "dim")
    if not plan.changed:
        say("no changes")
    for note in plan.notes:
        say(f"note: {note}")
    widened = [f for f in findings if f.kind == "broadening"]
    if widened:
        say()
        say("Access widened (as `cdk deploy --require-approval broadening` lists it):", "bold")
        for finding in widened:
            say(_finding_line(finding))
    destructive = [f for f in findings if f.kind == "destructive"]
    if destructive:
        say()
        say("Changes to resources that hold data:", "bold")
        for finding in destructive:
            say(_finding_line(finding))
    blocked = [f for f in findings if f.blocking]
    if blocked:
        say()
        say(f"BLOCKED: {len(blocked)} change(s) need a reviewed allowance", "bold red")


def _finding_line(finding: Finding) -> str:
    if finding.allowance:
        state = f"allowed ({finding.allowance})"
    else:
        state = {"mandatory": "BLOCKED", "advisory": "advisory", "disabled": "not guarded"}[
            finding.level
        ]
    return f"{state}: {finding.urn}: {finding.message}"


def changes_document(
    plan: ChangePlan, findings: Sequence[Finding], *, secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """The change plan as data (names and verdicts only, never values), for CI summaries."""
    hidden = list(secrets)
    return {
        "summary": {action: plan.count(action) for action in ORDER},
        "changes": [
            {
                "urn": c.urn,
                "type": c.type,
                "action": c.action,
                "properties": list(c.properties),
                "replaceKeys": list(c.replace_keys),
                "deleteBeforeCreate": c.delete_first,
                "protected": c.protected,
                "retained": c.retained,
                "oldUrn": c.old_urn,
                "reasons": [scrub(r, hidden) for r in c.reasons],
            }
            for c in plan.changed
        ],
        "findings": [
            {
                "urn": f.urn,
                "kind": f.kind,
                "level": f.level,
                "blocking": f.blocking,
                "allowance": f.allowance,
                "message": scrub(f.message, hidden),
            }
            for f in findings
        ],
        "notes": list(plan.notes),
    }


def write_changes_json(
    plan: ChangePlan, findings: Sequence[Finding], path: Path, *, secrets: Iterable[str] = ()
) -> None:
    document = changes_document(plan, findings, secrets=secrets)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
