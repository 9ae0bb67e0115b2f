"""The translation to CloudFormation, by plain calls: every converter's whole output, the fold of
S3's configuration resources into their bucket, logical ids and the template. No cfn-lint here:
tests/policies/test_cloudformation.py runs the translation through cfn-lint on real plans."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from shared.aws import cloudformation
from shared.aws.cloudformation import (
    UNKNOWN_REF,
    CfnResource,
    Planned,
    Source,
    logical_id,
    template,
    translate,
    translate_props,
    uses_unknown,
)
from shared.aws.types import TYPES, _convert, ec2, ecs, s3, vpc
from shared.aws.types._convert import pascal
from shared.wire import UNKNOWN_SENTINELS
from tests.policies.conftest import UNKNOWN, secret

REF = {"Ref": "PulumiUnknown"}
URN = "urn:pulumi:dev::app::t::r"


def same(actual: Any, expected: Any) -> None:
    """Equal, and equal in repr too: 2 == 2.0 and True == 1, but CloudFormation tells them apart."""
    assert actual == expected
    assert repr(actual) == repr(expected)


def props_of(type_: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return translate_props(type_, props, URN)[0]


# ---- values ---------------------------------------------------------------------------------------


def test_values_are_unwrapped_unknowns_become_the_ref_and_whole_doubles_ints() -> None:
    raw = {
        "secret": secret({"inner": 2.0}),
        "list": [1.5, UNKNOWN, secret("s"), (3.0,)],
        3: True,
        "bytes": b"x",
        "text": "plain",
        "none": None,
        "zero": 0.0,
    }
    same(
        _convert.plain(raw),
        {
            "secret": {"inner": 2},
            "list": [1.5, REF, "s", [3]],
            "3": True,
            "bytes": b"x",
            "text": "plain",
            "none": None,
            "zero": 0,
        },
    )


@pytest.mark.parametrize("sentinel", sorted(UNKNOWN_SENTINELS))
def test_every_unknown_sentinel_becomes_the_parameter_ref(sentinel: str) -> None:
    same(_convert.plain(sentinel), REF)
    same(_convert.plain([sentinel]), [REF])


def test_pascal_upper_cases_only_the_first_letter() -> None:
    assert [pascal(k) for k in ("bucketName", "ab", "x", "", "ABC")] == [
        "BucketName",
        "Ab",
        "X",
        "",
        "ABC",
    ]


def test_keys_are_pascal_cased_except_under_free_form_keys_and_the_ref() -> None:
    raw = {"outer": [{"innerKey": 1}], "options": {"keep-me": {"andMe": 1}}, "ref": dict(REF)}
    same(
        _convert.pascal_keys(raw, frozenset({"options"})),
        {"Outer": [{"InnerKey": 1}], "Options": {"keep-me": {"andMe": 1}}, "Ref": REF},
    )
    same(
        _convert.pascal_keys(raw),
        {
            **_convert.pascal_keys(raw, frozenset({"options"})),
            "Options": {"Keep-me": {"AndMe": 1}},
        },
    )
    assert _convert.pascal_keys(UNKNOWN_REF) is UNKNOWN_REF
    same(_convert.pascal_keys("text"), "text")


def test_a_document_string_is_parsed_and_anything_else_kept() -> None:
    same(_convert.document('{"Version": "2012-10-17"}'), {"Version": "2012-10-17"})
    same(_convert.document("{not json"), "{not json")
    same(_convert.document({"a": 1}), {"a": 1})


def test_tags_become_key_value_pairs_unless_unknown() -> None:
    same(
        _convert.tags({"Name": "n", "Env": "dev"}),
        [{"Key": "Name", "Value": "n"}, {"Key": "Env", "Value": "dev"}],
    )
    same(_convert.tags(REF), REF)
    same(_convert.tags(["x"]), ["x"])


def test_merge_joins_maps_extends_lists_and_replaces_the_rest() -> None:
    target: dict[str, Any] = {"map": {"a": {"x": 1}}, "list": [1], "value": 1, "clash": {"a": 1}}
    cloudformation._merge(
        target,
        {"map": {"a": {"y": 2}, "b": 2}, "list": [2], "value": 2, "new": 3, "clash": [5]},
    )
    same(
        target,
        {
            "map": {"a": {"x": 1, "y": 2}, "b": 2},
            "list": [1, 2],
            "value": 2,
            "clash": [5],
            "new": 3,
        },
    )
    listed: dict[str, Any] = {"list": [1]}
    cloudformation._merge(listed, {"list": {"a": 1}})
    same(listed, {"list": {"a": 1}})


# ---- translate_props: what every resource goes through ------------------------------------------


def test_outputs_drops_regions_and_absent_values_are_left_out() -> None:
    props = {
        "name": secret("platform-dev"),
        "arn": "arn:aws:sns:us-east-1:123456789012:t",  # an output
        "tagsAll": {"a": "b"},  # an output
        "region": "eu-west-1",  # dropped from every type
        "displayName": None,  # absent
        "kmsMasterKeyId": UNKNOWN,
        "tags": {"Name": "t"},
        "deliveryPolicy": {"http": {"numRetries": 3.0}},
    }
    out, sources = translate_props("aws:sns/topic:Topic", props, URN)
    same(
        out,
        {
            "TopicName": "platform-dev",
            "KmsMasterKeyId": REF,
            "Tags": [{"Key": "Name", "Value": "t"}],
            "DeliveryPolicy": {"Http": {"NumRetries": 3}},
        },
    )
    assert sources == {
        "TopicName": Source(URN, "name"),
        "KmsMasterKeyId": Source(URN, "kmsMasterKeyId"),
        "Tags": Source(URN, "tags"),
        "DeliveryPolicy": Source(URN, "deliveryPolicy"),
    }


def test_a_listed_drop_is_left_out_and_a_renamed_field_keeps_its_nested_keys_pascal() -> None:
    props = {"bucket": "b", "forceDestroy": True, "tags": UNKNOWN}
    same(props_of("aws:s3/bucket:Bucket", props), {"BucketName": "b", "Tags": REF})
    same(
        props_of("aws:ecs/cluster:Cluster", {"settings": [{"name": "containerInsights"}]}),
        {"ClusterSettings": [{"Name": "containerInsights"}]},
    )


def test_the_first_property_that_writes_a_cloudformation_property_is_its_source() -> None:
    props = {"dropInvalidHeaderFields": True, "enableDeletionProtection": False}
    out, sources = translate_props("aws:lb/loadBalancer:LoadBalancer", props, URN)
    same(
        out,
        {
            "LoadBalancerAttributes": [
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                {"Key": "deletion_protection.enabled", "Value": "false"},
            ]
        },
    )
    assert sources == {"LoadBalancerAttributes": Source(URN, "dropInvalidHeaderFields")}


# ---- per-type converters --------------------------------------------------------------------------


def test_load_balancer_scheme_and_attributes() -> None:
    props = {
        "internal": False,
        "loadBalancerType": "application",
        "accessLogs": {"enabled": True, "bucket": "logs", "prefix": "alb", "other": 1.0},
        "idleTimeout": 60.0,
        "enableHttp2": True,
        "name": "alb",
        "tags": {"Name": "alb"},
    }
    same(
        props_of("aws:lb/loadBalancer:LoadBalancer", props),
        {
            "Scheme": "internet-facing",
            "Type": "application",
            "LoadBalancerAttributes": [
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": "logs"},
                {"Key": "access_logs.s3.prefix", "Value": "alb"},
                {"Key": "access_logs.s3.other", "Value": "1"},
                {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
                {"Key": "routing.http2.enabled", "Value": "true"},
            ],
            "Name": "alb",
            "Tags": [{"Key": "Name", "Value": "alb"}],
        },
    )
    lb = "aws:lb/loadBalancer:LoadBalancer"
    same(props_of(lb, {"internal": True}), {"Scheme": "internal"})
    same(props_of(lb, {"accessLogs": "opaque"}), {"LoadBalancerAttributes": "opaque"})
    same(props_of(lb, {"internal": UNKNOWN}), {"Scheme": REF})
    same(
        props_of(lb, {"enableHttp2": UNKNOWN}),
        {"LoadBalancerAttributes": [{"Key": "routing.http2.enabled", "Value": REF}]},
    )


def test_target_group_health_check_and_attributes() -> None:
    props = {
        "healthCheck": {
            "path": "/health",
            "interval": 30.0,
            "timeout": 5.0,
            "port": "traffic-port",
            "protocol": "HTTP",
            "healthyThreshold": 2.0,
            "unhealthyThreshold": 3.0,
            "enabled": True,
            "matcher": "200-399",
            "otherSetting": 1,
        },
        "deregistrationDelay": "30",
    }
    same(
        props_of("aws:lb/targetGroup:TargetGroup", props),
        {
            "HealthCheckPath": "/health",
            "HealthCheckIntervalSeconds": 30,
            "HealthCheckTimeoutSeconds": 5,
            "HealthCheckPort": "traffic-port",
            "HealthCheckProtocol": "HTTP",
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckEnabled": True,
            "Matcher": {"HttpCode": "200-399"},
            "OtherSetting": 1,
            "TargetGroupAttributes": [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}
            ],
        },
    )
    same(
        props_of("aws:lb/targetGroup:TargetGroup", {"healthCheck": "/x"}),
        {"HealthCheckPath": "/x"},
    )


def test_listener_certificate_and_actions() -> None:
    props = {
        "loadBalancerArn": "arn:lb",
        "certificateArn": "arn:cert",
        "tags": {"Name": "l"},
        "defaultActions": [
            {"type": "redirect", "redirect": {"port": "443", "statusCode": "HTTP_301"}},
            {"type": "fixed-response", "fixedResponse": {"statusCode": "404"}},
            {"type": "forward", "forward": {"targetGroups": []}, "targetGroupArn": "arn:tg"},
            {"authenticateCognito": {"a": 1}, "authenticateOidc": {"b": 2}},
            "opaque",
        ],
    }
    same(
        props_of("aws:lb/listener:Listener", props),
        {
            "LoadBalancerArn": "arn:lb",
            "Certificates": [{"CertificateArn": "arn:cert"}],
            "DefaultActions": [
                {"Type": "redirect", "RedirectConfig": {"Port": "443", "StatusCode": "HTTP_301"}},
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}},
                {
                    "Type": "forward",
                    "ForwardConfig": {"TargetGroups": []},
                    "TargetGroupArn": "arn:tg",
                },
                {"AuthenticateCognitoConfig": {"A": 1}, "AuthenticateOidcConfig": {"B": 2}},
                "opaque",
            ],
        },
    )
    same(
        props_of("aws:lb/listener:Listener", {"defaultActions": {"type": "x"}}),
        {"DefaultActions": {"Type": "x"}},
    )


def test_route53_alias_is_one_alias_target() -> None:
    record = "aws:route53/record:Record"
    alias = {"name": "d.elb.amazonaws.com", "zoneId": "Z1", "evaluateTargetHealth": True}
    same(
        props_of(
            record, {"zoneId": "Z0", "ttl": 300.0, "records": ["1.2.3.4"], "aliases": [alias]}
        ),
        {
            "HostedZoneId": "Z0",
            "TTL": 300,
            "ResourceRecords": ["1.2.3.4"],
            "AliasTarget": {
                "DNSName": "d.elb.amazonaws.com",
                "HostedZoneId": "Z1",
                "EvaluateTargetHealth": True,
            },
        },
    )
    for aliases in ([], [alias, alias], ["opaque"], {"name": "x"}):
        same(props_of(record, {"aliases": aliases}), {"AliasTarget": aliases})
    same(props_of(record, {"allowOverwrite": True}), {})


def test_alarm_dimensions_and_metric_queries() -> None:
    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"
    queries = [
        {
            "id": "m1",
            "returnData": True,
            "metric": {
                "metricName": "CPU",
                "namespace": "AWS/ECS",
                "dimensions": {"ClusterName": "c"},
                "period": 60.0,
                "stat": "Average",
                "unit": "Percent",
            },
        },
        {"id": "m2", "metric": {"metricName": "Mem"}},
        {"id": "e1", "expression": "m1 * 2", "metric": "opaque"},
    ]
    same(
        props_of(alarm, {"name": "a", "okActions": ["arn:t"], "metricQueries": queries}),
        {
            "AlarmName": "a",
            "OKActions": ["arn:t"],
            "Metrics": [
                {
                    "Id": "m1",
                    "ReturnData": True,
                    "MetricStat": {
                        "Metric": {
                            "MetricName": "CPU",
                            "Namespace": "AWS/ECS",
                            "Dimensions": [{"Name": "ClusterName", "Value": "c"}],
                        },
                        "Period": 60,
                        "Stat": "Average",
                        "Unit": "Percent",
                    },
                },
                {"Id": "m2", "MetricStat": {"Metric": {"MetricName": "Mem"}}},
                {"Id": "e1", "Expression": "m1 * 2", "Metric": "opaque"},
            ],
        },
    )
    same(props_of(alarm, {"metricQueries": UNKNOWN}), {"Metrics": REF})
    same(
        props_of(alarm, {"dimensions": {"A": "1", "B": "2"}}),
        {"Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]},
    )
    same(props_of(alarm, {"dimensions": UNKNOWN}), {"Dimensions": REF})


def test_log_metric_filter_transformation() -> None:
    token = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
    transformation = {
        "name": "errors",
        "namespace": "Platform",
        "value": "1",
        "defaultValue": "0",
        "unit": "Count",
    }
    same(
        props_of(token, {"name": "f", "pattern": "ERROR", "metricTransformation": transformation}),
        {
            "FilterName": "f",
            "FilterPattern": "ERROR",
            "MetricTransformations": [
                {
                    "MetricName": "errors",
                    "MetricNamespace": "Platform",
                    "MetricValue": "1",
                    "DefaultValue": 0,
                    "Unit": "Count",
                }
            ],
        },
    )
    same(props_of(token, {"metricTransformation": "opaque"}), {"MetricTransformations": "opaque"})
    for given, expected in (("0.5", 0.5), ("n/a", "n/a"), (2, 2)):
        same(
            props_of(token, {"metricTransformation": {"defaultValue": given}}),
            {"MetricTransformations": [{"DefaultValue": expected}]},
        )


def test_parameter_group_parameters_become_a_map() -> None:
    token = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
    parameters = [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]
    same(
        props_of(token, {"name": "pg", "parameters": parameters}),
        {"DBClusterParameterGroupName": "pg", "Parameters": {"a": "1", "b": "2"}},
    )
    same(props_of(token, {"parameters": UNKNOWN}), {"Parameters": REF})


def test_container_definitions_are_parsed_and_keep_user_keys() -> None:
    definitions = [
        {
            "name": "app",
            "cpu": 256.0,
            "image": UNKNOWN,
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}},
            "dockerLabels": {"com.example": "x"},
            "systemControls": [{"namespace": "net.core", "value": "1"}],
        }
    ]
    same(
        props_of(
            "aws:ecs/taskDefinition:TaskDefinition",
            {"containerDefinitions": json.dumps(definitions)},
        ),
        {
            "ContainerDefinitions": [
                {
                    "Name": "app",
                    "Cpu": 256,
                    "Image": REF,
                    "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "g"}},
                    "DockerLabels": {"com.example": "x"},
                    "SystemControls": [{"namespace": "net.core", "value": "1"}],
                }
            ]
        },
    )


def test_service_network_and_deployment_configuration() -> None:
    props = {
        "name": "svc",
        "enableEcsManagedTags": True,
        "capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1.0}],
        "networkConfiguration": {"assignPublicIp": False, "subnets": ["s-1"]},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "deploymentMaximumPercent": 200.0,
        "deploymentMinimumHealthyPercent": 100.0,
        "waitForSteadyState": True,
        "forceNewDeployment": True,
        "triggers": {"a": "b"},
    }
    same(
        props_of("aws:ecs/service:Service", props),
        {
            "ServiceName": "svc",
            "EnableECSManagedTags": True,
            "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}],
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "Subnets": ["s-1"]}
            },
            "DeploymentConfiguration": {
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
                "MaximumPercent": 200,
                "MinimumHealthyPercent": 100,
            },
        },
    )
    service = "aws:ecs/service:Service"
    same(props_of(service, {"networkConfiguration": "opaque"}), {"NetworkConfiguration": "opaque"})
    same(
        props_of(service, {"networkConfiguration": {"assignPublicIp": True}}),
        {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}},
    )
    same(
        props_of(service, {"networkConfiguration": {"assignPublicIp": UNKNOWN}}),
        {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": REF}}},
    )


def test_security_group_rules_one_entry_per_peer() -> None:
    rule = {
        "protocol": "tcp",
        "fromPort": 443.0,
        "toPort": 443.0,
        "description": "https",
        "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"],
        "ipv6CidrBlocks": ["::/0"],
        "securityGroups": ["sg-1"],
    }
    every = {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": None}
    base = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": "https"}
    none = {"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "CidrIp": None}
    group = "aws:ec2/securityGroup:SecurityGroup"
    same(
        props_of(group, {"name": "g", "description": "d", "ingress": [rule, every]}),
        {
            "GroupName": "g",
            "GroupDescription": "d",
            "SecurityGroupIngress": [
                {**base, "CidrIp": "10.0.0.0/16"},
                {**base, "CidrIp": "10.1.0.0/16"},
                {**base, "CidrIpv6": "::/0"},
                {**base, "SourceSecurityGroupId": "sg-1"},
                none,
            ],
        },
    )
    same(
        props_of(group, {"egress": [rule], "revokeRulesOnDelete": True, "namePrefix": "g-"}),
        {
            "SecurityGroupEgress": [
                {**base, "CidrIp": "10.0.0.0/16"},
                {**base, "CidrIp": "10.1.0.0/16"},
                {**base, "CidrIpv6": "::/0"},
                {**base, "DestinationSecurityGroupId": "sg-1"},
            ]
        },
    )
    same(props_of(group, {"ingress": UNKNOWN}), {"SecurityGroupIngress": REF})
    same(props_of(group, {"egress": UNKNOWN}), {"SecurityGroupEgress": REF})


@pytest.mark.parametrize(
    ("token", "peer", "prefix"),
    [
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "SourceSecurityGroupId",
            "SourcePrefixListId",
        ),
        (
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "DestinationSecurityGroupId",
            "DestinationPrefixListId",
        ),
    ],
)
def test_standalone_security_group_rules(token: str, peer: str, prefix: str) -> None:
    props = {
        "securityGroupId": "sg-1",
        "cidrIpv4": "10.0.0.0/8",
        "cidrIpv6": "::/0",
        "referencedSecurityGroupId": "sg-2",
        "prefixListId": "pl-1",
        "ipProtocol": "tcp",
        "fromPort": 443.0,
        "tags": {"Name": "r"},
    }
    same(
        props_of(token, props),
        {
            "GroupId": "sg-1",
            "CidrIp": "10.0.0.0/8",
            "CidrIpv6": "::/0",
            peer: "sg-2",
            prefix: "pl-1",
            "IpProtocol": "tcp",
            "FromPort": 443,
        },
    )


def test_flow_log_targets_its_vpc() -> None:
    same(
        props_of("aws:ec2/flowLog:FlowLog", {"vpcId": "vpc-1", "iamRoleArn": "arn:role"}),
        {"ResourceId": "vpc-1", "ResourceType": "VPC", "DeliverLogsPermissionArn": "arn:role"},
    )


def test_documents_and_small_renames() -> None:
    policy = '{"Version": "2012-10-17", "Statement": []}'
    parsed = {"Version": "2012-10-17", "Statement": []}
    same(
        props_of("aws:sns/topicPolicy:TopicPolicy", {"arn": "arn:t", "policy": policy}),
        {"Topics": ["arn:t"], "PolicyDocument": parsed},
    )
    same(
        props_of(
            "aws:rds/cluster:Cluster",
            {"masterUserSecretKmsKeyId": "arn:k", "skipFinalSnapshot": True},
        ),
        {"MasterUserSecret": {"KmsKeyId": "arn:k"}},
    )


# ---- S3: configuration resources fold into their bucket ------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_A = Planned(BUCKET, "urn:a", "a", {"bucket": "bucket-a", "tags": {"Name": "a"}})
BUCKET_B = Planned(BUCKET, "urn:b", "b", {"bucket": "bucket-b"})


def by_id(*resources: Planned) -> dict[str, CfnResource]:
    return {r.logical_id: r for r in translate(list(resources))}


S3_PARTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        {
            "rules": [
                {
                    "id": "expire",
                    "status": "Enabled",
                    "filter": {"prefix": "logs/"},
                    "expiration": {"days": 90.0},
                    "transitions": [{"days": 30.0, "storageClass": "STANDARD_IA"}],
                    "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
                },
                {
                    "id": "tagged",
                    "filter": {"prefix": "p/", "tag": {"key": "a", "value": "b"}},
                    "expiration": {"expiredObjectDeleteMarker": True},
                    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
                },
                {"id": "all", "filter": {}, "noncurrentVersionExpiration": "opaque"},
                {"id": "odd", "filter": "opaque"},
            ]
        },
        {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "expire",
                        "Status": "Enabled",
                        "Prefix": "logs/",
                        "ExpirationInDays": 90,
                        "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}],
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    },
                    {
                        "Id": "tagged",
                        "Prefix": "p/",
                        "Filter": {"Tag": {"Key": "a", "Value": "b"}},
                        "Expiration": {"ExpiredObjectDeleteMarker": True},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    },
                    {"Id": "all", "NoncurrentVersionExpiration": "opaque"},
                    {"Id": "odd", "Filter": "opaque"},
                ]
            }
        },
    ),
    (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        {"rules": UNKNOWN},
        {"LifecycleConfiguration": {"Rules": REF}},
    ),
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        {
            "rules": [
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": "aws:kms",
                        "kmsMasterKeyId": "arn:key",
                        "other": 1,
                    },
                    "bucketKeyEnabled": True,
                },
                {"applyServerSideEncryptionByDefault": "opaque"},
            ]
        },
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": "arn:key",
                            "Other": 1,
                        },
                        "BucketKeyEnabled": True,
                    },
                    {"ApplyServerSideEncryptionByDefault": "opaque"},
                ]
            }
        },
    ),
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        {"rules": UNKNOWN},
        {"BucketEncryption": {"ServerSideEncryptionConfiguration": REF}},
    ),
    (
        "aws:s3/bucketVersioning:BucketVersioning",
        {"versioningConfiguration": {"status": "Enabled"}},
        {"VersioningConfiguration": {"Status": "Enabled"}},
    ),
    (
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        {
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": False,
            "restrictPublicBuckets": True,
            "region": "eu-west-1",
            "skipDestroy": None,
        },
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": False,
                "RestrictPublicBuckets": True,
            }
        },
    ),
    (
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
    ),
    (
        LOGGING,
        {"targetBucket": "logs", "targetPrefix": "a/", "id": "an-output"},
        {"LoggingConfiguration": {"DestinationBucketName": "logs", "LogFilePrefix": "a/"}},
    ),
]


@pytest.mark.parametrize(("token", "props", "expected"), S3_PARTS)
def test_each_s3_configuration_folds_into_the_bucket_it_names(
    token: str, props: dict[str, Any], expected: dict[str, Any]
) -> None:
    part = Planned(token, "urn:part", "part", {"bucket": "bucket-a", **props})
    resources = by_id(BUCKET_A, part)
    assert list(resources) == ["ABucket"]
    bucket = resources["ABucket"]
    same(
        bucket.properties,
        {"BucketName": "bucket-a", "Tags": [{"Key": "Name", "Value": "a"}], **expected},
    )
    assert bucket.sources == {
        "BucketName": Source("urn:a", "bucket"),
        "Tags": Source("urn:a", "tags"),
        **{name: Source("urn:part", next(iter(props))) for name in expected},
    }
    assert (bucket.urn, bucket.type) == ("urn:a", "AWS::S3::Bucket")


def test_a_single_bucket_among_the_dependencies_owns_a_configuration_of_unknown_name() -> None:
    part = Planned(
        LOGGING, "urn:log", "log", {"bucket": UNKNOWN, "targetPrefix": "p/"}, ("urn:x", "urn:b")
    )
    resources = by_id(BUCKET_A, BUCKET_B, part)
    assert list(resources) == ["ABucket", "BBucket"]
    assert resources["BBucket"].properties["LoggingConfiguration"] == {"LogFilePrefix": "p/"}
    assert "LoggingConfiguration" not in resources["ABucket"].properties


def owner(part: Planned) -> list[str]:
    """The logical ids of the resources the configuration's LoggingConfiguration landed in."""
    resources = translate([BUCKET_A, BUCKET_B, part])
    return [r.logical_id for r in resources if "LoggingConfiguration" in r.properties]


