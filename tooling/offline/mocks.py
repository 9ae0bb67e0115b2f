"""The mock engine's answers: deterministic ids and ARNs, provider calls, StackReferences.

Every computed value is derived from (project, stack, type, logical name), so the same plan twice gives
byte-identical results, and is shaped like what AWS returns (right service, resource type and id
prefix), so downstream code that parses an ARN or an id is exercised for real.
"""

from __future__ import annotations

import hashlib
import json
import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from shared.aws import availability_zones as aws_zones
from shared.aws.elb import ELB_LOG_ACCOUNTS
from tooling.offline.model import UNKNOWN, Resource, wire_value
from tooling.offline.resource_options import custom_timeouts

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
ELB_ACCOUNT_ID = ELB_LOG_ACCOUNTS[DEFAULT_REGION]
STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass(frozen=True)
class Naming:
    """The values one resource's templates are filled with; all derived from a stable digest."""

    region: str
    account: str
    name: str  # the physical name: the `name`-like input, or logical name + suffix (autonaming)
    digest: bytes
    inputs: Mapping[str, Any]

    def hex(self, length: int) -> str:
        return self.digest.hex()[:length]

    def upper(self, length: int) -> str:
        alphabet = string.ascii_uppercase + string.digits
        return "".join(alphabet[b % len(alphabet)] for b in self.digest[:length])

    def digits(self, length: int) -> str:
        return "".join(str(b % 10) for b in self.digest[:length])

    @property
    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self.digest[:16], version=4))

    def values(self) -> dict[str, str]:
        return {
            "region": self.region,
            "account": self.account,
            "name": self.name,
            "hex8": self.hex(8),
            "hex16": self.hex(16),
            "hex17": self.hex(17),
            "upper16": self.upper(16),
            "upper26": self.upper(26),
            "digits10": self.digits(10),
            "uuid": self.uuid,
            "suffix6": self.hex(6),
        }


Extra = Callable[[Naming, str], dict[str, Any]]


@dataclass(frozen=True)
class Shape:
    """How AWS shapes one resource type: the id, the ARN, and other computed outputs."""

    id: str
    arn: str | None = None
    name_input: str = "name"  # the input carrying the physical name
    extra: Extra | None = field(default=None)


def _ec2(kind: str, prefix: str) -> Shape:
    return Shape(id=prefix + "-{hex17}", arn="arn:aws:ec2:{region}:{account}:" + kind + "/{id}")


def _rds_cluster(n: Naming, ident: str) -> dict[str, Any]:
    host = f"cluster-{n.hex(12)}.{n.region}.rds.amazonaws.com"
    engine = str(n.inputs.get("engine", "aurora-postgresql"))
    outputs: dict[str, Any] = {
        "clusterIdentifier": ident,
        "endpoint": f"{ident}.{host}",
        "readerEndpoint": f"{ident}.{host.replace('cluster-', 'cluster-ro-', 1)}",
        "port": n.inputs.get("port") or (3306 if "mysql" in engine else 5432),
        "clusterResourceId": f"cluster-{n.upper(26)}",
        "hostedZoneId": "Z2R2ITUGPM61AM",
    }
    if n.inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "secretArn": f"arn:aws:secretsmanager:{n.region}:{n.account}:secret:"
                f"rds!cluster-{n.uuid}-{n.hex(6)}",
                "kmsKeyId": n.inputs.get("masterUserSecretKmsKeyId")
                or f"arn:aws:kms:{n.region}:{n.account}:key/{n.uuid}",
                "secretStatus": "active",
            }
        ]
    return outputs


def _rds_instance(n: Naming, ident: str) -> dict[str, Any]:
    return {
        "identifier": ident,
        "endpoint": f"{ident}.{n.hex(12)}.{n.region}.rds.amazonaws.com",
        "port": 5432,
        "dbiResourceId": f"db-{n.upper(26)}",
    }


def _load_balancer(n: Naming, ident: str) -> dict[str, Any]:
    kind = "net" if n.inputs.get("loadBalancerType") == "network" else "app"
    internal = "internal-" if n.inputs.get("internal") else ""
    return {
        "arnSuffix": f"{kind}/{n.name}/{n.hex(16)}",
        "dnsName": f"{internal}{n.name}-{n.digits(10)}.{n.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
        "name": n.name,
    }


