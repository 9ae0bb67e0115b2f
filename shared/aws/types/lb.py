"""Elastic Load Balancing v2: the app layer's load balancer, target group and listeners."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.aws.types._convert import UNKNOWN_REF, attr, attribute, pascal, pascal_keys
from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation

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
# An action's settings block: Pulumi `redirect`, CloudFormation `RedirectConfig` (and so on).
_ACTION_CONFIGS = frozenset(
    {"redirect", "fixedResponse", "forward", "authenticateCognito", "authenticateOidc"}
)


def _load_balancer(n: ShapeValues, ident: str) -> dict[str, Any]:
    kind = "net" if n.inputs.get("loadBalancerType") == "network" else "app"
    internal = "internal-" if n.inputs.get("internal") else ""
    return {
        "arnSuffix": f"{kind}/{n.name}/{n.hex(16)}",
        "dnsName": f"{internal}{n.name}-{n.digits(10)}.{n.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
        "name": n.name,
    }


def _target_group(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"arnSuffix": f"targetgroup/{n.name}/{n.hex(16)}", "name": n.name}


def _access_logs(value: Any) -> dict[str, Any]:
    if value == UNKNOWN_REF:  # settings unknown in preview: nothing to check, no attribute to name
        return {}
    if not isinstance(value, Mapping):
        return {"LoadBalancerAttributes": value}
    # Pulumi's keys (enabled, bucket, prefix) are the attribute names' last part.
    return {
        "LoadBalancerAttributes": [
            {"Key": f"access_logs.s3.{k}", "Value": attr(v)} for k, v in value.items()
        ]
    }


def _scheme(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"Scheme": "internal" if value else "internet-facing"}
    return {"Scheme": value}


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


def _listener_actions(value: Any) -> dict[str, Any]:
    if not isinstance(value, list):
        return {"DefaultActions": pascal_keys(value)}
    actions = [
        {(f"{k}Config" if k in _ACTION_CONFIGS else k): v for k, v in action.items()}
        if isinstance(action, Mapping)
        else action
        for action in value
    ]
    return {"DefaultActions": pascal_keys(actions)}


TYPES = (
    ResourceType(
        "aws:lb/loadBalancer:LoadBalancer",
        "the application load balancer",
        shape=Shape(
            id="{arn}",
            arn="arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex16}",
            extra=_load_balancer,
        ),
        names={"name": "alb"},
        cloudformation="AWS::ElasticLoadBalancingV2::LoadBalancer",
        translation=Translation(
            fields={
                "internal": _scheme,
                "loadBalancerType": "Type",
                "accessLogs": _access_logs,
                "dropInvalidHeaderFields": attribute(
                    "routing.http.drop_invalid_header_fields.enabled", "LoadBalancerAttributes"
                ),
                "enableDeletionProtection": attribute(
                    "deletion_protection.enabled", "LoadBalancerAttributes"
                ),
                "idleTimeout": attribute("idle_timeout.timeout_seconds", "LoadBalancerAttributes"),
                "enableHttp2": attribute("routing.http2.enabled", "LoadBalancerAttributes"),
            },
            rejects={"loadBalancerType": "classic"},
        ),
    ),
    ResourceType(
        "aws:lb/targetGroup:TargetGroup",
        "the service's target group",
        shape=Shape(
            id="{arn}",
            arn="arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{hex16}",
            extra=_target_group,
        ),
        names={"name": "target-group"},
        cloudformation="AWS::ElasticLoadBalancingV2::TargetGroup",
        translation=Translation(
            fields={
                "healthCheck": _health_check,
                "deregistrationDelay": attribute(
                    "deregistration_delay.timeout_seconds", "TargetGroupAttributes"
                ),
            },
            rejects={"targetType": "pod"},
        ),
    ),
    ResourceType(
        "aws:lb/listener:Listener",
        "a listener of the load balancer",
        shape=Shape(
            id="{arn}",
            arn="arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/{hex16}",
        ),
        cloudformation="AWS::ElasticLoadBalancingV2::Listener",
        translation=Translation(
            fields={
                "loadBalancerArn": "LoadBalancerArn",
                "certificateArn": _certificate,
                "defaultActions": _listener_actions,
            },
            drops={"tags": "AWS::ElasticLoadBalancingV2::Listener takes no tags"},
            tags=False,
            rejects={"protocol": "FTP"},
        ),
    ),
)
