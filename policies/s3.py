"""S3: every bucket is private, encrypted, TLS-only and (in prod) versioned.

Buckets are configured through separate resources (public-access block, encryption, policy,
versioning), so these are stack policies: a bucket passes when some resource of the right type
points at it, either through its dependencies (the only link known during preview, when the bucket
id is unknown) or through a `bucket` value equal to the bucket's name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from policies.props import UnknownValueError, flag, items, present, text, value
from policies.spec import Context, Rule, StackResource

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
# pulumi-aws v7 configures server access logging with a resource of its own.
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
PUBLIC_ACCESS_SETTINGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)


class _Attachments:
    """A stack's bucket configuration resources, by the bucket URN they depend on and the bucket
    name they give: a bucket's lookup costs its own attachments, where a scan of the stack per
    bucket is quadratic in a big stack."""

    def __init__(self, resources: Sequence[StackResource]) -> None:
        self._resources = resources
        self._by_reference: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        for position, resource in enumerate(resources):
            if resource.type in BUCKETS:
                continue
            # The `bucket` input's own dependencies when recorded: a logging configuration
            # depends on its target bucket too, which it does not configure.
            owners = resource.property_dependencies.get("bucket", resource.dependencies)
            for urn in dict.fromkeys(owners):
                self._by_reference.setdefault(urn, []).append(position)
            name = _bucket_name(resource) if present(resource.props, "bucket") else None
            if name is not None:
                self._by_name.setdefault(name, []).append(position)

    def of(self, bucket: StackResource, types: tuple[str, ...]) -> list[StackResource]:
        """The resources of `types` that depend on the bucket or name it, in stack order."""
        positions = set(self._by_reference.get(bucket.urn, ()))
        name = _bucket_name(bucket)
        if name is not None:
            positions.update(self._by_name.get(name, ()))
        return [self._resources[i] for i in sorted(positions) if self._resources[i].type in types]


def _attached(
    bucket: StackResource, resources: Sequence[StackResource], types: tuple[str, ...]
) -> list[StackResource]:
    return _Attachments(resources).of(bucket, types)


def _bucket_name(resource: StackResource, key: str = "bucket") -> str | None:
    try:
        return text(resource.props, key)
    except UnknownValueError:
        return None


def _per_bucket(
    resources: Sequence[StackResource],
    problem: Callable[[StackResource, _Attachments], str | None],
) -> list[tuple[str, str]]:
    """Apply `problem` to every bucket; unknown values skip that bucket and are re-raised last."""
    found: list[tuple[str, str]] = []
    unknown: UnknownValueError | None = None
    attachments = _Attachments(resources)
    for bucket in resources:
        if bucket.type not in BUCKETS:
            continue
        try:
            message = problem(bucket, attachments)
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if message:
            found.append((bucket.urn, f"bucket {bucket.name or bucket.urn}: {message}"))
    if unknown is not None and not found:
        raise unknown
    return found


def check_public_access_block(
    resources: Sequence[StackResource], context: Context
) -> list[tuple[str, str]]:
    def problem(bucket: StackResource, attachments: _Attachments) -> str | None:
        blocks = attachments.of(bucket, (PUBLIC_ACCESS_BLOCK,))
        if not blocks:
            return "has no BucketPublicAccessBlock"
        for block in blocks:
            off = [key for key in PUBLIC_ACCESS_SETTINGS if flag(block.props, key) is not True]
            if not off:
                return None
        return f"public-access block leaves {', '.join(off)} not true"

    return _per_bucket(resources, problem)


def check_encryption(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
    def problem(bucket: StackResource, attachments: _Attachments) -> str | None:
        # Inline forms: Bucket has one block, the deprecated BucketV2 a list.
        inline = value(bucket.props, "serverSideEncryptionConfiguration") or items(
            bucket.props, "serverSideEncryptionConfigurations"
        )
        for config in attachments.of(bucket, ENCRYPTION):
            if items(config.props, "rules"):
                return None
        if inline:
            return None
        return "has no server-side encryption configuration"

    return _per_bucket(resources, problem)


def denies_insecure_transport(document: Any) -> bool:
    """Whether a bucket policy denies every request made without TLS (aws:SecureTransport false)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return False
    if not isinstance(document, Mapping):
        return False
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition", {})
        secure = condition.get("Bool", {}).get("aws:SecureTransport") if condition else None
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if str(secure).lower() == "false" and any(a in ("s3:*", "*") for a in actions):
            return True
    return False


