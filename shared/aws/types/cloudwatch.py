"""CloudWatch: log groups, metric filters, alarms, dashboards and EventBridge rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.aws.types._convert import UNKNOWN_REF, document, number, pascal, to
from shared.aws.types._model import ID_ONLY, ResourceType, Shape, ShapeValues, Translation


def _named(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name}


def _dashboard(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"dashboardArn": f"arn:aws:cloudwatch::{n.account}:dashboard/{n.name}"}


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


def _metric_transformation(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {"MetricTransformations": value}
    names = {"name": "MetricName", "namespace": "MetricNamespace", "value": "MetricValue"}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out[names.get(key, pascal(key))] = number(item) if key == "defaultValue" else item
    return {"MetricTransformations": [out]}


TYPES = (
    ResourceType(
        "aws:cloudwatch/logGroup:LogGroup",
        "a log group (flow logs, database logs, container logs)",
        shape=Shape(
            id="{name}", arn="arn:aws:logs:{region}:{account}:log-group:{name}", extra=_named
        ),
        names={"name": "log-group"},
        cloudformation="AWS::Logs::LogGroup",
        translation=Translation(fields={"name": "LogGroupName"}, rejects={"retentionInDays": 17.0}),
        holds_data="a log group's retained events",
    ),
    ResourceType(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "a metric filter turning log lines into a metric",
        shape=ID_ONLY,
        names={"name": "metric-filter"},
        cloudformation="AWS::Logs::MetricFilter",
        translation=Translation(
            fields={
                "name": "FilterName",
                "pattern": "FilterPattern",
                "metricTransformation": _metric_transformation,
            },
            tags=False,
            rejects={"name": "f" * 600},
        ),
    ),
    ResourceType(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "a CloudWatch alarm",
        shape=Shape(
            id="{name}", arn="arn:aws:cloudwatch:{region}:{account}:alarm:{name}", name_input="name"
        ),
        names={"name": "alarm"},
        cloudformation="AWS::CloudWatch::Alarm",
        translation=Translation(
            fields={
                "name": "AlarmName",
                "okActions": "OKActions",
                "dimensions": to("Dimensions", _alarm_dimensions),
                "metricQueries": _metric_queries,
            },
            rejects={"comparisonOperator": "Bigger"},
        ),
    ),
    ResourceType(
        "aws:cloudwatch/dashboard:Dashboard",
        "a CloudWatch dashboard",
        shape=Shape(id="{name}", name_input="dashboardName", extra=_dashboard),
        names={"dashboardName": "dashboard"},
        cloudformation="AWS::CloudWatch::Dashboard",
        translation=Translation(tags=False, rejects={"dashboardBody": ["not", "a", "string"]}),
    ),
    ResourceType(
        "aws:cloudwatch/eventRule:EventRule",
        "an EventBridge rule",
        shape=Shape(id="{name}", arn="arn:aws:events:{region}:{account}:rule/{name}", extra=_named),
        names={"name": "event-rule"},
        cloudformation="AWS::Events::Rule",
        translation=Translation(
            fields={"eventPattern": to("EventPattern", document)}, rejects={"name": "r" * 65}
        ),
    ),
    ResourceType(
        "aws:cloudwatch/eventTarget:EventTarget",
        "an EventBridge rule's target",
        shape=ID_ONLY,
        no_cloudformation=(
            "CloudFormation declares a rule's targets inside AWS::Events::Rule (Targets), not as "
            "a resource of its own"
        ),
        part_of="AWS::Events::Rule",
    ),
)
