"""IAM evaluation by principalmapper's local policy simulation (`local_check_authorization_full`).

It evaluates identity policies, a permissions boundary, a resource policy (with the rule that IAM
and KMS resource policies must authorize even inside the account, so a key policy that only names
the account root delegates to IAM), explicit denies everywhere, and condition operators on the
request context we build. docs/access.md says why this library and what it does not model.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# principalmapper 1.1.5 (2022) still imports these from `collections`, gone since Python 3.10.
for _name in ("Mapping", "MutableMapping"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.query_interface import local_check_authorization_full  # noqa: E402

# Its debug log formats every request; at the access check's volume that is most of the time.
logging.getLogger("principalmapper").setLevel(logging.WARNING)

Document = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    """A role as IAM sees it: its policies (inline or managed), and its boundary if any."""

    arn: str
    policies: tuple[Document, ...]
    boundary: Document | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def node(self) -> Node:
        """principalmapper's Node for this role, built once."""
        policies = [Policy(self.arn, f"policy-{i}", doc) for i, doc in enumerate(self.policies)]
        boundary = (
            Policy(f"{self.arn}-boundary", "boundary", self.boundary)
            if self.boundary is not None
            else None
        )
        # The trust policy plays no part in what the role may do once assumed.
        trust: Document = {"Version": "2012-10-17", "Statement": []}
        return Node(
            self.arn,
            self.arn.rsplit("/", 1)[-1],
            policies,
            [],
            trust,
            None,
            0,
            False,
            False,
            boundary,
            False,
            dict(self.tags),
        )


@dataclass(frozen=True)
class Request:
    """One API call: action, resource ARN (`*` for actions without one) and its condition context."""

    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def allowed(
    principal: Principal,
    request: Request,
    *,
    resource_policy: Document | None = None,
    resource_owner: str | None = None,
) -> bool:
    """Whether AWS would allow `request` from `principal`, given the resource's own policy."""
    context = {k: (list(v) if not isinstance(v, str) else v) for k, v in request.context.items()}
    result: bool = local_check_authorization_full(
        principal.node,
        request.action,
        request.resource,
        context,
        resource_policy,
        resource_owner if resource_policy is not None else None,
        None,
        None,
    )
    return result


def default_key_policy(account_id: str) -> Document:
    """The key policy KMS gives a key created without one: the account, so IAM, decides."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
