"""Route 53: DNS records (the certificate's validation, the load balancer's name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.aws.types._convert import pascal
from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation


def _record(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"fqdn": str(n.inputs.get("name", n.name)).rstrip(".")}


def _alias_target(value: Any) -> dict[str, Any]:
    """Pulumi's `aliases` list (at most one) is CloudFormation's single AliasTarget."""
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], Mapping):
        return {"AliasTarget": value}
    names = {"name": "DNSName", "zoneId": "HostedZoneId"}
    return {"AliasTarget": {names.get(k, pascal(k)): v for k, v in value[0].items()}}


TYPES = (
    ResourceType(
        "aws:route53/record:Record",
        "a DNS record",
        shape=Shape(id="{name}", extra=_record),
        cloudformation="AWS::Route53::RecordSet",
        translation=Translation(
            fields={
                "zoneId": "HostedZoneId",
                "ttl": "TTL",
                "records": "ResourceRecords",
                "aliases": _alias_target,
            },
            drops={
                "allowOverwrite": "a provider option (take over an existing record); no counterpart"
            },
            tags=False,
            rejects={"name": "x" * 1100},
        ),
    ),
)
