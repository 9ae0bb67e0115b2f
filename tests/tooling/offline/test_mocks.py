import json
import re

import pytest

from shared.aws.types import UnknownResourceTypeError
from tests.fixtures import absent_type
from tooling.offline.mocks import (
    SHAPES,
    PlanMocks,
    render_policy_document,
    shape_resource,
)

ACCOUNT = "123456789012"


def shaped(type_: str, logical: str = "main", **inputs: object) -> tuple[str, dict[str, object]]:
    return shape_resource(type_, logical, inputs, region="eu-west-1", seed="data/dev/eu-west-1")


def test_ids_are_deterministic_and_differ_per_resource() -> None:
    assert shaped("aws:ec2/vpc:Vpc") == shaped("aws:ec2/vpc:Vpc")
    assert shaped("aws:ec2/vpc:Vpc", "a")[0] != shaped("aws:ec2/vpc:Vpc", "b")[0]


def test_ec2_ids_have_aws_prefixes_and_arns() -> None:
    prefixes = {
        "aws:ec2/vpc:Vpc": ("vpc-", "vpc/"),
        "aws:ec2/subnet:Subnet": ("subnet-", "subnet/"),
        "aws:ec2/securityGroup:SecurityGroup": ("sg-", "security-group/"),
        "aws:ec2/routeTable:RouteTable": ("rtb-", "route-table/"),
        "aws:ec2/natGateway:NatGateway": ("nat-", "natgateway/"),
        "aws:ec2/eip:Eip": ("eipalloc-", "elastic-ip/"),
        "aws:ec2/internetGateway:InternetGateway": ("igw-", "internet-gateway/"),
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ("pcx-", "vpc-peering-connection/"),
        "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpce-", "vpc-endpoint/"),
    }
    for type_, (prefix, kind) in prefixes.items():
        ident, state = shaped(type_)
        assert re.fullmatch(prefix + "[0-9a-f]{17}", ident), type_
        assert state["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:{kind}{ident}"


def test_aurora_cluster_looks_like_aurora() -> None:
    ident, state = shaped(
        "aws:rds/cluster:Cluster",
        clusterIdentifier="platform-dev-db",
        manageMasterUserPassword=True,
    )
    assert ident == "platform-dev-db"
    assert state["arn"] == f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:platform-dev-db"
    assert re.fullmatch(
        r"platform-dev-db\.cluster-[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com",
        str(state["endpoint"]),
    )
    assert ".cluster-ro-" in str(state["readerEndpoint"])
    assert state["port"] == 5432
    assert re.fullmatch(r"cluster-[A-Z0-9]{26}", str(state["clusterResourceId"]))
    secrets = state["masterUserSecrets"]
    assert isinstance(secrets, list) and len(secrets) == 1
    secret = secrets[0]
    assert secret["secretArn"].startswith(
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:rds!cluster-"
    )
    assert secret["kmsKeyId"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")
    assert secret["secretStatus"] == "active"


def test_load_balancer_and_target_group_arns_and_suffixes() -> None:
    arn, alb = shaped("aws:lb/loadBalancer:LoadBalancer", name="platform-dev")
    assert re.fullmatch(
        rf"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/platform-dev/[0-9a-f]{{16}}",
        arn,
    )
    assert arn.endswith(str(alb["arnSuffix"])) and str(alb["arnSuffix"]).startswith("app/")
    assert str(alb["dnsName"]).endswith(".eu-west-1.elb.amazonaws.com")
    arn, tg = shaped("aws:lb/targetGroup:TargetGroup", name="platform-dev-web")
    assert ":targetgroup/platform-dev-web/" in arn
    assert arn.endswith(str(tg["arnSuffix"])) and str(tg["arnSuffix"]).startswith("targetgroup/")


def test_ecs_kms_iam_s3_logs_sns_cloudwatch_route53() -> None:
    cluster_arn, _ = shaped("aws:ecs/cluster:Cluster", name="platform-dev")
    assert cluster_arn == f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/platform-dev"
    service, _ = shaped("aws:ecs/service:Service", name="web", cluster=cluster_arn)
    assert service == f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/platform-dev/web"
    _, task = shaped("aws:ecs/taskDefinition:TaskDefinition", family="platform-dev-web")
    assert task["arn"] == f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/platform-dev-web:1"
    key_id, key = shaped("aws:kms/key:Key")
    assert key["keyId"] == key_id and key["arn"] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}"
    _, role = shaped("aws:iam/role:Role", name="platform-dev-task")
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT}:role/platform-dev-task"
    assert str(role["uniqueId"]).startswith("AROA")
    bucket_id, bucket = shaped("aws:s3/bucket:Bucket", bucket="platform-dev-artifacts")
    assert bucket_id == bucket["bucket"] == "platform-dev-artifacts"
    assert bucket["arn"] == "arn:aws:s3:::platform-dev-artifacts"
    assert bucket["bucketDomainName"] == "platform-dev-artifacts.s3.amazonaws.com"
    _, logs = shaped("aws:cloudwatch/logGroup:LogGroup", name="/platform/dev/app")
    assert logs["arn"] == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/platform/dev/app"
    topic, _ = shaped("aws:sns/topic:Topic", name="alarms")
    assert topic == f"arn:aws:sns:eu-west-1:{ACCOUNT}:alarms"
    _, alarm = shaped("aws:cloudwatch/metricAlarm:MetricAlarm", name="high-5xx")
    assert alarm["arn"] == f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:high-5xx"
    _, dashboard = shaped("aws:cloudwatch/dashboard:Dashboard", dashboardName="platform-dev")
    assert dashboard["dashboardArn"] == f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/platform-dev"
    _, record = shaped("aws:route53/record:Record", name="app.example.com.")
    assert record["fqdn"] == "app.example.com"


