"""The artifacts bucket: private, encrypted (SSE-S3, as ALB log delivery requires), TLS only,
tiered to cheaper storage with age, and the destination of the app layer's ALB access logs.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.aws.elb import elb_log_delivery_principal
from shared.config import DataConfig
from shared.context import StackContext
from shared.layers import ALB_ACCESS_LOG_PREFIX


def artifacts_bucket(ctx: StackContext[DataConfig]) -> aws.s3.Bucket:
    label = ctx.label("s3-bucket", "artifacts")
    bucket = aws.s3.Bucket(
        "artifacts",
        bucket=label.name,
        force_destroy=ctx.environment.profile.force_destroy_buckets,
        tags=label.tags,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        "artifacts",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketOwnershipControls(
        "artifacts",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "artifacts",
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
            "artifacts",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
        )
        if ctx.config.artifacts_versioning
        else None
    )
    aws.s3.BucketPolicy(
        "artifacts",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
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
