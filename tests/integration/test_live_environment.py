"""One environment, as deployed: each check reads an id from flat-outputs.json and asks AWS."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_vpc_and_its_subnets_exist(aws: Any, outputs: dict[str, Any]) -> None:
    ec2 = aws.client("ec2")
    vpc_id = outputs["network.vpc_id"]
    (vpc,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["State"] == "available"
    assert vpc["CidrBlock"] == outputs["network.vpc_cidr"]
    for tier in ("public", "private", "database"):
        ids = outputs[f"network.{tier}_subnet_ids"]
        subnets = ec2.describe_subnets(SubnetIds=ids)["Subnets"]
        assert len(subnets) == len(ids) > 0
        assert {subnet["VpcId"] for subnet in subnets} == {vpc_id}


def test_aurora_cluster_is_available_with_its_managed_secret(
    aws: Any, outputs: dict[str, Any]
) -> None:
    (cluster,) = aws.client("rds").describe_db_clusters(
        DBClusterIdentifier=outputs["data.db_cluster_identifier"]
    )["DBClusters"]
    assert cluster["Status"] == "available"
    assert cluster["Endpoint"] == outputs["data.db_endpoint"]
    secret_arn = cluster["MasterUserSecret"]["SecretArn"]
    assert cluster["MasterUserSecret"]["SecretStatus"] == "active"
    secret = aws.client("secretsmanager").describe_secret(SecretId=secret_arn)
    assert secret["ARN"] == secret_arn


def test_ecs_service_runs_its_desired_count(aws: Any, outputs: dict[str, Any]) -> None:
    (service,) = aws.client("ecs").describe_services(
        cluster=outputs["app.ecs_cluster_name"], services=[outputs["app.ecs_service_name"]]
    )["services"]
    assert service["status"] == "ACTIVE"
    assert service["desiredCount"] >= 1
    assert service["runningCount"] == service["desiredCount"]


def test_the_load_balancer_answers_on_app_url(outputs: dict[str, Any]) -> None:
    url = outputs["app.app_url"]
    status = 0
    for _ in range(6):  # a fresh deployment's targets can take a minute to turn healthy
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except urllib.error.URLError:
            status = 0
        if 0 < status < 500:
            break
        time.sleep(10)
    assert 0 < status < 500, f"{url} answered {status or 'nothing'}"


def test_alarms_exist(aws: Any, outputs: dict[str, Any]) -> None:
    names = list(outputs["observability.alarm_names"])
    found = aws.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    assert sorted(alarm["AlarmName"] for alarm in found) == sorted(names)
    assert names


def test_dashboard_exists(aws: Any, outputs: dict[str, Any]) -> None:
    name = outputs["observability.dashboard_name"]
    dashboard = aws.client("cloudwatch").get_dashboard(DashboardName=name)
    assert dashboard["DashboardName"] == name


def test_each_kms_output_names_the_key_that_encrypts_what_it_says(
    aws: Any, outputs: dict[str, Any]
) -> None:
    name = outputs["app.app_log_group_name"]
    found = aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    (group,) = [g for g in found if g["logGroupName"] == name]
    assert group["kmsKeyId"] == outputs["network.log_group_kms_key_arn"]
    topic = aws.client("sns").get_topic_attributes(
        TopicArn=outputs["observability.alarm_topic_arn"]
    )
    key = aws.client("kms").describe_key(KeyId=topic["Attributes"]["KmsMasterKeyId"])
    assert key["KeyMetadata"]["Arn"] == outputs["observability.alarm_topic_kms_key_arn"]
    assert (
        outputs["network.log_group_kms_key_arn"] != outputs["observability.alarm_topic_kms_key_arn"]
    )
