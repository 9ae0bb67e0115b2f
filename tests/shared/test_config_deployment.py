"""The config checks only a deployment needs (`deploying=True`), by plain calls per environment."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config.schema import load
from shared.config.schemas import AppConfig, ObservabilityConfig
from shared.config.values import ConfigError
from shared.environment import parse_environment

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
HTTPS = (
    "prod serves HTTPS only (port 80 redirects): set app:certificateArn to an ACM certificate, "
    "or app:domainName and app:hostedZoneId for a certificate validated by DNS in that zone"
)


def app(environment: str, raw: dict[str, Any], *, deploying: bool = True) -> AppConfig:
    return load(AppConfig, "app", raw, parse_environment(environment), deploying=deploying)


def observability(environment: str, raw: dict[str, Any]) -> ObservabilityConfig:
    return load(
        ObservabilityConfig, "observability", raw, parse_environment(environment), deploying=True
    )


def test_prod_without_a_certificate_or_a_zone_cannot_deploy() -> None:
    with pytest.raises(ConfigError) as raised:
        app("prod", {})
    assert (raised.value.key, raised.value.value) == ("certificateArn", None)
    assert str(raised.value) == f"app:certificateArn = (not set) is invalid: {HTTPS}"
    assert app("prod", {}, deploying=False).certificate_arn is None  # a plan may go on


@pytest.mark.parametrize(
    "raw",
    [
        {"app:certificateArn": CERTIFICATE},
        {"app:domainName": "app.acme-platform.io", "app:hostedZoneId": "Z0123456789ABCDEFGHIJ"},
    ],
)
def test_prod_with_a_certificate_or_a_zone_deploys(raw: dict[str, Any]) -> None:
    assert app("prod", raw).environment.name == "prod"


@pytest.mark.parametrize("environment", ["dev", "staging", "pr-7"])
def test_other_environments_may_serve_plain_http(environment: str) -> None:
    assert app(environment, {}).certificate_arn is None


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_alarms_that_reach_no_one_cannot_deploy(environment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        observability(environment, {})
    assert (raised.value.key, raised.value.value) == ("alarmEmail", None)
    assert str(raised.value) == (
        f"observability:alarmEmail = (not set) is invalid: {environment}'s alarms must reach "
        "someone: set observability:alarmEmail (subscribed to the alarm topic) or "
        "observability:alarmTopicArn (an existing SNS topic the alarms also notify)"
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"observability:alarmEmail": "ops@acme-platform.io"},
        {"observability:alarmTopicArn": TOPIC},
        {"observability:alarmEmail": "ops@acme-platform.io", "observability:alarmTopicArn": TOPIC},
    ],
)
def test_an_email_or_a_topic_lets_alarms_deploy(raw: dict[str, Any]) -> None:
    assert observability("prod", raw).environment.name == "prod"


@pytest.mark.parametrize("environment", ["dev", "pr-7"])
def test_short_lived_environments_need_no_alarm_destination(environment: str) -> None:
    config = observability(environment, {})
    assert (config.alarm_email, config.alarm_topic_arn) == (None, None)
