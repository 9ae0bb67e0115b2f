"""The bootstrap project: what CI needs in an AWS account before any layer can be deployed.

Run once per account with the local file backend (docs/ci.md), then move its state into the bucket
it created. Not a layer: nothing here reads or is read through StackReferences. It creates the
state bucket (versioned, KMS-encrypted, TLS-only, private, old versions expire), a KMS key per
environment class for Pulumi's awskms:// secrets provider (each with a key policy naming the class's
roles), GitHub's OIDC provider, the permissions boundary every stack role carries, and one role per
GitHub environment (deploy roles, and preview roles for pr and prod) trusted only for
`repo:<owner>/<repo>:environment:<name>`, with the policies `access` builds (docs/access.md).
"""

import access
import pulumi
import pulumi_aws as aws

from shared.boundary import BOUNDARY_POLICY_NAME, boundary_arn
from shared.buckets import deny_insecure_transport, private_bucket
from shared.config import BootstrapConfig
from shared.config.values import ConfigError
from shared.context import stack_context
from shared.kms import FormerNames, KmsKey, KmsKeyArgs
from shared.layers import BOOTSTRAP, PRODUCT
from shared.tagging import with_name
from shared.trust_policies import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, github_oidc_trust_policy

NONCURRENT_VERSION_DAYS = 90
ABORT_UPLOADS_DAYS = 7

# What the DIY backend writes to `<prefix>/.pulumi/meta.yaml` on its first login to an empty prefix
# (pulumi/pulumi pkg/backend/diy/meta.go: ensurePulumiMeta, then WriteTo marshals
# pulumiMeta{Version: 1} with yaml.v3). A read-only preview role cannot write it, so the first
# preview of an unused prefix would fail: the bootstrap writes it for every class's prefix.
BACKEND_META_KEY = ".pulumi/meta.yaml"
BACKEND_META = "version: 1\n"

ctx = stack_context(BOOTSTRAP, BootstrapConfig)
repository = str(ctx.config.repository)  # validate() refuses a stack without one
account_id, region, tags = ctx.account_id, ctx.region, ctx.tags
# Losing the state bucket or a secrets key loses every stack: Pulumi refuses to delete them.
kept = pulumi.ResourceOptions(protect=True)

# --- state bucket -----------------------------------------------------------------------------------
state_alias = ctx.label("kms-alias", "state")
ci_role_pattern = f"arn:aws:iam::{account_id}:role/{ctx.label('iam-role', 'ci').name}-*"
state_key = KmsKey(
    "state",
    KmsKeyArgs(
        description=f"{PRODUCT}: encrypts the Pulumi state bucket",
        policy=access.state_key_policy(account_id=account_id, ci_role_pattern=ci_role_pattern),
        alias=state_alias.name,
        tags=state_alias.tags,
        protect=True,
        moved_from=FormerNames(key="state", alias="state"),
    ),
).key

