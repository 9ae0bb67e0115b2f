"""The mock engine's answers: deterministic ids and ARNs, provider calls, StackReferences.

Every computed value is derived from (project, stack, type, logical name), so the same plan twice gives
byte-identical results, and is shaped like what AWS returns (right service, resource type and id
prefix), so downstream code that parses an ARN or an id is exercised for real.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from shared.aws.availability_zones import account_zones
from shared.aws.elb import ELB_LOG_ACCOUNTS
from shared.aws.types import ID_ONLY, TYPES, Shape, ShapeValues, resource_type
from tooling.offline.model import UNKNOWN, Resource, wire_value
from tooling.offline.resource_options import custom_timeouts

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
ELB_ACCOUNT_ID = ELB_LOG_ACCOUNTS[DEFAULT_REGION]
STACK_REFERENCE = "pulumi:pulumi:StackReference"


# How AWS shapes each type's id, ARN and computed outputs: the resource type table's `shape`.
SHAPES: Mapping[str, Shape] = {token: entry.shape for token, entry in TYPES.items()}
# Pulumi's own resources (providers, components) are no AWS type: a stable id is all they need.
PULUMI_OWN = ID_ONLY


def shape_of(type_: str) -> Shape:
    """The type's shape; an AWS type the table lacks raises, naming the file to add it to."""
    return resource_type(type_).shape if type_.startswith("aws:") else PULUMI_OWN


