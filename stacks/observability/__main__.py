"""The observability layer: an encrypted alarm topic, a dashboard, metric alarms, an ERROR filter.

Reads (StackReference): data (the Aurora cluster identifier) and app (ALB and target-group ARN
suffixes, ECS cluster and service names, the app log group).
Exports: the observability contract in shared.layers (topic, dashboard name and URL, alarm names,
and this layer's KMS key, which CloudWatch Logs, SNS and CloudWatch alarms may use).
"""

import json

import observability_alarms as alarm_specs
import observability_dashboard as dashboard_data
import pulumi
import pulumi_aws as aws

from shared import config, references
from shared.key_policies import service_key_policy
from shared.layers import PRODUCT
from shared.naming import Namer
from shared.tagging import with_name

cfg = config.load("observability")
env = cfg.common.environment
names = Namer(PRODUCT, env.name)
tags = cfg.common.tags
data = references.upstream("data", env.name)
app = references.upstream("app", env.name)
account_id = aws.get_caller_identity_output().account_id
region = aws.get_region_output().region

# --- encryption and notification -------------------------------------------------------------------
key_alias = names.name("kms-alias", "observability")
key = aws.kms.Key(
    "observability",
    description=f"Encrypts {PRODUCT} {env.name} alarm notifications and logs",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    # CloudWatch must be able to encrypt for the topic when an alarm publishes to it.
    policy=pulumi.Output.all(account_id, region).apply(
        lambda values: json.dumps(
            service_key_policy(
                account_id=values[0], region=values[1], services=["logs", "sns", "cloudwatch"]
            )
        )
    ),
    tags=with_name(tags, key_alias),
)
aws.kms.Alias("observability", name=key_alias, target_key_id=key.key_id)

topic_name = names.name("sns-topic", "alarms")
topic = aws.sns.Topic(
    "alarms", name=topic_name, kms_master_key_id=key.arn, tags=with_name(tags, topic_name)
)
aws.sns.TopicPolicy(
    "alarms",
    arn=topic.arn,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic.arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic.arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    ),
)
if cfg.alarm_email:
    # Stays "pending confirmation" until the recipient clicks the link AWS sends.
    aws.sns.TopicSubscription(
        "alarm-email", topic=topic.arn, protocol="email", endpoint=cfg.alarm_email
    )

# --- app ERROR lines as a metric -------------------------------------------------------------------
app_error_namespace = f"{PRODUCT}/{env.name}"
app_error_metric = "AppErrorLines"
aws.cloudwatch.LogMetricFilter(
    "app-errors",
    name=names.name("metric-filter", "app", "errors"),
    log_group_name=app.require("app_log_group_name"),
    pattern="ERROR",
    metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
        namespace=app_error_namespace, name=app_error_metric, value="1", default_value="0"
    ),
)

# --- dashboard -------------------------------------------------------------------------------------
watched = pulumi.Output.all(
    region=region,
    alb_arn_suffix=app.require("alb_arn_suffix"),
    target_group_arn_suffix=app.require("target_group_arn_suffix"),
    cluster_name=app.require("ecs_cluster_name"),
    service_name=app.require("ecs_service_name"),
    db_cluster_identifier=data.require("db_cluster_identifier"),
).apply(
    lambda values: dashboard_data.Watched(
        **values, app_error_namespace=app_error_namespace, app_error_metric=app_error_metric
    )
)
dashboard_name = names.name("dashboard")
dashboard = aws.cloudwatch.Dashboard(
    "platform",
    dashboard_name=dashboard_name,
    dashboard_body=watched.apply(lambda w: json.dumps(dashboard_data.dashboard_body(w))),
)

# --- alarms ----------------------------------------------------------------------------------------
alarm_names = []
for spec in alarm_specs.alarms(
    env.profile.alarms,
    alb_arn_suffix=app.require("alb_arn_suffix"),
    target_group_arn_suffix=app.require("target_group_arn_suffix"),
    cluster_name=app.require("ecs_cluster_name"),
    service_name=app.require("ecs_service_name"),
    db_cluster_identifier=data.require("db_cluster_identifier"),
    app_error_namespace=app_error_namespace,
    app_error_metric=app_error_metric,
):
    alarm_name = names.name("alarm", spec.key)
    aws.cloudwatch.MetricAlarm(
        spec.key,
        name=alarm_name,
        alarm_description=spec.description,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        tags=with_name(tags, alarm_name),
        **spec.metric_inputs(),
    )
    alarm_names.append(alarm_name)

pulumi.export("alarm_topic_arn", topic.arn)
pulumi.export("dashboard_name", dashboard.dashboard_name)
pulumi.export(
    "dashboard_url",
    pulumi.Output.format(
        "https://{0}.console.aws.amazon.com/cloudwatch/home?region={0}#dashboards/dashboard/{1}",
        region,
        dashboard.dashboard_name,
    ),
)
pulumi.export("alarm_names", alarm_names)
pulumi.export("logs_kms_key_arn", key.arn)
