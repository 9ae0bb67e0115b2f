"""aws-alb-internet-facing-https condition by condition, by plain calls on hand-built stacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from policies.load_balancer import check_https
from policies.props import UnknownValueError
from policies.spec import StackResource
from tests.policies.conftest import UNKNOWN, context, secret

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
NO_HTTPS = "internet-facing load balancer alb has no HTTPS listener with a certificate"
REDIRECT = [{"type": "redirect"}]


def alb(props: Mapping[str, Any] | None = None, name: str = "alb") -> StackResource:
    base = {"internal": False, "arn": "arn:lb:alb"}
    return StackResource(LB, f"urn:{name}", {**base, **(props or {})}, (), name)


def listener(
    name: str, props: Mapping[str, Any], dependencies: tuple[str, ...] = ("urn:alb",)
) -> StackResource:
    return StackResource(LISTENER, f"urn:{name}", props, dependencies, name)


HTTPS = listener("https", {"protocol": "HTTPS", "certificateArn": "arn:cert"})


def judge(*resources: StackResource) -> list[tuple[str, str]]:
    return check_https(list(resources), context("prod"))


def plain_http(actions: str, name: str = "http") -> str:
    return (
        f"listener {name} of internet-facing alb serves plain HTTP ({actions}) "
        "instead of redirecting to HTTPS"
    )


def test_https_with_a_certificate_and_http_that_redirects_passes() -> None:
    http = listener("http", {"protocol": "HTTP", "defaultActions": REDIRECT})
    assert judge(alb(), HTTPS, http) == []
    lower = listener("https", {"protocol": "https", "certificateArn": "arn:cert"})
    assert judge(alb(), lower) == []


@pytest.mark.parametrize(
    "props",
    [
        {"protocol": "HTTPS"},
        {"protocol": "HTTPS", "certificateArn": ""},
        {"protocol": "TLS", "certificateArn": "arn:cert"},
        {"certificateArn": "arn:cert"},
    ],
)
def test_without_an_https_listener_with_a_certificate_the_alb_is_refused(
    props: dict[str, Any],
) -> None:
    assert judge(alb(), listener("l", props)) == [("urn:alb", NO_HTTPS)]


def test_an_alb_without_listeners_is_refused_under_its_urn_when_unnamed() -> None:
    unnamed = StackResource(LB, "urn:x", {"internal": False}, (), "")
    message = "internet-facing load balancer urn:x has no HTTPS listener with a certificate"
    assert judge(unnamed) == [("urn:x", message)]


@pytest.mark.parametrize(
    ("actions", "shown"),
    [
        ([{"type": "forward"}], "forward"),
        ([], "no action"),
        ([{"type": "redirect"}, {"type": "forward"}], "redirect, forward"),
        ([{"order": 1}], "no action"),  # an action without a type
    ],
)
def test_plain_http_that_does_not_only_redirect_is_refused(
    actions: list[dict[str, Any]], shown: str
) -> None:
    http = listener("http", {"protocol": "http", "defaultActions": actions})
    assert judge(alb(), HTTPS, http) == [("urn:http", plain_http(shown))]


def test_an_unnamed_listener_is_named_by_its_urn() -> None:
    http = StackResource(LISTENER, "urn:l", {"protocol": "HTTP"}, ("urn:alb",), "")
    assert judge(alb(), HTTPS, http) == [("urn:l", plain_http("no action", "urn:l"))]


def test_listeners_of_another_alb_or_other_protocols_are_not_judged() -> None:
    other = listener("other", {"protocol": "HTTP"}, ("urn:elsewhere",))
    tcp = listener("tcp", {"protocol": "TCP"})
    nothing = listener("nothing", {})
    assert judge(alb(), HTTPS, other, tcp, nothing) == []


def test_a_listener_belongs_to_its_alb_by_dependency_or_by_arn() -> None:
    by_arn = listener(
        "https", {"protocol": "HTTPS", "certificateArn": "c", "loadBalancerArn": "arn:lb:alb"}, ()
    )
    assert judge(alb(), by_arn) == []
    wrong_arn = listener(
        "https", {"protocol": "HTTPS", "certificateArn": "c", "loadBalancerArn": "arn:lb:b"}, ()
    )
    assert judge(alb(), wrong_arn) == [("urn:alb", NO_HTTPS)]
    secret_arn = listener(
        "https",
        {"protocol": "HTTPS", "certificateArn": "c", "loadBalancerArn": secret("arn:lb:alb")},
        (),
    )
    assert judge(alb(), secret_arn) == []


def test_no_arn_on_either_side_is_no_link() -> None:
    unlinked = listener("https", {"protocol": "HTTPS", "certificateArn": "c"}, ())
    assert judge(alb({"arn": None}), unlinked) == [("urn:alb", NO_HTTPS)]


def test_an_arn_unknown_during_preview_links_only_by_dependency() -> None:
    linked = listener(
        "https", {"protocol": "HTTPS", "certificateArn": "c", "loadBalancerArn": UNKNOWN}
    )
    unlinked = listener(
        "h2", {"protocol": "HTTPS", "certificateArn": "c", "loadBalancerArn": UNKNOWN}, ()
    )
    assert judge(alb({"arn": UNKNOWN}), linked) == []
    assert judge(alb({"arn": UNKNOWN}), unlinked) == [("urn:alb", NO_HTTPS)]


@pytest.mark.parametrize(
    "props",
    [
        {"internal": True},
        {"internal": "true"},
        {"loadBalancerType": "network"},
        {"loadBalancerType": "gateway"},
    ],
)
def test_internal_and_non_application_load_balancers_are_not_judged(props: dict[str, Any]) -> None:
    assert judge(alb(props)) == []


@pytest.mark.parametrize(
    "props", [{}, {"internal": None}, {"internal": "false"}, {"loadBalancerType": "application"}]
)
def test_an_alb_is_internet_facing_unless_it_says_otherwise(props: dict[str, Any]) -> None:
    lb = StackResource(LB, "urn:alb", props, (), "alb")
    assert judge(lb) == [("urn:alb", NO_HTTPS)]


def test_an_unknown_elsewhere_does_not_hide_a_finding() -> None:
    unknown = alb({"internal": UNKNOWN}, name="later")
    assert judge(unknown, alb()) == [("urn:alb", NO_HTTPS)]
    assert judge(alb(), unknown) == [("urn:alb", NO_HTTPS)]
    with pytest.raises(UnknownValueError):
        judge(unknown, alb({"internal": True}))


def test_other_resources_are_not_load_balancers() -> None:
    assert judge(StackResource("aws:s3/bucket:Bucket", "urn:b", {}, (), "b")) == []


def test_a_certificate_arn_unknown_in_preview_is_settled_at_up() -> None:
    # The ARN a CertificateValidation gives once ACM issues it: unknown in preview, always set at
    # `up`, where the listener is created after it. Only that it is set matters to the rule.
    pending = listener("https", {"protocol": "HTTPS", "certificateArn": UNKNOWN})
    http = listener("http", {"protocol": "HTTP", "defaultActions": REDIRECT})
    assert judge(alb(), pending, http) == []
