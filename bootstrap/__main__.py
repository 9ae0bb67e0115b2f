"""The bootstrap project: what CI needs in an AWS account before any layer can be deployed.

Run once per account with the local file backend (docs/ci.md), then move its state into the bucket
it created. Not a layer: nothing here reads or is read through StackReferences. It creates the
state bucket (versioned, KMS-encrypted, TLS-only, private, old versions expire), a KMS key per
environment class for Pulumi's awskms:// secrets provider, GitHub's OIDC provider, one role per
GitHub environment trusted only for `repo:<owner>/<repo>:environment:<name>`, and a read-only
preview role for pull requests.
"""

from typing import Any

import access
import pulumi
import pulumi_aws as aws

from shared.buckets import deny_insecure_transport, private_bucket
from shared.config.values import ConfigError
from shared.layers import PRODUCT
from shared.naming import Namer
from shared.tagging import standard_tags, with_name
from shared.trust_policies import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, github_oidc_trust_policy

LAYER = "bootstrap"
NONCURRENT_VERSION_DAYS = 90
ABORT_UPLOADS_DAYS = 7

# The value the committed Pulumi.account.yaml ships with: roles trusting it would trust nobody's
# workflows (or a stranger's, should someone register that name).
PLACEHOLDER_REPOSITORY = "example-org/aws-platform"
# What the DIY backend writes to `<prefix>/.pulumi/meta.yaml` on its first login to an empty prefix
# (pulumi/pulumi pkg/backend/diy/meta.go: ensurePulumiMeta, then WriteTo marshals
# pulumiMeta{Version: 1} with yaml.v3). A read-only preview role cannot write it, so the first
# preview of an unused prefix would fail: the bootstrap writes it for every class's prefix.
BACKEND_META_KEY = ".pulumi/meta.yaml"
BACKEND_META = "version: 1\n"

config = pulumi.Config("bootstrap")
repository = config.require("repository")
if repository == PLACEHOLDER_REPOSITORY:
    raise ConfigError(
        "bootstrap",
        "repository",
        repository,
        "it is the example value: set <owner>/<repo> of your GitHub repository in "
        "bootstrap/Pulumi.<stack>.yaml (docs/ci.md, step 1)",
    )
account = pulumi.get_stack()
account_id = aws.get_caller_identity().account_id
region = aws.get_region().region
names = Namer(project=PRODUCT, environment=account, account_id=account_id, region=region)
tags = standard_tags(environment=account, layer=LAYER)
# Losing the state bucket or a secrets key loses every stack: Pulumi refuses to delete them.
kept = pulumi.ResourceOptions(protect=True)

# --- state bucket -----------------------------------------------------------------------------------
state_alias = names.name("kms-alias", "state")
state_key = aws.kms.Key(
    "state",
    description=f"{PRODUCT}: encrypts the Pulumi state bucket",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    tags=with_name(tags, state_alias),
    opts=kept,
)
aws.kms.Alias("state", name=state_alias, target_key_id=state_key.key_id)

