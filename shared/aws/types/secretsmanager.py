"""Secrets Manager (no layer creates a secret today; RDS manages the database's own)."""

from __future__ import annotations

from shared.aws.types._model import ResourceType, Shape

TYPES = (
    ResourceType(
        "aws:secretsmanager/secret:Secret",
        "a Secrets Manager secret (no layer creates one; its names are checked)",
        shape=Shape(
            id="{arn}", arn="arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix6}"
        ),
        names={"name": "secret"},
        no_cloudformation="not translated: no layer creates one",
        holds_data="a secret's value",
    ),
)