def log(
    bucket: str, dependencies: tuple[str, ...] = (), on_bucket: tuple[str, ...] | None = None
) -> Planned:
    props = {"bucket": bucket, "targetBucket": "bucket-b", "targetPrefix": "p/"}
    given = {} if on_bucket is None else {"bucket": on_bucket, "targetBucket": ("urn:b",)}
    return Planned(LOGGING, "urn:log", "log", props, dependencies, given)


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        # The bucket input's own dependency decides, over the name and over all dependencies.
        (log(UNKNOWN, ("urn:a", "urn:b"), ("urn:b",)), ["BBucket"]),
        (log("bucket-a", ("urn:a", "urn:b"), ("urn:b",)), ["BBucket"]),
        (log(UNKNOWN, ("urn:a", "urn:b"), ("urn:b", "urn:b")), ["BBucket"]),
        # Its dependency on something that is not a planned bucket, or on two, does not decide.
        (log("bucket-a", ("urn:a", "urn:b"), ("urn:other",)), ["ABucket"]),
        (log("bucket-a", ("urn:a", "urn:b"), ("urn:b", "urn:a")), ["ABucket"]),
        (log("bucket-a", ("urn:a", "urn:b"), ("urn:a", "urn:b")), ["ABucket"]),
        (log("bucket-b", ("urn:a", "urn:b"), ("urn:b", "urn:a")), ["BBucket"]),
        # Without it: the name, then the one bucket among all dependencies.
        (log("bucket-a", ("urn:b",)), ["ABucket"]),
        (log("bucket-b", ("urn:a", "urn:b"), ()), ["BBucket"]),
        (log(UNKNOWN, ("urn:other", "urn:b")), ["BBucket"]),
        (log(UNKNOWN, ("urn:b", "urn:b")), ["BBucket"]),
        (log(UNKNOWN, ("urn:a", "urn:b")), ["LogBucketLogging"]),  # ambiguous: its own bucket
        (log(UNKNOWN, ("urn:b", "urn:a")), ["LogBucketLogging"]),
        (log(UNKNOWN), ["LogBucketLogging"]),
    ],
)
def test_the_owning_bucket(part: Planned, expected: list[str]) -> None:
    assert owner(part) == expected


