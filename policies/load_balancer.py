"""Internet-facing load balancers serve HTTPS: a listener with a certificate, and HTTP only redirects.

A stack policy: listeners are separate resources, linked to their load balancer by dependency (the
only link during preview, when the ARN is unknown) or by `loadBalancerArn`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.props import UnknownValueError, flag, items, present, text
from policies.spec import Context, Rule, StackResource

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"


def _listeners(lb: StackResource, resources: Sequence[StackResource]) -> list[StackResource]:
    arn = _safe_text(lb.props, "arn")
    return [
        r
        for r in resources
        if r.type == LISTENER
        and (
            lb.urn in r.dependencies
            or (arn is not None and _safe_text(r.props, "loadBalancerArn") == arn)
        )
    ]


def _safe_text(props: Mapping[str, Any], path: str) -> str | None:
    try:
        return text(props, path)
    except UnknownValueError:
        return None


def _action_types(listener: StackResource) -> list[str]:
    return [str(text(action, "type") or "") for action in items(listener.props, "defaultActions")]


def _problems(lb: StackResource, resources: Sequence[StackResource]) -> list[tuple[str, str]]:
    if flag(lb.props, "internal") is True:
        return []
    if (text(lb.props, "loadBalancerType") or "application") != "application":
        return []
    name = lb.name or lb.urn
    listeners = _listeners(lb, resources)
    found: list[tuple[str, str]] = []
    # Only that a certificate is set matters, not which: one unknown in preview (the ARN a
    # CertificateValidation gives once ACM issues it) is settled at `up`, where the listener is
    # created after the resource it comes from, which always has an ARN.
    https = [
        listener
        for listener in listeners
        if (text(listener.props, "protocol") or "").upper() == "HTTPS"
        and present(listener.props, "certificateArn")
        and _safe_text(listener.props, "certificateArn") != ""
    ]
    if not https:
        found.append(
            (
                lb.urn,
                f"internet-facing load balancer {name} has no HTTPS listener with a certificate",
            )
        )
    for listener in listeners:
        if (text(listener.props, "protocol") or "").upper() != "HTTP":
            continue
        actions = _action_types(listener)
        if actions != ["redirect"]:
            found.append(
                (
                    listener.urn,
                    f"listener {listener.name or listener.urn} of internet-facing {name} serves "
                    f"plain HTTP ({', '.join(actions) or 'no action'}) instead of redirecting to HTTPS",
                )
            )
    return found


def check_https(resources: Sequence[StackResource], context: Context) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    unknown: UnknownValueError | None = None
    for lb in resources:
        if lb.type != LOAD_BALANCER:
            continue
        try:
            found.extend(_problems(lb, resources))
        except UnknownValueError as error:  # judge the others; "can't run" only if all is clean
            unknown = unknown or error
    if unknown is not None and not found:
        raise unknown
    return found


RULES = (
    Rule(
        name="aws-alb-internet-facing-https",
        description=(
            "An internet-facing application load balancer has an HTTPS listener with a "
            "certificate, and its HTTP listeners only redirect (mandatory in prod)."
        ),
        severity="high",
        remediation=(
            "Add an HTTPS listener with an ACM certificate and make the HTTP listener's default "
            "action a redirect to HTTPS (HTTP_301)."
        ),
        reads={
            LOAD_BALANCER: ("internal", "loadBalancerType"),
            LISTENER: ("protocol", "certificateArn", "loadBalancerArn", "defaultActions[].type"),
        },
        check_stack=check_https,
        default_level="advisory",
    ),
)
