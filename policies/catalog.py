"""Every rule of the pack, in the order the README lists them."""

from __future__ import annotations

from policies import (
    cloudformation,
    cost,
    ecs,
    engine_version,
    load_balancer,
    logs,
    naming,
    network,
    rds,
    s3,
    tagging,
)
from policies.spec import Rule

RULES: tuple[Rule, ...] = (
    *rds.RULES,
    *engine_version.RULES,
    *s3.RULES,
    *network.RULES,
    *load_balancer.RULES,
    *ecs.RULES,
    *logs.RULES,
    *tagging.RULES,
    *naming.RULES,
    *cost.RULES,
    *cloudformation.RULES,
)
BY_NAME = {rule.name: rule for rule in RULES}
