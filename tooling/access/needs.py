"""What a plan needs from IAM: one request per action, resource and condition context.

For each planned resource, the actions come from AWS's CloudFormation handler of its type
(`shared.aws.registry.handler_permissions`) for create, read, update and delete; the resource each
action acts on and the condition keys it supports come from the Service Authorization Reference
(`sar`). The request context carries only keys the reference lists for that action and resource
type, so a tag condition can never match an action that takes no tags (`ecs:DeregisterTaskDefinition`).
Where the handler lists more than the provider calls, `BROADER_THAN_PROVIDER` says so with the
reason; nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol

from shared.aws.registry import CLOUDFORMATION_TYPES, handler_permissions
from shared.aws.types import TYPES
from shared.layers import PRODUCT
from shared.tagging import STANDARD_TAG_KEYS
from tooling.access import sar

Operation = Literal["create", "read", "update", "delete"]
OPERATIONS: tuple[Operation, ...] = ("create", "read", "update", "delete")
ENVIRONMENT_TAG = STANDARD_TAG_KEYS[1]

# Pulumi types with no CloudFormation type of their own: they are a part of another type, and
# that type's handler is what calls AWS for them (`part_of` in the resource type table).
PART_OF: Mapping[str, str] = {
    token: entry.part_of for token, entry in TYPES.items() if entry.part_of
}


# The provider functions the layers call (the offline mocks answer them, tooling/offline/mocks.py)
# and the IAM action each makes; getRegion, getPartition and getPolicyDocument call nothing.
PROVIDER_FUNCTIONS: Mapping[str, str] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": "ec2:DescribeAvailabilityZones",
    "aws:index/getCallerIdentity:getCallerIdentity": "sts:GetCallerIdentity",
}


@dataclass(frozen=True)
class Broader:
    """Actions (fnmatch pattern) a handler lists that the Terraform-based provider never calls."""

    pattern: str
    reason: str


BROADER_THAN_PROVIDER: tuple[Broader, ...] = (
    Broader(
        "s3tables:*", "S3 Tables and metadata tables: the provider's bucket never creates them"
    ),
    Broader("s3:*MetadataTable*", "S3 metadata tables: not a property of aws.s3.Bucket"),
    Broader("s3:*BucketMetadata*", "S3 metadata tables: not a property of aws.s3.Bucket"),
    Broader("s3:*Abac", "S3 ABAC switch: not a property of aws.s3.Bucket"),
    Broader("s3:REST.PUT.OBJECT", "not an IAM action (a log operation name in the schema)"),
    Broader(
        "s3:DeleteBucket*",
        "API names the schema lists as actions (DeleteBucketCors and the like); their IAM actions "
        "are s3:Put*Configuration, listed too. s3:DeleteBucket itself is kept below",
    ),
    Broader("s3:PutBucketReplication", "API name; replication is not configured anyway"),
    Broader("s3:*ReplicationConfiguration", "bucket replication: not configured"),
    Broader("s3:PutObjectLockConfiguration", "API name; object lock is not configured anyway"),
    Broader("acm-pca:*", "private CA certificates: the layers request public ACM certificates"),
    Broader("cognito-idp:*", "ALB Cognito authentication: no listener action uses it"),
    Broader("lambda:*ProvisionedConcurrency*", "autoscaling Lambda targets: the layers scale ECS"),
    Broader("autoscaling:DescribeTags", "EC2 Auto Scaling groups: none are planned"),
    Broader("vpc-lattice:*", "VPC Lattice endpoint associations: no endpoint of that type"),
    Broader("vpce:AllowMultiRegion", "cross-region endpoints: the layers use one region"),
    Broader("firehose:*", "log delivery to Firehose: flow logs go to CloudWatch Logs"),
    Broader("logs:CreateLogDelivery", "vended log delivery: flow logs use a role, not delivery"),
    Broader("logs:DeleteLogDelivery", "vended log delivery: flow logs use a role, not delivery"),
    Broader("logs:*DataProtectionPolicy", "log data protection: not set by the layers"),
    Broader("logs:*IndexPolic*", "log field indexes: not set by the layers"),
    Broader("logs:PutBearerTokenAuthentication", "log ingestion tokens: not used"),
    Broader("logs:PutLogGroupDeletionProtection", "not a property of the provider's log group"),
    Broader(
        "logs:*ResourcePolicy*",
        "account-wide log resource policies: the provider's log group never writes one, and one "
        "written by CI would reach every class's log groups",
    ),
    Broader("sns:*DataProtectionPolicy", "SNS data protection: not set by the layers"),
    Broader("ec2:AcceptAddressTransfer", "Elastic IP transfers between accounts: not used"),
    Broader("ec2:*VpcEncryptionControl*", "VPC encryption controls: not a provider property used"),
    Broader("ec2:DescribeIpamPools", "IPAM pools: VPC CIDRs come from config"),
    Broader("ec2:*SubnetCidrBlock", "secondary IPv6 subnet CIDRs: none are planned"),
    Broader("ec2:ModifyVpcTenancy", "VPC tenancy changes: the layers keep the default"),
    Broader("ec2:*PrivateNatGatewayAddress", "private NAT gateways: the layers plan public ones"),
    Broader("ec2:*NatGatewayAddress", "secondary NAT addresses: none are planned"),
    Broader("ecs:PutAccountSetting*", "account-wide ECS settings: they reach every class"),
    Broader("ecs:*ServiceDeployment*", "ECS deployment inspection: the provider does not call it"),
    Broader("elasticloadbalancing:*CapacityReservation", "LB capacity units: not configured"),
    Broader("elasticloadbalancing:ModifyIpPools", "IPAM pools for ALBs: not configured"),
    Broader(
        "iam:DeleteRolePermissionsBoundary",
        "never needed: every stack role keeps the boundary, and removing it is the escalation "
        "the boundary exists to stop",
    ),
    Broader("iam:ListRoles", "listing every role: the provider reads its role by name"),
    Broader("rds:Restore*", "restores from snapshot or point in time: not planned"),
    Broader("rds:PromoteReadReplica", "read replicas: Aurora instances are cluster members"),
    Broader(
        "rds:CreateDBInstanceReadReplica", "read replicas: Aurora instances are cluster members"
    ),
    Broader("rds:*DBInstanceAutomatedBackupsReplication", "cross-region backups: not configured"),
    Broader("rds:*HttpEndpoint", "the RDS Data API: not enabled"),
    Broader("rds:RemoveFromGlobalCluster", "global clusters: not planned"),
    Broader("rds:DescribeGlobalClusters", "global clusters: not planned"),
    Broader("rds:*RoleToDBInstance", "instance-level IAM roles: not planned"),
    Broader("rds:*RoleFromDBInstance", "instance-level IAM roles: not planned"),
    Broader("rds:*RoleToDBCluster", "cluster IAM roles (S3 import/export): not planned"),
    Broader("rds:*RoleFromDBCluster", "cluster IAM roles (S3 import/export): not planned"),
    Broader("rds:CreateDBSnapshot", "manual snapshots of instances: Aurora snapshots clusters"),
    Broader("kms:CreateGrant", "grants on the layers' keys: the services use key policies"),
    Broader("route53:ListHostedZones", "listing every zone: the zone id comes from config"),
    Broader("secretsmanager:CreateSecret", "RDS creates its managed master secret itself"),
)

# Actions that write or remove tags: their request tags are how a resource moves into a role's
# reach, so the access model scopes them by both the existing and the requested tag.
_TAGGING = re.compile(r"^[a-z0-9-]+:(Tag|Untag|CreateTags|DeleteTags|AddTags|RemoveTags)")


def is_tagging(action: str) -> bool:
    return bool(_TAGGING.match(action))


_KEPT = frozenset({"s3:DeleteBucket", "s3:DeleteBucketPolicy"})
NOTHING_TO_PASS = Broader(
    "iam:PassRole",
    "no role passed: the handler lists PassRole for an optional feature the plan does not use "
    "(replication, delivery logging, monitoring), or in a read or a delete, which passes none; "
    "roles the plan passes on create and update are needs",
)
_NO_PASS = frozenset({"read", "delete"})


@cache
def broader(action: str) -> Broader | None:
    """The reviewed row that excludes `action`, if any."""
    if action in _KEPT:
        return None
    for row in BROADER_THAN_PROVIDER:
        if fnmatch.fnmatchcase(action.lower(), row.pattern.lower()):
            return row
    return None


class Planned(Protocol):
    """A planned resource as the offline planner records it (tooling.offline's Resource)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def outputs(self) -> dict[str, Any]: ...


Context = tuple[tuple[str, str | tuple[str, ...]], ...]


@dataclass(frozen=True)
class Need:
    """One IAM request a plan makes, and the planned resource (layer:type:name) making it."""

    action: str
    resource: str
    context: Context
    operation: str
    planned: str
    # The Service Authorization Reference's ARN format of the resource type acted on (`*`: none).
    arn_format: str = "*"

    @property
    def context_dict(self) -> dict[str, str | tuple[str, ...]]:
        return dict(self.context)


def cloudformation_type(pulumi_type: str) -> str | None:
    return CLOUDFORMATION_TYPES.get(pulumi_type) or PART_OF.get(pulumi_type)


def label(resource: Planned) -> str:
    """`layer:type:name` from the URN: names the planned resource in findings."""
    project = resource.urn.split("::")[1] if "::" in resource.urn else ""
    return f"{project}:{resource.type}:{resource.name}"


def _tags(resource: Planned) -> dict[str, str]:
    tags = (
        resource.outputs.get("tagsAll")
        or resource.outputs.get("tags")
        or resource.inputs.get("tags")
    )
    return dict(tags) if isinstance(tags, dict) else {}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        if value.startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                yield from _strings(json.loads(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class _Index:
    """Planned resources by ARN and by name, to find what an input refers to."""

    def __init__(self, resources: Sequence[Planned]) -> None:
        self.by_key: dict[str, Planned] = {}
        for r in resources:
            arn = r.outputs.get("arn")
            if isinstance(arn, str) and cloudformation_type(r.type) == CLOUDFORMATION_TYPES.get(
                r.type
            ):
                self.by_key.setdefault(arn, r)
        for r in resources:
            for key in ("name", "id", "bucket"):
                value = r.outputs.get(key)
                if isinstance(value, str) and r.type in CLOUDFORMATION_TYPES:
                    self.by_key.setdefault(value, r)

    def related(self, resource: Planned) -> list[tuple[str, Planned | None]]:
        """(ARN, planned resource) pairs an input of `resource` names, itself first."""
        found: list[tuple[str, Planned | None]] = []
        own = resource.outputs.get("arn")
        if isinstance(own, str) and resource.type in CLOUDFORMATION_TYPES:
            found.append((own, resource))
        for text in _strings(resource.inputs):
            target = self.by_key.get(text)
            if target is not None and target is not resource:
                arn = target.outputs.get("arn")
                if isinstance(arn, str):
                    found.append((arn, target))
            elif text.startswith("arn:"):
                found.append((text, None))
        return found


def _trusted_service(role: Planned) -> str | None:
    document = role.inputs.get("assumeRolePolicy")
    try:
        statements = json.loads(document)["Statement"] if isinstance(document, str) else []
    except (ValueError, KeyError):
        return None
    for statement in statements:
        service = statement.get("Principal", {}).get("Service")
        if isinstance(service, str):
            return service
    return None


# The verbs of the calls that bring a resource into being (`ec2:CreateVpc`, `events:PutRule`,
# `ecs:RegisterTaskDefinition`): the one call of a create handler made before the resource exists.
_CREATING = re.compile(r"^[a-z0-9-]+:(Create|Register|Allocate|Request|Put)")


# Where AWS's API calls a type otherwise than CloudFormation does.
_API_NOUNS = {"eip": "address"}


def _creates(action: str, subject: Planned) -> bool:
    """Whether `action` is the call that brings `subject` into being: a creating verb on the
    subject's own type (`rds:CreateDBCluster` for a cluster, not `rds:CreateDBInstance`)."""
    match = _CREATING.match(action)
    cfn = cloudformation_type(subject.type)
    if match is None or cfn is None or is_tagging(action):
        return False
    noun = action.split(":", 1)[1][len(match.group(1)) :].lower()
    own = cfn.rsplit("::", 1)[-1].lower()
    own = _API_NOUNS.get(own, own)
    return own in noun or noun in own


def _context(
    keys: frozenset[str],
    operation: Operation,
    target: Planned | None,
    subject: Planned,
    action: str,
) -> Context:
    """The request context of one call: only keys the reference lists for it, with values from
    the plan. A resource being created has no tags yet (only request tags)."""
    out: dict[str, str | tuple[str, ...]] = {}
    # The call that creates a resource carries its tags as request tags; the handler's later
    # calls act on the resource, which has them by then.
    creating = (
        operation == "create"
        and target is subject
        and "aws:RequestTag/${TagKey}" in keys
        and _creates(action, subject)
    )
    if target is not None and "aws:ResourceTag/${TagKey}" in keys and not creating:
        value = _tags(target).get(ENVIRONMENT_TAG)
        if value:
            out[f"aws:ResourceTag/{ENVIRONMENT_TAG}"] = value
    if target is subject and operation in ("create", "update"):
        tags = _tags(subject)
        if "aws:RequestTag/${TagKey}" in keys and ENVIRONMENT_TAG in tags:
            out[f"aws:RequestTag/{ENVIRONMENT_TAG}"] = tags[ENVIRONMENT_TAG]
        if "aws:TagKeys" in keys and tags:
            out["aws:TagKeys"] = tuple(sorted(tags))
    if target is not None and target.type == "aws:iam/role:Role":
        if "iam:PermissionsBoundary" in keys and target.inputs.get("permissionsBoundary"):
            out["iam:PermissionsBoundary"] = str(target.inputs["permissionsBoundary"])
        if "iam:PassedToService" in keys:
            service = _trusted_service(target)
            if service:
                out["iam:PassedToService"] = service
    if "iam:PolicyARN" in keys and isinstance(subject.inputs.get("policyArn"), str):
        out["iam:PolicyARN"] = subject.inputs["policyArn"]
    return tuple(sorted(out.items()))


def _requests(
    action: str,
    operation: Operation,
    subject: Planned,
    candidates: Sequence[tuple[str, Planned | None]],
) -> Iterator[tuple[str, Context, str]]:
    entries = sar.entries(action)
    matched = False
    for entry in entries:
        pattern = entry.pattern
        if pattern is None:
            continue
        for arn, target in candidates:
            if pattern.match(arn):
                matched = True
                yield (
                    arn,
                    _context(entry.condition_keys, operation, target, subject, action),
                    (entry.arn_format),
                )
    if matched:
        return
    star = next((e for e in entries if e.pattern is None), None)
    if star is not None:
        # The action takes no resource (Describe*, or Create* before the resource exists).
        target = subject if operation in ("create", "update") else None
        yield "*", _context(star.condition_keys, operation, target, subject, action), "*"
        return
    # A resource of the action's type that the plan does not record (a cluster's instances, a
    # bucket's objects): assume it is the environment's own, named and tagged like the subject.
    environment = _environment(subject, candidates)
    for entry in entries:
        context: Context = ()
        if "aws:ResourceTag/${TagKey}" in entry.condition_keys and environment:
            context = ((f"aws:ResourceTag/{ENVIRONMENT_TAG}", environment),)
        yield _guessed_arn(entry.arn_format, environment, candidates), context, entry.arn_format


_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")


def _environment(subject: Planned, candidates: Sequence[tuple[str, Planned | None]]) -> str:
    for resource in (subject, *(t for _, t in candidates if t is not None)):
        value = _tags(resource).get(ENVIRONMENT_TAG)
        if value:
            return value
    return ""


def _guessed_arn(
    arn_format: str, environment: str, candidates: Sequence[tuple[str, Planned | None]]
) -> str:
    """The ARN format with the first name filled as the environment's (`platform-dev-*`)."""
    region, account = "*", "*"
    for arn, _ in candidates:
        parts = arn.split(":")
        if len(parts) > 4 and parts[3] and parts[4]:
            region, account = parts[3], parts[4]
            break
    filled = arn_format.replace("${Partition}", "aws").replace("${Region}", region)
    filled = filled.replace("${Account}", account)
    first, placeholder, rest = _split_first(filled)
    if not placeholder:
        return first
    return first + f"{PRODUCT}-{environment or '*'}-*" + _PLACEHOLDER.sub("*", rest)


def _split_first(filled: str) -> tuple[str, str, str]:
    match = _PLACEHOLDER.search(filled)
    if match is None:
        return filled, "", ""
    return filled[: match.start()], match.group(0), filled[match.end() :]


@dataclass(frozen=True)
class Excluded:
    action: str
    cfn_type: str
    reason: str


def resource_needs(
    resources: Sequence[Planned], operations: Iterable[Operation] = OPERATIONS
) -> tuple[list[Need], list[Excluded], list[str]]:
    """The needs of `resources`, the handler actions excluded by a reviewed row, and the planned
    types the check cannot judge (no CloudFormation type known: a finding for the caller)."""
    index = _Index(resources)
    needs: set[Need] = set()
    excluded: set[Excluded] = set()
    unknown: set[str] = set()
    ops = tuple(operations)
    for resource in resources:
        if resource.type.startswith("pulumi:") or not resource.urn or _is_component(resource):
            continue
        cfn = cloudformation_type(resource.type)
        if cfn is None:
            unknown.add(resource.type)
            continue
        candidates = index.related(resource)
        for operation in ops:
            for action in handler_permissions(cfn, operation):
                row = broader(action)
                if row is not None:
                    excluded.add(Excluded(action, cfn, row.reason))
                    continue
                if not sar.known(action):
                    unknown.add(f"{action} ({cfn}: not in the Service Authorization Reference)")
                    continue
                for arn, context, arn_format in _requests(action, operation, resource, candidates):
                    if action == NOTHING_TO_PASS.pattern and ("*" in arn or operation in _NO_PASS):
                        excluded.add(Excluded(action, cfn, NOTHING_TO_PASS.reason))
                        continue
                    needs.add(Need(action, arn, context, operation, label(resource), arn_format))
    return (
        sorted(needs, key=_order),
        sorted(excluded, key=lambda e: (e.action, e.cfn_type)),
        sorted(unknown),
    )


def _is_component(resource: Planned) -> bool:
    # Component resources (`platform:app:LoadBalancer`) make no AWS calls; providers neither.
    return not resource.type.startswith("aws:")


def _order(need: Need) -> tuple[str, str, str, str]:
    return (need.planned, need.action, need.resource, need.operation)