def check_tls_only(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
    def problem(bucket: StackResource, attachments: _Attachments) -> str | None:
        policies = [value(p.props, "policy") for p in attachments.of(bucket, (POLICY,))]
        policies.append(value(bucket.props, "policy"))
        if any(denies_insecure_transport(document) for document in policies if document):
            return None
        return "no bucket policy denies requests without TLS (aws:SecureTransport=false)"

    return _per_bucket(resources, problem)


def check_versioning(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
    def problem(bucket: StackResource, attachments: _Attachments) -> str | None:
        for config in attachments.of(bucket, VERSIONING):
            if text(config.props, "versioningConfiguration.status") == "Enabled":
                return None
        if flag(bucket.props, "versioning.enabled"):
            return None
        if any(flag(v, "enabled") for v in items(bucket.props, "versionings")):
            return None
        return f"versioning is not enabled on a {context.environment.environment_class} bucket"

    return _per_bucket(resources, problem)


_BUCKET_READS = {bucket: ("bucket",) for bucket in BUCKETS}


def check_access_logging(
    resources: Sequence[StackResource], context: Context
) -> list[tuple[str, str]]:
    """Advisory: logs need a bucket to land in, which a small environment may not want to pay for."""

    targets: set[str] = set()  # URNs and names of the buckets that receive access logs
    for logging in resources:
        if logging.type == BUCKET_LOGGING:
            targets.update(logging.property_dependencies.get("targetBucket", ()))
            target = _bucket_name(logging, "targetBucket")
            if target is not None:
                targets.add(target)

    def problem(bucket: StackResource, attachments: _Attachments) -> str | None:
        # AWS advises against logging a log bucket into itself; it is the logs' destination.
        if attachments.of(bucket, (BUCKET_LOGGING,)) or bucket.urn in targets:
            return None
        if _bucket_name(bucket) in targets:
            return None
        return "has no server access logging (aws.s3.BucketLogging)"

    return _per_bucket(resources, problem)


RULES = (
    Rule(
        name="aws-s3-bucket-public-access-block",
        description="Every S3 bucket must have a public-access block with all four settings true.",
        severity="critical",
        remediation=(
            "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, "
            "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true."
        ),
        reads={**_BUCKET_READS, PUBLIC_ACCESS_BLOCK: ("bucket", *PUBLIC_ACCESS_SETTINGS)},
        check_stack=check_public_access_block,
    ),
    Rule(
        name="aws-s3-bucket-server-side-encryption",
        description="Every S3 bucket must declare server-side encryption.",
        severity="high",
        remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration (SSE-KMS or AES256).",
        reads={
            BUCKETS[0]: ("bucket", "serverSideEncryptionConfiguration"),
            BUCKETS[1]: ("bucket", "serverSideEncryptionConfigurations"),
            **{t: ("bucket", "rules") for t in ENCRYPTION},
        },
        check_stack=check_encryption,
    ),
    Rule(
        name="aws-s3-bucket-tls-only",
        description="Every S3 bucket policy must deny requests that do not use TLS.",
        severity="high",
        remediation=(
            "Attach an aws.s3.BucketPolicy with a Deny statement for s3:* when "
            '{"Bool": {"aws:SecureTransport": "false"}}.'
        ),
        reads={**{b: ("bucket", "policy") for b in BUCKETS}, POLICY: ("bucket", "policy")},
        check_stack=check_tls_only,
    ),
    Rule(
        name="aws-s3-bucket-versioning-prod",
        description="S3 buckets must have versioning enabled (a class opts in; prod does).",
        default_level="disabled",
        severity="medium",
        remediation="Add an aws.s3.BucketVersioning with status Enabled (data:artifactsVersioning).",
        reads={
            BUCKETS[0]: ("bucket", "versioning.enabled"),
            BUCKETS[1]: ("bucket", "versionings[].enabled"),
            **{t: ("bucket", "versioningConfiguration.status") for t in VERSIONING},
        },
        check_stack=check_versioning,
    ),
    Rule(
        name="aws-s3-bucket-access-logging",
        description="S3 buckets should record server access logs (an aws.s3.BucketLogging).",
        severity="low",
        remediation=(
            "Add an aws.s3.BucketLogging for the bucket with a target bucket and prefix that "
            "accepts S3 log delivery."
        ),
        reads={
            **{b: ("bucket",) for b in BUCKETS},
            BUCKET_LOGGING: ("bucket", "targetBucket", "targetPrefix"),
        },
        check_stack=check_access_logging,
        default_level="advisory",
    ),
)
