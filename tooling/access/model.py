"""The access model as the bootstrap plans it: roles with their policies, the state bucket's
policy, every key's policy. Read from the bootstrap's planned resources and outputs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shared.wire import SECRET_SIGNATURE_KEY
from tooling.access.evaluator import Document, Principal
from tooling.access.needs import Planned


@dataclass(frozen=True)
class Role:
    github_environment: str
    environment_class: str
    deploys: bool
    principal: Principal


@dataclass(frozen=True)
class Key:
    arn: str
    policy: Document | None  # None: created without one, so KMS's default (IAM decides)
    tags: Mapping[str, str]


@dataclass(frozen=True)
class AccessModel:
    account_id: str
    bucket_arn: str
    bucket_policy: Document
    boundary_arn: str
    roles: Mapping[str, Role]
    keys: Mapping[str, Key]  # resource name -> key (`state`, `secrets-<class>`)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_role(self, name: str, principal: Principal) -> AccessModel:
        roles = dict(self.roles)
        roles[name] = replace(roles[name], principal=principal)
        return replace(self, roles=roles)

    def with_key(self, name: str, key: Key) -> AccessModel:
        return replace(self, keys={**self.keys, name: key})


def _document(value: Any) -> Document:
    if isinstance(value, dict) and SECRET_SIGNATURE_KEY in value:
        value = value.get("value")
    document = json.loads(value) if isinstance(value, str) else value
    return document if isinstance(document, dict) else {}


def read_model(resources: Sequence[Planned], outputs: Mapping[str, Any]) -> AccessModel:
    """The model from the bootstrap's plan (its `ci_roles`, `state_bucket`, `boundary_arn`)."""
    ci_roles: Mapping[str, Any] = outputs["ci_roles"]
    arn_to_env = {v["arn"]: env for env, v in ci_roles.items()}
    name_to_env: dict[str, str] = {}
    for r in resources:
        if r.type == "aws:iam/role:Role" and r.outputs.get("arn") in arn_to_env:
            name_to_env[str(r.outputs.get("id") or r.inputs.get("name"))] = arn_to_env[
                r.outputs["arn"]
            ]
    policies: dict[str, list[Document]] = {env: [] for env in ci_roles}
    keys: dict[str, Key] = {}
    bucket_policy: Document = {}
    # Customer-managed policies by ARN, spelled from their names as the bootstrap attaches them.
    account = next(iter(ci_roles.values()))["arn"].split(":")[4]
    managed = {
        f"arn:aws:iam::{account}:policy/{r.inputs.get('name')}": _document(r.inputs.get("policy"))
        for r in resources
        if r.type == "aws:iam/policy:Policy"
    }
    for r in resources:
        env = name_to_env.get(str(r.inputs.get("role")))
        if r.type == "aws:iam/rolePolicy:RolePolicy" and env is not None:
            policies[env].append(_document(r.inputs.get("policy")))
        elif r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" and env is not None:
            arn = str(r.inputs.get("policyArn"))
            if arn not in managed:
                raise ValueError(f"{env} attaches {arn}, whose document the model does not have")
            policies[env].append(managed[arn])
        elif r.type == "aws:kms/key:Key":
            policy = r.inputs.get("policy")
            keys[r.name] = Key(
                str(r.outputs["arn"]),
                _document(policy) if policy else None,
                dict(r.outputs.get("tagsAll") or r.inputs.get("tags") or {}),
            )
        elif r.type == "aws:s3/bucketPolicy:BucketPolicy":
            bucket_policy = _document(r.inputs.get("policy"))
    roles = {
        env: Role(env, v["class"], bool(v["deploys"]), Principal(v["arn"], tuple(policies[env])))
        for env, v in ci_roles.items()
    }
    bucket = str(outputs["state_bucket"])
    return AccessModel(
        account_id=account,
        bucket_arn=f"arn:aws:s3:::{bucket}",
        bucket_policy=bucket_policy,
        boundary_arn=str(outputs["boundary_arn"]),
        roles=roles,
        keys=keys,
    )