def test_autonamed_resources_get_a_name_like_the_provider_would() -> None:
    _, topic = shaped("aws:sns/topic:Topic", "alarms")
    assert re.fullmatch(r"alarms-[0-9a-f]{7}", str(topic["name"]))


def test_every_shape_fills_without_missing_placeholders() -> None:
    for type_ in SHAPES:
        ident, state = shaped(
            type_,
            name="n",
            cluster="c",
            topic="t",
            family="f",
            bucket="b",
            resourceId="r",
            clusterIdentifier="c",
            identifier="i",
            dashboardName="d",
        )
        assert "{" not in ident and "{" not in str(state.get("arn", "")), type_


def test_an_aws_type_the_table_lacks_is_refused_naming_the_file_to_edit() -> None:
    with pytest.raises(UnknownResourceTypeError) as error:
        shaped(absent_type.TOKEN)
    assert absent_type.TOKEN in str(error.value)
    assert absent_type.MODULE in str(error.value)


def test_pulumi_s_own_resources_are_no_aws_type_and_get_a_stable_id() -> None:
    for type_ in ("pulumi:providers:aws", "platform:data:AuroraCluster"):
        ident, state = shaped(type_, "own")
        assert re.fullmatch(r"own-[0-9a-f]{7}-[0-9a-f]{8}", ident), type_
        assert "arn" not in state


def test_policy_document_renders_iam_json() -> None:
    document = json.loads(
        render_policy_document(
            {
                "statements": [
                    {
                        "sid": "Logs",
                        "actions": ["s3:PutObject"],
                        "resources": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
                        "principals": [
                            {
                                "type": "Service",
                                "identifiers": ["logdelivery.elasticloadbalancing.amazonaws.com"],
                            }
                        ],
                        "conditions": [
                            {
                                "test": "StringEquals",
                                "variable": "aws:SourceAccount",
                                "values": [ACCOUNT],
                            }
                        ],
                    }
                ]
            }
        )
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }


def test_availability_zones_answer_filters_like_ec2() -> None:
    mocks = PlanMocks(environment="dev", config={"aws:region": "us-east-1"}, references={})
    answer = mocks.calls()["aws:index/getAvailabilityZones:getAvailabilityZones"]
    everything = answer({"state": "available"})
    assert everything["names"][0] == "us-east-1-bos-1a"  # an opted-in Local Zone sorts first
    assert len(everything["names"]) == len(everything["zoneIds"]) == 7
    standard = answer({"filters": [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]})
    assert standard["names"] == [f"us-east-1{letter}" for letter in "abcdef"]
    assert sorted(standard["zoneIds"]) == [f"use1-az{n}" for n in range(1, 7)]
    assert standard["zoneIds"] != sorted(standard["zoneIds"])  # name order is not id order
    assert standard["groupNames"] == ["us-east-1"]
    # Another region has the zones AWS's data lists for it, and no invented Local Zone.
    london = PlanMocks(environment="dev", config={"aws:region": "eu-west-2"}, references={})
    zones = london.calls()["aws:index/getAvailabilityZones:getAvailabilityZones"]({})
    assert zones["names"] == ["eu-west-2a", "eu-west-2b", "eu-west-2c"]