def _target_group(n: Naming, ident: str) -> dict[str, Any]:
    return {"arnSuffix": f"targetgroup/{n.name}/{n.hex(16)}", "name": n.name}


def _task_definition(n: Naming, ident: str) -> dict[str, Any]:
    family = str(n.inputs.get("family", n.name))
    return {
        "revision": 1,
        "arnWithoutRevision": f"arn:aws:ecs:{n.region}:{n.account}:task-definition/{family}",
    }


def _kms_key(n: Naming, ident: str) -> dict[str, Any]:
    return {"keyId": ident}


def _iam_role(n: Naming, ident: str) -> dict[str, Any]:
    return {"name": n.name, "uniqueId": f"AROA{n.upper(17)}", "createDate": "2024-01-01T00:00:00Z"}


def _bucket(n: Naming, ident: str) -> dict[str, Any]:
    return {
        "bucket": n.name,
        "bucketDomainName": f"{n.name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{n.name}.s3.{n.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": n.region,
    }


def _record(n: Naming, ident: str) -> dict[str, Any]:
    return {"fqdn": str(n.inputs.get("name", n.name)).rstrip(".")}


def _acm_certificate(n: Naming, ident: str) -> dict[str, Any]:
    domain = str(n.inputs.get("domainName", n.name))
    dns = n.inputs.get("validationMethod") == "DNS"
    return {
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{n.hex(32)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{n.digest[::-1].hex()[:32]}.acm-validations.aws.",
            }
        ]
        if dns
        else [],
        "status": "PENDING_VALIDATION",
    }


def _subnet(n: Naming, ident: str) -> dict[str, Any]:
    """The zone id EC2 reports beside the zone name a subnet was created in (or the name beside
    the id), from this mock account's name-to-id mapping."""
    zones = availability_zones(n.region)
    by_name = {z["name"]: z["zoneId"] for z in zones}
    by_id = {z["zoneId"]: z["name"] for z in zones}
    name, zone_id = n.inputs.get("availabilityZone"), n.inputs.get("availabilityZoneId")
    if isinstance(name, str) and name in by_name:
        return {"availabilityZoneId": by_name[name]}
    if isinstance(zone_id, str) and zone_id in by_id:
        return {"availabilityZone": by_id[zone_id]}
    return {}


def _eip(n: Naming, ident: str) -> dict[str, Any]:
    return {"allocationId": ident, "publicIp": f"52.{n.digest[0]}.{n.digest[1]}.{n.digest[2]}"}


def _named(n: Naming, ident: str) -> dict[str, Any]:
    return {"name": n.name}


def _dashboard(n: Naming, ident: str) -> dict[str, Any]:
    return {"dashboardArn": f"arn:aws:cloudwatch::{n.account}:dashboard/{n.name}"}


_LB = Shape(
    id="{arn}",
    arn="arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex16}",
    extra=_load_balancer,
)
_TG = Shape(
    id="{arn}",
    arn="arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{hex16}",
    extra=_target_group,
)
_LISTENER = Shape(
    id="{arn}", arn="arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/{hex16}"
)

