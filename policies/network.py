"""Security groups: no ingress from a broad public range except web traffic to the ALB; described rules."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies.props import UnknownValueError, items, number, present, text, value
from policies.spec import Context, Rule, StackResource

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GROUPS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})
WEB_PORTS = frozenset({80, 443})
DEFAULT_ALB_PATTERN = r"(^|[-_/ ])alb($|[-_/ ])"
# The broadest public source a rule may open a non-web port to: one /16 of IPv4 (a large
# organisation's block) or one /32 of IPv6 (an ISP's allocation). An office address is far narrower.
DEFAULT_PUBLIC_PREFIX = {4: 16, 6: 32}
PREFIX_KEYS = {4: "broadestPublicPrefix", 6: "broadestPublicIpv6Prefix"}
# Sources that are not the internet (IANA special-purpose registry, RFC 6890): private, shared
# (carrier-grade NAT, RFC 6598), loopback, link-local and unique-local addresses.
NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, wherever it was declared."""

    owner: StackResource  # the resource that declares it
    group_urn: str | None  # the security group it opens, when known
    cidrs: tuple[str, ...]
    from_port: int | None
    to_port: int | None
    protocol: str | None


def _ports(entry: Mapping[str, Any]) -> tuple[int | None, int | None]:
    low, high = number(entry, "fromPort"), number(entry, "toPort")
    return (None if low is None else int(low)), (None if high is None else int(high))


def _group_of(rule: StackResource, groups: Sequence[StackResource]) -> str | None:
    for group in groups:
        if group.urn in rule.dependencies:
            return group.urn
    return None


def ingresses_of(resource: StackResource, groups: Sequence[StackResource]) -> list[Ingress]:
    """The ingress permissions one resource declares (inline in a group, or a rule resource)."""
    props = resource.props
    if resource.type in GROUPS:
        return [
            Ingress(
                resource,
                resource.urn,
                (*items(entry, "cidrBlocks"), *items(entry, "ipv6CidrBlocks")),
                *_ports(entry),
                text(entry, "protocol"),
            )
            for entry in items(props, "ingress")
        ]
    if resource.type == INGRESS_RULE:
        cidrs = tuple(c for c in (text(props, "cidrIpv4"), text(props, "cidrIpv6")) if c)
        group = _group_of(resource, groups)
        return [Ingress(resource, group, cidrs, *_ports(props), text(props, "ipProtocol"))]
    if resource.type == LEGACY_RULE and text(props, "type") == "ingress":
        cidrs = (*items(props, "cidrBlocks"), *items(props, "ipv6CidrBlocks"))
        group = _group_of(resource, groups)
        return [Ingress(resource, group, cidrs, *_ports(props), text(props, "protocol"))]
    return []


def alb_groups(resources: Sequence[StackResource], pattern: str) -> set[str]:
    """Security groups that front a load balancer: used by an ALB here, or named/tagged as the ALB's.

    The ALB usually lives in another stack than its security group, hence the name pattern.
    """
    matcher = re.compile(pattern, re.IGNORECASE)
    found: set[str] = set()
    groups = [r for r in resources if r.type == SECURITY_GROUP]
    for resource in resources:
        kind = _safe(resource.props, "loadBalancerType") or "application"
        if resource.type == LOAD_BALANCER and kind == "application":
            found.update(g.urn for g in groups if g.urn in resource.dependencies)
    for group in groups:
        labels = [group.name, _safe(group.props, "name"), _safe(group.props, "tags.Name")]
        if any(label and matcher.search(label) for label in labels):
            found.add(group.urn)
    return found


def _safe(props: Mapping[str, Any], path: str) -> str | None:
    try:
        return text(props, path)
    except UnknownValueError:
        return None


def _is_web(ingress: Ingress) -> bool:
    return (
        ingress.from_port == ingress.to_port
        and ingress.from_port in WEB_PORTS
        and (ingress.protocol or "").lower() in ("tcp", "6")
    )


