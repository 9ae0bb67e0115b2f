"""GitHub's OIDC provider, the boundary every stack role carries, one CI role per GitHub
environment (trusted only for `repo:<owner>/<repo>:environment:<name>`) with the policies `access`
builds, and one secrets key per environment class whose key policy names that class's roles.
"""

from __future__ import annotations

from collections.abc import Mapping

import access
import pulumi
import pulumi_aws as aws
from bootstrap_state import StateStore

from shared.boundary import BOUNDARY_POLICY_NAME, boundary_arn
from shared.config.values import ConfigError
from shared.context import LabelContext
from shared.kms import FormerNames, KmsKey, KmsKeyArgs
from shared.layers import PRODUCT
from shared.tagging import with_name
from shared.trust_policies import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, github_oidc_trust_policy


def github_provider(labels: LabelContext, existing_arn: str | None) -> tuple[pulumi.Resource, str]:
    """The provider and its ARN; `existing_arn` (bootstrap:githubOidcProviderArn) is only read.

    The ARN is fixed by the provider's URL; spelled out, the trust policies are known at plan time.
    An account has at most one provider per URL: creating a second fails with EntityAlreadyExists.
    When the account already has GitHub's (another project made it), the bootstrap reads it and
    never changes or deletes it. It must list the audience sts.amazonaws.com.
    """
    arn = f"arn:aws:iam::{labels.account_id}:oidc-provider/{GITHUB_OIDC_HOST}"
    if existing_arn is None:
        created = aws.iam.OpenIdConnectProvider(
            "github",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_id_lists=[GITHUB_OIDC_AUDIENCE],
            tags=with_name(labels.tags, GITHUB_OIDC_HOST),
        )
        return created, arn
    if existing_arn != arn:
        raise ConfigError(
            "bootstrap",
            "githubOidcProviderArn",
            existing_arn,
            f"this account's GitHub OIDC provider can only be {arn}",
        )
    # A read, not a resource of this stack: `pulumi up` fails early if it does not exist.
    return aws.iam.OpenIdConnectProvider.get("github", existing_arn), arn


def stack_role_boundary(labels: LabelContext, state: StateStore, ci_role_pattern: str) -> None:
    aws.iam.Policy(
        "stack-role-boundary",
        name=BOUNDARY_POLICY_NAME,
        description="Every role a stack creates carries this boundary (CI may not change it)",
        policy=pulumi.Output.json_dumps(
            access.boundary_policy(bucket_arn=state.arn, ci_role_pattern=ci_role_pattern)
        ),
        tags=with_name(labels.tags, BOUNDARY_POLICY_NAME),
    )


def ci_roles(
    labels: LabelContext,
    *,
    repository: str,
    github: pulumi.Resource,
    github_arn: str,
) -> dict[str, aws.iam.Role]:
    """One role per GitHub environment (`labels` is `ctx.child("ci")`)."""
    roles: dict[str, aws.iam.Role] = {}
    for github_environment, ci in access.GITHUB_ENVIRONMENTS.items():
        label = labels.label("iam-role", github_environment)
        verb = "deploys" if ci.deploys else "previews"
        roles[github_environment] = aws.iam.Role(
            f"ci-{github_environment}",
            name=label.name,
            description=f"GitHub environment {github_environment} of {repository}: {verb} "
            f"{ci.environment_class}",
            max_session_duration=3600,
            assume_role_policy=pulumi.Output.json_dumps(
                github_oidc_trust_policy(github_arn, repository, github_environment)
            ),
            tags=label.tags,
            opts=pulumi.ResourceOptions(depends_on=[github]),
        )
    return roles


def ci_role_policies(
    labels: LabelContext,
    roles: Mapping[str, aws.iam.Role],
    state: StateStore,
    ci_role_pattern: str,
) -> None:
    """Each role's state access and guards inline; its class's grants as managed policies."""
    account_id = labels.account_id
    boundary = boundary_arn(account_id)
    for github_environment, ci in access.GITHUB_ENVIRONMENTS.items():
        grants = access.GRANTS["classes"][ci.environment_class][
            "deploy" if ci.deploys else "preview"
        ]
        role = roles[github_environment]
        aws.iam.RolePolicy(
            f"ci-{github_environment}-state",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        *access.state_statements(
                            ci, bucket_arn=state.arn, state_key_arn=state.key.arn
                        ),
                        *access.guard_statements(
                            account_id=account_id,
                            bucket_arn=state.arn,
                            boundary_arn=boundary,
                            ci_role_pattern=ci_role_pattern,
                        ),
                    ],
                }
            ),
        )
        documents = access.in_managed_policies(
            access.grant_statements(
                grants, account_id=account_id, region=labels.region, boundary_arn=boundary
            )
        )
        for number, document in enumerate(documents, start=1):
            label = labels.label("iam-policy", github_environment, str(number))
            policy = aws.iam.Policy(
                f"ci-{github_environment}-{number}",
                name=label.name,
                description=f"What the {github_environment} role's plans need ({number}/{len(documents)})",
                policy=pulumi.Output.json_dumps(document),
                tags=label.tags,
            )
            # Spelled out from the name, like the OIDC provider's: known at plan time.
            aws.iam.RolePolicyAttachment(
                f"ci-{github_environment}-{number}",
                role=role.name,
                policy_arn=f"arn:aws:iam::{account_id}:policy/{label.name}",
                opts=pulumi.ResourceOptions(depends_on=[policy]),
            )


def secrets_keys(
    labels: LabelContext, role_arns: Mapping[str, pulumi.Output[str]], ci_role_pattern: str
) -> dict[str, pulumi.Output[str]]:
    """One protected key per environment class for awskms://; each GitHub environment's URL."""
    providers: dict[str, pulumi.Output[str]] = {}
    for environment_class in access.CLASSES:
        alias_label = labels.label("kms-alias", "secrets", environment_class)
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
                    account_id=labels.account_id,
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
                providers[env] = pulumi.Output.from_input(
                    f"awskms://{alias_label.name}?region={labels.region}"
                )
    return providers
