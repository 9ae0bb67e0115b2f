"""The bootstrap project: what CI needs in an AWS account before any layer can be deployed.

Run once per account with the local file backend (docs/ci.md), then move its state into the bucket
it created. Not a layer: nothing here reads or is read through StackReferences. It creates the
state bucket and its key (bootstrap_state), GitHub's OIDC provider, the permissions boundary every
stack role carries, one role per GitHub environment (deploy roles, and preview roles for pr and
prod) with the policies `access` builds (docs/access.md), and a KMS key per environment class for
Pulumi's awskms:// secrets provider, each with a key policy naming the class's roles (bootstrap_ci).
Exports: the bootstrap contract in shared.layers (BOOTSTRAP): what docs/ci.md puts into each
GitHub environment, and `ci_roles`, which the access check reads.
"""

import access
import bootstrap_ci
import bootstrap_state

from shared.boundary import boundary_arn
from shared.config import BootstrapConfig
from shared.context import stack_context
from shared.layers import BOOTSTRAP

ctx = stack_context(BOOTSTRAP, BootstrapConfig)
ci_role_pattern = f"arn:aws:iam::{ctx.account_id}:role/{ctx.label('iam-role', 'ci').name}-*"

state = bootstrap_state.state_store(ctx.labels, ci_role_pattern=ci_role_pattern)
github, github_arn = bootstrap_ci.github_provider(ctx.labels, ctx.config.github_oidc_provider_arn)
bootstrap_ci.stack_role_boundary(ctx.labels, state, ci_role_pattern)
roles = bootstrap_ci.ci_roles(
    ctx.child("ci"),
    repository=str(ctx.config.repository),  # validate() refuses a stack without one
    github=github,
    github_arn=github_arn,
)
role_arns = {env: role.arn for env, role in roles.items()}
secrets_providers = bootstrap_ci.secrets_keys(ctx.labels, role_arns, ci_role_pattern)
bootstrap_state.bucket_policy(state, role_arns)
bootstrap_ci.ci_role_policies(ctx.child("ci"), roles, state, ci_role_pattern)
bootstrap_state.backend_meta(state, access.CLASSES, ctx.tags)

ctx.export(
    {
        "state_bucket": state.store.bucket.bucket,
        "backend_urls": {
            env: f"s3://{state.name}/{ci.environment_class}?region={ctx.region}"
            for env, ci in access.GITHUB_ENVIRONMENTS.items()
        },
        "secrets_providers": secrets_providers,
        "role_arns": role_arns,
        "boundary_arn": boundary_arn(ctx.account_id),
        "ci_roles": {
            env: {"arn": role_arns[env], "class": ci.environment_class, "deploys": ci.deploys}
            for env, ci in access.GITHUB_ENVIRONMENTS.items()
        },
    }
)
