"""Planned Pulumi resources as a CloudFormation template, so cfn-lint's AWS rules can judge them.

Pure: engine props (camelCase, as the analyzer delivers them) in, a template dict out, plus where
every CloudFormation property came from (URN and Pulumi property) so findings map back.

Decisions (documented in docs/aws-rules.md):
- References to other resources stay the concrete values the engine knows (the mocks and the real
  engine both give AWS-shaped ids and ARNs), so cfn-lint checks them like literals.
- A value only known after deployment (the preview sentinel) becomes `{"Ref": "PulumiUnknown"}`, a
  String parameter without a default: cfn-lint does not judge a value it cannot resolve, so an
  unknown is never a false finding.
- S3's separate v7 configuration resources fold into their bucket's CloudFormation properties
  (CloudFormation has one AWS::S3::Bucket); a configuration whose bucket is not in the plan gets a
  bucket of its own named after its `bucket` value.
- A Pulumi-only property (no CloudFormation counterpart) is dropped only when it is listed in
  `Translation.drops` with its reason; any other property is translated by name, so a wrong name
  shows up as cfn-lint's E3002 instead of vanishing.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from policies.props import UNKNOWN_SENTINELS, UnknownValueError
from shared.aws.registry import CLOUDFORMATION_TYPES
from shared.wire import SECRET_SIGNATURE_KEY

# Each translated type's input properties (from the pulumi-aws SDK): a stack policy sees a
# resource's state, whose output-only properties (id, arn, tagsAll, ...) have no CloudFormation
# property. `python -m policies.cfn_translate` regenerates it; a test checks it against the SDK.
INPUTS_FILE = Path(__file__).resolve().parent / "data" / "cfn_inputs.json"
UNKNOWN_PARAMETER = "PulumiUnknown"
UNKNOWN_REF: Mapping[str, str] = {"Ref": UNKNOWN_PARAMETER}

# Pulumi types the layers may create that have no CloudFormation resource of their own.
NO_EQUIVALENT: Mapping[str, str] = {
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "adopts the VPC's default security group; CloudFormation cannot manage that group"
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "CloudFormation attaches managed policies through AWS::IAM::Role ManagedPolicyArns, "
        "not a resource of its own"
    ),
    "aws:acm/certificateValidation:CertificateValidation": (
        "waits until ACM issues a certificate; CloudFormation waits inside "
        "AWS::CertificateManager::Certificate"
    ),
    "aws:cloudwatch/eventTarget:EventTarget": (
        "CloudFormation declares a rule's targets inside AWS::Events::Rule (Targets), not as a "
        "resource of its own"
    ),
}


@dataclass(frozen=True)
class Source:
    """Where a CloudFormation property came from."""

    urn: str
    prop: str | None  # the Pulumi (camelCase) property, None when it has no single origin


@dataclass
class CfnResource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    urn: str  # the resource the CloudFormation resource stands for
    sources: dict[str, Source] = field(default_factory=dict)  # CFN property -> origin


@dataclass(frozen=True)
class Planned:
    """One planned resource as the translation needs it."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


Convert = Callable[[Any], dict[str, Any]]  # Pulumi value -> CloudFormation properties


@dataclass(frozen=True)
class Translation:
    fields: Mapping[str, str | Convert] = field(default_factory=dict)
    drops: Mapping[str, str] = field(default_factory=dict)  # Pulumi property -> why dropped
    # A property the provider also fills in from its twin (state holds both, CloudFormation takes
    # one): dropped when the twin is present too.
    twins: Mapping[str, str] = field(default_factory=dict)
    tags: bool = True  # Pulumi `tags` map -> CloudFormation `Tags` [{Key, Value}]
    # A name CloudFormation requires that Pulumi auto-generates when absent: the resource's name
    # stands in for it (Pulumi's auto-name is that name plus a random suffix).
    autoname: str | None = None


