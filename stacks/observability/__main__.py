"""The observability layer: an encrypted alarm topic, a dashboard, metric alarms, an ERROR filter.

Deploys: the alarm topic with its KMS key (CloudWatch Logs, SNS and CloudWatch alarms may use it),
policy and email subscription (observability_topic), a metric filter counting the app's ERROR
lines, the dashboard (observability_dashboard) and the alarm set (observability_alarms), which also
notifies `observability:alarmTopicArn` when set. Staging and prod need one of the two destinations.
Reads (StackReference): data (the Aurora cluster identifier) and app (ALB and target-group ARN
suffixes, ECS cluster and service names, the app log group).
Exports: the observability contract in shared.layers.
"""

import observability_alarms as alarms
import observability_dashboard as dashboards
import observability_topic
import pulumi
import pulumi_aws as aws

from shared.config import ObservabilityConfig
from shared.context import stack_context
from shared.layers import PRODUCT

ctx = stack_context("observability", ObservabilityConfig)
data, app = ctx.upstream("data"), ctx.upstream("app")

alarm_topic = observability_topic.alarm_topic(ctx.labels, email=ctx.config.alarm_email)
topic = alarm_topic.topic

# --- what is watched: the app's ERROR lines as a metric, and the upstream identifiers -------------
error_namespace, error_metric = f"{PRODUCT}/{ctx.environment.name}", "AppErrorLines"
aws.cloudwatch.LogMetricFilter(
    "app-errors",
    name=ctx.label("metric-filter", "app", "errors").name,
    log_group_name=app.require("app_log_group_name"),
    pattern="ERROR",
    metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
        namespace=error_namespace, name=error_metric, value="1", default_value="0"
    ),
)
watched = {
    "alb_arn_suffix": app.require("alb_arn_suffix"),
    "target_group_arn_suffix": app.require("target_group_arn_suffix"),
    "cluster_name": app.require("ecs_cluster_name"),
    "service_name": app.require("ecs_service_name"),
    "db_cluster_identifier": data.require("db_cluster_identifier"),
}
body = pulumi.Output.all(**watched).apply(
    lambda ids: dashboards.dashboard_body(
        dashboards.Watched(
            **ids,
            region=ctx.region,
            app_error_namespace=error_namespace,
            app_error_metric=error_metric,
        )
    )
)
dashboard = aws.cloudwatch.Dashboard(
    "platform",
    dashboard_name=ctx.label("dashboard").name,
    dashboard_body=pulumi.Output.json_dumps(body),
)
alarm_set = alarms.AlarmSet(
    "alarms",
    alarms.AlarmSetArgs(
        labels=ctx.labels,
        alarms=alarms.alarms(
            ctx.environment.profile.alarms,
            **watched,
            app_error_namespace=error_namespace,
            app_error_metric=error_metric,
        ),
        topic_arns=[topic.arn, *filter(None, [ctx.config.alarm_topic_arn])],
    ),
)

ctx.export(
    {
        "alarm_topic_arn": topic.arn,
        "dashboard_name": dashboard.dashboard_name,
        "dashboard_url": pulumi.Output.format(
            "https://{0}.console.aws.amazon.com/cloudwatch/home?region={0}#dashboards/dashboard/{1}",
            ctx.region,
            dashboard.dashboard_name,
        ),
        "alarm_names": alarm_set.names,
        "alarm_topic_kms_key_arn": alarm_topic.key.arn,
    }
)
