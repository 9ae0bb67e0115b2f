"""cfn-lint's AWS-maintained rules over the planned resources, translated to CloudFormation.

Two stack policies share one lint per stack (the lint is cached by template): cfn-lint's errors
(`aws-cfn-lint-errors`, mandatory) and its warnings (`aws-cfn-lint-warnings`, advisory); each
class's config in `policies/config/<class>.json` may change either level. Every finding is
reported on the resource that declared the offending property, naming the Pulumi property when the
translation knows it. What is translated, what is not and why, and the excluded rules are listed
in docs/aws-rules.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.cfn.lint import Finding, Level, lint_template
from policies.cfn.resources import planned
from policies.spec import Context, Rule, StackCheck, StackResource
from shared.aws.cloudformation import UNKNOWN_REF, CfnResource, template, translate, uses_unknown

# The region cfn-lint judges in when the stack names none (`aws:region` unset): the provider's
# own default region.
FALLBACK_REGION = "us-east-1"


def _locate(finding: Finding, by_id: dict[str, CfnResource]) -> tuple[str, str | None, str]:
    """(URN, Pulumi property or None, CloudFormation path) of a finding."""
    path = list(finding.path)
    if len(path) < 2 or path[0] != "Resources" or str(path[1]) not in by_id:
        return "", None, "/".join(map(str, path))
    resource = by_id[str(path[1])]
    cfn_path = "/".join(map(str, path[3:])) if len(path) > 3 else ""
    top = str(path[3]) if len(path) > 3 and path[2] == "Properties" else None
    if top is None:  # e.g. "Additional properties are not allowed (['X'])" names it in the text
        top = next((name for name in resource.sources if f"'{name}'" in finding.message), None)
    source = resource.sources.get(top) if top else None
    if source is None:
        return resource.urn, None, cfn_path
    return source.urn, source.prop, cfn_path


def _about_unknown(document: Mapping[str, Any], path: Sequence[str | int]) -> bool:
    """Whether a finding judges a property value known only after deployment (preview): every
    unknown is the same placeholder, so cfn-lint would call two unknown subnets duplicates (E3022)
    or an unknown list a string (E1020). A finding on the resource as a whole is kept."""
    if len(path) < 4 or path[2] != "Properties":
        return False
    node: Any = document
    for step in path:
        if node == UNKNOWN_REF:
            return True
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
            continue
        if not (isinstance(node, Mapping) and step in node):
            break
        node = node[step]
    return uses_unknown(node)


def findings(
    resources: Sequence[StackResource], context: Context
) -> list[tuple[str, Finding, str]]:
    """(URN, finding, the message to report) for every cfn-lint finding on the stack."""
    translated = translate(planned(resources))
    if not translated:
        return []
    document = template(translated)
    found = lint_template(document, context.region or FALLBACK_REGION)
    by_id = {r.logical_id: r for r in translated}
    out = []
    for finding in found:
        if _about_unknown(document, finding.path):
            continue
        urn, prop, cfn_path = _locate(finding, by_id)
        resource = by_id.get(str(finding.path[1])) if len(finding.path) > 1 else None
        where = f"{resource.type} " if resource else ""
        what = f"property {prop}" if prop else f"{where}{cfn_path or 'resource'}".strip()
        out.append((urn, finding, f"[{finding.rule_id}] {what}: {finding.message}"))
    return out


def _at(level: Level) -> StackCheck:
    def check(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
        return [
            (urn, message) for urn, f, message in findings(resources, context) if f.level == level
        ]

    return check


RULES = (
    Rule(
        name="aws-cfn-lint-errors",
        description=(
            "AWS's CloudFormation linter (cfn-lint) finds no error in the planned resources, "
            "translated to their CloudFormation types: what AWS would refuse at deploy time."
        ),
        severity="high",
        remediation=(
            "Fix the named property; the rule id links to cfn-lint's documentation "
            "(https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md)."
        ),
        reads={},
        check_stack=_at("error"),
    ),
    Rule(
        name="aws-cfn-lint-warnings",
        description=(
            "AWS's CloudFormation linter (cfn-lint) finds no warning in the planned resources: "
            "deprecated or discouraged settings that deploy but will bite."
        ),
        severity="medium",
        remediation="Fix the named property, or accept the warning for this environment class.",
        reads={},
        check_stack=_at("warning"),
        default_level="advisory",
    ),
)