# ---- value helpers -------------------------------------------------------------------------------


def _item(container: Any, key: Any) -> Any:
    """One element; pulumi_policy's proxy raises for an unknown one instead of returning it."""
    try:
        return container[key]
    except UnknownValueError as error:
        return error.unknown_type_sentinel


def _plain(raw: Any) -> Any:
    """Secrets unwrapped, unknowns as the unknown Ref, whole doubles as ints, recursively."""
    if isinstance(raw, Mapping):
        if SECRET_SIGNATURE_KEY in raw:
            return _plain(_item(raw, "value"))
        return {str(k): _plain(_item(raw, k)) for k in list(raw)}
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        return [_plain(_item(raw, i)) for i in range(len(raw))]
    if isinstance(raw, str) and raw in UNKNOWN_SENTINELS:
        return dict(UNKNOWN_REF)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def pascal(key: str) -> str:
    return key[:1].upper() + key[1:]


def _pascal_keys(raw: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Keys PascalCased recursively; under a key in `keep` (free-form maps) keys stay as they are."""
    if isinstance(raw, Mapping):
        if raw == UNKNOWN_REF:
            return raw
        return {pascal(k): (v if k in keep else _pascal_keys(v, keep)) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_pascal_keys(v, keep) for v in raw]
    return raw


def _document(raw: Any) -> Any:
    """An IAM/JSON document: CloudFormation wants the object, Pulumi carries a string."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _tags(raw: Any) -> Any:
    if isinstance(raw, Mapping) and raw != UNKNOWN_REF:
        return [{"Key": k, "Value": v} for k, v in raw.items()]
    return raw


def _to(name: str, convert: Callable[[Any], Any] = lambda v: v) -> Convert:
    return lambda value: {name: convert(value)}


def _nested(value: Any) -> Any:
    return _pascal_keys(value)


# ---- per-type converters -------------------------------------------------------------------------


def _attr(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, Mapping) else str(value)


def _attribute(key: str, container: str) -> Convert:
    return lambda value: {container: [{"Key": key, "Value": _attr(value)}]}


def _access_logs(value: Any) -> dict[str, Any]:
    if value == UNKNOWN_REF:  # settings unknown in preview: nothing to check, no attribute to name
        return {}
    if not isinstance(value, Mapping):
        return {"LoadBalancerAttributes": value}
    # Pulumi's keys (enabled, bucket, prefix) are the attribute names' last part.
    return {
        "LoadBalancerAttributes": [
            {"Key": f"access_logs.s3.{k}", "Value": _attr(v)} for k, v in value.items()
        ]
    }


def _scheme(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"Scheme": "internal" if value else "internet-facing"}
    return {"Scheme": value}


HEALTH_CHECK = {
    "interval": "HealthCheckIntervalSeconds",
    "timeout": "HealthCheckTimeoutSeconds",
    "path": "HealthCheckPath",
    "port": "HealthCheckPort",
    "protocol": "HealthCheckProtocol",
    "healthyThreshold": "HealthyThresholdCount",
    "unhealthyThreshold": "UnhealthyThresholdCount",
    "enabled": "HealthCheckEnabled",
}


def _health_check(value: Any) -> dict[str, Any]:
    if value == UNKNOWN_REF:  # the block spreads over several properties: none of them is known
        return {}
    if not isinstance(value, Mapping):
        return {"HealthCheckPath": value}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "matcher":
            out["Matcher"] = {"HttpCode": item}
        else:
            out[HEALTH_CHECK.get(key, pascal(key))] = item
    return out


def _certificate(value: Any) -> dict[str, Any]:
    return {"Certificates": [{"CertificateArn": value}]}


# An action's settings block: Pulumi `redirect`, CloudFormation `RedirectConfig` (and so on).
_ACTION_CONFIGS = frozenset(
    {"redirect", "fixedResponse", "forward", "authenticateCognito", "authenticateOidc"}
)


def _listener_actions(value: Any) -> dict[str, Any]:
    if not isinstance(value, list):
        return {"DefaultActions": _pascal_keys(value)}
    actions = [
        {(f"{k}Config" if k in _ACTION_CONFIGS else k): v for k, v in action.items()}
        if isinstance(action, Mapping)
        else action
        for action in value
    ]
    return {"DefaultActions": _pascal_keys(actions)}


def _alias_target(value: Any) -> dict[str, Any]:
    """Pulumi's `aliases` list (at most one) is CloudFormation's single AliasTarget."""
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], Mapping):
        return {"AliasTarget": value}
    names = {"name": "DNSName", "zoneId": "HostedZoneId"}
    return {"AliasTarget": {names.get(k, pascal(k)): v for k, v in value[0].items()}}


