"""What each CI role may do: IAM, key and bucket policy documents as plain data.

The AWS grants per class come from `ci_grants.json`, derived from the plans of every layer by
`nox -s access -- --write` (tooling/access): nothing here is PowerUserAccess or ReadOnlyAccess.
Around them: the class's state prefix and secrets key, and denies that hold whatever the grants
say (no other class's state, no history purge, no change to the boundary or to a CI role).
State bucket layout: one prefix per environment class, each the `PULUMI_BACKEND_URL` of its
GitHub environments; one secrets key per class, whose key policy names the roles that use it.
The classes and their GitHub environments come from the class registry (`shared.environment`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.environment import CLASSES as ENVIRONMENT_REGISTRY

GRANTS: dict[str, Any] = json.loads((Path(__file__).parent / "ci_grants.json").read_text())
CI_ROLE_PREFIX = "ci"


@dataclass(frozen=True)
class CiRole:
    """The role of one GitHub environment: the class whose state it uses, and whether it deploys
    or only previews (reads state and decrypts secrets, writes nothing but Pulumi's lock files)."""

    environment_class: str
    deploys: bool


def _github_environments() -> dict[str, CiRole]:
    """GitHub environment -> its role, from the class registry: each class's deploying environment
    and, for a class CI previews first, a read-only one. The preview roles have environments of
    their own, so a job that may only preview can never be handed the deploy role's credentials."""
    found: dict[str, CiRole] = {}
    for environment_class, info in ENVIRONMENT_REGISTRY.items():
        name = info.github_environment or environment_class
        found[name] = CiRole(environment_class, deploys=True)
        if info.previewed:
            found[f"{name}-preview"] = CiRole(environment_class, deploys=False)
    return found


GITHUB_ENVIRONMENTS: Mapping[str, CiRole] = _github_environments()
CLASSES: tuple[str, ...] = tuple(ENVIRONMENT_REGISTRY)

KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
KEY_DECRYPT = ["kms:Decrypt", "kms:DescribeKey"]
KEY_ADMINISTRATION = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]  # fmt: skip
# Changing these on the state bucket loses or rewrites history: only a break-glass admin may.
STATE_HISTORY = [
    "s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket",
    "s3:PutBucketObjectLockConfiguration", "s3:PutEncryptionConfiguration",
]  # fmt: skip
BOUNDARY_CHANGES = [
    "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
]  # fmt: skip
SECRETS_PURPOSE = "pulumi-secrets"
ENVIRONMENT_TAG = "Environment"


def _fill(pattern: str, account_id: str, region: str) -> str:
    return pattern.replace("${Account}", account_id).replace("${Region}", region)


def grant_statements(
    grants: Mapping[str, Any], *, account_id: str, region: str, boundary_arn: str
) -> list[dict[str, Any]]:
    """The derived grants (tooling/access/grants.py names the forms) as IAM statements."""
    glob = grants["environment_glob"]
    resource_tag = f"aws:ResourceTag/{ENVIRONMENT_TAG}"
    request_tag = f"aws:RequestTag/{ENVIRONMENT_TAG}"
    out: list[dict[str, Any]] = []

    def allow(sid: str, actions: list[str], resource: Any = "*", **condition: Any) -> None:
        if actions:
            statement = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
            if condition:
                statement["Condition"] = condition
            out.append(statement)

    allow("CannotBeScoped", grants.get("unscoped", []))
    allow("OnResourcesTaggedAsClass", grants.get("resource_tagged", []),
          StringLike={resource_tag: glob})  # fmt: skip
    for i, (pattern, actions) in enumerate(grants.get("request_tagged", {}).items()):
        allow(f"CreateTaggedAsClass{i}", actions, _fill(pattern, account_id, region),
              StringLike={request_tag: glob})  # fmt: skip
    # Tags move resources in and out of reach: retag only what is already the class's, and tag
    # on create only what carries no Environment tag yet.
    allow("RetagOwnResources", grants.get("tagging", []),
          StringLike={resource_tag: glob}, StringLikeIfExists={request_tag: glob})  # fmt: skip
    allow("TagOnCreate", grants.get("tagging", []),
          StringLike={request_tag: glob}, Null={resource_tag: "true"})  # fmt: skip
    for i, (pattern, actions) in enumerate(grants.get("named", {}).items()):
        allow(f"NamedAsClass{i}", actions, _fill(pattern, account_id, region))
    for i, (pattern, actions) in enumerate(grants.get("bounded", {}).items()):
        allow(f"RolesWithBoundary{i}", actions, _fill(pattern, account_id, region),
              StringEquals={"iam:PermissionsBoundary": boundary_arn})  # fmt: skip
    for i, (pattern, services) in enumerate(grants.get("pass_role", {}).items()):
        allow(f"PassOwnRoles{i}", ["iam:PassRole"], _fill(pattern, account_id, region),
              StringEquals={"iam:PassedToService": services})  # fmt: skip
    return out


