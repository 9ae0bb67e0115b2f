"""A customer-managed KMS key with its alias: the one shape every program here makes one in.

Rotation on, a 30-day deletion window, the key policy serialised once, and an alias so people and
`awskms://` URLs can name the key. Only the key may be protected or retained: the alias is a
pointer that can be made again at any time.

Programs made their keys before this component existed, as resources of their own (at the top
of the stack, or inside another component). `moved_from` names them there, and the key and alias
carry aliases to those URNs, so a deployed stack adopts its keys instead of replacing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class FormerNames:
    """The resource names a key and its alias had before they moved into the component, under the
    component's own parent."""

    key: str
    alias: str


@dataclass(frozen=True)
class KmsKeyArgs:
    description: str
    policy: Mapping[str, Any]  # the key policy; values may be Inputs
    alias: str  # `alias/...`, from a `kms-alias` label
    tags: Mapping[str, str]
    rotation: bool = True
    protect: bool = False  # the key only
    retain_on_delete: bool = False  # the key only
    moved_from: FormerNames | None = field(default=None)


class KmsKey(pulumi.ComponentResource):
    """The key (`key`, resource name `<name>`) and its alias (`<name>-alias`)."""

    key: aws.kms.Key
    alias: aws.kms.Alias

    def __init__(
        self, name: str, args: KmsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:shared:KmsKey", name, None, opts)
        # Where the key and alias lived before: beside this component, under its parent.
        former_parent = opts.parent if opts and opts.parent else pulumi.ROOT_STACK_RESOURCE
        moved = args.moved_from

        def child(former: str | None, **extra: Any) -> pulumi.ResourceOptions:
            aliases = [pulumi.Alias(name=former, parent=former_parent)] if former else None
            return pulumi.ResourceOptions(parent=self, aliases=aliases, **extra)

        self.key = aws.kms.Key(
            name,
            description=args.description,
            enable_key_rotation=args.rotation,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=pulumi.Output.json_dumps(args.policy),
            tags=dict(args.tags),
            opts=child(
                moved.key if moved else None,
                protect=args.protect,
                retain_on_delete=args.retain_on_delete,
            ),
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.alias,
            target_key_id=self.key.key_id,
            opts=child(moved.alias if moved else None),
        )
        self.register_outputs({"key_arn": self.key.arn, "alias": self.alias.name})
