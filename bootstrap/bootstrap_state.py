"""The Pulumi state bucket and its key: versioned, KMS-encrypted, TLS-only, private; old versions
expire. Each class's backend prefix gets the file the DIY backend writes on its first login.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import access
import pulumi
import pulumi_aws as aws

from shared.buckets import PrivateBucket, deny_insecure_transport, private_bucket
from shared.context import LabelContext
from shared.kms import FormerNames, KmsKey, KmsKeyArgs
from shared.layers import PRODUCT

NONCURRENT_VERSION_DAYS = 90
ABORT_UPLOADS_DAYS = 7
# What the DIY backend writes to `<prefix>/.pulumi/meta.yaml` on its first login to an empty prefix
# (pulumi/pulumi pkg/backend/diy/meta.go: ensurePulumiMeta, then WriteTo marshals
# pulumiMeta{Version: 1} with yaml.v3). A read-only preview role cannot write it, so the first
# preview of an unused prefix would fail: the bootstrap writes it for every class's prefix.
BACKEND_META_KEY = ".pulumi/meta.yaml"
BACKEND_META = "version: 1\n"


@dataclass(frozen=True)
class StateStore:
    key: aws.kms.Key
    store: PrivateBucket
    name: str  # known at plan time, like the ARN
    arn: str


def state_store(labels: LabelContext, *, ci_role_pattern: str) -> StateStore:
    """The key and the bucket, both protected: losing either loses every stack's state."""
    key_label = labels.label("kms-alias", "state")
    key = KmsKey(
        "state",
        KmsKeyArgs(
            description=f"{PRODUCT}: encrypts the Pulumi state bucket",
            policy=access.state_key_policy(
                account_id=labels.account_id, ci_role_pattern=ci_role_pattern
            ),
            alias=key_label.name,
            tags=key_label.tags,
            protect=True,
            moved_from=FormerNames(key="state", alias="state"),
        ),
    ).key
    bucket_label = labels.label("s3-bucket", "state")
    # The tag is what the pack's state-bucket policy recognises the bucket by.
    store = private_bucket(
        "state",
        bucket_name=bucket_label.name,
        tags={**bucket_label.tags, "Purpose": "pulumi-state"},
        versioned=True,
        kms_key_arn=key.arn,
        opts=pulumi.ResourceOptions(protect=True),
    )
    aws.s3.BucketLifecycleConfiguration(
        "state",
        bucket=store.bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="old-state-versions",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=NONCURRENT_VERSION_DAYS
                ),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=ABORT_UPLOADS_DAYS
                ),
            )
        ],
    )
    name = bucket_label.name
    return StateStore(key, store, name, f"arn:aws:s3:::{name}")


def bucket_policy(state: StateStore, role_arns: Mapping[str, pulumi.Output[str]]) -> None:
    """TLS only; each CI role reaches its own class's prefix (access.state_bucket_statements)."""
    bucket = state.store.bucket
    aws.s3.BucketPolicy(
        "state",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    deny_insecure_transport(bucket),
                    *access.state_bucket_statements(
                        state.arn,
                        {
                            env: (ci, role_arns[env])
                            for env, ci in access.GITHUB_ENVIRONMENTS.items()
                        },
                    ),
                ],
            }
        ),
        opts=pulumi.ResourceOptions(depends_on=[state.store.public_access]),
    )


def backend_meta(state: StateStore, classes: Iterable[str], tags: Mapping[str, str]) -> None:
    for environment_class in classes:
        aws.s3.BucketObjectv2(
            f"backend-meta-{environment_class}",
            bucket=state.store.bucket.id,
            key=f"{environment_class}/{BACKEND_META_KEY}",
            content=BACKEND_META,
            content_type="application/yaml",
            tags=dict(tags),
            # Explicit: the bucket's default encryption may not be in place yet when this is written.
            server_side_encryption="aws:kms",
            kms_key_id=state.key.arn,
        )