def test_a_configuration_of_a_bucket_outside_the_plan_gets_a_bucket_of_its_own() -> None:
    first = Planned(LOGGING, "urn:log", "log", {"bucket": "elsewhere", "targetPrefix": "p/"})
    second = Planned(
        "aws:s3/bucketVersioning:BucketVersioning",
        "urn:v",
        "v",
        {
            "bucket": "elsewhere",
            "mfa": None,  # absent: skipped, and the rest still folds
            "versioningConfiguration": {"status": "Enabled"},
            "expectedBucketOwner": "123456789012",
        },
    )
    unnamed = Planned(LOGGING, "urn:u", "u", {"targetPrefix": "q/"})
    unknown = Planned(LOGGING, "urn:k", "log", {"bucket": UNKNOWN})
    resources = translate([BUCKET_A, first, second, unnamed, unknown])
    assert [r.logical_id for r in resources] == [
        "ABucket",
        "LogBucketLogging",
        "UBucketLogging",
        "LogBucketLogging2",
    ]
    _, own, bare, ref = resources
    assert (own.type, own.urn) == ("AWS::S3::Bucket", "urn:log")
    same(
        own.properties,
        {
            "BucketName": "elsewhere",
            "LoggingConfiguration": {"LogFilePrefix": "p/"},
            "VersioningConfiguration": {"Status": "Enabled"},
            "ExpectedBucketOwner": "123456789012",
        },
    )
    assert own.sources == {
        "BucketName": Source("urn:log", "bucket"),
        "LoggingConfiguration": Source("urn:log", "targetPrefix"),
        "VersioningConfiguration": Source("urn:v", "versioningConfiguration"),
        "ExpectedBucketOwner": Source("urn:v", "expectedBucketOwner"),
    }
    same(bare.properties, {"LoggingConfiguration": {"LogFilePrefix": "q/"}})
    assert bare.sources["BucketName"] == Source("urn:u", "bucket")
    same(ref.properties, {"BucketName": REF})


