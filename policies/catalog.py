"""Every rule of the pack, in the order the README lists them."""

from __future__ import annotations

from policies import cost, ecs, logs, naming, network, oidc, rds, s3, state_bucket, tagging
from policies.spec import Rule

RULES: tuple[Rule, ...] = (
    *rds.RULES,
    *s3.RULES,
    *network.RULES,
    *ecs.RULES,
    *logs.RULES,
    *tagging.RULES,
    *naming.RULES,
    *cost.RULES,
    *oidc.RULES,
    *state_bucket.RULES,
)
BY_NAME = {rule.name: rule for rule in RULES}
