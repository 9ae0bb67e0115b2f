"""Upstream layer results for the app and observability tests, and helpers to read recorded inputs.

Stand-ins for the network and data layers until they run through the offline engine themselves:
every output in shared.layers is present, with values shaped like AWS's.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from shared.layers import get_layer
from tooling.offline import LayerResult, run_layer

ACCOUNT = "123456789012"
REGION = "us-east-1"
DOMAIN, ZONE = "example.com", "Z0123456789ABC"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
# dev: nothing set (plain ALB URL); staging: DNS without TLS; prod and the PR: DNS and TLS.
APP_CONFIG: dict[str, dict[str, str]] = {
    "dev": {},
    "staging": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE},
    "prod": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE, "app:certificateArn": CERT},
    "pr-7": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE, "app:certificateArn": CERT},
}


def warm(*modules: str) -> None:
    """Import pulumi_aws modules in the parent once, so each forked layer run skips the import."""
    for module in modules:
        importlib.import_module(f"pulumi_aws.{module}")


def _result(layer: str, environment: str, outputs: dict[str, Any]) -> LayerResult:
    contract = get_layer(layer)
    assert set(outputs) == set(contract.outputs), "stand-in drifted from the shared.layers contract"
    return LayerResult(
        layer=layer,
        stack=environment,
        resources=(),
        outputs=outputs,
        secret_outputs=frozenset(contract.secret_outputs),
    )


def network(environment: str) -> LayerResult:
    return _result(
        "network",
        environment,
        {
            "vpc_id": "vpc-0a1b2c3d4e5f60718",
            "vpc_cidr": "10.10.0.0/16",
            "availability_zones": ["us-east-1a", "us-east-1b"],
            "public_subnet_ids": ["subnet-0aaa000000000001", "subnet-0aaa000000000002"],
            "private_subnet_ids": ["subnet-0bbb000000000001", "subnet-0bbb000000000002"],
            "database_subnet_ids": ["subnet-0ccc000000000001", "subnet-0ccc000000000002"],
            "private_route_table_ids": ["rtb-0ddd000000000001"],
            "alb_security_group_id": "sg-0a1b000000000001",
            "app_security_group_id": "sg-0a1b000000000002",
            "db_security_group_id": "sg-0a1b000000000003",
            "peering_connection_ids": [],
            "logs_kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd",
        },
    )


def data(environment: str) -> LayerResult:
    cluster = f"platform-{environment}-aurora"
    return _result(
        "data",
        environment,
        {
            "db_cluster_identifier": cluster,
            "db_cluster_arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{cluster}",
            "db_cluster_resource_id": "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY",
            "db_endpoint": f"{cluster}.cluster-c9abcdefghij.{REGION}.rds.amazonaws.com",
            "db_reader_endpoint": f"{cluster}.cluster-ro-c9abcdefghij.{REGION}.rds.amazonaws.com",
            "db_port": 5432,
            "db_name": "app",
            "db_master_secret_arn": (
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!cluster-0123abcd-AbCdEf"
            ),
            "db_kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/5555eeee-6666-ffff-7777-000088889999",
            "artifacts_bucket_name": f"platform-{environment}-artifacts-{ACCOUNT}-{REGION}",
            "artifacts_bucket_arn": f"arn:aws:s3:::platform-{environment}-artifacts-{ACCOUNT}-{REGION}",
        },
    )


SECRET_SIG = "4dabf18193072939515e22adb298388d"


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


def plain(value: Any) -> Any:
    """A recorded input with Pulumi's secret wrapper removed (policies see plaintext too)."""
    return value["value"] if is_secret(value) else value


@functools.cache
def app(environment: str) -> LayerResult:
    """The app layer's run for `environment` (APP_CONFIG), shared by the app and observability tests."""
    warm("ecs", "lb", "iam", "cloudwatch", "route53", "appautoscaling", "kms", "sns")
    return run_layer(
        "app",
        environment,
        config={"aws:region": REGION, **APP_CONFIG[environment]},
        upstream={"network": network(environment), "data": data(environment)},
    )
