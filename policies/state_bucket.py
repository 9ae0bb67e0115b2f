"""The Pulumi state bucket (tagged `Purpose=pulumi-state`): every stack's state and history.

Stricter than any other bucket: versioned in every class (a bad write can be undone), encrypted
with a KMS key (access to state needs the key too), TLS-only, private, and old versions expire
so a long history does not grow forever.
"""

from __future__ import annotations

from collections.abc import Sequence

from policies.props import UnknownValueError, flag, items, text, value
from policies.s3 import (
    BUCKETS,
    ENCRYPTION,
    POLICY,
    PUBLIC_ACCESS_BLOCK,
    PUBLIC_ACCESS_SETTINGS,
    VERSIONING,
    denies_insecure_transport,
)
from policies.spec import Context, Rule, StackResource

STATE_TAG = ("Purpose", "pulumi-state")
LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def is_state_bucket(resource: StackResource) -> bool:
    try:
        tags = value(resource.props, "tags") or {}
    except UnknownValueError:
        return False
    return resource.type in BUCKETS and tags.get(STATE_TAG[0]) == STATE_TAG[1]


def _attached(
    bucket: StackResource, resources: Sequence[StackResource], types: tuple[str, ...]
) -> list[StackResource]:
    try:
        name = text(bucket.props, "bucket")
    except UnknownValueError:
        name = None
    found = []
    for resource in resources:
        if resource.type not in types:
            continue
        try:
            target = text(resource.props, "bucket")
        except UnknownValueError:
            target = None
        if bucket.urn in resource.dependencies or (name is not None and target == name):
            found.append(resource)
    return found


def _kms_encrypted(resource: StackResource) -> bool:
    for rule in items(resource.props, "rules"):
        default = (rule or {}).get("applyServerSideEncryptionByDefault") or {}
        if default.get("sseAlgorithm") in KMS_ALGORITHMS and default.get("kmsMasterKeyId"):
            return True
    return False


def _expires_old_versions(resource: StackResource) -> bool:
    for rule in items(resource.props, "rules"):
        settings = rule or {}
        expiration = settings.get("noncurrentVersionExpiration") or {}
        if settings.get("status") == "Enabled" and expiration.get("noncurrentDays"):
            return True
    return False


def missing_settings(bucket: StackResource, resources: Sequence[StackResource]) -> list[str]:
    missing = []
    if not any(
        text(r.props, "versioningConfiguration.status") == "Enabled"
        for r in _attached(bucket, resources, VERSIONING)
    ):
        missing.append("versioning enabled")
    if not any(_kms_encrypted(r) for r in _attached(bucket, resources, ENCRYPTION)):
        missing.append("SSE-KMS with a customer key (sseAlgorithm aws:kms and kmsMasterKeyId)")
    if not any(
        denies_insecure_transport(text(r.props, "policy"))
        for r in _attached(bucket, resources, (POLICY,))
    ):
        missing.append("a bucket policy denying aws:SecureTransport=false")
    if not any(
        all(flag(r.props, setting) for setting in PUBLIC_ACCESS_SETTINGS)
        for r in _attached(bucket, resources, (PUBLIC_ACCESS_BLOCK,))
    ):
        missing.append("a public-access block with all four settings true")
    if not any(_expires_old_versions(r) for r in _attached(bucket, resources, LIFECYCLE)):
        missing.append("a lifecycle rule expiring noncurrent versions")
    return missing


def check_state_bucket(
    resources: Sequence[StackResource], context: Context
) -> list[tuple[str, str]]:
    found = []
    for bucket in resources:
        if not is_state_bucket(bucket):
            continue
        missing = missing_settings(bucket, resources)
        if missing:
            found.append(
                (
                    bucket.urn,
                    f"state bucket {bucket.name or bucket.urn} lacks: {'; '.join(missing)}",
                )
            )
    return found


_READS: dict[str, tuple[str, ...]] = {
    **{t: ("bucket", "tags") for t in BUCKETS},
    **{t: ("bucket", "versioningConfiguration.status") for t in VERSIONING},
    **{
        t: (
            "bucket",
            "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
            "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId",
        )
        for t in ENCRYPTION
    },
    POLICY: ("bucket", "policy"),
    PUBLIC_ACCESS_BLOCK: ("bucket", *PUBLIC_ACCESS_SETTINGS),
    **{
        t: ("bucket", "rules[].status", "rules[].noncurrentVersionExpiration.noncurrentDays")
        for t in LIFECYCLE
    },
}

RULES: tuple[Rule, ...] = (
    Rule(
        name="aws-s3-state-bucket",
        description=(
            "The Pulumi state bucket (tag Purpose=pulumi-state) must be versioned, SSE-KMS "
            "encrypted, TLS-only, private, and expire noncurrent versions."
        ),
        severity="critical",
        remediation=(
            "See bootstrap/__main__.py: BucketVersioning Enabled, SSE aws:kms with the state key, "
            "a TLS-only BucketPolicy, a full BucketPublicAccessBlock and a "
            "BucketLifecycleConfiguration rule with noncurrentVersionExpiration."
        ),
        reads=_READS,
        check_stack=check_state_bucket,
    ),
)
