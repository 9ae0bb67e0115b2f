"""VPC security group rules, one resource per rule (pulumi-aws v7's `aws:vpc` module)."""

from __future__ import annotations

from shared.aws.types._model import Convert, ResourceType, Shape, Translation

_RULE_DROPS = {"tags": "AWS::EC2::SecurityGroupIngress/Egress take no tags"}


def _rule_fields(direction: str) -> dict[str, str | Convert]:
    peer = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    prefix = "SourcePrefixListId" if direction == "ingress" else "DestinationPrefixListId"
    return {
        "securityGroupId": "GroupId",
        "cidrIpv4": "CidrIp",
        "cidrIpv6": "CidrIpv6",
        "referencedSecurityGroupId": peer,
        "prefixListId": prefix,
    }


_RULE_SHAPE = Shape(id="sgr-{hex17}", arn="arn:aws:ec2:{region}:{account}:security-group-rule/{id}")

TYPES = (
    ResourceType(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "one inbound rule of a security group",
        shape=_RULE_SHAPE,
        cloudformation="AWS::EC2::SecurityGroupIngress",
        translation=Translation(
            fields=_rule_fields("ingress"),
            drops=_RULE_DROPS,
            tags=False,
            rejects={"fromPort": "any"},
        ),
    ),
    ResourceType(
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "one outbound rule of a security group",
        shape=_RULE_SHAPE,
        cloudformation="AWS::EC2::SecurityGroupEgress",
        translation=Translation(
            fields=_rule_fields("egress"), drops=_RULE_DROPS, tags=False, rejects={"toPort": "any"}
        ),
    ),
)