def _describe_ports(ingress: Ingress) -> str:
    if ingress.from_port is None or (ingress.protocol or "") == "-1":
        return "all ports"
    if ingress.from_port == ingress.to_port:
        return f"port {ingress.from_port}"
    return f"ports {ingress.from_port}-{ingress.to_port}"


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _public_part(network: Network) -> list[Network]:
    """`network` without the address blocks that are not the internet."""
    parts = [network]
    for reserved in NOT_PUBLIC:
        if reserved.version != network.version:
            continue
        kept: list[Network] = []
        for part in parts:
            if part.subnet_of(reserved):  # type: ignore[arg-type]
                continue
            if reserved.subnet_of(part):  # type: ignore[arg-type]
                kept.extend(part.address_exclude(reserved))  # type: ignore[arg-type]
            else:
                kept.append(part)
        parts = kept
    return parts


def _broad_public(cidrs: Sequence[str], prefixes: Mapping[int, int]) -> list[str]:
    """The CIDRs among `cidrs` whose public addresses together, per IP version, exceed one
    network of the version's broadest allowed prefix (else []).

    Judged by address count, not by spelling: 0.0.0.0/1 plus 128.0.0.0/1 is the internet, and
    257 neighbouring /24s are wider than a /16.
    """
    found: list[str] = []
    for version, bits in ((4, 32), (6, 128)):
        public: list[tuple[str, list[Network]]] = []
        for cidr in cidrs:
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue
            if network.version == version and (part := _public_part(network)):
                public.append((cidr, part))
        # One IP version per call, as collapse_addresses requires; mypy cannot see that.
        merged = ipaddress.collapse_addresses(n for _, ns in public for n in ns)  # type: ignore[type-var]
        size = sum(n.num_addresses for n in merged)
        if size > 2 ** (bits - prefixes[version]):
            found.extend(sorted({cidr for cidr, _ in public}))
    return found


def _protocol(ingress: Ingress) -> str:
    raw = (ingress.protocol or "-1").lower()
    return {"6": "tcp", "17": "udp", "all": "-1"}.get(raw, raw)


def _contains(outer: Ingress, inner: Ingress) -> bool:
    """Whether `outer` permits every port and protocol `inner` does."""
    if _protocol(outer) == "-1" or outer.from_port is None:
        return True
    if _protocol(outer) != _protocol(inner) or inner.from_port is None:
        return False
    low, high = outer.from_port, outer.to_port if outer.to_port is not None else outer.from_port
    inner_high = inner.to_port if inner.to_port is not None else inner.from_port
    return low <= inner.from_port and inner_high <= high


def _public_sources(
    ingress: Ingress, everything: Sequence[Ingress], prefixes: Mapping[int, int]
) -> list[str]:
    """The CIDRs by which `ingress`'s ports are open to a broad public range, across its group's
    rules (a rule with wider ports or all protocols opens this rule's ports too)."""
    key = ingress.group_urn or ingress.owner.urn
    peers = [
        other
        for other in everything
        if (other.group_urn or other.owner.urn) == key and _contains(other, ingress)
    ]
    covering = _broad_public([c for peer in peers for c in peer.cidrs], prefixes)
    own = set(ingress.cidrs)
    # Report this rule only when it contributes to the coverage.
    return covering if own.intersection(covering) else []


def _prefixes(config: Mapping[str, Any]) -> dict[int, int]:
    return {
        version: int(config.get(PREFIX_KEYS[version], default))
        for version, default in DEFAULT_PUBLIC_PREFIX.items()
    }


def check_public_ingress(
    resources: Sequence[StackResource], context: Context
) -> list[tuple[str, str]]:
    pattern = str(context.config.get("albSecurityGroupPattern", DEFAULT_ALB_PATTERN))
    prefixes = _prefixes(context.config)
    albs = alb_groups(resources, pattern)
    groups = [r for r in resources if r.type in GROUPS]
    found: list[tuple[str, str]] = []
    unknown: UnknownValueError | None = None
    declared: list[Ingress] = []
    for resource in resources:
        try:
            declared.extend(ingresses_of(resource, groups))
        except UnknownValueError as error:  # judge the rest; report "can't run" if all is clean
            unknown = unknown or error
    for ingress in declared:
        public = _public_sources(ingress, declared, prefixes)
        # An all-protocol rule on 443 is all traffic, not web: `_is_web` wants TCP on one web port.
        if not public or (_is_web(ingress) and ingress.group_urn in albs):
            continue
        resource = ingress.owner
        target = "an ALB security group" if ingress.group_urn in albs else "a security group"
        together = _breadth(public, prefixes)
        found.append(
            (
                resource.urn,
                f"{resource.name or resource.urn}: ingress from {', '.join(public)}{together} "
                f"on {_describe_ports(ingress)} to {target}",
            )
        )
    if unknown is not None and not found:
        raise unknown
    return found


