"""The CloudWatch dashboard body as plain data: one row each for the ALB, the ECS service, Aurora.

Pure: resolved upstream identifiers in, a dict out; the program serialises it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALB_NAMESPACE = "AWS/ApplicationELB"
ECS_NAMESPACE = "AWS/ECS"
CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights"
RDS_NAMESPACE = "AWS/RDS"

WIDTH, HEIGHT = 6, 6  # four widgets fill the 24-column grid


@dataclass(frozen=True)
class Watched:
    """What the dashboard and alarms look at, by the identifiers CloudWatch uses as dimensions."""

    region: str
    alb_arn_suffix: str
    target_group_arn_suffix: str
    cluster_name: str
    service_name: str
    db_cluster_identifier: str
    app_error_namespace: str
    app_error_metric: str


def dashboard_body(watched: Watched) -> dict[str, Any]:
    w = watched
    lb = ["LoadBalancer", w.alb_arn_suffix]
    tg = ["TargetGroup", w.target_group_arn_suffix, *lb]
    svc = ["ClusterName", w.cluster_name, "ServiceName", w.service_name]
    db = ["DBClusterIdentifier", w.db_cluster_identifier]
    rows: list[list[tuple[str, list[list[Any]]]]] = [
        [
            ("ALB requests", [[ALB_NAMESPACE, "RequestCount", *lb, {"stat": "Sum"}]]),
            (
                "HTTP 5xx",
                [
                    [ALB_NAMESPACE, "HTTPCode_Target_5XX_Count", *lb, {"stat": "Sum"}],
                    [ALB_NAMESPACE, "HTTPCode_ELB_5XX_Count", *lb, {"stat": "Sum"}],
                ],
            ),
            (
                "Target response time (p95)",
                [[ALB_NAMESPACE, "TargetResponseTime", *lb, {"stat": "p95"}]],
            ),
            (
                "Healthy / unhealthy hosts",
                [
                    [ALB_NAMESPACE, "HealthyHostCount", *tg, {"stat": "Minimum"}],
                    [ALB_NAMESPACE, "UnHealthyHostCount", *tg, {"stat": "Maximum"}],
                ],
            ),
        ],
        [
            ("ECS CPU %", [[ECS_NAMESPACE, "CPUUtilization", *svc, {"stat": "Average"}]]),
            ("ECS memory %", [[ECS_NAMESPACE, "MemoryUtilization", *svc, {"stat": "Average"}]]),
            (
                "Running tasks",
                [[CONTAINER_INSIGHTS_NAMESPACE, "RunningTaskCount", *svc, {"stat": "Average"}]],
            ),
            (
                "App ERROR lines",
                [[w.app_error_namespace, w.app_error_metric, {"stat": "Sum"}]],
            ),
        ],
        [
            ("Aurora CPU %", [[RDS_NAMESPACE, "CPUUtilization", *db, {"stat": "Average"}]]),
            ("Aurora connections", [[RDS_NAMESPACE, "DatabaseConnections", *db, {"stat": "Sum"}]]),
            (
                "Aurora freeable memory",
                [[RDS_NAMESPACE, "FreeableMemory", *db, {"stat": "Minimum"}]],
            ),
            (
                "Aurora replica lag (max, ms)",
                [[RDS_NAMESPACE, "AuroraReplicaLagMaximum", *db, {"stat": "Maximum"}]],
            ),
        ],
    ]
    widgets = [
        {
            "type": "metric",
            "x": column * WIDTH,
            "y": row * HEIGHT,
            "width": WIDTH,
            "height": HEIGHT,
            "properties": {
                "title": title,
                "view": "timeSeries",
                "region": w.region,
                "period": 60,
                "metrics": metrics,
            },
        }
        for row, widgets_in_row in enumerate(rows)
        for column, (title, metrics) in enumerate(widgets_in_row)
    ]
    return {"widgets": widgets}
