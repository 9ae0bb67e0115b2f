"""aws-alb-internet-facing-https on the app layer's real output, and its level per class."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pytest

from policies.catalog import RULES
from policies.load_balancer import check_https
from policies.pack import class_config, default_level
from policies.props import UnknownValueError
from policies.spec import StackCheck, StackResource
from shared.environment import CLASSES
from tests.conftest import committed_config
from tests.policies.conftest import (
    BAD_STACK_ARGS,
    GOOD_STACK_ARGS,
    UNKNOWN,
    Ctx,
    bad_in_stack,
    context,
    good_in_stack,
    secret,
)
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


# --- Each condition on hand-built stacks: good and bad calls ------------------------------------

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
NO_HTTPS = "internet-facing load balancer alb has no HTTPS listener with a certificate"
REFUSED = [("urn:alb", NO_HTTPS)]
REDIRECT = [{"type": "redirect"}]


def alb(props: Mapping[str, Any] | None = None, name: str = "alb") -> StackResource:
    base = {"internal": False, "arn": "arn:lb:alb"}
    return StackResource(LB, f"urn:{name}", {**base, **(props or {})}, (), name)


def listener(
    name: str, props: Mapping[str, Any], dependencies: tuple[str, ...] = ("urn:alb",)
) -> StackResource:
    return StackResource(LISTENER, f"urn:{name}", props, dependencies, name)


def https(**props: Any) -> dict[str, Any]:
    return {"protocol": "HTTPS", "certificateArn": "c", **props}


def plain_http(actions: str, name: str = "http") -> str:
    return (
        f"listener {name} of internet-facing alb serves plain HTTP ({actions}) "
        "instead of redirecting to HTTPS"
    )


HTTPS = listener("https", {"protocol": "HTTPS", "certificateArn": "arn:cert"})
HTTP_REDIRECT = listener("http", {"protocol": "HTTP", "defaultActions": REDIRECT})
LATER = alb({"internal": UNKNOWN}, name="later")

GOOD = [
    good_in_stack(check_https, stack)
    for stack in (
        # HTTPS with a certificate, and HTTP that redirects; the protocol in any case.
        [alb(), HTTPS, HTTP_REDIRECT],
        [alb(), listener("https", {"protocol": "https", "certificateArn": "arn:cert"})],
        # Listeners of another ALB or of other protocols are not judged.
        [
            alb(),
            HTTPS,
            listener("other", {"protocol": "HTTP"}, ("urn:elsewhere",)),
            listener("tcp", {"protocol": "TCP"}),
            listener("nothing", {}),
        ],
        # A listener belongs to its ALB by dependency or by ARN, a secret one too.
        [alb(), listener("https", https(loadBalancerArn="arn:lb:alb"), ())],
        [alb(), listener("https", https(loadBalancerArn=secret("arn:lb:alb")), ())],
        # An ARN unknown during preview links by dependency.
        [alb({"arn": UNKNOWN}), listener("https", https(loadBalancerArn=UNKNOWN))],
        # Internal and non-application load balancers are not judged.
        [alb({"internal": True})],
        [alb({"internal": "true"})],
        [alb({"loadBalancerType": "network"})],
        [alb({"loadBalancerType": "gateway"})],
        # Other resources are not load balancers.
        [StackResource("aws:s3/bucket:Bucket", "urn:b", {}, (), "b")],
        # A certificate ARN unknown in preview (a CertificateValidation's) is set at `up`.
        [alb(), listener("https", {"protocol": "HTTPS", "certificateArn": UNKNOWN}), HTTP_REDIRECT],
    )
]

BAD = [
    # Without an HTTPS listener with a certificate, the ALB is refused.
    *(
        bad_in_stack(check_https, [alb(), listener("l", props)], REFUSED)
        for props in (
            {"protocol": "HTTPS"},
            {"protocol": "HTTPS", "certificateArn": ""},
            {"protocol": "TLS", "certificateArn": "arn:cert"},
            {"certificateArn": "arn:cert"},
        )
    ),
    # An ALB without listeners is refused, under its URN when unnamed.
    bad_in_stack(
        check_https,
        [StackResource(LB, "urn:x", {"internal": False}, (), "")],
        [("urn:x", "internet-facing load balancer urn:x has no HTTPS listener with a certificate")],
    ),
    # Plain HTTP that does not only redirect is refused; an action without a type is none.
    *(
        bad_in_stack(
            check_https,
            [alb(), HTTPS, listener("http", {"protocol": "http", "defaultActions": actions})],
            [("urn:http", plain_http(shown))],
        )
        for actions, shown in (
            ([{"type": "forward"}], "forward"),
            ([], "no action"),
            ([{"type": "redirect"}, {"type": "forward"}], "redirect, forward"),
            ([{"order": 1}], "no action"),
        )
    ),
    # An unnamed listener is named by its URN.
    bad_in_stack(
        check_https,
        [alb(), HTTPS, StackResource(LISTENER, "urn:l", {"protocol": "HTTP"}, ("urn:alb",), "")],
        [("urn:l", plain_http("no action", "urn:l"))],
    ),
    # Another ALB's ARN, no ARN on either side, an unknown ARN without a dependency: no link.
    bad_in_stack(
        check_https, [alb(), listener("https", https(loadBalancerArn="arn:lb:b"), ())], REFUSED
    ),
    bad_in_stack(check_https, [alb({"arn": None}), listener("https", https(), ())], REFUSED),
    bad_in_stack(
        check_https,
        [alb({"arn": UNKNOWN}), listener("h2", https(loadBalancerArn=UNKNOWN), ())],
        REFUSED,
    ),
    # An ALB is internet-facing unless it says otherwise.
    *(
        bad_in_stack(check_https, [StackResource(LB, "urn:alb", props, (), "alb")], REFUSED)
        for props in (
            {},
            {"internal": None},
            {"internal": "false"},
            {"loadBalancerType": "application"},
        )
    ),
    # An unknown elsewhere does not hide a finding.
    bad_in_stack(check_https, [LATER, alb()], REFUSED),
    bad_in_stack(check_https, [alb(), LATER], REFUSED),
]


@pytest.mark.parametrize(GOOD_STACK_ARGS, GOOD)
def test_good(check: StackCheck, resources: list[StackResource], ctx: Ctx) -> None:
    assert check(resources, ctx()) == []


@pytest.mark.parametrize(BAD_STACK_ARGS, BAD)
def test_bad(
    check: StackCheck, resources: list[StackResource], ctx: Ctx, expected: list[tuple[str, str]]
) -> None:
    assert check(resources, ctx()) == expected


def test_an_unknown_alone_cannot_be_judged() -> None:
    with pytest.raises(UnknownValueError):
        check_https([LATER, alb({"internal": True})], context("prod"))
