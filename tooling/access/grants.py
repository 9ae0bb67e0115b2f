"""From a class's needs to the grants its CI role gets: each need in the narrowest form AWS can
check for it, grouped by form. `bootstrap/access.py` turns the committed grants
(`bootstrap/ci_grants.json`) into policy statements with the account's ARNs.

Forms, narrowest first: a role the stack passes (`iam:PassRole` on its name, to its service); a
role or policy write carrying the permissions boundary; a tagging call (scoped by both the
resource's and the requested `Environment` tag); a call on a resource tagged as the class's
(`aws:ResourceTag`); a create carrying the class's tag (`aws:RequestTag`); a call on a resource
named as the class's (ARN pattern); and last, `*`, for actions AWS cannot scope.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from shared.environment import CLASSES
from shared.layers import PRODUCT
from tooling.access.needs import ENVIRONMENT_TAG, Need, is_tagging

MOCK_ACCOUNT = "123456789012"
MOCK_REGION = "us-east-1"

Grants = dict[str, Any]


def example_environment(environment_class: str) -> str:
    """The environment planned for a class: its own name, or `pr-1` for a class of numbered ones."""
    return environment_class if CLASSES[environment_class].named else f"{environment_class}-1"


def environment_glob(environment_class: str) -> str:
    """What the class's environment names (and `Environment` tags) match: `dev`, or `pr-*`."""
    return environment_class if CLASSES[environment_class].named else f"{environment_class}-*"


def _generalised(arn: str, environment: str, glob: str) -> str | None:
    """`arn` with the environment's name and whatever follows it widened to the class's."""
    token = f"{PRODUCT}-{environment}"
    at = arn.find(token)
    if at < 0:
        token = f"/{PRODUCT}/{environment}"
        at = arn.find(token)
        if at < 0:
            return None
        prefix = arn[:at] + f"/{PRODUCT}/{glob}"
    else:
        prefix = arn[:at] + f"{PRODUCT}-{glob}"
    rest = arn[at + len(token) :]
    out = prefix + (rest[0] + "*" if rest and not glob.endswith("*") else ("*" if rest else ""))
    return out.replace(MOCK_ACCOUNT, "${Account}").replace(MOCK_REGION, "${Region}")


def grants(needs: Iterable[Need], environment_class: str, environment: str) -> Grants:
    glob = environment_glob(environment_class)
    forms: dict[str, set[str]] = defaultdict(set)
    named: dict[str, set[str]] = defaultdict(set)
    bounded: dict[str, set[str]] = defaultdict(set)
    passed: dict[str, set[str]] = defaultdict(set)
    created: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        context = need.context_dict
        pattern = _generalised(need.resource, environment, glob) if need.resource != "*" else None
        if need.action == "iam:PassRole" and pattern and "iam:PassedToService" in context:
            passed[pattern].add(str(context["iam:PassedToService"]))
        elif "iam:PermissionsBoundary" in context:
            bounded[pattern or "*"].add(need.action)
        elif is_tagging(need.action) and any(k.startswith("aws:") and "Tag/" in k for k in context):
            forms["tagging"].add(need.action)
        elif f"aws:ResourceTag/{ENVIRONMENT_TAG}" in context:
            forms["resource_tagged"].add(need.action)
        elif f"aws:RequestTag/{ENVIRONMENT_TAG}" in context:
            # Only on the type being created: request tags are in the context of every resource
            # of the call, a parent of another class's (a subnet for a NAT gateway) included.
            created[_type_pattern(need.arn_format)].add(need.action)
        elif pattern:
            named[pattern].add(need.action)
        else:
            forms["unscoped"].add(need.action)
    return {
        "environment_glob": glob,
        **{form: sorted(actions) for form, actions in sorted(forms.items())},
        "request_tagged": _sorted(created),
        "named": _sorted(named),
        "bounded": _sorted(bounded),
        "pass_role": _sorted(passed),
    }


def _type_pattern(arn_format: str) -> str:
    """Any resource of the format's type in this account and region: `...:natgateway/*`."""
    if arn_format == "*":
        return "*"
    filled = arn_format.replace("${Partition}", "aws")
    filled = filled.replace("${Region}", "\x00R").replace("${Account}", "\x00A")
    filled = re.sub(r"\$\{[^}]+\}", "*", filled)
    return filled.replace("\x00R", "${Region}").replace("\x00A", "${Account}")


def _sorted(table: Mapping[str, set[str]]) -> dict[str, list[str]]:
    return {key: sorted(values) for key, values in sorted(table.items())}