bucket_label = ctx.label("s3-bucket", "state")
bucket_name = bucket_label.name
bucket_arn = f"arn:aws:s3:::{bucket_name}"
# The tag is what the pack's state-bucket policy recognises the bucket by.
state = private_bucket(
    "state",
    bucket_name=bucket_name,
    tags={**bucket_label.tags, "Purpose": "pulumi-state"},
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
# --- GitHub OIDC, the stack roles' boundary and the CI roles -----------------------------------
# The provider's ARN is fixed by its URL; spelled out, the trust policy is known at plan time.
github_arn = f"arn:aws:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"
# An account has at most one provider per URL: creating a second fails with EntityAlreadyExists.
# When the account already has GitHub's (another project made it), name it here: the bootstrap then
# reads it and never changes or deletes it. It must list the audience sts.amazonaws.com.
existing_github_arn = ctx.config.github_oidc_provider_arn
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
boundary = aws.iam.Policy(
    "stack-role-boundary",
    name=BOUNDARY_POLICY_NAME,
    description="Every role a stack creates carries this boundary (CI may not change it)",
    policy=pulumi.Output.json_dumps(
        access.boundary_policy(bucket_arn=bucket_arn, ci_role_pattern=ci_role_pattern)
    ),
    tags=with_name(tags, BOUNDARY_POLICY_NAME),
)

roles: dict[str, aws.iam.Role] = {}
for github_environment, ci in access.GITHUB_ENVIRONMENTS.items():
    role_label = ctx.label("iam-role", "ci", github_environment)
    verb = "deploys" if ci.deploys else "previews"
    roles[github_environment] = aws.iam.Role(
        f"ci-{github_environment}",
        name=role_label.name,
        description=f"GitHub environment {github_environment} of {repository}: {verb} "
        f"{ci.environment_class}",
        max_session_duration=3600,
        assume_role_policy=pulumi.Output.json_dumps(
            github_oidc_trust_policy(github_arn, repository, github_environment)
        ),
        tags=role_label.tags,
        opts=pulumi.ResourceOptions(depends_on=[github]),
    )
role_arns = {env: role.arn for env, role in roles.items()}

# --- secrets keys: one per environment class, for awskms:// ----------------------------------------
secrets_providers: dict[str, pulumi.Output[str]] = {}
for environment_class in access.CLASSES:
    alias_label = ctx.label("kms-alias", "secrets", environment_class)
    users = {
        deploys: [role_arns[env] for env, ci in access.GITHUB_ENVIRONMENTS.items()
                  if ci.environment_class == environment_class and ci.deploys == deploys]
        for deploys in (True, False)
    }  # fmt: skip
    KmsKey(
        f"secrets-{environment_class}",
        KmsKeyArgs(
            description=f"{PRODUCT}: Pulumi secrets of {environment_class} stacks (awskms://)",
            policy=access.secrets_key_policy(
                account_id=account_id,
                deploy_arns=users[True],
                preview_arns=users[False],
                ci_role_pattern=ci_role_pattern,
            ),
            alias=alias_label.name,
            tags={**alias_label.tags, "Purpose": access.SECRETS_PURPOSE},
            protect=True,
            moved_from=FormerNames(
                key=f"secrets-{environment_class}", alias=f"secrets-{environment_class}"
            ),
        ),
    )
    for env, ci in access.GITHUB_ENVIRONMENTS.items():
        if ci.environment_class == environment_class:
            secrets_providers[env] = pulumi.Output.from_input(
                f"awskms://{alias_label.name}?region={region}"
            )

aws.s3.BucketPolicy(
    "state",
    bucket=bucket.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                deny_insecure_transport(bucket),
                *access.state_bucket_statements(
                    bucket_arn,
                    {env: (ci, role_arns[env]) for env, ci in access.GITHUB_ENVIRONMENTS.items()},
                ),
            ],
        }
    ),
    opts=pulumi.ResourceOptions(depends_on=[state.public_access]),
)

for github_environment, ci in access.GITHUB_ENVIRONMENTS.items():
    grants = access.GRANTS["classes"][ci.environment_class]["deploy" if ci.deploys else "preview"]
    role = roles[github_environment]
    aws.iam.RolePolicy(
        f"ci-{github_environment}-state",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    *access.state_statements(
                        ci, bucket_arn=bucket_arn, state_key_arn=state_key.arn
                    ),
                    *access.guard_statements(
                        account_id=account_id,
                        bucket_arn=bucket_arn,
                        boundary_arn=boundary_arn(account_id),
                        ci_role_pattern=ci_role_pattern,
                    ),
                ],
            }
        ),
    )
    documents = access.in_managed_policies(
        access.grant_statements(
            grants, account_id=account_id, region=region, boundary_arn=boundary_arn(account_id)
        )
    )
    for number, document in enumerate(documents, start=1):
        policy_label = ctx.label("iam-policy", "ci", github_environment, str(number))
        policy_name = policy_label.name
        policy = aws.iam.Policy(
            f"ci-{github_environment}-{number}",
            name=policy_name,
            description=f"What the {github_environment} role's plans need ({number}/{len(documents)})",
            policy=pulumi.Output.json_dumps(document),
            tags=policy_label.tags,
        )
        # Spelled out from the name, like the OIDC provider's: known at plan time.
        aws.iam.RolePolicyAttachment(
            f"ci-{github_environment}-{number}",
            role=role.name,
            policy_arn=f"arn:aws:iam::{account_id}:policy/{policy_name}",
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )


for environment_class in access.CLASSES:
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

# What docs/ci.md puts into each GitHub environment; `ci_roles` is what the access check reads.
ctx.export(
    {
        "state_bucket": bucket.bucket,
        "backend_urls": {
            env: f"s3://{bucket_name}/{ci.environment_class}?region={region}"
            for env, ci in access.GITHUB_ENVIRONMENTS.items()
        },
        "secrets_providers": secrets_providers,
        "role_arns": role_arns,
        "boundary_arn": boundary_arn(account_id),
        "ci_roles": {
            env: {"arn": role_arns[env], "class": ci.environment_class, "deploys": ci.deploys}
            for env, ci in access.GITHUB_ENVIRONMENTS.items()
        },
    }
)
