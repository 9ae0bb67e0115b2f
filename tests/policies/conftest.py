"""Raw props the way the analyzer delivers them, and contexts per environment."""

from __future__ import annotations

from typing import Any

import pytest

from policies.props import UNKNOWN_SENTINELS
from policies.spec import Context
from shared.environment import parse_environment
from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
assert UNKNOWN in UNKNOWN_SENTINELS


def secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


def context(environment: str = "dev", **kwargs: Any) -> Context:
    return Context(environment=parse_environment(environment), **kwargs)


@pytest.fixture
def prod() -> Context:
    return context("prod", region="us-east-1")


# Mandatory findings the layers' committed defaults still produce, each to be removed by a stack
# change (not by the pack): (policy, text in the message). A default plan may show these and no
# other mandatory violation; test_plan.py fails once an entry is no longer needed, so the list
# can only shrink.
PENDING_STACK_FIXES: tuple[tuple[str, str], ...] = (
    # Aurora default 16.4 (and its cfn-lint twin W3690/W3691 is advisory): default to a current one.
    ("aws-rds-engine-version-current", "engineVersion 16.4"),
    # Aurora instances do not take CopyTagsToSnapshot (the cluster copies tags).
    ("aws-cfn-lint-errors", "[E3682] property copyTagsToSnapshot"),
    # prod's committed config has no certificate: the ALB serves plain HTTP.
    ("aws-alb-internet-facing-https", "internet-facing"),
)


def pending(policy: str, message: str) -> bool:
    return any(policy == p and text in message for p, text in PENDING_STACK_FIXES)
