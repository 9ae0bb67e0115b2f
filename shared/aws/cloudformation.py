"""Planned Pulumi resources as CloudFormation resources, as the resource type table translates them.

Pure: plain values in (camelCase engine props, secrets possibly wrapped, unknowns as the engine's
sentinels), CloudFormation resources out, with where every property came from (URN and Pulumi
property) so a finding on it maps back. The pack's cfn-lint policies lint the result
(`policies/cfn/`); the change plan compares two translations of one resource against AWS's
create-only properties (`tooling.offline.changes`).

Decisions (documented in docs/aws-rules.md):
- References to other resources stay the concrete values the engine knows (the mocks and the real
  engine both give AWS-shaped ids and ARNs), so cfn-lint checks them like literals.
- A value only known after deployment becomes `{"Ref": "PulumiUnknown"}`, a String parameter
  without a default: cfn-lint does not judge a value it cannot resolve.
- A type with `folds_into` (S3's v7 configuration resources) merges into that resource's
  translation (CloudFormation has one AWS::S3::Bucket); one whose bucket is not in the plan gets a
  bucket of its own named after its `bucket` value.
- A Pulumi-only property is dropped only when its `Translation.drops` says why; any other property
  is translated by name, so a wrong name shows up as cfn-lint's E3002 instead of vanishing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from shared.aws.types import TYPES, ResourceType, Translation
from shared.aws.types._convert import (
    UNKNOWN_PARAMETER,
    UNKNOWN_REF,
    pascal,
    pascal_keys,
    plain,
    tags,
)

__all__ = [
    "COMMON_DROPS",
    "INPUTS_FILE",
    "UNKNOWN_PARAMETER",
    "UNKNOWN_REF",
    "CfnResource",
    "Planned",
    "Source",
    "coverage",
    "inputs",
    "template",
    "translate",
    "translate_props",
    "translations",
    "uses_unknown",
]

# Each translated type's input properties (from the pulumi-aws SDK): a stack policy sees a
# resource's state, whose output-only properties (id, arn, tagsAll, ...) have no CloudFormation
# property. `python -m policies.cfn.inputs` regenerates it; a test checks it against the SDK.
INPUTS_FILE = Path(__file__).resolve().parent / "data" / "cfn_inputs.json"

# Dropped from every type: pulumi-aws v7's per-resource region override. The template is linted in
# the stack's region; a resource placed elsewhere is judged by that region's data.
COMMON_DROPS: Mapping[str, str] = {"region": "the stack's region is cfn-lint's region"}


@dataclass(frozen=True)
class Source:
    """Where a CloudFormation property came from."""

    urn: str
    prop: str | None  # the Pulumi (camelCase) property, None when it has no single origin


@dataclass
class CfnResource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    urn: str  # the resource the CloudFormation resource stands for
    sources: dict[str, Source] = field(default_factory=dict)  # CFN property -> origin


@dataclass(frozen=True)
class Planned:
    """One planned resource as the translation needs it (props: plain values)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def translations(table: Mapping[str, ResourceType] = TYPES) -> dict[str, ResourceType]:
    """The translated types: those with a CloudFormation type."""
    return {t: e for t, e in table.items() if e.cloudformation and e.translation}


def coverage(table: Mapping[str, ResourceType] = TYPES) -> dict[str, str]:
    """Every type of the table: its CloudFormation type, or why it has none."""
    out: dict[str, str] = {}
    for token, entry in table.items():
        if entry.folds_into:
            out[token] = f"{entry.cloudformation} (folded into the bucket)"
        else:
            out[token] = entry.cloudformation or f"none: {entry.no_cloudformation}"
    return out


@cache
def inputs() -> dict[str, frozenset[str]]:
    document = json.loads(INPUTS_FILE.read_text())
    return {token: frozenset(names) for token, names in document["inputs"].items()}


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, item in extra.items():
        if key in target and isinstance(target[key], dict) and isinstance(item, Mapping):
            _merge(target[key], item)
        elif key in target and isinstance(target[key], list) and isinstance(item, list):
            target[key].extend(item)
        else:
            target[key] = item


def _convert(translation: Translation, key: str, value: Any) -> dict[str, Any]:
    how = translation.fields.get(key)
    if key == "tags" and translation.tags and how is None:
        return {"Tags": tags(value)}
    if how is None:
        return {pascal(key): pascal_keys(value)}
    if isinstance(how, str):
        return {how: pascal_keys(value)}
    return how(value)


def translate_props(
    type_: str, props: Mapping[str, Any], urn: str, table: Mapping[str, ResourceType] = TYPES
) -> tuple[dict[str, Any], dict[str, Source]]:
    """One resource's CloudFormation properties and where each came from."""
    translation = table[type_].translation or Translation()
    known = inputs().get(type_, frozenset())
    out: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for key, raw in props.items():
        if key not in known:  # an output (id, arn, tagsAll): state, not configuration
            continue
        if key in translation.drops or key in COMMON_DROPS or raw is None:
            continue
        twin = translation.twins.get(key)
        if twin is not None and props.get(twin) is not None:
            continue
        converted = _convert(translation, key, plain(raw))
        _merge(out, converted)
        for name in converted:
            sources.setdefault(name, Source(urn, key))
    return out, sources


