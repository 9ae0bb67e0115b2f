"""The access check of one class's plan, and its tables: used by `python -m tooling.access` and
by the offline plan (`nox -s plan`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table

from tooling.access.check import Finding, escalations, gaps, pulumi_needs
from tooling.access.model import AccessModel, Role
from tooling.access.needs import Planned, resource_needs
from tooling.access.sar import expand


@dataclass(frozen=True)
class RoleResult:
    role: Role
    needed: frozenset[str]  # distinct actions the class's plans and Pulumi need
    allowed: frozenset[str]  # distinct actions its Allow statements name, wildcards expanded
    findings: tuple[Finding, ...]


def check_class(
    model: AccessModel,
    environment_class: str,
    resources: Sequence[Planned],
    stacks: Sequence[tuple[str, str]],
) -> list[RoleResult]:
    """Every role of the class against the class's planned resources and Pulumi's own needs."""
    out = []
    every, _, unknown = resource_needs(resources)
    for role in model.roles.values():
        if role.environment_class != environment_class:
            continue
        # A preview role reads: what a `pulumi preview --refresh` calls.
        needs = every if role.deploys else [n for n in every if n.operation == "read"]
        wanted = [*needs, *pulumi_needs(model, role, stacks)]
        findings = [*gaps(model, role, wanted), *escalations(model, role)]
        findings.extend(Finding("gap", role.github_environment, "?", "?", u) for u in unknown)
        out.append(
            RoleResult(
                role, frozenset(n.action for n in wanted), allowed_actions(role), tuple(findings)
            )
        )
    return out


def allowed_actions(role: Role) -> frozenset[str]:
    found: set[str] = set()
    for document in role.principal.policies:
        for statement in document.get("Statement", []):
            if statement.get("Effect") != "Allow" or "Action" not in statement:
                continue
            listed = statement["Action"]
            for pattern in [listed] if isinstance(listed, str) else listed:
                found.update(expand(pattern) if "*" in pattern else [pattern])
    return frozenset(found)


def permissions_table(role: Role) -> Table:
    """The role's statements: effect, actions, resources and conditions, one row each."""
    table = Table(title=f"{role.github_environment} ({role.principal.arn})", show_lines=True)
    for column in ("Sid", "Effect", "Actions", "Resources", "Condition"):
        table.add_column(column, overflow="fold")
    for document in role.principal.policies:
        for statement in document.get("Statement", []):
            actions = statement.get("Action") or statement.get("NotAction") or []
            resources = statement.get("Resource") or statement.get("NotResource") or []
            table.add_row(
                str(statement.get("Sid", "")),
                str(statement.get("Effect")),
                "\n".join([actions] if isinstance(actions, str) else actions),
                "\n".join([resources] if isinstance(resources, str) else map(str, resources)),
                json.dumps(statement.get("Condition", {})) if statement.get("Condition") else "",
            )
    return table


def findings_table(findings: Sequence[Finding]) -> Table:
    table = Table(title="access findings")
    for column in ("kind", "role", "action", "resource", "planned resource or method"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(f.kind, f.role, f.action, f.resource, f.planned)
    return table