# One row per resource type the layers create (other types get the generic `_FALLBACK`): how AWS
# shapes its id, its ARN and its other computed outputs.
# Templates are filled from Naming.values() plus `{id}`/`{arn}`; an id of "{arn}" means AWS uses the ARN.
SHAPES: Mapping[str, Shape] = {
    # network
    "aws:ec2/vpc:Vpc": _ec2("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": Shape(
        id="subnet-{hex17}", arn="arn:aws:ec2:{region}:{account}:subnet/{id}", extra=_subnet
    ),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("security-group", "sg"),
    "aws:ec2/routeTable:RouteTable": _ec2("route-table", "rtb"),
    "aws:ec2/natGateway:NatGateway": _ec2("natgateway", "nat"),
    "aws:ec2/eip:Eip": Shape(
        id="eipalloc-{hex17}", arn="arn:aws:ec2:{region}:{account}:elastic-ip/{id}", extra=_eip
    ),
    "aws:ec2/internetGateway:InternetGateway": _ec2("internet-gateway", "igw"),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": _ec2("vpc-peering-connection", "pcx"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _ec2("vpc-endpoint", "vpce"),
    "aws:ec2/flowLog:FlowLog": _ec2("vpc-flow-log", "fl"),
    "aws:ec2/route:Route": Shape(id="r-rtb-{hex17}"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Shape(id="rtbassoc-{hex17}"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ec2("security-group-rule", "sgr"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _ec2("security-group-rule", "sgr"),
    # data
    "aws:rds/cluster:Cluster": Shape(
        id="{name}",
        arn="arn:aws:rds:{region}:{account}:cluster:{name}",
        name_input="clusterIdentifier",
        extra=_rds_cluster,
    ),
    "aws:rds/clusterInstance:ClusterInstance": Shape(
        id="{name}",
        arn="arn:aws:rds:{region}:{account}:db:{name}",
        name_input="identifier",
        extra=_rds_instance,
    ),
    "aws:rds/subnetGroup:SubnetGroup": Shape(
        id="{name}", arn="arn:aws:rds:{region}:{account}:subgrp:{name}", extra=_named
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": Shape(
        id="{name}", arn="arn:aws:rds:{region}:{account}:cluster-pg:{name}", extra=_named
    ),
    "aws:kms/key:Key": Shape(
        id="{uuid}", arn="arn:aws:kms:{region}:{account}:key/{uuid}", extra=_kms_key
    ),
    "aws:kms/alias:Alias": Shape(id="{name}", arn="arn:aws:kms:{region}:{account}:{name}"),
    "aws:s3/bucket:Bucket": Shape(
        id="{name}", arn="arn:aws:s3:::{name}", name_input="bucket", extra=_bucket
    ),
    # app
    "aws:ecs/cluster:Cluster": Shape(
        id="{arn}", arn="arn:aws:ecs:{region}:{account}:cluster/{name}", extra=_named
    ),
    "aws:ecs/service:Service": Shape(
        id="{arn}", arn="arn:aws:ecs:{region}:{account}:service/{cluster}/{name}", extra=_named
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Shape(
        id="{name}",
        arn="arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
        name_input="family",
        extra=_task_definition,
    ),
    "aws:lb/loadBalancer:LoadBalancer": _LB,
    "aws:lb/targetGroup:TargetGroup": _TG,
    "aws:lb/listener:Listener": _LISTENER,
    "aws:iam/role:Role": Shape(
        id="{name}", arn="arn:aws:iam::{account}:role/{name}", extra=_iam_role
    ),
    "aws:iam/rolePolicy:RolePolicy": Shape(id="{name}"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Shape(id="{name}-{hex8}"),
    "aws:appautoscaling/target:Target": Shape(
        id="{name}",
        arn="arn:aws:application-autoscaling:{region}:{account}:scalable-target/{hex16}",
        name_input="resourceId",
    ),
    "aws:appautoscaling/policy:Policy": Shape(
        id="{name}",
        arn="arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uuid}:policyName/{name}",
    ),
    "aws:route53/record:Record": Shape(id="{name}", extra=_record),
    "aws:sfn/stateMachine:StateMachine": Shape(
        id="{arn}", arn="arn:aws:states:{region}:{account}:stateMachine:{name}", extra=_named
    ),
    "aws:cloudwatch/eventRule:EventRule": Shape(
        id="{name}", arn="arn:aws:events:{region}:{account}:rule/{name}", extra=_named
    ),
    "aws:acm/certificate:Certificate": Shape(
        id="{arn}", arn="arn:aws:acm:{region}:{account}:certificate/{uuid}", extra=_acm_certificate
    ),
    "aws:cloudwatch/logGroup:LogGroup": Shape(
        id="{name}", arn="arn:aws:logs:{region}:{account}:log-group:{name}", extra=_named
    ),
    # observability
    "aws:cloudwatch/metricAlarm:MetricAlarm": Shape(
        id="{name}", arn="arn:aws:cloudwatch:{region}:{account}:alarm:{name}", name_input="name"
    ),
    "aws:cloudwatch/dashboard:Dashboard": Shape(
        id="{name}", name_input="dashboardName", extra=_dashboard
    ),
    "aws:sns/topic:Topic": Shape(
        id="{arn}", arn="arn:aws:sns:{region}:{account}:{name}", extra=_named
    ),
    "aws:sns/topicSubscription:TopicSubscription": Shape(id="{arn}", arn="{topic}:{uuid}"),
}
_FALLBACK = Shape(id="{name}-{hex8}")


class _Pending(dict[str, str]):
    """Leaves `{id}` in place when the ARN is filled before the id is known."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_Pending(values))


def shape_resource(
    type_: str, logical_name: str, inputs: Mapping[str, Any], *, region: str, seed: str
) -> tuple[str, dict[str, Any]]:
    """The physical id and state the provider would return: inputs plus computed outputs."""
    shape = SHAPES.get(type_, _FALLBACK)
    digest = hashlib.sha256(f"{seed}::{type_}::{logical_name}".encode()).digest()
    explicit = inputs.get(shape.name_input)
    if isinstance(explicit, str) and explicit and explicit != UNKNOWN:
        name = explicit
    else:  # the provider's autonaming: logical name plus 7 random (here: stable) hex characters
        name = f"{logical_name}-{digest.hex()[:7]}"
    naming = Naming(region=region, account=ACCOUNT_ID, name=name, digest=digest, inputs=inputs)
    values = naming.values()
    values["topic"] = str(inputs.get("topic", ""))
    values["cluster"] = str(inputs.get("cluster", "")).rsplit("/", 1)[-1]
    arn = _fill(shape.arn, values) if shape.arn else None
    values["arn"] = arn or ""
    ident = _fill(shape.id, values)
    values["id"] = ident
    if arn is not None:
        arn = _fill(arn, values)  # ARNs that embed the id, e.g. ec2 `vpc/{id}`
    state: dict[str, Any] = dict(inputs)
    computed: dict[str, Any] = {"id": ident}
    if arn is not None:
        computed["arn"] = arn
    if shape.extra is not None:
        computed.update(shape.extra(naming, ident))
    if "tags" in inputs and "tagsAll" not in inputs:
        computed["tagsAll"] = inputs["tags"]
    for key, value in computed.items():
        if state.get(key) in (None, UNKNOWN) or key in ("id", "arn"):
            state[key] = value
    if "{name}" in shape.id + (shape.arn or "") and state.get(shape.name_input) in (None, UNKNOWN):
        state[shape.name_input] = name  # what the provider's autonaming would have chosen
    state.pop("id", None)
    return ident, state


# --- provider functions -----------------------------------------------------------------------------

_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_id_prefix(region: str) -> str:
    """`us-east-1` -> `use1`, `ap-southeast-2` -> `apse2`: how AWS shortens regions in AZ ids."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


# Zone names map to zone ids differently in every account; this order makes name order and id
# order differ, as they do in real accounts.
_ZONE_ID_ORDER = (4, 6, 1, 2, 3, 5)
# A Local Zone that really exists (Boston, us-east-1's): an account opted into it lists it too.
_LOCAL_ZONES = {"us-east-1": "us-east-1-bos-1a"}


def availability_zones(region: str) -> list[dict[str, str]]:
    """What EC2 DescribeAvailabilityZones lists for an account: the region's zones as AWS's data
    lists them (`shared.aws.availability_zones`, never invented), plus the Local Zone an account
    may opt into (its name sorts before the standard ones, as `us-east-1-bos-1a` does before
    `us-east-1a`)."""
    names = aws_zones.zones_in(region)
    if names is None:
        raise ValueError(
            f"getAvailabilityZones: {region!r} is not a region AWS's data lists "
            f"({aws_zones.source()})"
        )
    prefix = zone_id_prefix(region)
    numbers = [n for n in _ZONE_ID_ORDER if n <= len(names)]
    numbers += range(len(_ZONE_ID_ORDER) + 1, len(names) + 1)
    zones = [
        {
            "name": name,
            "zoneId": f"{prefix}-az{number}",
            "groupName": region,
            "optInStatus": "opt-in-not-required",
            "zoneType": "availability-zone",
        }
        for name, number in zip(names, numbers, strict=True)
    ]
    local = _LOCAL_ZONES.get(region)
    if local is not None:
        zones.append(
            {
                "name": local,
                "zoneId": f"{prefix}-{local.split('-')[-2]}1-az1",
                "groupName": local[:-1],
                "optInStatus": "opted-in",
                "zoneType": "local-zone",
            }
        )
    return sorted(zones, key=lambda zone: zone["name"])


_ZONE_FILTERS = {
    "opt-in-status": "optInStatus",
    "zone-type": "zoneType",
    "zone-name": "name",
    "zone-id": "zoneId",
    "group-name": "groupName",
}


def _get_availability_zones(region: str, args: Mapping[str, Any]) -> dict[str, Any]:
    zones = availability_zones(region)
    for wanted in args.get("filters") or []:
        field_name = _ZONE_FILTERS.get(str(wanted.get("name")))
        if field_name is None:
            raise ValueError(f"getAvailabilityZones: the mock has no filter {wanted.get('name')!r}")
        zones = [z for z in zones if z[field_name] in wanted.get("values", [])]
    return {
        "names": [z["name"] for z in zones],
        "zoneIds": [z["zoneId"] for z in zones],
        "groupNames": sorted({z["groupName"] for z in zones}),
        "state": args.get("state") or "available",
        "id": region,
    }


def render_policy_document(args: Mapping[str, Any]) -> str:
    """What `aws.iam.get_policy_document` renders: IAM JSON, single values unwrapped as AWS does."""

    def one_or_many(values: Any) -> Any:
        items = sorted(values) if isinstance(values, list) else [values]
        return items[0] if len(items) == 1 else items

    statements = []
    for raw in args.get("statements") or []:
        statement: dict[str, Any] = {}
        if raw.get("sid"):
            statement["Sid"] = raw["sid"]
        statement["Effect"] = raw.get("effect") or "Allow"
        for key, field_name in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if raw.get(key):
                statement[field_name] = one_or_many(raw[key])
        for key, field_name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if raw.get(key):
                principals: dict[str, Any] = {}
                for principal in raw[key]:
                    principals[principal["type"]] = one_or_many(principal["identifiers"])
                statement[field_name] = (
                    "*" if principals == {"*": "*"} else dict(sorted(principals.items()))
                )
        if raw.get("conditions"):
            conditions: dict[str, dict[str, Any]] = {}
            for condition in raw["conditions"]:
                conditions.setdefault(condition["test"], {})[condition["variable"]] = one_or_many(
                    condition["values"]
                )
            statement["Condition"] = conditions
        statements.append(statement)
    return json.dumps({"Version": args.get("version") or "2012-10-17", "Statement": statements})


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        *,
        environment: str,
        config: Mapping[str, Any],
        references: Mapping[str, Any],
        project: str = "",
        preview: bool = False,
    ) -> None:
        self.environment = environment
        self.preview = preview
        self.region = str(config.get("aws:region", DEFAULT_REGION))
        self.references = references
        self.seed = f"{project}/{environment}/{self.region}"

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args)
        if self.preview:
            # As in `pulumi preview` of a new resource: only the inputs are known; the id, the ARN
            # and every other computed output stay unknown.
            return None, dict(args.inputs)
        return shape_resource(args.typ, args.name, args.inputs, region=self.region, seed=self.seed)

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        target = str(args.inputs.get("name") or args.resource_id)
        found = self.references.get(target)
        if found is None:
            known = ", ".join(sorted(self.references)) or "none"
            raise LookupError(
                f"StackReference to {target!r}: that stack is not part of this offline plan "
                f"(stacks in the plan so far: {known})"
            )
        state: dict[str, Any] = {"name": target, "outputs": dict(found.outputs)}
        if found.secret_outputs:
            state["secretOutputNames"] = sorted(found.secret_outputs)
        return target, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # A bare dict: the SDK's mock monitor cannot take (dict, None).
        answer = self.calls().get(args.token)
        return answer(args.args) if answer else {}

    def calls(self) -> Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]]:
        """Provider functions answered from config, by token."""
        region = self.region
        return {
            "aws:index/getAvailabilityZones:getAvailabilityZones": lambda a: (
                _get_availability_zones(region, a)
            ),
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
                "userId": "AIDAOFFLINEPLAN000000",
                "id": ACCOUNT_ID,
            },
            "aws:index/getRegion:getRegion": lambda _: {
                "name": region,
                "region": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
                "id": region,
            },
            "aws:index/getPartition:getPartition": lambda _: {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": "aws",
            },
            "aws:iam/getPolicyDocument:getPolicyDocument": lambda a: {
                "json": render_policy_document(a),
                "minifiedJson": json.dumps(
                    json.loads(render_policy_document(a)), separators=(",", ":")
                ),
                "id": hashlib.sha256(render_policy_document(a).encode()).hexdigest()[:10],
            },
            "aws:elb/getServiceAccount:getServiceAccount": lambda _: {
                "arn": f"arn:aws:iam::{ELB_ACCOUNT_ID}:root",
                "id": ELB_ACCOUNT_ID,
            },
        }


def _alias(alias: Any) -> str | dict[str, Any]:
    """An `Alias` of RegisterResourceRequest (proto/pulumi/alias.proto): a URN, or a spec whose
    empty fields the engine fills from the resource itself."""
    if alias.WhichOneof("alias") == "urn":
        return engine_urn(str(alias.urn))
    spec = alias.spec
    found: dict[str, Any] = {
        key: getattr(spec, key)
        for key in ("name", "type", "stack", "project")
        if getattr(spec, key)
    }
    if spec.WhichOneof("parent") == "parentUrn" and spec.parentUrn:  # "": the resource's own
        found["parentUrn"] = engine_urn(spec.parentUrn)
    elif spec.WhichOneof("parent") == "noParent":
        found["noParent"] = bool(spec.noParent)
    return found


def engine_urn(urn: str) -> str:
    """The URN the engine would give: mock URNs carry the root stack type in the parent chain."""
    return urn.replace("::pulumi:pulumi:Stack$", "::", 1)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of what the engine would see: parent, dependencies, options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Resource] = []

    def RegisterResource(self, request: Any) -> Any:
        from pulumi.runtime import rpc

        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            state = dict(self.resources[response.urn].state)
            if isinstance(inputs, dict):
                # Outside preview the SDK drops unknown inputs before the mock sees them; a
                # provider echoes its inputs into state, so an input known only at deploy time
                # (a secret not decrypted offline) stays in the state as unknown, not absent.
                state = {**{k: v for k, v in inputs.items() if wire_value(v) == UNKNOWN}, **state}
            self.recorded.append(
                Resource(
                    type=request.type,
                    name=request.name,
                    urn=engine_urn(response.urn),
                    inputs=wire_value(inputs) if isinstance(inputs, dict) else {},
                    outputs=wire_value(dict(state, id=response.id)),
                    parent=engine_urn(request.parent),
                    dependencies=tuple(engine_urn(d) for d in request.dependencies),
                    property_dependencies={
                        key: tuple(engine_urn(u) for u in deps.urns)
                        for key, deps in request.propertyDependencies.items()
                    },
                    provider=engine_urn(request.provider),
                    protect=bool(request.protect),
                    custom=bool(request.custom),
                    **self._options(request),
                )
            )
        return response

    @staticmethod
    def _options(request: Any) -> dict[str, Any]:
        """The rest of the resource options, as the engine keeps them (see resource_options).

        Aliases stay empty: the engine keeps only an alias that matched a resource of the old
        state (step_generator.go getOldResource), and a plan has no old state. What the program
        declared is kept apart (`declared_aliases`), with replaceOnChanges and retainOnDelete,
        which the Analyzer never sees: the change plan matches them against a deployed state.
        """
        # source_eval.go: deleteBeforeReplace counts as set when Defined is, or when it is true.
        defined = request.deleteBeforeReplaceDefined or request.deleteBeforeReplace
        return {
            "declared_aliases": tuple(_alias(alias) for alias in request.aliases),
            "replace_on_changes": tuple(request.replaceOnChanges),
            "retain_on_delete": bool(request.retainOnDelete),
            "ignore_changes": tuple(request.ignoreChanges),
            "delete_before_replace": bool(request.deleteBeforeReplace) if defined else None,
            "additional_secret_outputs": tuple(request.additionalSecretOutputs),
            "custom_timeouts": custom_timeouts(
                request.customTimeouts if request.HasField("customTimeouts") else None
            ),
        }