def _alarm_dimensions(value: Any) -> list[dict[str, Any]] | Any:
    if isinstance(value, Mapping) and value != UNKNOWN_REF:
        return [{"Name": k, "Value": v} for k, v in value.items()]
    return value


def _metric_queries(value: Any) -> dict[str, Any]:
    queries = []
    for query in value if isinstance(value, list) else []:
        out: dict[str, Any] = {}
        for key, item in query.items():
            if key == "metric" and isinstance(item, Mapping):
                metric = {
                    "MetricName": item.get("metricName"),
                    "Namespace": item.get("namespace"),
                }
                if "dimensions" in item:
                    metric["Dimensions"] = _alarm_dimensions(item["dimensions"])
                stat = {"Metric": {k: v for k, v in metric.items() if v is not None}}
                for inner in ("period", "stat", "unit"):
                    if inner in item:
                        stat[pascal(inner)] = item[inner]
                out["MetricStat"] = stat
            else:
                out[pascal(key)] = item
        queries.append(out)
    return {"Metrics": queries if isinstance(value, list) else value}


def _number(raw: Any) -> Any:
    """A number Pulumi carries as a string (CloudFormation wants the number)."""
    if not isinstance(raw, str):
        return raw
    try:
        parsed = float(raw)
    except ValueError:
        return raw
    return int(parsed) if parsed.is_integer() else parsed


