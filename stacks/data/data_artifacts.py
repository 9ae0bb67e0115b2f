"""The artifacts bucket: private, encrypted (SSE-S3, as ALB log delivery requires), TLS only,
tiered to cheaper storage with age, and the destination of the app layer's ALB access logs.

Its S3 server access logs go to a second bucket, private and TLS-only as well, which only S3's log
delivery may write to (for this bucket, from this account) and which expires logs with the
profile's log retention. The log bucket does not log itself: its own access log would be another
write to it, an endless loop that AWS advises against.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.aws.elb import elb_log_delivery_principal
from shared.buckets import PrivateBucket, deny_insecure_transport, private_bucket
from shared.context import LabelContext
from shared.layers import ALB_ACCESS_LOG_PREFIX

ACCESS_LOG_PREFIX = "artifacts/"
"""Where the artifacts bucket's server access logs land in the log bucket."""


@dataclass(frozen=True)
class BucketSettings:
    versioned: bool  # data:artifactsVersioning
    force_destroy: bool  # the profile's: ephemeral environments empty their buckets on destroy
    log_retention_days: int  # the profile's: ALB and S3 access logs expire after it


def _private_bucket(labels: LabelContext, name: str, settings: BucketSettings) -> PrivateBucket:
    """SSE-S3 (what ALB and S3 log delivery write with), versioned where config asks."""
    label = labels.label("s3-bucket", name)
    return private_bucket(
        name,
        bucket_name=label.name,
        tags=label.tags,
        versioned=settings.versioned,
        force_destroy=settings.force_destroy,
    )


def access_log_bucket(
    labels: LabelContext, settings: BucketSettings, source: aws.s3.Bucket
) -> aws.s3.Bucket:
    """The bucket `source`'s server access logs go to, and the BucketLogging that sends them."""
    logs = _private_bucket(labels, "access-logs", settings)
    bucket = logs.bucket
    policy = aws.s3.BucketPolicy(
        "access-logs",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    deny_insecure_transport(bucket),
                    {
                        # With ACLs off (BucketOwnerEnforced), S3 log delivery needs this grant.
                        "Sid": "AllowS3ServerAccessLogDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(bucket.arn, f"/{ACCESS_LOG_PREFIX}*"),
                        "Condition": {
                            "ArnLike": {"aws:SourceArn": source.arn},
                            "StringEquals": {"aws:SourceAccount": labels.account_id},
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
                    days=settings.log_retention_days
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


def artifacts_bucket(labels: LabelContext, settings: BucketSettings) -> aws.s3.Bucket:
    artifacts = _private_bucket(labels, "artifacts", settings)
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
                    deny_insecure_transport(bucket),
                    {
                        "Sid": "AllowAlbAccessLogDelivery",
                        "Effect": "Allow",
                        "Principal": elb_log_delivery_principal(labels.region),
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(
                            bucket.arn, f"/{ALB_ACCESS_LOG_PREFIX}/AWSLogs/{labels.account_id}/*"
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
                    days=settings.log_retention_days
                ),
            ),
        ],
        # Versioning first: S3 evaluates noncurrent-version rules against the bucket's versioning.
        opts=pulumi.ResourceOptions(depends_on=[versioning] if versioning else []),
    )
    return bucket
