"""A private S3 bucket as every program here makes one: public access blocked, ACLs off (bucket
owner enforced), default encryption, versioned on request, and the TLS-only statement its bucket
policy starts with. The bucket's own purpose (lifecycle, who may write) stays with its program."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PrivateBucket:
    bucket: aws.s3.Bucket
    public_access: aws.s3.BucketPublicAccessBlock  # a bucket policy must wait for it
    versioning: aws.s3.BucketVersioning | None  # lifecycle rules must wait for it


def private_bucket(
    resource_name: str,
    *,
    bucket_name: str,
    tags: dict[str, str],
    versioned: bool,
    kms_key_arn: pulumi.Input[str] | None = None,
    force_destroy: bool = False,
    opts: pulumi.ResourceOptions | None = None,
) -> PrivateBucket:
    """Without `kms_key_arn` the bucket uses SSE-S3: the only encryption ALB and S3 log delivery
    can write with. `opts` applies to the bucket itself (e.g. protect)."""
    bucket = aws.s3.Bucket(
        resource_name, bucket=bucket_name, force_destroy=force_destroy, tags=tags, opts=opts
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        resource_name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketOwnershipControls(
        resource_name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    encryption = (
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms" if kms_key_arn is not None else "AES256",
            kms_master_key_id=kms_key_arn,
        )
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        resource_name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=encryption, bucket_key_enabled=True
            )
        ],
    )
    versioning = (
        aws.s3.BucketVersioning(
            resource_name,
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
        )
        if versioned
        else None
    )
    return PrivateBucket(bucket, public_access, versioning)


def deny_insecure_transport(bucket: aws.s3.Bucket) -> dict[str, Any]:
    """The bucket-policy statement refusing every request not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