bucket_name = names.name("s3-bucket", "state")
bucket_arn = f"arn:aws:s3:::{bucket_name}"
# The tag is what the pack's state-bucket policy recognises the bucket by.
state = private_bucket(
    "state",
    bucket_name=bucket_name,
    tags={**with_name(tags, bucket_name), "Purpose": "pulumi-state"},
    versioned=True,
    kms_key_arn=state_key.arn,
    opts=kept,
)
bucket = state.bucket
aws.s3.BucketLifecycleConfiguration(
    "state",
    bucket=bucket.id,
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
aws.s3.BucketPolicy(
    "state",
    bucket=bucket.id,
    policy=pulumi.Output.json_dumps(
        {"Version": "2012-10-17", "Statement": [deny_insecure_transport(bucket)]}
    ),
    opts=pulumi.ResourceOptions(depends_on=[state.public_access]),
)

# --- secrets keys: one per environment class, for awskms:// ----------------------------------------
secrets_keys: dict[str, aws.kms.Key] = {}
secrets_providers: dict[str, pulumi.Output[str]] = {}
for github_environment, environment_class in access.GITHUB_ENVIRONMENTS.items():
    alias_name = names.name("kms-alias", "secrets", environment_class)
    secrets_keys[github_environment] = aws.kms.Key(
        f"secrets-{environment_class}",
        description=f"{PRODUCT}: Pulumi secrets of {environment_class} stacks (awskms://)",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=with_name(tags, alias_name),
        opts=kept,
    )
    aws.kms.Alias(
        f"secrets-{environment_class}",
        name=alias_name,
        target_key_id=secrets_keys[github_environment].key_id,
    )
    secrets_providers[github_environment] = pulumi.Output.from_input(
        f"awskms://{alias_name}?region={region}"
    )

# --- GitHub OIDC and the CI roles ------------------------------------------------------------------
# The provider's ARN is fixed by its URL; spelled out, the trust policy is known at plan time.
github_arn = f"arn:aws:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"
# An account has at most one provider per URL: creating a second fails with EntityAlreadyExists.
# When the account already has GitHub's (another project made it), name it here: the bootstrap then
# reads it and never changes or deletes it. It must list the audience sts.amazonaws.com.
existing_github_arn = config.get("githubOidcProviderArn")
github: aws.iam.OpenIdConnectProvider
if existing_github_arn is None:
    github = aws.iam.OpenIdConnectProvider(
        "github",
        url=f"https://{GITHUB_OIDC_HOST}",
        client_id_lists=[GITHUB_OIDC_AUDIENCE],
        tags=with_name(tags, GITHUB_OIDC_HOST),
    )
elif existing_github_arn != github_arn:
    raise ConfigError(
        "bootstrap",
        "githubOidcProviderArn",
        existing_github_arn,
        f"this account's GitHub OIDC provider can only be {github_arn}",
    )
else:
    # A read, not a resource of this stack: `pulumi up` fails early if it does not exist.
    github = aws.iam.OpenIdConnectProvider.get("github", existing_github_arn)


def ci_role(name: str, github_environment: str, description: str) -> aws.iam.Role:
    role_name = names.name("iam-role", "ci", name)
    return aws.iam.Role(
        f"ci-{name}",
        name=role_name,
        description=description,
        max_session_duration=3600,
        assume_role_policy=pulumi.Output.json_dumps(
            github_oidc_trust_policy(github_arn, repository, github_environment)
        ),
        tags=with_name(tags, role_name),
        opts=pulumi.ResourceOptions(depends_on=[github]),
    )


role_arns: dict[str, pulumi.Output[str]] = {}
for github_environment, environment_class in access.GITHUB_ENVIRONMENTS.items():
    role = ci_role(
        github_environment,
        github_environment,
        f"GitHub environment {github_environment} of {repository}: deploys {environment_class}",
    )
    keys: dict[str, Any] = {
        "bucket_arn": bucket_arn,
        "state_key_arn": state_key.arn,
        "secrets_key_arn": secrets_keys[github_environment].arn,
    }
    if environment_class == "pr":
        document = access.pr_policy(account_id=account_id, product=PRODUCT, **keys)
    else:
        document = access.deploy_policy(environment_class=environment_class, **keys)
        aws.iam.RolePolicyAttachment(
            f"ci-{github_environment}-power-user",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/PowerUserAccess",
        )
        aws.iam.RolePolicy(
            f"ci-{github_environment}-iam",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                access.iam_for_product_roles(account_id, PRODUCT, environment_class)
            ),
        )
    aws.iam.RolePolicy(
        f"ci-{github_environment}", role=role.id, policy=pulumi.Output.json_dumps(document)
    )
    role_arns[github_environment] = role.arn

preview = ci_role("pr-preview", "pr", f"Pull-request previews of {repository}: read-only")
aws.iam.RolePolicyAttachment(
    "ci-pr-preview-read-only",
    role=preview.name,
    policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
)
aws.iam.RolePolicy(
    "ci-pr-preview",
    role=preview.id,
    policy=pulumi.Output.json_dumps(
        access.preview_policy(
            bucket_arn=bucket_arn,
            state_key_arn=state_key.arn,
            secrets_key_arn=secrets_keys["pr"].arn,
        )
    ),
)

for environment_class in sorted(set(access.GITHUB_ENVIRONMENTS.values())):
    aws.s3.BucketObjectv2(
        f"backend-meta-{environment_class}",
        bucket=bucket.id,
        key=f"{environment_class}/{BACKEND_META_KEY}",
        content=BACKEND_META,
        content_type="application/yaml",
        tags=tags,
        # Explicit: the bucket's default encryption may not be in place yet when this is written.
        server_side_encryption="aws:kms",
        kms_key_id=state_key.arn,
    )

# What docs/ci.md puts into each GitHub environment.
pulumi.export("state_bucket", bucket.bucket)
pulumi.export(
    "backend_urls",
    {
        env: f"s3://{bucket_name}/{cls}?region={region}"
        for env, cls in access.GITHUB_ENVIRONMENTS.items()
    },
)
pulumi.export("secrets_providers", secrets_providers)
pulumi.export("role_arns", role_arns)
pulumi.export("preview_role_arn", preview.arn)
