"""Placeholder values: refused where the class's profile says so, by plain calls of the loader."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config.placeholders import placeholder, placeholders
from shared.config.schema import load
from shared.config.schemas import AppConfig, ObservabilityConfig
from shared.config.values import ConfigError
from shared.environment import CLASSES, parse_environment

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
# One environment per class of the registry.
ENVIRONMENTS = [name if info.named else "pr-7" for name, info in CLASSES.items()]


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "EXAMPLE.com.",
        "app.example.net",
        "www.example.org",
        "shop.example",
        "api.test",
        "mail.invalid",
        "app.localhost",
        "alarms-staging@example.com",
        "ops@team.example.org",
        "someone@host.test",
        "Z0EXAMPLE0000000000",
        "Z3M3LMPEXAMPLE",
    ],
)
def test_rfc_2606_names_their_addresses_and_example_zone_ids_are_placeholders(value: str) -> None:
    assert placeholder(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "acme-platform.io",
        "ops@acme-platform.io",
        "example.company.com",  # only the reserved second-level names themselves
        "myexample.com",
        "testing.io",
        "localhost",  # a bare name: not a domain anyone configures by mistake here
        "Z0812345ABCDEFGHIJKLM",
        "EXAMPLE",  # not shaped like a zone id
        CERTIFICATE,
        "us-east-1",
    ],
)
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert placeholder(value) is None


def test_placeholders_are_found_inside_lists_and_maps() -> None:
    assert len(list(placeholders({"a": ["ok.io", "x@example.com"], "b": {"c": "z.test"}}))) == 2
    assert list(placeholders(["ok.io", 3, None])) == []


def app(environment: str, raw: dict[str, Any], *, deploying: bool = True) -> AppConfig:
    return load(AppConfig, "app", raw, parse_environment(environment), deploying=deploying)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_placeholders_are_refused_exactly_where_the_class_says_naming_file_and_key(
    environment: str,
) -> None:
    raw = {
        "app:certificateArn": CERTIFICATE,
        "app:domainName": "example.com",
        "app:hostedZoneId": "Z0EXAMPLE0000000000",
    }
    if not parse_environment(environment).profile.refuse_placeholders:
        assert app(environment, raw).domain_name == "example.com"
        return
    with pytest.raises(ConfigError) as raised:
        app(environment, raw)
    assert (raised.value.layer, raised.value.key) == ("app", "domainName")
    message = str(raised.value)
    assert "RFC 2606" in message
    assert message.endswith(f"set this key in stacks/app/Pulumi.{environment}.yaml")
    with pytest.raises(ConfigError):  # refused before any program runs, deploying or not
        app(environment, raw, deploying=False)


def test_the_refusal_names_the_zone_id_and_the_e_mail_address() -> None:
    with pytest.raises(ConfigError) as raised:
        app("prod", {"app:domainName": "acme-platform.io", "app:hostedZoneId": "Z0EXAMPLE00"})
    assert raised.value.key == "hostedZoneId"
    assert "AWS documentation example zone id" in str(raised.value)
    with pytest.raises(ConfigError) as raised:
        load(
            ObservabilityConfig,
            "observability",
            {"observability:alarmEmail": "alarms-staging@example.com"},
            parse_environment("staging"),
            deploying=True,
        )
    assert raised.value.key == "alarmEmail"
    assert "an e-mail address at example.com" in str(raised.value)
