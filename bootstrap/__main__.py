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
ci_role_pattern = f"arn:aws:iam::{account_id}:role/{names.name('iam-role', 'ci')}-*"
state_key = aws.kms.Key(
    "state",
    description=f"{PRODUCT}: encrypts the Pulumi state bucket",
    enable_key_rotation=True,
    policy=pulumi.Output.json_dumps(
        access.state_key_policy(account_id=account_id, ci_role_pattern=ci_role_pattern)
    ),
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
# --- GitHub OIDC, the stack roles' boundary and the CI roles -----------------------------------
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
    role_name = names.name("iam-role", "ci", github_environment)
    verb = "deploys" if ci.deploys else "previews"
    roles[github_environment] = aws.iam.Role(
        f"ci-{github_environment}",
        name=role_name,
        description=f"GitHub environment {github_environment} of {repository}: {verb} "
        f"{ci.environment_class}",
        max_session_duration=3600,
        assume_role_policy=pulumi.Output.json_dumps(
            github_oidc_trust_policy(github_arn, repository, github_environment)
        ),
        tags=with_name(tags, role_name),
        opts=pulumi.ResourceOptions(depends_on=[github]),
    )
role_arns = {env: role.arn for env, role in roles.items()}

# --- secrets keys: one per environment class, for awskms:// ----------------------------------------
secrets_providers: dict[str, pulumi.Output[str]] = {}
for environment_class in access.CLASSES:
    alias_name = names.name("kms-alias", "secrets", environment_class)
    users = {
        deploys: [role_arns[env] for env, ci in access.GITHUB_ENVIRONMENTS.items()
                  if ci.environment_class == environment_class and ci.deploys == deploys]
        for deploys in (True, False)
    }  # fmt: skip
    key = aws.kms.Key(
        f"secrets-{environment_class}",
        description=f"{PRODUCT}: Pulumi secrets of {environment_class} stacks (awskms://)",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.json_dumps(
            access.secrets_key_policy(
                account_id=account_id,
                deploy_arns=users[True],
                preview_arns=users[False],
                ci_role_pattern=ci_role_pattern,
            )
        ),
        tags={**with_name(tags, alias_name), "Purpose": access.SECRETS_PURPOSE},
        opts=kept,
    )
    aws.kms.Alias(f"secrets-{environment_class}", name=alias_name, target_key_id=key.key_id)
    for env, ci in access.GITHUB_ENVIRONMENTS.items():
        if ci.environment_class == environment_class:
            secrets_providers[env] = pulumi.Output.from_input(
                f"awskms://{alias_name}?region={region}"
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
        policy_name = names.name("iam-policy", "ci", github_environment, str(number))
        policy = aws.iam.Policy(
            f"ci-{github_environment}-{number}",
            name=policy_name,
            description=f"What the {github_environment} role's plans need ({number}/{len(documents)})",
            policy=pulumi.Output.json_dumps(document),
            tags=with_name(tags, policy_name),
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
pulumi.export("state_bucket", bucket.bucket)
pulumi.export(
    "backend_urls",
    {
        env: f"s3://{bucket_name}/{ci.environment_class}?region={region}"
        for env, ci in access.GITHUB_ENVIRONMENTS.items()
    },
)
pulumi.export("secrets_providers", secrets_providers)
pulumi.export("role_arns", role_arns)
pulumi.export("boundary_arn", boundary_arn(account_id))
pulumi.export(
    "ci_roles",
    {
        env: {"arn": role_arns[env], "class": ci.environment_class, "deploys": ci.deploys}
        for env, ci in access.GITHUB_ENVIRONMENTS.items()
    },
)