_ID_CHARS = re.compile(r"[^A-Za-z0-9]")


def logical_id(resource: Planned, taken: set[str]) -> str:
    kind = resource.type.rsplit(":", 1)[-1]
    base = "".join(pascal(p) for p in _ID_CHARS.split(resource.name) if p) + kind
    candidate, index = base[:240] or kind, 2
    while candidate in taken:
        candidate, index = f"{base[:236]}{index}", index + 1
    taken.add(candidate)
    return candidate


def translate(
    resources: Sequence[Planned], table: Mapping[str, ResourceType] = TYPES
) -> list[CfnResource]:
    """The CloudFormation resources for the translatable ones among `resources`."""
    translated = translations(table)
    owner_types = {e.folds_into for e in translated.values() if e.folds_into}
    taken: set[str] = set()
    out: list[CfnResource] = []
    owners: dict[str, CfnResource] = {}  # an owner's name or URN -> its CloudFormation resource
    for resource in resources:
        entry = translated.get(resource.type)
        if entry is None or entry.folds_into:
            continue
        props, sources = translate_props(resource.type, resource.props, resource.urn, table)
        autoname = entry.translation.autoname if entry.translation else None
        if autoname is not None and autoname not in props:
            props[autoname] = resource.name
            sources[autoname] = Source(resource.urn, None)
        cfn = CfnResource(
            logical_id(resource, taken), str(entry.cloudformation), props, resource.urn, sources
        )
        out.append(cfn)
        if resource.type in owner_types:
            owners[resource.urn] = cfn
            name = props.get("BucketName")
            if isinstance(name, str):
                owners[name] = cfn
    for resource in resources:
        entry = translated.get(resource.type)
        if entry is not None and entry.folds_into:
            _fold(resource, entry, owners, out, taken)
    return out


def _fold(
    resource: Planned,
    entry: ResourceType,
    owners: dict[str, CfnResource],
    out: list[CfnResource],
    taken: set[str],
) -> None:
    """A configuration resource's properties, merged into its owner's translation."""
    bucket = plain(resource.props.get("bucket"))
    owner = _owner(resource, bucket, owners)
    if owner is None:  # its bucket lives elsewhere: judge the configuration on its own
        owner = CfnResource(
            logical_id(resource, taken),
            str(entry.cloudformation),
            {"BucketName": bucket} if bucket is not None else {},
            resource.urn,
            {"BucketName": Source(resource.urn, "bucket")},
        )
        out.append(owner)
        if isinstance(bucket, str):
            owners[bucket] = owner
    known = inputs().get(resource.type, frozenset())
    translation = entry.translation or Translation()
    for key, raw in resource.props.items():
        if key not in known or key == "bucket" or key in COMMON_DROPS or raw is None:
            continue
        converted = _convert(translation, key, plain(raw))
        _merge(owner.properties, converted)
        for name in converted:
            owner.sources.setdefault(name, Source(resource.urn, key))


def _owner(resource: Planned, bucket: Any, owners: Mapping[str, CfnResource]) -> CfnResource | None:
    """The planned bucket a configuration belongs to, or None when it is not in the plan.

    The `bucket` input's own dependency says it best; a configuration can depend on several
    buckets (a logging configuration names its target bucket too), so any bucket among all its
    dependencies decides only when it is the one there is.
    """
    named = {
        id(owners[u]): owners[u]
        for u in resource.property_dependencies.get("bucket", ())
        if u in owners
    }
    if len(named) == 1:
        return next(iter(named.values()))
    if isinstance(bucket, str) and bucket in owners:
        return owners[bucket]
    depended = {id(owners[u]): owners[u] for u in resource.dependencies if u in owners}
    return next(iter(depended.values())) if len(depended) == 1 else None


def uses_unknown(raw: Any) -> bool:
    if isinstance(raw, Mapping):
        return raw == UNKNOWN_REF or any(uses_unknown(v) for v in raw.values())
    if isinstance(raw, list):
        return any(uses_unknown(v) for v in raw)
    return False


def template(resources: Sequence[CfnResource]) -> dict[str, Any]:
    document: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if any(uses_unknown(r.properties) for r in resources):  # an unused parameter is W2001
        document["Parameters"] = {
            UNKNOWN_PARAMETER: {
                "Type": "String",
                "Description": "a value Pulumi knows only after deployment",
            }
        }
    document["Resources"] = {
        r.logical_id: {"Type": r.type, "Properties": r.properties} for r in resources
    }
    return document
