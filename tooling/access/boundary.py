"""What the permissions boundary must allow: every action the stacks' own roles are given."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shared.wire import SECRET_SIGNATURE_KEY
from tooling.access.needs import Planned

# The one AWS managed policy a stack attaches (data layer, RDS enhanced monitoring). Its actions
# as AWS documents them (IAM User Guide, AmazonRDSEnhancedMonitoringRole); the boundary must allow
# them or RDS stops publishing OS metrics.
MANAGED_POLICY_ACTIONS = {
    "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole": (
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
        "logs:GetLogEvents",
    )
}


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and SECRET_SIGNATURE_KEY in value:
        value = value.get("value")  # a policy naming a secret output is itself secret
    document = json.loads(value) if isinstance(value, str) else value
    return document if isinstance(document, dict) else {}


def role_actions(resources: Iterable[Planned]) -> set[str]:
    """Actions of every inline policy and known managed policy the planned roles carry."""
    actions: set[str] = set()
    for r in resources:
        if r.type == "aws:iam/rolePolicy:RolePolicy":
            statements = _document(r.inputs.get("policy")).get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                if statement.get("Effect") == "Allow":
                    listed = statement.get("Action", [])
                    actions.update([listed] if isinstance(listed, str) else listed)
        elif r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            actions.update(MANAGED_POLICY_ACTIONS.get(str(r.inputs.get("policyArn")), ()))
    return actions