# ---- translate: ids, names, what is left out ------------------------------------------------------


def test_logical_ids_are_pascal_words_plus_the_kind_and_unique() -> None:
    taken: set[str] = set()
    bucket = Planned(BUCKET, "urn:x", "my-bucket_1", {})
    assert [logical_id(bucket, taken) for _ in range(3)] == [
        "MyBucket1Bucket",
        "MyBucket1Bucket2",
        "MyBucket1Bucket3",
    ]
    assert taken == {"MyBucket1Bucket", "MyBucket1Bucket2", "MyBucket1Bucket3"}
    assert logical_id(Planned(BUCKET, "urn:y", "--", {}), set()) == "Bucket"
    assert logical_id(Planned("nokind", "urn:z", "", {}), set()) == "nokind"


def test_a_long_logical_id_is_cut_to_cloudformation_s_limit() -> None:
    taken: set[str] = set()
    long = Planned(BUCKET, "urn:x", "a" * 300, {})
    first, second = logical_id(long, taken), logical_id(long, taken)
    assert first == "A" + "a" * 239
    assert second == "A" + "a" * 235 + "2"


def test_translate_keeps_only_translatable_types_and_fills_required_names() -> None:
    resources = [
        Planned("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "urn:att", "att", {}),
        Planned("custom:thing:Thing", "urn:c", "c", {"name": "x"}),
        Planned("aws:iam/rolePolicy:RolePolicy", "urn:p", "inline", {"role": "r"}),
        Planned("aws:iam/rolePolicy:RolePolicy", "urn:q", "named", {"name": "given"}),
        Planned("aws:sns/topic:Topic", "urn:t", "t", {"name": "topic"}),
    ]
    out = translate(resources)
    assert [(r.logical_id, r.type, r.urn) for r in out] == [
        ("InlineRolePolicy", "AWS::IAM::RolePolicy", "urn:p"),
        ("NamedRolePolicy", "AWS::IAM::RolePolicy", "urn:q"),
        ("TTopic", "AWS::SNS::Topic", "urn:t"),
    ]
    inline, named, topic = out
    same(inline.properties, {"RoleName": "r", "PolicyName": "inline"})
    assert inline.sources == {
        "RoleName": Source("urn:p", "role"),
        "PolicyName": Source("urn:p", None),
    }
    same(named.properties, {"PolicyName": "given"})
    assert named.sources == {"PolicyName": Source("urn:q", "name")}
    same(topic.properties, {"TopicName": "topic"})
    assert translate([]) == []


def test_unknown_values_are_found_anywhere() -> None:
    assert uses_unknown({"a": [{"b": dict(REF)}]})
    assert uses_unknown([1, dict(REF)])
    assert uses_unknown(dict(REF))
    assert not uses_unknown({"a": [1, "x", {"Ref": "Other"}]})
    assert not uses_unknown(UNKNOWN)  # the sentinel is translated before this is asked


def test_the_template_declares_the_unknown_parameter_only_when_used() -> None:
    known = CfnResource("T", "AWS::SNS::Topic", {"TopicName": "t"}, "urn:t")
    unknown = CfnResource("U", "AWS::SNS::Topic", {"TopicName": dict(REF)}, "urn:u")
    assert template([known]) == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}},
    }
    assert template([known, unknown]) == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {
            "PulumiUnknown": {
                "Type": "String",
                "Description": "a value Pulumi knows only after deployment",
            }
        },
        "Resources": {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}},
            "U": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": REF}},
        },
    }
    assert template([]) == {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}


