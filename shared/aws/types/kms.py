"""KMS: customer managed keys and their aliases."""

from __future__ import annotations

from typing import Any

from shared.aws.types._convert import document, to
from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation


def _key(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"keyId": ident}


TYPES = (
    ResourceType(
        "aws:kms/key:Key",
        "a customer managed KMS key",
        shape=Shape(id="{uuid}", arn="arn:aws:kms:{region}:{account}:key/{uuid}", extra=_key),
        cloudformation="AWS::KMS::Key",
        translation=Translation(
            fields={
                "policy": to("KeyPolicy", document),
                "deletionWindowInDays": "PendingWindowInDays",
                "customerMasterKeySpec": "KeySpec",
                "isEnabled": "Enabled",
            },
            rejects={"deletionWindowInDays": 3.0},
        ),
        holds_data="a KMS key (everything encrypted with it)",
    ),
    ResourceType(
        "aws:kms/alias:Alias",
        "a KMS key's alias",
        shape=Shape(id="{name}", arn="arn:aws:kms:{region}:{account}:{name}"),
        names={"name": "kms-alias"},
        cloudformation="AWS::KMS::Alias",
        translation=Translation(
            fields={"name": "AliasName"}, tags=False, rejects={"name": "platform-logs"}
        ),
    ),
)