class _Pending(dict[str, str]):
    """Leaves `{id}` in place when the ARN is filled before the id is known."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_Pending(values))


def shape_resource(
    type_: str, logical_name: str, inputs: Mapping[str, Any], *, region: str, seed: str
) -> tuple[str, dict[str, Any]]:
    """The physical id and state the provider would return: inputs plus computed outputs."""
    shape = shape_of(type_)
    digest = hashlib.sha256(f"{seed}::{type_}::{logical_name}".encode()).digest()
    explicit = inputs.get(shape.name_input)
    if isinstance(explicit, str) and explicit and explicit != UNKNOWN:
        name = explicit
    else:  # the provider's autonaming: logical name plus 7 random (here: stable) hex characters
        name = f"{logical_name}-{digest.hex()[:7]}"
    naming = ShapeValues(region=region, account=ACCOUNT_ID, name=name, digest=digest, inputs=inputs)
    values = naming.values()
    arn = _fill(shape.arn, values) if shape.arn else None
    values["arn"] = arn or ""
    ident = _fill(shape.id, values)
    values["id"] = ident
    if arn is not None:
        arn = _fill(arn, values)  # ARNs that embed the id, e.g. ec2 `vpc/{id}`
    state: dict[str, Any] = dict(inputs)
    computed: dict[str, Any] = {"id": ident}
    if arn is not None:
        computed["arn"] = arn
    if shape.extra is not None:
        computed.update(shape.extra(naming, ident))
    if "tags" in inputs and "tagsAll" not in inputs:
        computed["tagsAll"] = inputs["tags"]
    for key, value in computed.items():
        if state.get(key) in (None, UNKNOWN) or key in ("id", "arn"):
            state[key] = value
    if "{name}" in shape.id + (shape.arn or "") and state.get(shape.name_input) in (None, UNKNOWN):
        state[shape.name_input] = name  # what the provider's autonaming would have chosen
    state.pop("id", None)
    return ident, state


# --- provider functions -----------------------------------------------------------------------------

_ZONE_FILTERS = {
    "opt-in-status": "optInStatus",
    "zone-type": "zoneType",
    "zone-name": "name",
    "zone-id": "zoneId",
    "group-name": "groupName",
}


def _get_availability_zones(region: str, args: Mapping[str, Any]) -> dict[str, Any]:
    zones = account_zones(region)
    for wanted in args.get("filters") or []:
        field_name = _ZONE_FILTERS.get(str(wanted.get("name")))
        if field_name is None:
            raise ValueError(f"getAvailabilityZones: the mock has no filter {wanted.get('name')!r}")
        zones = [z for z in zones if z[field_name] in wanted.get("values", [])]
    return {
        "names": [z["name"] for z in zones],
        "zoneIds": [z["zoneId"] for z in zones],
        "groupNames": sorted({z["groupName"] for z in zones}),
        "state": args.get("state") or "available",
        "id": region,
    }


def render_policy_document(args: Mapping[str, Any]) -> str:
    """What `aws.iam.get_policy_document` renders: IAM JSON, single values unwrapped as AWS does."""

    def one_or_many(values: Any) -> Any:
        items = sorted(values) if isinstance(values, list) else [values]
        return items[0] if len(items) == 1 else items

    statements = []
    for raw in args.get("statements") or []:
        statement: dict[str, Any] = {}
        if raw.get("sid"):
            statement["Sid"] = raw["sid"]
        statement["Effect"] = raw.get("effect") or "Allow"
        for key, field_name in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if raw.get(key):
                statement[field_name] = one_or_many(raw[key])
        for key, field_name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if raw.get(key):
                principals: dict[str, Any] = {}
                for principal in raw[key]:
                    principals[principal["type"]] = one_or_many(principal["identifiers"])
                statement[field_name] = (
                    "*" if principals == {"*": "*"} else dict(sorted(principals.items()))
                )
        if raw.get("conditions"):
            conditions: dict[str, dict[str, Any]] = {}
            for condition in raw["conditions"]:
                conditions.setdefault(condition["test"], {})[condition["variable"]] = one_or_many(
                    condition["values"]
                )
            statement["Condition"] = conditions
        statements.append(statement)
    return json.dumps({"Version": args.get("version") or "2012-10-17", "Statement": statements})


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        *,
        environment: str,
        config: Mapping[str, Any],
        references: Mapping[str, Any],
        project: str = "",
        preview: bool = False,
    ) -> None:
        self.environment = environment
        self.preview = preview
        self.region = str(config.get("aws:region", DEFAULT_REGION))
        self.references = references
        self.seed = f"{project}/{environment}/{self.region}"

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args)
        shape_of(args.typ)  # an AWS type the table lacks stops the plan, in preview too
        if self.preview:
            # As in `pulumi preview` of a new resource: only the inputs are known; the id, the ARN
            # and every other computed output stay unknown.
            return None, dict(args.inputs)
        return shape_resource(args.typ, args.name, args.inputs, region=self.region, seed=self.seed)

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        target = str(args.inputs.get("name") or args.resource_id)
        found = self.references.get(target)
        if found is None:
            known = ", ".join(sorted(self.references)) or "none"
            raise LookupError(
                f"StackReference to {target!r}: that stack is not part of this offline plan "
                f"(stacks in the plan so far: {known})"
            )
        state: dict[str, Any] = {"name": target, "outputs": dict(found.outputs)}
        if found.secret_outputs:
            state["secretOutputNames"] = sorted(found.secret_outputs)
        return target, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # A bare dict: the SDK's mock monitor cannot take (dict, None).
        answer = self.calls().get(args.token)
        return answer(args.args) if answer else {}

    def calls(self) -> Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]]:
        """Provider functions answered from config, by token."""
        region = self.region
        return {
            "aws:index/getAvailabilityZones:getAvailabilityZones": lambda a: (
                _get_availability_zones(region, a)
            ),
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
                "userId": "AIDAOFFLINEPLAN000000",
                "id": ACCOUNT_ID,
            },
            "aws:index/getRegion:getRegion": lambda _: {
                "name": region,
                "region": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
                "id": region,
            },
            "aws:index/getPartition:getPartition": lambda _: {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": "aws",
            },
            "aws:iam/getPolicyDocument:getPolicyDocument": lambda a: {
                "json": render_policy_document(a),
                "minifiedJson": json.dumps(
                    json.loads(render_policy_document(a)), separators=(",", ":")
                ),
                "id": hashlib.sha256(render_policy_document(a).encode()).hexdigest()[:10],
            },
            "aws:elb/getServiceAccount:getServiceAccount": lambda _: {
                "arn": f"arn:aws:iam::{ELB_ACCOUNT_ID}:root",
                "id": ELB_ACCOUNT_ID,
            },
        }


def _alias(alias: Any) -> str | dict[str, Any]:
    """An `Alias` of RegisterResourceRequest (proto/pulumi/alias.proto): a URN, or a spec whose
    empty fields the engine fills from the resource itself."""
    if alias.WhichOneof("alias") == "urn":
        return engine_urn(str(alias.urn))
    spec = alias.spec
    found: dict[str, Any] = {
        key: getattr(spec, key)
        for key in ("name", "type", "stack", "project")
        if getattr(spec, key)
    }
    if spec.WhichOneof("parent") == "parentUrn" and spec.parentUrn:  # "": the resource's own
        found["parentUrn"] = engine_urn(spec.parentUrn)
    elif spec.WhichOneof("parent") == "noParent":
        found["noParent"] = bool(spec.noParent)
    return found


def engine_urn(urn: str) -> str:
    """The URN the engine would give: mock URNs carry the root stack type in the parent chain."""
    return urn.replace("::pulumi:pulumi:Stack$", "::", 1)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of what the engine would see: parent, dependencies, options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Resource] = []

    def RegisterResource(self, request: Any) -> Any:
        from pulumi.runtime import rpc

        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            state = dict(self.resources[response.urn].state)
            if isinstance(inputs, dict):
                # Outside preview the SDK drops unknown inputs before the mock sees them; a
                # provider echoes its inputs into state, so an input known only at deploy time
                # (a secret not decrypted offline) stays in the state as unknown, not absent.
                state = {**{k: v for k, v in inputs.items() if wire_value(v) == UNKNOWN}, **state}
            self.recorded.append(
                Resource(
                    type=request.type,
                    name=request.name,
                    urn=engine_urn(response.urn),
                    inputs=wire_value(inputs) if isinstance(inputs, dict) else {},
                    outputs=wire_value(dict(state, id=response.id)),
                    parent=engine_urn(request.parent),
                    dependencies=tuple(engine_urn(d) for d in request.dependencies),
                    property_dependencies={
                        key: tuple(engine_urn(u) for u in deps.urns)
                        for key, deps in request.propertyDependencies.items()
                    },
                    provider=engine_urn(request.provider),
                    protect=bool(request.protect),
                    custom=bool(request.custom),
                    **self._options(request),
                )
            )
        return response

    @staticmethod
    def _options(request: Any) -> dict[str, Any]:
        """The rest of the resource options, as the engine keeps them (see resource_options).

        Aliases stay empty: the engine keeps only an alias that matched a resource of the old
        state (step_generator.go getOldResource), and a plan has no old state. What the program
        declared is kept apart (`declared_aliases`), with replaceOnChanges and retainOnDelete,
        which the Analyzer never sees: the change plan matches them against a deployed state.
        """
        # source_eval.go: deleteBeforeReplace counts as set when Defined is, or when it is true.
        defined = request.deleteBeforeReplaceDefined or request.deleteBeforeReplace
        return {
            "declared_aliases": tuple(_alias(alias) for alias in request.aliases),
            "replace_on_changes": tuple(request.replaceOnChanges),
            "retain_on_delete": bool(request.retainOnDelete),
            "ignore_changes": tuple(request.ignoreChanges),
            "delete_before_replace": bool(request.deleteBeforeReplace) if defined else None,
            "additional_secret_outputs": tuple(request.additionalSecretOutputs),
            "custom_timeouts": custom_timeouts(
                request.customTimeouts if request.HasField("customTimeouts") else None
            ),
        }
