"""GitHub OIDC trust: a role GitHub's token can assume names one repository and one environment.

Without a `token.actions.githubusercontent.com:sub` condition, or with a wildcard in it, any
repository's workflow (or any branch or pull request of this one) can obtain the role: the known
GitHub OIDC takeover path. Pinning the subject to `repo:<owner>/<repo>:environment:<name>` also
puts the role behind that GitHub environment's protection rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from policies.props import text
from policies.spec import Context, Rule
from shared.trust_policies import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST

ROLE = "aws:iam/role:Role"
SUB_KEY = f"{GITHUB_OIDC_HOST}:sub"
AUD_KEY = f"{GITHUB_OIDC_HOST}:aud"
PINNED_SUBJECT = re.compile(
    r"repo:[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+:environment:[A-Za-z0-9._-]+", re.ASCII
)


def _as_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def _trusts_github(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, Mapping) else None
    if any(GITHUB_OIDC_HOST in str(p) for p in _as_list(federated) if p):
        return True
    conditions = statement.get("Condition") or {}
    return any(
        str(key).lower().startswith(GITHUB_OIDC_HOST)
        for block in conditions.values()
        if isinstance(block, Mapping)
        for key in block
    )


def _condition_values(statement: Mapping[str, Any], key: str) -> dict[str, list[str]]:
    """operator -> values for a condition key (AWS compares keys ignoring case)."""
    found: dict[str, list[str]] = {}
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, Mapping):
            continue
        for name, values in block.items():
            if str(name).lower() == key:
                found.setdefault(str(operator), []).extend(str(v) for v in _as_list(values))
    return found


def trust_problems(document: Any) -> list[str]:
    """Why a trust policy lets more than one repository and environment assume the role."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    if not isinstance(document, Mapping):
        return []
    problems = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not _trusts_github(statement):
            continue
        subjects = _condition_values(statement, SUB_KEY)
        if not subjects:
            problems.append(
                f"it trusts GitHub's OIDC provider without a {SUB_KEY} condition: any "
                "repository's workflow can assume it"
            )
            continue
        for operator, values in subjects.items():
            if operator != "StringEquals":
                problems.append(
                    f"{SUB_KEY} is matched with {operator}, not StringEquals: use the exact subject"
                )
            loose = [v for v in values if not PINNED_SUBJECT.fullmatch(v)]
            if loose:
                problems.append(
                    f"{SUB_KEY} {', '.join(map(repr, loose))} is not one repository and one "
                    "environment (repo:<owner>/<repo>:environment:<name>, no wildcards): other "
                    "repositories, branches or pull requests could assume the role"
                )
        audiences = _condition_values(statement, AUD_KEY).get("StringEquals", [])
        if audiences != [GITHUB_OIDC_AUDIENCE]:
            problems.append(f"{AUD_KEY} must be exactly {GITHUB_OIDC_AUDIENCE!r}")
    return problems


def check_github_trust(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    return trust_problems(text(props, "assumeRolePolicy"))


RULES: tuple[Rule, ...] = (
    Rule(
        name="aws-iam-github-oidc-subject-pinned",
        description=(
            "A role GitHub's OIDC token can assume must pin token.actions.githubusercontent.com:sub "
            "to one repository and one GitHub environment, and aud to sts.amazonaws.com."
        ),
        severity="critical",
        remediation=(
            "Build the trust policy with shared.trust_policies.github_oidc_trust_policy("
            "provider_arn, '<owner>/<repo>', '<environment>'): StringEquals on "
            "token.actions.githubusercontent.com:sub = repo:<owner>/<repo>:environment:<name>."
        ),
        reads={ROLE: ("assumeRolePolicy",)},
        check_resource=check_github_trust,
    ),
)
