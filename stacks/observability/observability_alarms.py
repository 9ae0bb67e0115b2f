"""The metric alarms as data: what each watches, its threshold (from the profile), and why it
treats missing data the way it does; `AlarmSet` creates them as one component.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from observability_dashboard import ALB_NAMESPACE as ALB
from observability_dashboard import ECS_NAMESPACE as ECS
from observability_dashboard import RDS_NAMESPACE as RDS

from shared.context import LabelContext
from shared.environment import AlarmThresholds


@dataclass(frozen=True)
class Alarm:
    key: str  # the alarm name's last label and the Pulumi resource name
    description: str
    namespace: str
    metrics: Mapping[str, str]  # query id -> metric name; several are summed by `expression`
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str  # "Sum", "Average", "Maximum", "Minimum" or a percentile such as "p95"
    comparison: str
    threshold: float
    # notBreaching: silence means nothing happened (counters CloudWatch only emits when non-zero).
    # missing: silence means the telemetry itself stopped; INSUFFICIENT_DATA shows that honestly.
    treat_missing_data: str
    period: int = 60
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3
    expression: str | None = None

    def metric_inputs(self) -> dict[str, Any]:
        """MetricAlarm keyword arguments for the metric part (single metric or metric math)."""
        if self.expression is None:
            (metric_name,) = self.metrics.values()
            stat = (
                {"extended_statistic": self.statistic}
                if self.statistic.startswith("p")
                else {"statistic": self.statistic}
            )
            return {
                "namespace": self.namespace,
                "metric_name": metric_name,
                "dimensions": dict(self.dimensions),
                "period": self.period,
                **stat,
            }
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query_id,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=self.namespace,
                    metric_name=metric_name,
                    dimensions=dict(self.dimensions),
                    period=self.period,
                    stat=self.statistic,
                ),
                return_data=False,
            )
            for query_id, metric_name in self.metrics.items()
        ]
        queries.append(
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="total", expression=self.expression, label=self.description, return_data=True
            )
        )
        return {"metric_queries": queries}


def alarms(
    thresholds: AlarmThresholds,
    *,
    alb_arn_suffix: pulumi.Input[str],
    target_group_arn_suffix: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    db_cluster_identifier: pulumi.Input[str],
    app_error_namespace: str,
    app_error_metric: str,
) -> list[Alarm]:
    t = thresholds
    lb = {"LoadBalancer": alb_arn_suffix}
    svc = {"ClusterName": cluster_name, "ServiceName": service_name}
    db = {"DBClusterIdentifier": db_cluster_identifier}
    return [
        Alarm(
            key="alb-5xx",
            description=f"ALB and target 5xx responses above {t.alb_5xx_per_minute} per minute",
            namespace=ALB,
            metrics={"target": "HTTPCode_Target_5XX_Count", "elb": "HTTPCode_ELB_5XX_Count"},
            expression="FILL(target, 0) + FILL(elb, 0)",
            dimensions=lb,
            statistic="Sum",
            comparison="GreaterThanThreshold",
            threshold=t.alb_5xx_per_minute,
            treat_missing_data="notBreaching",
        ),
        Alarm(
            key="unhealthy-hosts",
            description=f"At least {t.unhealthy_hosts} target(s) failing health checks",
            namespace=ALB,
            metrics={"m": "UnHealthyHostCount"},
            dimensions={"TargetGroup": target_group_arn_suffix, **lb},
            statistic="Maximum",
            comparison="GreaterThanOrEqualToThreshold",
            threshold=t.unhealthy_hosts,
            treat_missing_data="missing",
        ),
        Alarm(
            key="target-response-time-p95",
            description=f"p95 target response time above {t.target_response_time_p95_seconds} s",
            namespace=ALB,
            metrics={"m": "TargetResponseTime"},
            dimensions=lb,
            statistic="p95",
            comparison="GreaterThanThreshold",
            threshold=t.target_response_time_p95_seconds,
            # No requests, no latency datapoints: quiet is healthy.
            treat_missing_data="notBreaching",
        ),
        Alarm(
            key="ecs-cpu-high",
            description=f"Service CPU above {t.ecs_cpu_percent}%",
            namespace=ECS,
            metrics={"m": "CPUUtilization"},
            dimensions=svc,
            statistic="Average",
            comparison="GreaterThanThreshold",
            threshold=t.ecs_cpu_percent,
            treat_missing_data="missing",
        ),
        Alarm(
            key="ecs-memory-high",
            description=f"Service memory above {t.ecs_memory_percent}%",
            namespace=ECS,
            metrics={"m": "MemoryUtilization"},
            dimensions=svc,
            statistic="Average",
            comparison="GreaterThanThreshold",
            threshold=t.ecs_memory_percent,
            treat_missing_data="missing",
        ),
        Alarm(
            key="aurora-cpu-high",
            description=f"Aurora CPU above {t.db_cpu_percent}%",
            namespace=RDS,
            metrics={"m": "CPUUtilization"},
            dimensions=db,
            statistic="Average",
            comparison="GreaterThanThreshold",
            threshold=t.db_cpu_percent,
            treat_missing_data="missing",
        ),
        Alarm(
            key="aurora-freeable-memory-low",
            description=f"Aurora freeable memory below {t.db_freeable_memory_bytes // 1024**2} MiB",
            namespace=RDS,
            metrics={"m": "FreeableMemory"},
            dimensions=db,
            statistic="Minimum",
            comparison="LessThanThreshold",
            threshold=t.db_freeable_memory_bytes,
            treat_missing_data="missing",
        ),
        Alarm(
            key="app-errors",
            description=f"More than {t.app_errors_per_5_minutes} ERROR log lines in 5 minutes",
            namespace=app_error_namespace,
            metrics={"m": app_error_metric},
            dimensions={},
            statistic="Sum",
            comparison="GreaterThanThreshold",
            threshold=t.app_errors_per_5_minutes,
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            # The filter emits 0 for every non-matching batch; silence means no logs, not errors.
            treat_missing_data="notBreaching",
        ),
    ]


@dataclass(frozen=True)
class AlarmSetArgs:
    labels: LabelContext
    alarms: list[Alarm]
    # Notified on ALARM and on OK: this layer's topic, plus an existing one when configured.
    topic_arns: list[pulumi.Input[str]]


class AlarmSet(pulumi.ComponentResource):
    """One MetricAlarm per Alarm, each named `<product>-<env>-<key>` and notifying the topics."""

    names: list[str]

    def __init__(
        self, name: str, args: AlarmSetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:observability:AlarmSet", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.names = []
        for spec in args.alarms:
            label = args.labels.label("alarm", spec.key)
            aws.cloudwatch.MetricAlarm(
                spec.key,
                name=label.name,
                alarm_description=spec.description,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                evaluation_periods=spec.evaluation_periods,
                datapoints_to_alarm=spec.datapoints_to_alarm,
                treat_missing_data=spec.treat_missing_data,
                alarm_actions=args.topic_arns,
                ok_actions=args.topic_arns,
                tags=label.tags,
                opts=child,
                **spec.metric_inputs(),
            )
            self.names.append(label.name)
        self.register_outputs({"alarm_names": self.names})
