"""aws-alb-internet-facing-https on the app layer's real output, and its level per class."""

from __future__ import annotations

import functools

from policies.catalog import RULES
from policies.load_balancer import check_https
from policies.pack import class_config, default_level
from policies.spec import StackResource
from shared.environment import CLASSES
from tests.conftest import committed_config
from tests.policies.conftest import UNKNOWN, context
from tests.stacks import offline_results
from tooling.offline import LayerResult, run_layer

RULE = "aws-alb-internet-facing-https"


def stack(layer: LayerResult) -> list[StackResource]:
    return [
        StackResource(r.type, r.urn, r.outputs, r.dependencies, r.name) for r in layer.resources
    ]


@functools.cache  # planned once per process: mutation runs fork after the first plan
def prod_app_without_certificate() -> LayerResult:
    """The app layer planned without a certificate. prod's config refuses that before the ALB
    exists, so it runs with staging's committed config (the same program, plain HTTP); the
    tests judge it as prod."""
    return run_layer(
        "app",
        "staging",
        config=committed_config("app", "staging"),
        upstream={
            "network": offline_results.network("staging"),
            "data": offline_results.data("staging"),
        },
    )


def test_prod_without_a_certificate_is_refused_naming_the_alb_and_the_http_listener() -> None:
    found = dict(check_https(stack(prod_app_without_certificate()), context("prod")))
    (alb,) = [urn for urn in found if urn.endswith("::alb")]
    (http,) = [urn for urn in found if urn.endswith("::http")]
    assert "no HTTPS listener" in found[alb]
    assert "forward" in found[http] and "redirecting" in found[http]


def test_prod_with_a_certificate_passes() -> None:
    assert check_https(stack(offline_results.app("prod")), context("prod")) == []


def test_an_internal_load_balancer_is_not_judged() -> None:
    lb = StackResource("aws:lb/loadBalancer:LoadBalancer", "urn:lb", {"internal": True}, name="lb")
    assert check_https([lb], context("prod")) == []


def test_an_unknown_listener_protocol_cannot_be_judged_during_preview() -> None:
    import pytest

    from policies.props import UnknownValueError

    lb = StackResource("aws:lb/loadBalancer:LoadBalancer", "urn:lb", {"internal": False}, name="lb")
    listener = StackResource(
        "aws:lb/listener:Listener", "urn:l", {"protocol": UNKNOWN}, dependencies=("urn:lb",)
    )
    with pytest.raises(UnknownValueError):
        check_https([lb, listener], context("prod"))


def test_mandatory_where_the_profile_requires_https_advisory_elsewhere() -> None:
    (rule,) = (r for r in RULES if r.name == RULE)
    assert default_level(rule, class_config("prod")) == "mandatory"
    for environment_class, info in CLASSES.items():
        expected = "mandatory" if info.profile.https_required else "advisory"
        assert default_level(rule, class_config(environment_class)) == expected, environment_class