def _metric_transformation(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {"MetricTransformations": value}
    names = {"name": "MetricName", "namespace": "MetricNamespace", "value": "MetricValue"}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out[names.get(key, pascal(key))] = _number(item) if key == "defaultValue" else item
    return {"MetricTransformations": [out]}


def _parameters(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return {"Parameters": {p.get("name"): p.get("value") for p in value}}
    return {"Parameters": value}


# Container definitions keep these maps' keys verbatim (they are user data, not property names).
CONTAINER_FREE_FORM = frozenset({"options", "dockerLabels", "systemControls"})


def _container_definitions(value: Any) -> dict[str, Any]:
    parsed = _plain(_document(value))
    return {"ContainerDefinitions": _pascal_keys(parsed, CONTAINER_FREE_FORM)}


def _assign_public_ip(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {"NetworkConfiguration": value}
    config: dict[str, Any] = {}
    for key, item in value.items():
        if key == "assignPublicIp" and isinstance(item, bool):
            config["AssignPublicIp"] = "ENABLED" if item else "DISABLED"
        else:
            config[pascal(key)] = item
    return {"NetworkConfiguration": {"AwsvpcConfiguration": config}}


def _deployment(key: str) -> Convert:
    return lambda value: {"DeploymentConfiguration": {key: _nested(value)}}


def _lifecycle(value: Any) -> dict[str, Any]:
    rules = []
    for rule in value if isinstance(value, list) else []:
        out: dict[str, Any] = {}
        for key, item in rule.items():
            if key == "id":
                out["Id"] = item
            elif key == "filter" and isinstance(item, Mapping):
                if "prefix" in item:
                    out["Prefix"] = item["prefix"]
                rest = {k: v for k, v in item.items() if k != "prefix"}
                if rest:
                    out["Filter"] = _pascal_keys(rest)  # a translation gap shows up as E3002
            elif key == "transitions":
                out["Transitions"] = [
                    {
                        "StorageClass": t.get("storageClass"),
                        "TransitionInDays": t.get("days"),
                    }
                    for t in item
                ]
            elif key == "expiration" and isinstance(item, Mapping) and "days" in item:
                out["ExpirationInDays"] = item["days"]
            elif key == "noncurrentVersionExpiration" and isinstance(item, Mapping):
                out["NoncurrentVersionExpiration"] = {"NoncurrentDays": item.get("noncurrentDays")}
            else:
                out[pascal(key)] = _pascal_keys(item)
        rules.append(out)
    return {"LifecycleConfiguration": {"Rules": rules if isinstance(value, list) else value}}


def _encryption(value: Any) -> dict[str, Any]:
    rules = []
    for rule in value if isinstance(value, list) else []:
        out: dict[str, Any] = {}
        for key, item in rule.items():
            if key == "applyServerSideEncryptionByDefault" and isinstance(item, Mapping):
                names = {"sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}
                out["ServerSideEncryptionByDefault"] = {
                    names.get(k, pascal(k)): v for k, v in item.items()
                }
            else:
                out[pascal(key)] = item
        rules.append(out)
    return {"BucketEncryption": {"ServerSideEncryptionConfiguration": rules or value}}


def _public_access(key: str) -> Convert:
    return lambda value: {"PublicAccessBlockConfiguration": {pascal(key): value}}


def _ownership(value: Any) -> dict[str, Any]:
    return {"OwnershipControls": {"Rules": [_pascal_keys(value)]}}


def _logging(key: str, name: str) -> Convert:
    return lambda value: {"LoggingConfiguration": {name: value}}


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


# Dropped from every type: pulumi-aws v7's per-resource region override. The template is linted in
# the stack's region; a resource placed elsewhere is judged by that region's data.
COMMON_DROPS: Mapping[str, str] = {"region": "the stack's region is cfn-lint's region"}

_DB_SNAPSHOT_DROP = (
    "CloudFormation expresses the final snapshot as the DeletionPolicy, not a property"
)
_APPLY_DROP = "a Pulumi update option; CloudFormation has no counterpart"

TRANSLATIONS: Mapping[str, Translation] = {
    # ---- network
    "aws:ec2/vpc:Vpc": Translation(),
    "aws:ec2/subnet:Subnet": Translation(
        # EC2 reports a subnet's zone by name and by id; the stack state holds both.
        twins={"availabilityZoneId": "availabilityZone"},
    ),
    "aws:ec2/internetGateway:InternetGateway": Translation(
        drops={"vpcId": "CloudFormation attaches the gateway with AWS::EC2::VPCGatewayAttachment"},
    ),
    "aws:ec2/eip:Eip": Translation(),
    "aws:ec2/natGateway:NatGateway": Translation(),
    "aws:ec2/routeTable:RouteTable": Translation(),
    "aws:ec2/route:Route": Translation(tags=False),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Translation(tags=False),
    "aws:ec2/securityGroup:SecurityGroup": Translation(
        fields={
            "name": "GroupName",
            "description": "GroupDescription",
            "ingress": _ingress_entries("ingress"),
            "egress": _ingress_entries("egress"),
        },
        drops={"revokeRulesOnDelete": _APPLY_DROP, "namePrefix": "Pulumi naming only"},
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Translation(
        fields=_rule_fields("ingress"),
        drops=_RULE_DROPS,
        tags=False,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Translation(
        fields=_rule_fields("egress"),
        drops=_RULE_DROPS,
        tags=False,
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Translation(
        fields={
            "privateDnsEnabled": "PrivateDnsEnabled",
            "policy": _to("PolicyDocument", _document),
        },
    ),
    "aws:ec2/flowLog:FlowLog": Translation(
        fields={"vpcId": _flow_log_target, "iamRoleArn": "DeliverLogsPermissionArn"},
    ),
    "aws:cloudwatch/logGroup:LogGroup": Translation(fields={"name": "LogGroupName"}),
    "aws:iam/role:Role": Translation(
        fields={
            "name": "RoleName",
            "assumeRolePolicy": _to("AssumeRolePolicyDocument", _document),
            "managedPolicyArns": "ManagedPolicyArns",
        },
        drops={"forceDetachPolicies": _APPLY_DROP},
    ),
    "aws:iam/rolePolicy:RolePolicy": Translation(
        fields={
            "name": "PolicyName",
            "role": "RoleName",
            "policy": _to("PolicyDocument", _document),
        },
        tags=False,
        autoname="PolicyName",
    ),
    "aws:kms/key:Key": Translation(
        fields={
            "policy": _to("KeyPolicy", _document),
            "deletionWindowInDays": "PendingWindowInDays",
            "customerMasterKeySpec": "KeySpec",
            "isEnabled": "Enabled",
        },
    ),
    "aws:kms/alias:Alias": Translation(fields={"name": "AliasName"}, tags=False),
    # ---- data
    "aws:rds/cluster:Cluster": Translation(
        fields={
            "clusterIdentifier": "DBClusterIdentifier",
            "dbClusterParameterGroupName": "DBClusterParameterGroupName",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "masterUserSecretKmsKeyId": _to("MasterUserSecret", lambda v: {"KmsKeyId": v}),
            "enabledCloudwatchLogsExports": "EnableCloudwatchLogsExports",
            "iamDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
            "vpcSecurityGroupIds": "VpcSecurityGroupIds",
        },
        drops={
            "skipFinalSnapshot": _DB_SNAPSHOT_DROP,
            "finalSnapshotIdentifier": _DB_SNAPSHOT_DROP,
            "applyImmediately": _APPLY_DROP,
        },
    ),
    "aws:rds/clusterInstance:ClusterInstance": Translation(
        fields={
            "identifier": "DBInstanceIdentifier",
            "clusterIdentifier": "DBClusterIdentifier",
            "instanceClass": "DBInstanceClass",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "dbParameterGroupName": "DBParameterGroupName",
            "performanceInsightsEnabled": "EnablePerformanceInsights",
            "performanceInsightsKmsKeyId": "PerformanceInsightsKMSKeyId",
            "caCertIdentifier": "CACertificateIdentifier",
        },
        drops={"applyImmediately": _APPLY_DROP},
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": Translation(
        fields={"name": "DBClusterParameterGroupName", "parameters": _parameters},
    ),
    "aws:rds/subnetGroup:SubnetGroup": Translation(
        fields={"name": "DBSubnetGroupName", "description": "DBSubnetGroupDescription"},
    ),
    "aws:s3/bucket:Bucket": Translation(
        fields={"bucket": "BucketName"},
        drops={"forceDestroy": "a Pulumi delete option; CloudFormation has no counterpart"},
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Translation(
        fields={"policy": _to("PolicyDocument", _document)},
        tags=False,
    ),
    # ---- app
    "aws:ecs/cluster:Cluster": Translation(
        fields={"name": "ClusterName", "settings": "ClusterSettings"}
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": Translation(
        fields={
            "clusterName": "Cluster",
            "defaultCapacityProviderStrategies": "DefaultCapacityProviderStrategy",
        },
        tags=False,
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Translation(
        fields={"containerDefinitions": _container_definitions},
        drops={"skipDestroy": "a Pulumi delete option; CloudFormation has no counterpart"},
    ),
    "aws:ecs/service:Service": Translation(
        fields={
            "name": "ServiceName",
            "enableEcsManagedTags": "EnableECSManagedTags",
            "capacityProviderStrategies": "CapacityProviderStrategy",
            "networkConfiguration": _assign_public_ip,
            "deploymentCircuitBreaker": _deployment("DeploymentCircuitBreaker"),
            "deploymentMaximumPercent": _deployment("MaximumPercent"),
            "deploymentMinimumHealthyPercent": _deployment("MinimumHealthyPercent"),
        },
        drops={
            "waitForSteadyState": _APPLY_DROP,
            "forceNewDeployment": _APPLY_DROP,
            "triggers": _APPLY_DROP,
        },
    ),
    "aws:lb/loadBalancer:LoadBalancer": Translation(
        fields={
            "internal": _scheme,
            "loadBalancerType": "Type",
            "accessLogs": _access_logs,
            "dropInvalidHeaderFields": _attribute(
                "routing.http.drop_invalid_header_fields.enabled", "LoadBalancerAttributes"
            ),
            "enableDeletionProtection": _attribute(
                "deletion_protection.enabled", "LoadBalancerAttributes"
            ),
            "idleTimeout": _attribute("idle_timeout.timeout_seconds", "LoadBalancerAttributes"),
            "enableHttp2": _attribute("routing.http2.enabled", "LoadBalancerAttributes"),
        },
    ),
    "aws:lb/targetGroup:TargetGroup": Translation(
        fields={
            "healthCheck": _health_check,
            "deregistrationDelay": _attribute(
                "deregistration_delay.timeout_seconds", "TargetGroupAttributes"
            ),
        },
    ),
    "aws:lb/listener:Listener": Translation(
        fields={
            "loadBalancerArn": "LoadBalancerArn",
            "certificateArn": _certificate,
            "defaultActions": _listener_actions,
        },
        drops={"tags": "AWS::ElasticLoadBalancingV2::Listener takes no tags"},
        tags=False,
    ),
    "aws:appautoscaling/target:Target": Translation(
        fields={"roleArn": "RoleARN"},
        drops={"tags": "AWS::ApplicationAutoScaling::ScalableTarget takes no tags"},
        tags=False,
    ),
    "aws:appautoscaling/policy:Policy": Translation(fields={"name": "PolicyName"}, tags=False),
    # ---- observability
    "aws:sns/topic:Topic": Translation(fields={"name": "TopicName"}),
    "aws:sns/topicPolicy:TopicPolicy": Translation(
        fields={"arn": _to("Topics", lambda v: [v]), "policy": _to("PolicyDocument", _document)},
        tags=False,
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Translation(
        fields={
            "name": "AlarmName",
            "okActions": "OKActions",
            "dimensions": _to("Dimensions", _alarm_dimensions),
            "metricQueries": _metric_queries,
        },
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": Translation(
        fields={
            "name": "FilterName",
            "pattern": "FilterPattern",
            "metricTransformation": _metric_transformation,
        },
        tags=False,
    ),
    "aws:cloudwatch/dashboard:Dashboard": Translation(tags=False),
    "aws:cloudwatch/eventRule:EventRule": Translation(
        fields={"eventPattern": _to("EventPattern", _document)}
    ),
    "aws:sfn/stateMachine:StateMachine": Translation(
        fields={
            "name": "StateMachineName",
            "type": "StateMachineType",
            "definition": "DefinitionString",
        },
    ),
    "aws:acm/certificate:Certificate": Translation(),
    "aws:sns/topicSubscription:TopicSubscription": Translation(
        fields={"topic": "TopicArn"}, tags=False
    ),
    "aws:route53/record:Record": Translation(
        fields={
            "zoneId": "HostedZoneId",
            "ttl": "TTL",
            "records": "ResourceRecords",
            "aliases": _alias_target,
        },
        drops={
            "allowOverwrite": "a provider option (take over an existing record); no counterpart"
        },
        tags=False,
    ),
}

# S3 configuration resources of pulumi-aws v7 fold into their bucket: type -> (fields, drops).
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_PARTS: Mapping[str, Mapping[str, Convert]] = {
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {"rules": _lifecycle},
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "rules": _encryption
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
        "versioningConfiguration": _to("VersioningConfiguration", _nested)
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        key: _public_access(key)
        for key in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {"rule": _ownership},
    "aws:s3/bucketLogging:BucketLogging": {
        "targetBucket": _logging("targetBucket", "DestinationBucketName"),
        "targetPrefix": _logging("targetPrefix", "LogFilePrefix"),
    },
}


def coverage() -> dict[str, str]:
    """Every Pulumi type this module knows: its CloudFormation type, or why it has none."""
    out = {token: CLOUDFORMATION_TYPES[token] for token in TRANSLATIONS}
    out.update({token: "AWS::S3::Bucket (folded into the bucket)" for token in BUCKET_PARTS})
    out.update({token: f"none: {reason}" for token, reason in NO_EQUIVALENT.items()})
    return out


# ---- translation ---------------------------------------------------------------------------------


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, item in extra.items():
        if key in target and isinstance(target[key], dict) and isinstance(item, Mapping):
            _merge(target[key], item)
        elif key in target and isinstance(target[key], list) and isinstance(item, list):
            target[key].extend(item)
        else:
            target[key] = item


@cache
def inputs() -> dict[str, frozenset[str]]:
    document = json.loads(INPUTS_FILE.read_text())
    return {token: frozenset(names) for token, names in document["inputs"].items()}


def translate_props(
    type_: str, props: Mapping[str, Any], urn: str
) -> tuple[dict[str, Any], dict[str, Source]]:
    """One resource's CloudFormation properties and where each came from."""
    translation = TRANSLATIONS[type_]
    known = inputs().get(type_, frozenset())
    out: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for key in list(props):
        if key not in known:  # an output (id, arn, tagsAll): state, not configuration
            continue
        raw = _item(props, key)
        if key in translation.drops or key in COMMON_DROPS or raw is None:
            continue
        twin = translation.twins.get(key)
        if twin is not None and twin in list(props) and _item(props, twin) is not None:
            continue
        value = _plain(raw)
        how = translation.fields.get(key)
        if key == "tags" and translation.tags and how is None:
            converted = {"Tags": _tags(value)}
        elif how is None:
            converted = {pascal(key): _nested(value)}
        elif isinstance(how, str):
            converted = {how: _nested(value)}
        else:
            converted = how(value)
        _merge(out, converted)
        for name in converted:
            sources.setdefault(name, Source(urn, key))
    return out, sources


_ID_CHARS = re.compile(r"[^A-Za-z0-9]")


def logical_id(resource: Planned, taken: set[str]) -> str:
    kind = resource.type.rsplit(":", 1)[-1]
    base = "".join(pascal(p) for p in _ID_CHARS.split(resource.name) if p) + kind
    candidate, index = base[:240] or kind, 2
    while candidate in taken:
        candidate, index = f"{base[:236]}{index}", index + 1
    taken.add(candidate)
    return candidate


def translate(resources: Sequence[Planned]) -> list[CfnResource]:
    """The CloudFormation resources for the translatable ones among `resources`."""
    taken: set[str] = set()
    out: list[CfnResource] = []
    buckets: dict[str, CfnResource] = {}  # bucket name or URN -> its CloudFormation resource
    for resource in resources:
        if resource.type not in TRANSLATIONS:
            continue
        props, sources = translate_props(resource.type, resource.props, resource.urn)
        autoname = TRANSLATIONS[resource.type].autoname
        if autoname is not None and autoname not in props:
            props[autoname] = resource.name
            sources[autoname] = Source(resource.urn, None)
        cfn = CfnResource(
            logical_id(resource, taken),
            CLOUDFORMATION_TYPES[resource.type],
            props,
            resource.urn,
            sources,
        )
        out.append(cfn)
        if resource.type == BUCKET:
            buckets[resource.urn] = cfn
            name = props.get("BucketName")
            if isinstance(name, str):
                buckets[name] = cfn
    for resource in resources:
        if resource.type in BUCKET_PARTS:
            _fold_into_bucket(resource, buckets, out, taken)
    return out


def _fold_into_bucket(
    resource: Planned, buckets: dict[str, CfnResource], out: list[CfnResource], taken: set[str]
) -> None:
    """An S3 configuration resource's properties, merged into its bucket's translation."""
    parts = BUCKET_PARTS[resource.type]
    # `in` on the policy SDK's props reads the value, and an unknown one raises: list the keys.
    bucket = _plain(_item(resource.props, "bucket")) if "bucket" in list(resource.props) else None
    owner = _owning_bucket(resource, bucket, buckets)
    if owner is None:  # its bucket lives elsewhere: judge the configuration on its own
        owner = CfnResource(
            logical_id(resource, taken),
            "AWS::S3::Bucket",
            {"BucketName": bucket} if bucket is not None else {},
            resource.urn,
            {"BucketName": Source(resource.urn, "bucket")},
        )
        out.append(owner)
        if isinstance(bucket, str):
            buckets[bucket] = owner
    known = inputs().get(resource.type, frozenset())
    for key in list(resource.props):
        if key not in known or key == "bucket" or key in COMMON_DROPS:
            continue
        raw = _item(resource.props, key)
        if raw is None:
            continue
        how = parts.get(key)
        converted = how(_plain(raw)) if how else {pascal(key): _nested(_plain(raw))}
        _merge(owner.properties, converted)
        for name in converted:
            owner.sources.setdefault(name, Source(resource.urn, key))


def _owning_bucket(
    resource: Planned, bucket: Any, buckets: Mapping[str, CfnResource]
) -> CfnResource | None:
    """The planned bucket a configuration belongs to, or None when it is not in the plan.

    The `bucket` input's own dependency says it best; a configuration can depend on several
    buckets (a logging configuration names its target bucket too), so any bucket among all its
    dependencies decides only when it is the one there is.
    """
    named = {
        id(buckets[u]): buckets[u]
        for u in resource.property_dependencies.get("bucket", ())
        if u in buckets
    }
    if len(named) == 1:
        return next(iter(named.values()))
    if isinstance(bucket, str) and bucket in buckets:
        return buckets[bucket]
    depended = {id(buckets[u]): buckets[u] for u in resource.dependencies if u in buckets}
    return next(iter(depended.values())) if len(depended) == 1 else None


def uses_unknown(raw: Any) -> bool:
    if isinstance(raw, Mapping):
        return raw == UNKNOWN_REF or any(uses_unknown(v) for v in raw.values())
    if isinstance(raw, list):
        return any(uses_unknown(v) for v in raw)
    return False


def template(resources: Sequence[CfnResource]) -> dict[str, Any]:
    document: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if any(uses_unknown(r.properties) for r in resources):  # an unused parameter is W2001
        document["Parameters"] = {
            UNKNOWN_PARAMETER: {
                "Type": "String",
                "Description": "a value Pulumi knows only after deployment",
            }
        }
    document["Resources"] = {
        r.logical_id: {"Type": r.type, "Properties": r.properties} for r in resources
    }
    return document


def generate_inputs() -> dict[str, Any]:
    from importlib.metadata import version

    from policies import sdk

    tokens = sorted({*TRANSLATIONS, *BUCKET_PARTS})
    return {
        "source": f"pulumi-aws {version('pulumi-aws')} input (Args) classes",
        "regenerate": "python -m policies.cfn_translate",
        "inputs": {token: sdk.input_names(token) for token in tokens},
    }


def main() -> int:
    INPUTS_FILE.write_text(json.dumps(generate_inputs(), indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {INPUTS_FILE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
