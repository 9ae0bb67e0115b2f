"""Upstream layer results for the app and observability tests, and helpers to read recorded inputs.

The network and data layers are the real programs, run once per environment through the offline
planner with their committed `Pulumi.<env>.yaml`: the app and observability layers are tested
against exactly what their upstream stacks export.
"""

from __future__ import annotations

import functools
from typing import Any

from shared.wire import SECRET_SIGNATURE_KEY
from tests.conftest import committed_config
from tooling.offline import LayerResult, plan, run_layer
from tooling.offline.layer_runner import warm

REGION = "us-east-1"
DOMAIN, ZONE = "acme-platform.io", "Z0123456789ABC"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
# dev: nothing set (plain ALB URL); staging: DNS, and TLS from an ACM certificate validated in the
# zone; prod and the PR: DNS and a given certificate.
APP_CONFIG: dict[str, dict[str, str]] = {
    "dev": {},
    "staging": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE},
    "prod": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE, "app:certificateArn": CERT},
    "pr-7": {"app:domainName": DOMAIN, "app:hostedZoneId": ZONE, "app:certificateArn": CERT},
}


@functools.cache
def _network_and_data(environment: str) -> dict[str, LayerResult]:
    warm()
    return dict(plan(environment, layers=["data"], pack_dir=None).layers)


def network(environment: str) -> LayerResult:
    return _network_and_data(environment)["network"]


def data(environment: str) -> LayerResult:
    return _network_and_data(environment)["data"]


SECRET_SIG = SECRET_SIGNATURE_KEY


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


def plain(value: Any) -> Any:
    """A recorded input with Pulumi's secret wrapper removed (policies see plaintext too)."""
    return value["value"] if is_secret(value) else value


@functools.cache
def app(environment: str) -> LayerResult:
    """The app layer's run for `environment` (APP_CONFIG), shared by the app and observability tests."""
    return run_layer(
        "app",
        environment,
        config={**committed_config("app", environment), **APP_CONFIG[environment]},
        upstream={"network": network(environment), "data": data(environment)},
    )
