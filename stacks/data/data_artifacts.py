"""The artifacts bucket: private, encrypted (SSE-S3, as ALB log delivery requires), TLS only,
tiered to cheaper storage with age, and the destination of the app layer's ALB access logs.

Its S3 server access logs go to a second bucket, private and TLS-only as well, which only S3's log
delivery may write to (for this bucket, from this account) and which expires logs with the
profile's log retention. The log bucket does not log itself: its own access log would be another
write to it, an endless loop that AWS advises against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.aws.elb import elb_log_delivery_principal
from shared.config import DataConfig
from shared.context import StackContext
from shared.layers import ALB_ACCESS_LOG_PREFIX

ACCESS_LOG_PREFIX = "artifacts/"
"""Where the artifacts bucket's server access logs land in the log bucket."""


@dataclass(frozen=True)
class PrivateBucket:
    bucket: aws.s3.Bucket
    public_access: aws.s3.BucketPublicAccessBlock  # a bucket policy must wait for it
    versioning: aws.s3.BucketVersioning | None  # lifecycle rules must wait for it


def _private_bucket(ctx: StackContext[DataConfig], name: str) -> PrivateBucket:
    """A bucket no one outside the account reaches: public access blocked, ACLs off, SSE-S3 (the
    only encryption ALB and S3 log delivery can write with), versioned where config asks."""
    label = ctx.label("s3-bucket", name)
    bucket = aws.s3.Bucket(
        name,
        bucket=label.name,
        force_destroy=ctx.environment.profile.force_destroy_buckets,
        tags=label.tags,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketOwnershipControls(
        name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
                bucket_key_enabled=True,
            )
        ],
    )
    versioning = (
        aws.s3.BucketVersioning(
            name,
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
        )
        if ctx.config.artifacts_versioning
        else None
    )
    return PrivateBucket(bucket, public_access, versioning)


def _deny_insecure_transport(bucket: aws.s3.Bucket) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def access_log_bucket(ctx: StackContext[DataConfig], source: aws.s3.Bucket) -> aws.s3.Bucket:
    """The bucket `source`'s server access logs go to, and the BucketLogging that sends them."""
    logs = _private_bucket(ctx, "access-logs")
    bucket = logs.bucket
    policy = aws.s3.BucketPolicy(
        "access-logs",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    _deny_insecure_transport(bucket),
                    {
                        # With ACLs off (BucketOwnerEnforced), S3 log delivery needs this grant.
                        "Sid": "AllowS3ServerAccessLogDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(bucket.arn, f"/{ACCESS_LOG_PREFIX}*"),
                        "Condition": {
                            "ArnLike": {"aws:SourceArn": source.arn},
                            "StringEquals": {"aws:SourceAccount": ctx.account_id},
                        },
                    },
                ],
            }
        ),
        opts=pulumi.ResourceOptions(depends_on=[logs.public_access]),
    )
    aws.s3.BucketLifecycleConfiguration(
        "access-logs",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-access-logs",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=ctx.environment.profile.log_retention_days
                ),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=1
                ),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1
                ),
            )
        ],
        opts=pulumi.ResourceOptions(depends_on=[logs.versioning] if logs.versioning else []),
    )
    aws.s3.BucketLogging(
        "artifacts",
        bucket=source.id,
        target_bucket=bucket.id,
        target_prefix=ACCESS_LOG_PREFIX,
        # S3 checks that it may write to the target when logging is turned on.
        opts=pulumi.ResourceOptions(depends_on=[policy]),
    )
    return bucket


def artifacts_bucket(ctx: StackContext[DataConfig]) -> aws.s3.Bucket:
    artifacts = _private_bucket(ctx, "artifacts")
    bucket, public_access, versioning = (
        artifacts.bucket,
        artifacts.public_access,
        artifacts.versioning,
    )
    aws.s3.BucketPolicy(
        "artifacts",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    _deny_insecure_transport(bucket),
                    {
                        "Sid": "AllowAlbAccessLogDelivery",
                        "Effect": "Allow",
                        "Principal": elb_log_delivery_principal(ctx.region),
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(
                            bucket.arn, f"/{ALB_ACCESS_LOG_PREFIX}/AWSLogs/{ctx.account_id}/*"
                        ),
                    },
                ],
            }
        ),
        # S3 rejects a policy written while the public access block is still being applied.
        opts=pulumi.ResourceOptions(depends_on=[public_access]),
    )
    aws.s3.BucketLifecycleConfiguration(
        "artifacts",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="artifacts",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                        days=30, storage_class="STANDARD_IA"
                    ),
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                        days=90, storage_class="GLACIER_IR"
                    ),
                ],
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=30
                ),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7
                ),
            ),
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="alb-access-logs",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(
                    prefix=f"{ALB_ACCESS_LOG_PREFIX}/"
                ),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=ctx.environment.profile.log_retention_days
                ),
            ),
        ],
        # Versioning first: S3 evaluates noncurrent-version rules against the bucket's versioning.
        opts=pulumi.ResourceOptions(depends_on=[versioning] if versioning else []),
    )
    return bucket