def test_coverage_names_every_type_s_cloudformation_type_or_why_none() -> None:
    covered = cloudformation.coverage()
    assert covered.keys() == TYPES.keys()
    assert covered["aws:sns/topic:Topic"] == "AWS::SNS::Topic"
    assert covered[LOGGING] == "AWS::S3::Bucket (folded into the bucket)"
    token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert covered[token] == f"none: {TYPES[token].no_cloudformation}"


def test_input_names_are_read_from_the_vendored_file() -> None:
    names = cloudformation.inputs()
    assert set(names) == set(cloudformation.translations())
    assert isinstance(names["aws:sns/topic:Topic"], frozenset)
    assert "name" in names["aws:sns/topic:Topic"]
    assert "arn" not in names["aws:sns/topic:Topic"]


# ---- the converter factories ------------------------------------------------------------------
# The table is built once, at import: these calls pin what each factory makes.


def test_factories_build_the_converters_the_table_uses() -> None:
    same(_convert.to("Name")("v"), {"Name": "v"})
    same(_convert.to("Doc", _convert.document)('{"a": 1}'), {"Doc": {"a": 1}})
    same(
        _convert.attribute("k.enabled", "Attrs")(True),
        {"Attrs": [{"Key": "k.enabled", "Value": "true"}]},
    )
    same(
        ecs._deployment("MaximumPercent")({"innerKey": 200}),
        {"DeploymentConfiguration": {"MaximumPercent": {"InnerKey": 200}}},
    )
    same(
        s3._public_access("blockPublicAcls")(True),
        {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
    )
    same(
        s3._logging("LogFilePrefix")("p/"),
        {"LoggingConfiguration": {"LogFilePrefix": "p/"}},
    )


@pytest.mark.parametrize(
    ("direction", "name", "peer", "prefix"),
    [
        ("ingress", "SecurityGroupIngress", "SourceSecurityGroupId", "SourcePrefixListId"),
        ("egress", "SecurityGroupEgress", "DestinationSecurityGroupId", "DestinationPrefixListId"),
    ],
)
def test_security_group_rule_factories(direction: str, name: str, peer: str, prefix: str) -> None:
    rule = {
        "protocol": "tcp",
        "fromPort": 443,
        "toPort": 444,
        "description": "https",
        "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"],
        "ipv6CidrBlocks": ["::/0", "fd00::/8"],
        "securityGroups": ["sg-1", "sg-2"],
    }
    base = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 444, "Description": "https"}
    bare = {
        "protocol": "-1",
        "fromPort": 0,
        "toPort": 0,
        "cidrBlocks": None,
        "securityGroups": None,
    }
    convert = ec2._ingress_entries(direction)
    same(
        convert([rule, bare, {"ipv6CidrBlocks": ["::/0"]}]),
        {
            name: [
                {**base, "CidrIp": "10.0.0.0/16"},
                {**base, "CidrIp": "10.1.0.0/16"},
                {**base, "CidrIpv6": "::/0"},
                {**base, "CidrIpv6": "fd00::/8"},
                {**base, peer: "sg-1"},
                {**base, peer: "sg-2"},
                {"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "CidrIp": None},
                {"IpProtocol": None, "FromPort": None, "ToPort": None, "CidrIpv6": "::/0"},
            ]
        },
    )
    same(convert([]), {name: []})
    same(convert(REF), {name: REF})
    assert vpc._rule_fields(direction) == {
        "securityGroupId": "GroupId",
        "cidrIpv4": "CidrIp",
        "cidrIpv6": "CidrIpv6",
        "referencedSecurityGroupId": peer,
        "prefixListId": prefix,
    }


@pytest.mark.parametrize(
    ("type_", "key", "kept"),
    [
        ("aws:lb/loadBalancer:LoadBalancer", "accessLogs", "LoadBalancerAttributes"),
        ("aws:lb/targetGroup:TargetGroup", "healthCheck", "TargetGroupAttributes"),
    ],
)
def test_a_block_wholly_unknown_in_preview_names_no_property_of_its_own(
    type_: str, key: str, kept: str
) -> None:
    # Read as a structure, the unknown Ref became an attribute named `access_logs.s3.Ref`, or a
    # property named `Ref`: cfn-lint findings about a value nobody wrote.
    other = "idleTimeout" if key == "accessLogs" else "deregistrationDelay"
    props, _ = translate_props(type_, {key: UNKNOWN, other: 30}, "urn:r")
    assert "Ref" not in props
    assert "Ref" not in json.dumps(props)
    assert [a["Value"] for a in props[kept]] == ["30"]


def test_a_subnets_zone_id_the_provider_filled_in_is_dropped_beside_its_zone_name() -> None:
    # Stack state holds both (EC2 reports the zone by name and by id); cfn-lint refuses the pair.
    urn = "urn:pulumi:dev::network::aws:ec2/subnet:Subnet::a"
    both = {"vpcId": "vpc-1", "availabilityZone": "us-east-1a", "availabilityZoneId": "use1-az4"}
    props, _ = translate_props("aws:ec2/subnet:Subnet", both, urn)
    assert props["AvailabilityZone"] == "us-east-1a" and "AvailabilityZoneId" not in props
    props, _ = translate_props("aws:ec2/subnet:Subnet", {"availabilityZoneId": "use1-az4"}, urn)
    assert props["AvailabilityZoneId"] == "use1-az4"