def _breadth(public: Sequence[str], prefixes: Mapping[int, int]) -> str:
    """What the sources amount to, when their spelling does not say it."""
    if ANYWHERE.intersection(public):
        return ""
    if _covers_everything(public):
        return " (together the whole internet)"
    limits = " or ".join(f"/{prefixes[v]}" for v in (4, 6) if any(_version(c) == v for c in public))
    return f" (public addresses wider than {limits})"


def _version(cidr: str) -> int:
    return ipaddress.ip_network(cidr, strict=False).version


def _covers_everything(cidrs: Sequence[str]) -> bool:
    for version, everything in ((4, "0.0.0.0/0"), (6, "::/0")):
        networks = [ipaddress.ip_network(c, strict=False) for c in cidrs if _version(c) == version]
        merged = [str(n) for n in ipaddress.collapse_addresses(networks)]  # type: ignore[type-var]
        if merged == [everything]:
            return True
    return False


def check_rule_descriptions(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    if type_ in GROUPS:
        missing = [
            f"{direction}[{index}]"
            for direction in ("ingress", "egress")
            for index, entry in enumerate(items(props, direction))
            if not text(entry, "description")
        ]
        return [f"rule {m} has no description" for m in missing]
    if not present(props, "description") or not value(props, "description"):
        return ["the rule has no description"]
    return []


RULES = (
    Rule(
        name="aws-ec2-no-public-ingress",
        description=(
            "Security groups must not allow ingress from a broad public range (public addresses "
            "across one group's rules wider than one /16 of IPv4 or /32 of IPv6, configurable; "
            "0.0.0.0/0 and ::/0 included), except TCP 80/443 to the ALB's security group."
        ),
        severity="critical",
        remediation=(
            "Allow traffic from a security group, a private CIDR or the few public addresses that "
            "need it; only the ALB's security group may take 80/443 from the internet."
        ),
        reads={
            SECURITY_GROUP: (
                "name",
                "tags",
                "ingress[].cidrBlocks",
                "ingress[].ipv6CidrBlocks",
                "ingress[].fromPort",
                "ingress[].toPort",
                "ingress[].protocol",
            ),
            INGRESS_RULE: ("cidrIpv4", "cidrIpv6", "fromPort", "toPort", "ipProtocol"),
            LEGACY_RULE: (
                "type",
                "cidrBlocks",
                "ipv6CidrBlocks",
                "fromPort",
                "toPort",
                "protocol",
            ),
            DEFAULT_SECURITY_GROUP: (
                "ingress[].cidrBlocks",
                "ingress[].ipv6CidrBlocks",
                "ingress[].fromPort",
                "ingress[].toPort",
                "ingress[].protocol",
            ),
            LOAD_BALANCER: ("loadBalancerType",),
        },
        check_stack=check_public_ingress,
        config_schema={
            "albSecurityGroupPattern": {
                "type": "string",
                "description": "Regex on a security group's name or Name tag marking it as an ALB's.",
            },
            PREFIX_KEYS[4]: {
                "type": "integer",
                "minimum": 0,
                "maximum": 32,
                "default": DEFAULT_PUBLIC_PREFIX[4],
                "description": "The broadest public IPv4 source allowed on a non-web port, as a "
                "prefix length: public addresses wider than one such network are flagged.",
            },
            PREFIX_KEYS[6]: {
                "type": "integer",
                "minimum": 0,
                "maximum": 128,
                "default": DEFAULT_PUBLIC_PREFIX[6],
                "description": "The same for IPv6 sources.",
            },
        },
    ),
    Rule(
        name="aws-ec2-security-group-rule-description",
        default_level="advisory",
        description="Every security group rule should say why it exists (a description).",
        severity="low",
        remediation="Add a description to each ingress/egress rule.",
        reads={
            SECURITY_GROUP: ("ingress[].description", "egress[].description"),
            DEFAULT_SECURITY_GROUP: ("ingress[].description", "egress[].description"),
            INGRESS_RULE: ("description",),
            EGRESS_RULE: ("description",),
            LEGACY_RULE: ("description",),
        },
        check_resource=check_rule_descriptions,
    ),
)
