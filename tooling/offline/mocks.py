"""The mock engine's answers: deterministic ids and ARNs, provider calls, StackReferences."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from shared.naming import stable_hash

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(
        self, *, environment: str, config: Mapping[str, Any], references: Mapping[str, Any]
    ) -> None:
        self.environment = environment
        self.region = str(config.get("aws:region", DEFAULT_REGION))
        self.references = references

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(args)
        # The environment is part of the hash so two environments' ids never coincide (peering).
        ident = f"{args.name}-{stable_hash(f'{self.environment}::{args.typ}::{args.name}', 12)}"
        state = dict(args.inputs)
        state.setdefault(
            "arn", f"arn:aws:{_service(args.typ)}:{self.region}:{ACCOUNT_ID}:{args.name}/{ident}"
        )
        state.update(self._computed(args.typ, state, ident))
        return ident, state

    def _computed(self, typ: str, state: dict[str, Any], ident: str) -> dict[str, Any]:
        """Provider-computed attributes that downstream layers read (shaped like AWS's)."""
        prefix = f"arn:aws:elasticloadbalancing:{self.region}:{ACCOUNT_ID}:"
        digest = stable_hash(ident, 16)
        if typ == "aws:lb/loadBalancer:LoadBalancer":
            suffix = f"app/{state.get('name', ident)}/{digest}"
            return {
                "arn": prefix + "loadbalancer/" + suffix,
                "arnSuffix": suffix,
                "dnsName": f"{state.get('name', ident)}-{digest[:10]}.{self.region}.elb.amazonaws.com",
                "zoneId": "Z35SXDOTRQ7X7K",
            }
        if typ == "aws:lb/targetGroup:TargetGroup":
            suffix = f"targetgroup/{state.get('name', ident)}/{digest}"
            return {"arn": prefix + suffix, "arnSuffix": suffix}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            name = state.get("name", ident)
            return {"arn": f"arn:aws:logs:{self.region}:{ACCOUNT_ID}:log-group:{name}"}
        if typ == "aws:kms/key:Key":
            return {"keyId": str(uuid.uuid5(uuid.NAMESPACE_URL, ident))}
        if typ == "aws:rds/cluster:Cluster":
            return self._aurora_cluster(state, ident)
        return {}

    def _aurora_cluster(self, state: dict[str, Any], ident: str) -> dict[str, Any]:
        host = f"{state.get('clusterIdentifier', ident)}.cluster-{stable_hash(ident, 12)}"
        computed: dict[str, Any] = {
            "endpoint": f"{host}.{self.region}.rds.amazonaws.com",
            "readerEndpoint": f"{host.replace('.cluster-', '.cluster-ro-')}.{self.region}.rds.amazonaws.com",
            "port": state.get("port", 5432),
            "clusterResourceId": f"cluster-{stable_hash(ident, 26).upper()}",
        }
        if state.get("manageMasterUserPassword"):
            computed["masterUserSecrets"] = [
                {
                    "secretArn": f"arn:aws:secretsmanager:{self.region}:{ACCOUNT_ID}:secret:rds!cluster-{stable_hash(ident, 8)}",
                    "secretStatus": "active",
                    "kmsKeyId": state.get("masterUserSecretKmsKeyId", ""),
                }
            ]
        return computed

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        target = str(args.inputs.get("name") or args.resource_id)
        found = self.references.get(target)
        if found is None:
            raise LookupError(
                f"StackReference to {target!r}: that stack is not part of this offline plan"
            )
        state: dict[str, Any] = {"name": target, "outputs": dict(found.outputs)}
        if found.secret_outputs:
            state["secretOutputNames"] = sorted(found.secret_outputs)
        return target, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # A bare dict: the SDK's mock monitor cannot take (dict, None).
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{letter}" for letter in "abcdef"]
            return {
                "names": names,
                "zoneIds": [f"use1-az{i}" for i in range(1, 7)],
                "id": self.region,
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
                "userId": "AIDAOFFLINEPLAN",
                "id": ACCOUNT_ID,
            }
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


def _service(type_: str) -> str:
    module = type_.split(":")[1].split("/", maxsplit=1)[0] if ":" in type_ else "unknown"
    return {
        "lb": "elasticloadbalancing",
        "alb": "elasticloadbalancing",
        "cloudwatch": "cloudwatch",
        "ec2": "ec2",
        "vpc": "ec2",
    }.get(module, module)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of what the engine would see: parent, dependencies, options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:
        from pulumi.runtime import rpc

        from tooling.offline.engine import Resource

        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            state = self.resources[response.urn].state
            self.recorded.append(
                Resource(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    inputs=dict(inputs) if isinstance(inputs, dict) else {},
                    outputs=dict(state),
                    parent=request.parent,
                    dependencies=tuple(request.dependencies),
                    provider=request.provider,
                    protect=bool(request.protect),
                    custom=bool(request.custom),
                )
            )
        return response
