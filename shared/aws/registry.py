"""AWS's CloudFormation resource registry, as cfn-lint ships it, reached from Pulumi type tokens.

AWS publishes a schema per CloudFormation type (the CloudFormation registry); cfn-lint vendors them
(`cfnlint/data/schemas/resources/<hash>.json`, indexed per region in `providers/<region>.json`).
Each schema says which IAM actions AWS's own handler needs per operation
(`handlers.<create|read|update|delete|list>.permissions`), which property changes replace the
resource (`createOnlyProperties`, `conditionalCreateOnlyProperties`) and how it takes tags.
Refreshing cfn-lint (`uv lock --upgrade-package cfn-lint`) refreshes the data.

`CLOUDFORMATION_TYPES` is the one table of which CloudFormation type describes each Pulumi type the
layers use; the pack's translation to CloudFormation, the access check and the change plan read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Operation = Literal["create", "read", "update", "delete", "list"]

CLOUDFORMATION_TYPES: Mapping[str, str] = {
    "aws:ec2/vpc:Vpc": "AWS::EC2::VPC",
    "aws:ec2/subnet:Subnet": "AWS::EC2::Subnet",
    "aws:ec2/internetGateway:InternetGateway": "AWS::EC2::InternetGateway",
    "aws:ec2/eip:Eip": "AWS::EC2::EIP",
    "aws:ec2/natGateway:NatGateway": "AWS::EC2::NatGateway",
    "aws:ec2/routeTable:RouteTable": "AWS::EC2::RouteTable",
    "aws:ec2/route:Route": "AWS::EC2::Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "AWS::EC2::SubnetRouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup": "AWS::EC2::SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "AWS::EC2::SecurityGroupIngress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "AWS::EC2::SecurityGroupEgress",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "AWS::EC2::VPCEndpoint",
    "aws:ec2/flowLog:FlowLog": "AWS::EC2::FlowLog",
    "aws:cloudwatch/logGroup:LogGroup": "AWS::Logs::LogGroup",
    "aws:iam/role:Role": "AWS::IAM::Role",
    "aws:iam/rolePolicy:RolePolicy": "AWS::IAM::RolePolicy",
    "aws:kms/key:Key": "AWS::KMS::Key",
    "aws:kms/alias:Alias": "AWS::KMS::Alias",
    "aws:rds/cluster:Cluster": "AWS::RDS::DBCluster",
    "aws:rds/clusterInstance:ClusterInstance": "AWS::RDS::DBInstance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "AWS::RDS::DBClusterParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup": "AWS::RDS::DBSubnetGroup",
    "aws:s3/bucket:Bucket": "AWS::S3::Bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "AWS::S3::BucketPolicy",
    "aws:ecs/cluster:Cluster": "AWS::ECS::Cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "AWS::ECS::ClusterCapacityProviderAssociations",
    "aws:ecs/taskDefinition:TaskDefinition": "AWS::ECS::TaskDefinition",
    "aws:ecs/service:Service": "AWS::ECS::Service",
    "aws:lb/loadBalancer:LoadBalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws:lb/targetGroup:TargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws:lb/listener:Listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws:appautoscaling/target:Target": "AWS::ApplicationAutoScaling::ScalableTarget",
    "aws:appautoscaling/policy:Policy": "AWS::ApplicationAutoScaling::ScalingPolicy",
    "aws:sns/topic:Topic": "AWS::SNS::Topic",
    "aws:sns/topicPolicy:TopicPolicy": "AWS::SNS::TopicPolicy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "AWS::Logs::MetricFilter",
    "aws:cloudwatch/dashboard:Dashboard": "AWS::CloudWatch::Dashboard",
    "aws:cloudwatch/eventRule:EventRule": "AWS::Events::Rule",
    "aws:sfn/stateMachine:StateMachine": "AWS::StepFunctions::StateMachine",
    "aws:acm/certificate:Certificate": "AWS::CertificateManager::Certificate",
    "aws:sns/topicSubscription:TopicSubscription": "AWS::SNS::Subscription",
    "aws:route53/record:Record": "AWS::Route53::RecordSet",
    # S3's v7 configuration resources are parts of one AWS::S3::Bucket in CloudFormation.
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "AWS::S3::Bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "AWS::S3::Bucket"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "AWS::S3::Bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "AWS::S3::Bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "AWS::S3::Bucket",
    "aws:s3/bucketLogging:BucketLogging": "AWS::S3::Bucket",
}

# The registry is global, but each region's index lists the types available there; us-east-1 has
# every type the layers use, and a schema is the same file whichever region lists it.
_INDEX_REGION = "us-east-1"


def _schemas_dir() -> Any:
    return files("cfnlint") / "data" / "schemas"


@cache
def _index() -> Mapping[str, str]:
    index: dict[str, str] = json.loads(
        (_schemas_dir() / "providers" / f"{_INDEX_REGION}.json").read_text()
    )
    return index


@cache
def schema(cfn_type: str) -> Mapping[str, Any]:
    """The registry schema of one CloudFormation type; KeyError names a type AWS does not list."""
    try:
        digest = _index()[cfn_type]
    except KeyError:
        raise KeyError(f"{cfn_type} is not in the CloudFormation registry cfn-lint ships") from None
    document: dict[str, Any] = json.loads(
        (_schemas_dir() / "resources" / f"{digest}.json").read_text()
    )
    return document


def cloudformation_type(pulumi_type: str) -> str | None:
    """The CloudFormation type describing a Pulumi type, or None where the table has none."""
    return CLOUDFORMATION_TYPES.get(pulumi_type)


def handler_permissions(cfn_type: str, operation: Operation) -> tuple[str, ...]:
    """The IAM actions AWS's handler for `operation` needs (empty when the schema lists none)."""
    handler = schema(cfn_type).get("handlers", {}).get(operation, {})
    return tuple(handler.get("permissions", ()))


def _properties(pointers: list[str] | None) -> tuple[str, ...]:
    # "/properties/BucketName" -> "BucketName"; nested pointers keep their path after the prefix.
    return tuple(pointer.removeprefix("/properties/") for pointer in pointers or ())


def create_only_properties(cfn_type: str) -> tuple[str, ...]:
    """Properties whose change replaces the resource, as top-level or `/`-joined paths."""
    return _properties(schema(cfn_type).get("createOnlyProperties"))


def conditional_create_only_properties(cfn_type: str) -> tuple[str, ...]:
    """Properties whose change may replace the resource, depending on how it changes."""
    return _properties(schema(cfn_type).get("conditionalCreateOnlyProperties"))
