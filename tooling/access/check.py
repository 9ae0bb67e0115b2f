"""Findings: what a role needs and is denied (gaps), and what it must never reach and can
(escalations: a known privilege-escalation method, another class's state or secrets, a purge of
state history, a tag change that moves a resource into reach). Each names role, action, resource
and, for a gap, the planned resource that needs it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tooling.access.evaluator import Document, Request, allowed, default_key_policy
from tooling.access.grants import example_environment
from tooling.access.model import AccessModel, Role
from tooling.access.needs import ENVIRONMENT_TAG, PROVIDER_FUNCTIONS, Context, Need

REGION = "us-east-1"
# The DIY backend's layout under a prefix (pulumi/pulumi pkg/backend/diy/store.go, lock.go,
# meta.go): stack files, history, backups and update journals per project and stack, lock files.
STATE_OBJECTS = (
    ".pulumi/meta.yaml",
    ".pulumi/stacks/{p}/{s}.json",
    ".pulumi/history/{p}/{s}/{s}-1.history.json",
    ".pulumi/backups/{p}/{s}/{s}.1.json",
    ".pulumi/journal/{p}/{s}/1.json",
)
LOCK = ".pulumi/locks/{p}/{s}/1.json"


# Creates whose call also names an existing resource (the NAT gateway's subnet, the service's
# cluster): with the class's request tag, they must still not reach another class's resource.
CREATES_INTO = (
    ("ec2:CreateNatGateway", "arn:aws:ec2:{region}:{account}:subnet/subnet-1"),
    ("ec2:CreateSubnet", "arn:aws:ec2:{region}:{account}:vpc/vpc-1"),
    ("ec2:CreateSecurityGroup", "arn:aws:ec2:{region}:{account}:vpc/vpc-1"),
    ("ec2:CreateRouteTable", "arn:aws:ec2:{region}:{account}:vpc/vpc-1"),
    ("ecs:CreateService", "arn:aws:ecs:{region}:{account}:cluster/c"),
    (
        "elasticloadbalancing:CreateListener",
        "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/a/1",
    ),
    ("rds:CreateDBInstance", "arn:aws:rds:{region}:{account}:cluster:c"),
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "gap" or "escalation"
    role: str
    action: str
    resource: str
    planned: str  # the planned resource needing it, or the escalation method

    def __str__(self) -> str:
        return f"{self.kind}: {self.role} {self.action} on {self.resource} ({self.planned})"


def _resource_policy(model: AccessModel, resource: str) -> tuple[Document | None, str | None]:
    if resource == model.bucket_arn or resource.startswith(model.bucket_arn + "/"):
        return model.bucket_policy, model.account_id
    for key in model.keys.values():
        if resource == key.arn:
            return key.policy or default_key_policy(model.account_id), model.account_id
    return None, None


def permits(model: AccessModel, role: Role, request: Request) -> bool:
    policy, owner = _resource_policy(model, request.resource)
    return allowed(role.principal, request, resource_policy=policy, resource_owner=owner)


def gaps(model: AccessModel, role: Role, needs: Iterable[Need]) -> list[Finding]:
    out = []
    verdicts: dict[tuple[str, str, Context], bool] = {}
    for need in needs:
        key = (need.action, need.resource, need.context)
        if key not in verdicts:
            verdicts[key] = permits(
                model, role, Request(need.action, need.resource, need.context_dict)
            )
        if not verdicts[key]:
            out.append(
                Finding("gap", role.github_environment, need.action, need.resource, need.planned)
            )
    return out


def _secrets_key(model: AccessModel, environment_class: str) -> tuple[str, dict[str, str]]:
    key = model.keys[f"secrets-{environment_class}"]
    return key.arn, {f"aws:ResourceTag/{t}": v for t, v in key.tags.items()}


def pulumi_needs(model: AccessModel, role: Role, stacks: Sequence[tuple[str, str]]) -> list[Need]:
    """Pulumi's own requests: the class's state objects (stack, history, meta.yaml; a preview only
    reads them and writes its lock), the state key through S3, the secrets key, who-am-I."""
    prefix = f"{model.bucket_arn}/{role.environment_class}"
    needs: list[Need] = []
    label = f"pulumi:state:{role.environment_class}"
    needs.append(
        Need(
            "s3:ListBucket",
            model.bucket_arn,
            (("s3:prefix", f"{role.environment_class}/.pulumi/"),),
            "state",
            label,
        )
    )
    for project, stack in stacks:
        for template in STATE_OBJECTS:
            path = f"{prefix}/{template.format(p=project, s=stack)}"
            actions = (
                ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
                if role.deploys
                else ("s3:GetObject",)
            )
            needs.extend(Need(a, path, (), "state", label) for a in actions)
        lock = f"{prefix}/{LOCK.format(p=project, s=stack)}"
        needs.extend(Need(a, lock, (), "state", label) for a in ("s3:PutObject", "s3:DeleteObject"))
    via_s3 = (("kms:ViaService", f"s3.{REGION}.amazonaws.com"),)
    state_key = model.keys["state"].arn
    needs.extend(
        Need(a, state_key, via_s3, "state", label) for a in ("kms:Decrypt", "kms:GenerateDataKey")
    )
    key_arn, key_tags = _secrets_key(model, role.environment_class)
    uses = ("kms:Encrypt", "kms:Decrypt") if role.deploys else ("kms:Decrypt",)
    needs.extend(Need(a, key_arn, tuple(sorted(key_tags.items())), "secrets", label) for a in uses)
    needs.extend(
        Need(action, "*", (), "provider", f"pulumi:provider:{function}")
        for function, action in PROVIDER_FUNCTIONS.items()
    )
    return needs


@dataclass(frozen=True)
class Method:
    """A privilege-escalation method: escalation if every request of it is allowed."""

    name: str
    requests: tuple[Request, ...]


def catalogue(model: AccessModel, role: Role) -> list[Method]:
    """principalmapper's edge checks (graphing/*_edges.py) and the published IAM escalation
    methods, aimed at this account: to admin, around the boundary, into another role."""
    acct = model.account_id
    own = f"arn:aws:iam::{acct}:role/platform-{example_environment(role.environment_class)}-x"
    ci_role = next(r.principal.arn for r in model.roles.values() if r.deploys and r is not role)
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    user = f"arn:aws:iam::{acct}:user/someone"
    group = f"arn:aws:iam::{acct}:group/admins"

    def r(action: str, resource: str, **context: str) -> Request:
        return Request(action, resource, context)

    def passing(service: str) -> Request:
        return r("iam:PassRole", ci_role, **{"iam:PassedToService": service})

    return [
        Method(
            "CreatePolicyVersion on the boundary",
            (r("iam:CreatePolicyVersion", model.boundary_arn),),
        ),
        Method(
            "SetDefaultPolicyVersion on the boundary",
            (r("iam:SetDefaultPolicyVersion", model.boundary_arn),),
        ),
        Method("DeletePolicy of the boundary", (r("iam:DeletePolicy", model.boundary_arn),)),
        Method("CreateAccessKey", (r("iam:CreateAccessKey", user),)),
        Method("CreateLoginProfile", (r("iam:CreateLoginProfile", user),)),
        Method("UpdateLoginProfile", (r("iam:UpdateLoginProfile", user),)),
        Method("AttachUserPolicy", (r("iam:AttachUserPolicy", user, **{"iam:PolicyARN": admin}),)),
        Method(
            "AttachGroupPolicy", (r("iam:AttachGroupPolicy", group, **{"iam:PolicyARN": admin}),)
        ),
        Method("PutUserPolicy", (r("iam:PutUserPolicy", user),)),
        Method("PutGroupPolicy", (r("iam:PutGroupPolicy", group),)),
        Method("AddUserToGroup", (r("iam:AddUserToGroup", group),)),
        Method("CreateRole without the boundary", (r("iam:CreateRole", own),)),
        Method("PutRolePolicy on a role without the boundary", (r("iam:PutRolePolicy", own),)),
        Method(
            "AttachRolePolicy AdministratorAccess without the boundary",
            (r("iam:AttachRolePolicy", own, **{"iam:PolicyARN": admin}),),
        ),
        Method(
            "AttachRolePolicy AdministratorAccess to a bounded role",
            (
                r(
                    "iam:AttachRolePolicy",
                    own,
                    **{"iam:PolicyARN": admin, "iam:PermissionsBoundary": model.boundary_arn},
                ),
            ),
        ),
        Method(
            "PutRolePermissionsBoundary to another policy",
            (r("iam:PutRolePermissionsBoundary", own, **{"iam:PermissionsBoundary": admin}),),
        ),
        Method("DeleteRolePermissionsBoundary", (r("iam:DeleteRolePermissionsBoundary", own),)),
        Method("UpdateAssumeRolePolicy of a CI role", (r("iam:UpdateAssumeRolePolicy", ci_role),)),
        Method("AssumeRole into another CI role", (r("sts:AssumeRole", ci_role),)),
        Method(
            "PassRole to Lambda and CreateFunction",
            (passing("lambda.amazonaws.com"), r("lambda:CreateFunction", "*")),
        ),
        Method(
            "UpdateFunctionCode",
            (r("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{acct}:function:any"),),
        ),
        Method(
            "PassRole to EC2 and RunInstances",
            (passing("ec2.amazonaws.com"), r("ec2:RunInstances", "*")),
        ),
        Method(
            "PassRole to CloudFormation and CreateStack",
            (passing("cloudformation.amazonaws.com"), r("cloudformation:CreateStack", "*")),
        ),
        Method(
            "PassRole to Glue and CreateDevEndpoint",
            (passing("glue.amazonaws.com"), r("glue:CreateDevEndpoint", "*")),
        ),
        Method(
            "PassRole to CodeBuild and CreateProject",
            (passing("codebuild.amazonaws.com"), r("codebuild:CreateProject", "*")),
        ),
        Method(
            "PassRole to SageMaker and CreateNotebookInstance",
            (passing("sagemaker.amazonaws.com"), r("sagemaker:CreateNotebookInstance", "*")),
        ),
        Method(
            "PassRole to Data Pipeline and CreatePipeline",
            (passing("datapipeline.amazonaws.com"), r("datapipeline:CreatePipeline", "*")),
        ),
        Method(
            "PassRole to EC2 Auto Scaling and CreateLaunchConfiguration",
            (passing("ec2.amazonaws.com"), r("autoscaling:CreateLaunchConfiguration", "*")),
        ),
        Method("SSM SendCommand", (r("ssm:SendCommand", "*"),)),
        Method("SSM StartSession", (r("ssm:StartSession", "*"),)),
    ]


def escalations(model: AccessModel, role: Role) -> list[Finding]:
    out = []
    for method in catalogue(model, role):
        if all(permits(model, role, request) for request in method.requests):
            first = method.requests[0]
            out.append(
                Finding(
                    "escalation", role.github_environment, first.action, first.resource, method.name
                )
            )
    out.extend(_reach(model, role))
    return out


def _reach(model: AccessModel, role: Role) -> list[Finding]:
    """Other classes' state and secrets, state history, and tag moves into reach."""
    requests: list[tuple[str, Request]] = []
    own = role.environment_class
    for other in {r.environment_class for r in model.roles.values()} - {own}:
        base = f"{model.bucket_arn}/{other}/.pulumi/stacks/network/x.json"
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            requests.append((f"{other}'s state", Request(action, base)))
        requests.append(
            (
                f"{other}'s state",
                Request("s3:ListBucket", model.bucket_arn, {"s3:prefix": f"{other}/"}),
            )
        )
        key_arn, key_tags = _secrets_key(model, other)
        requests.append((f"{other}'s secrets", Request("kms:Decrypt", key_arn, key_tags)))
        tag_move = {
            f"aws:RequestTag/{ENVIRONMENT_TAG}": example_environment(own),
            f"aws:ResourceTag/{ENVIRONMENT_TAG}": example_environment(other),
        }
        requests.append(
            (
                f"tag {other}'s resource into reach",
                Request(
                    "ec2:CreateTags", f"arn:aws:ec2:{REGION}:{model.account_id}:vpc/vpc-1", tag_move
                ),
            )
        )
        # A create that names a parent: request tags are in every resource's context of the call.
        for action, parent in CREATES_INTO:
            arn = parent.format(region=REGION, account=model.account_id)
            requests.append((f"create into {other}'s resource", Request(action, arn, tag_move)))
    for name, key in model.keys.items():
        move = {
            **{f"aws:ResourceTag/{t}": v for t, v in key.tags.items()},
            f"aws:RequestTag/{ENVIRONMENT_TAG}": example_environment(own),
        }
        requests.append((f"tag key {name} into reach", Request("kms:TagResource", key.arn, move)))
        requests.append((f"key {name}'s policy", Request("kms:PutKeyPolicy", key.arn, {})))
    own_object = f"{model.bucket_arn}/{own}/.pulumi/history/network/x.json"
    requests.append(("state history", Request("s3:DeleteObjectVersion", own_object)))
    for action in ("s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy"):
        requests.append(("state history", Request(action, model.bucket_arn)))
    return [
        Finding("escalation", role.github_environment, request.action, request.resource, what)
        for what, request in requests
        if permits(model, role, request)
    ]