# IAM's quotas: a managed policy's document at most 6,144 characters (white space not counted),
# ten managed policies per role by default; the derived grants outgrow one inline policy.
MANAGED_POLICY_CHARACTERS = 6144
MANAGED_POLICIES_PER_ROLE = 10


def in_managed_policies(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements split, in order, into as few documents as fit IAM's managed-policy size."""
    documents: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for statement in statements:
        candidate = {"Version": "2012-10-17", "Statement": [*current, statement]}
        if current and policy_characters(candidate) > MANAGED_POLICY_CHARACTERS:
            documents.append({"Version": "2012-10-17", "Statement": current})
            current = [statement]
        else:
            current.append(statement)
    if current:
        documents.append({"Version": "2012-10-17", "Statement": current})
    return documents


def policy_characters(document: dict[str, Any]) -> int:
    """A document's size as IAM counts it: JSON without white space."""
    return len(json.dumps(document, separators=(",", ":")))


def guard_statements(
    *, account_id: str, bucket_arn: str, boundary_arn: str, ci_role_pattern: str
) -> list[dict[str, Any]]:
    """Denies every CI role carries, whatever its grants say."""
    return [
        {"Sid": "NeverStateHistory", "Effect": "Deny", "Action": STATE_HISTORY,
         "Resource": [bucket_arn, f"{bucket_arn}/*"]},
        {"Sid": "NeverTheBoundary", "Effect": "Deny", "Action": BOUNDARY_CHANGES,
         "Resource": boundary_arn},
        {"Sid": "NeverRemoveABoundary", "Effect": "Deny",
         "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"},
        {"Sid": "NeverTheCiRoles", "Effect": "Deny", "Action": "iam:*",
         "Resource": ci_role_pattern},
        {"Sid": "NeverUsersOrGroups", "Effect": "Deny", "Action": ["iam:*User*", "iam:*Group*",
         "iam:*AccessKey*", "iam:*LoginProfile*"], "Resource": "*"},
        {"Sid": "NeverAwsManagedPolicies", "Effect": "Deny", "Action": "iam:AttachRolePolicy",
         "Resource": "*", "Condition": {"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/*"},
         "StringNotEquals": {"iam:PolicyARN": list(allowed_managed_policies())}}},
    ]  # fmt: skip


def allowed_managed_policies() -> tuple[str, ...]:
    return ("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",)


