"""EC2: the network layer's VPC, subnets, gateways, routes and security groups."""

from __future__ import annotations

from typing import Any

from shared.aws.availability_zones import account_zones
from shared.aws.types._convert import APPLY_DROP, document, to
from shared.aws.types._model import ID_ONLY, Convert, ResourceType, Shape, ShapeValues, Translation

LONG_TAG = {"Name": "x" * 300}  # over a tag value's 256 characters: cfn-lint rejects it


def _ec2(kind: str, prefix: str) -> Shape:
    return Shape(id=prefix + "-{hex17}", arn="arn:aws:ec2:{region}:{account}:" + kind + "/{id}")


def _subnet(n: ShapeValues, ident: str) -> dict[str, Any]:
    """The zone id EC2 reports beside the zone name a subnet was created in (or the name beside
    the id), from the mock account's name-to-id mapping."""
    zones = account_zones(n.region)
    by_name = {z["name"]: z["zoneId"] for z in zones}
    by_id = {z["zoneId"]: z["name"] for z in zones}
    name, zone_id = n.inputs.get("availabilityZone"), n.inputs.get("availabilityZoneId")
    if isinstance(name, str) and name in by_name:
        return {"availabilityZoneId": by_name[name]}
    if isinstance(zone_id, str) and zone_id in by_id:
        return {"availabilityZone": by_id[zone_id]}
    return {}


def _eip(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"allocationId": ident, "publicIp": f"52.{n.digest[0]}.{n.digest[1]}.{n.digest[2]}"}


def _flow_log_target(value: Any) -> dict[str, Any]:
    return {"ResourceId": value, "ResourceType": "VPC"}


def _ingress_entries(direction: str) -> Convert:
    def convert(value: Any) -> dict[str, Any]:
        entries: list[Any] = []
        for rule in value if isinstance(value, list) else []:
            base = {
                "IpProtocol": rule.get("protocol"),
                "FromPort": rule.get("fromPort"),
                "ToPort": rule.get("toPort"),
            }
            if "description" in rule:
                base["Description"] = rule["description"]
            cidrs = [("CidrIp", c) for c in rule.get("cidrBlocks") or []]
            cidrs += [("CidrIpv6", c) for c in rule.get("ipv6CidrBlocks") or []]
            groups = rule.get("securityGroups") or []
            target = (
                "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
            )
            cidrs += [(target, g) for g in groups]
            entries.extend({**base, key: item} for key, item in cidrs or [("CidrIp", None)])
        name = "SecurityGroupIngress" if direction == "ingress" else "SecurityGroupEgress"
        return {name: entries if isinstance(value, list) else value}

    return convert


TYPES = (
    ResourceType(
        "aws:ec2/vpc:Vpc",
        "a VPC",
        shape=_ec2("vpc", "vpc"),
        cloudformation="AWS::EC2::VPC",
        translation=Translation(rejects={"cidrBlock": "10.0.0.0/33"}),
    ),
    ResourceType(
        "aws:ec2/subnet:Subnet",
        "a subnet of the VPC, in one availability zone",
        shape=Shape(
            id="subnet-{hex17}", arn="arn:aws:ec2:{region}:{account}:subnet/{id}", extra=_subnet
        ),
        cloudformation="AWS::EC2::Subnet",
        translation=Translation(
            # EC2 reports a subnet's zone by name and by id; the stack state holds both.
            twins={"availabilityZoneId": "availabilityZone"},
            rejects={"cidrBlock": "not-a-cidr"},
        ),
    ),
    ResourceType(
        "aws:ec2/internetGateway:InternetGateway",
        "the VPC's internet gateway",
        shape=_ec2("internet-gateway", "igw"),
        cloudformation="AWS::EC2::InternetGateway",
        translation=Translation(
            drops={
                "vpcId": "CloudFormation attaches the gateway with AWS::EC2::VPCGatewayAttachment"
            },
            rejects={"tags": LONG_TAG},
        ),
    ),
    ResourceType(
        "aws:ec2/eip:Eip",
        "an Elastic IP (a NAT gateway's address)",
        shape=Shape(
            id="eipalloc-{hex17}", arn="arn:aws:ec2:{region}:{account}:elastic-ip/{id}", extra=_eip
        ),
        cloudformation="AWS::EC2::EIP",
        translation=Translation(rejects={"domain": "classic"}),
    ),
    ResourceType(
        "aws:ec2/natGateway:NatGateway",
        "a NAT gateway",
        shape=_ec2("natgateway", "nat"),
        cloudformation="AWS::EC2::NatGateway",
        translation=Translation(rejects={"connectivityType": "sideways"}),
    ),
    ResourceType(
        "aws:ec2/routeTable:RouteTable",
        "a route table",
        shape=_ec2("route-table", "rtb"),
        cloudformation="AWS::EC2::RouteTable",
        translation=Translation(rejects={"tags": LONG_TAG}),
    ),
    ResourceType(
        "aws:ec2/route:Route",
        "one route of a route table",
        shape=Shape(id="r-rtb-{hex17}"),
        cloudformation="AWS::EC2::Route",
        translation=Translation(tags=False, rejects={"destinationCidrBlock": "everywhere"}),
    ),
    ResourceType(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "a subnet's route table",
        shape=Shape(id="rtbassoc-{hex17}"),
        cloudformation="AWS::EC2::SubnetRouteTableAssociation",
        translation=Translation(tags=False, rejects={"routeTableId": ["a", "b"]}),
    ),
    ResourceType(
        "aws:ec2/securityGroup:SecurityGroup",
        "a security group",
        shape=_ec2("security-group", "sg"),
        names={"name": "security-group"},
        cloudformation="AWS::EC2::SecurityGroup",
        translation=Translation(
            fields={
                "name": "GroupName",
                "description": "GroupDescription",
                "ingress": _ingress_entries("ingress"),
                "egress": _ingress_entries("egress"),
            },
            drops={"revokeRulesOnDelete": APPLY_DROP, "namePrefix": "Pulumi naming only"},
            rejects={"description": "x" * 300},
        ),
    ),
    ResourceType(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "the VPC's default security group, adopted and emptied",
        shape=ID_ONLY,
        no_cloudformation=(
            "adopts the VPC's default security group; CloudFormation cannot manage that group"
        ),
        part_of="AWS::EC2::SecurityGroup",
    ),
    ResourceType(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "a VPC endpoint (gateway or interface)",
        shape=_ec2("vpc-endpoint", "vpce"),
        cloudformation="AWS::EC2::VPCEndpoint",
        translation=Translation(
            fields={
                "privateDnsEnabled": "PrivateDnsEnabled",
                "policy": to("PolicyDocument", document),
            },
            rejects={"routeTableIds": "rtb-0123"},
        ),
    ),
    ResourceType(
        "aws:ec2/flowLog:FlowLog",
        "the VPC's flow log",
        shape=_ec2("vpc-flow-log", "fl"),
        cloudformation="AWS::EC2::FlowLog",
        translation=Translation(
            fields={"vpcId": _flow_log_target, "iamRoleArn": "DeliverLogsPermissionArn"},
            rejects={"trafficType": "SOME"},
        ),
    ),
    ResourceType(
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        "a peering connection to another environment's VPC",
        shape=_ec2("vpc-peering-connection", "pcx"),
        no_cloudformation=(
            "not translated yet (AWS::EC2::VPCPeeringConnection exists; cfn-lint does not see it)"
        ),
    ),
)