def state_statements(role: CiRole, *, bucket_arn: str, state_key_arn: Any) -> list[dict[str, Any]]:
    """The class's prefix (deploy: read and write; preview: read, and write lock files only), the
    state key through S3, and its secrets key (whose key policy says which use)."""
    prefix = role.environment_class
    writes = (
        f"{bucket_arn}/{prefix}/*" if role.deploys else f"{bucket_arn}/{prefix}/.pulumi/locks/*"
    )
    return [
        {"Sid": "ListOwnStatePrefix", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": bucket_arn, "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*", prefix]}}},
        {"Sid": "ReadOwnState", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"{bucket_arn}/{prefix}/*"},
        {"Sid": "WriteOwnState", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": writes},
        {"Sid": "StateKeyThroughS3", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": state_key_arn,
         "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
        # Secrets keys as a kind: which class's key a role uses is its key policy's to say, the
        # one place an auditor reads (a key without it would fall back to IAM: the check tests it).
        {"Sid": "SecretsKeys", "Effect": "Allow", "Action": KEY_USE if role.deploys else KEY_DECRYPT,
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/Purpose": SECRETS_PURPOSE}}},
        {"Sid": "WhoAmI", "Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
    ]  # fmt: skip


def secrets_key_policy(
    *, account_id: str, deploy_arns: list[Any], preview_arns: list[Any], ci_role_pattern: str
) -> dict[str, Any]:
    """The account administers the key but no CI role does; only the class's roles use it (its
    preview role only decrypts). Every other principal's use is denied, whatever IAM says."""
    root = {"AWS": f"arn:aws:iam::{account_id}:root"}
    users = [*deploy_arns, *preview_arns]
    statements: list[dict[str, Any]] = [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": root,
         "Action": KEY_ADMINISTRATION, "Resource": "*"},
        {"Sid": "ClassDeploysUse", "Effect": "Allow", "Principal": root, "Action": KEY_USE,
         "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalArn": deploy_arns}}},
        {"Sid": "NoOtherPrincipalUses", "Effect": "Deny", "Principal": "*", "Action": KEY_USE,
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalArn": users}}},
        {"Sid": "NoCiRoleAdministers", "Effect": "Deny", "Principal": "*",
         "Action": [a for a in KEY_ADMINISTRATION if a not in ("kms:Describe*", "kms:Get*", "kms:List*")],
         "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalArn": ci_role_pattern}}},
    ]  # fmt: skip
    if preview_arns:
        statements.insert(2, {"Sid": "ClassPreviewsDecrypt", "Effect": "Allow", "Principal": root,
            "Action": KEY_DECRYPT, "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalArn": preview_arns}}})  # fmt: skip
        statements.append({"Sid": "PreviewNeverEncrypts", "Effect": "Deny", "Principal": "*",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalArn": preview_arns}}})  # fmt: skip
    return {"Version": "2012-10-17", "Statement": statements}


def state_key_policy(*, account_id: str, ci_role_pattern: str) -> dict[str, Any]:
    """The account administers the state key; CI roles use it only through S3, never manage it."""
    root = {"AWS": f"arn:aws:iam::{account_id}:root"}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": root,
         "Action": KEY_ADMINISTRATION, "Resource": "*"},
        {"Sid": "UseThroughS3", "Effect": "Allow", "Principal": root,
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt"], "Resource": "*",
         "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
        {"Sid": "NoCiRoleAdministers", "Effect": "Deny", "Principal": "*",
         "Action": [a for a in KEY_ADMINISTRATION if a not in ("kms:Describe*", "kms:Get*", "kms:List*")],
         "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalArn": ci_role_pattern}}},
    ]}  # fmt: skip


def state_bucket_statements(
    bucket_arn: str, roles: Mapping[str, tuple[CiRole, Any]]
) -> list[dict[str, Any]]:
    """Per CI role: no state object outside its prefix (a preview role writes only lock files),
    and no CI role changes what keeps the history."""
    out: list[dict[str, Any]] = []
    for github_environment, (role, arn) in roles.items():
        prefix = role.environment_class
        sid = "".join(part.capitalize() for part in github_environment.split("-"))
        out.append({"Sid": f"{sid}OnlyOwnPrefix", "Effect": "Deny", "Principal": {"AWS": arn},
            "Action": ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*"],
            "NotResource": f"{bucket_arn}/{prefix}/*"})  # fmt: skip
        if not role.deploys:
            out.append({"Sid": f"{sid}WritesOnlyLocks", "Effect": "Deny", "Principal": {"AWS": arn},
                "Action": ["s3:PutObject*", "s3:DeleteObject*"],
                "NotResource": f"{bucket_arn}/{prefix}/.pulumi/locks/*"})  # fmt: skip
    out.append({"Sid": "NoCiRolePurgesHistory", "Effect": "Deny",
        "Principal": {"AWS": [arn for _, arn in roles.values()]}, "Action": STATE_HISTORY,
        "Resource": [bucket_arn, f"{bucket_arn}/*"]})  # fmt: skip
    return out


def boundary_policy(*, bucket_arn: str, ci_role_pattern: str) -> dict[str, Any]:
    """What any role a stack creates may ever do: the actions the stacks' roles are given
    (derived, `boundary` in ci_grants.json); never IAM, STS, the state bucket or a CI role."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "StackRoleActions", "Effect": "Allow", "Action": GRANTS["boundary"],
         "Resource": "*"},
        {"Sid": "NeverIdentity", "Effect": "Deny",
         "Action": ["iam:*", "sts:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Sid": "NeverState", "Effect": "Deny", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"]},
    ]}  # fmt: skip
