"""The conformance pack in Python: the policies of pulumi-policy's `tests/integration` packs and of
pulumi's `sdk/python/cmd/pulumi-language-python/testdata/policies`, written anew, in one pack so one
process serves many cases. `CONFORMANCE_PACK_LEVEL` sets the pack's own level (TestEnforcementLevel).
"""

import json
import os
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

DYNAMIC = "pulumi-nodejs:dynamic:Resource"
SIMPLE = "simple:index:Resource"
LEVELS = {level.value: level for level in EnforcementLevel}


def state_is(value: int) -> Any:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == DYNAMIC and args.props.get("state") == value:
            report(f"'state' must not have the value {value}.", None)

    return validate


def stack_state_is(value: int, *, with_urn: bool) -> Any:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            if r.resource_type == DYNAMIC and r.props.get("state") == value:
                report(f"'state' must not have the value {value}.", r.urn if with_urn else None)

    return validate


def no_foo_bar(args: StackValidationArgs, report: ReportViolation) -> None:
    for r in args.resources:
        if r.resource_type == DYNAMIC and r.props.get("foo") == "bar":
            report("'foo' must not have the value 'bar'.", None)


def truthiness(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SIMPLE and args.props.get("value") is True:
        report("This is a test warning", None)


def falsiness(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SIMPLE and args.props.get("value") is False:
        report("This is a test error", None)


def stack_size(args: StackValidationArgs, report: ReportViolation) -> None:
    if sum(1 for r in args.resources if r.resource_type == SIMPLE) > 1:
        report("Found an extra simple:index:Resource", None)


def blame_another(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SIMPLE and args.props.get("blame"):
        report("filed against another resource", args.props["blame"])


def provider_region(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "pulumi:providers:aws" and args.props.get("region") != "us-west-2":
        report(f"provider region {args.props.get('region')} is not us-west-2", None)


def root_stack(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "pulumi:pulumi:Stack":
        report("the root stack reached Analyze", None)


def unknown_prefix(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "random:index:RandomPet" and args.props["prefix"] == "my-pet":
        report("the prefix is known", None)


def always_resource(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "random:index:RandomString":
        report("validate-resource-violation-message", None)


def always_stack(args: StackValidationArgs, report: ReportViolation) -> None:
    if any(r.resource_type == "random:index:RandomString" for r in args.resources):
        report("validate-stack-violation-message", None)


def violate_at_remediate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SIMPLE and args.props.get("violate"):
        report("still violating after remediation", None)


def fixup(args: ResourceValidationArgs) -> Any:
    if args.resource_type != SIMPLE or args.name != "res":
        return None
    value = args.get_config()["value"]
    return None if args.props.get("value") == value else {**args.props, "value": value}


def options(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != DYNAMIC:
        return
    o = args.opts
    timeouts = o.custom_timeouts
    seen = {
        "protect": o.protect,
        "ignoreChanges": list(o.ignore_changes),
        "deleteBeforeReplace": o.delete_before_replace,
        "aliases": list(o.aliases),
        "customTimeouts": [
            timeouts.create_seconds,
            timeouts.update_seconds,
            timeouts.delete_seconds,
        ],
        "additionalSecretOutputs": list(o.additional_secret_outputs),
        "parent": o.parent,
    }
    report(json.dumps(seen, sort_keys=True), None)


def provider_seen(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.props.get("reportProvider") is True and args.provider is not None:
        provider = args.provider
        props = json.dumps(dict(provider.props), sort_keys=True)
        report(f"{provider.resource_type} {provider.name} {props}", None)


# policy_resource_metadata.go: one policy per piece of metadata the engine hands a pack.
def named(args: Any, name: str) -> bool:
    return bool(args.resource_type == SIMPLE and args.name == name)


def metadata(name: str, check: Any) -> Any:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if named(args, name) and check(args):
            report("metadata matched", None)

    return validate


def stack_metadata(name: str, check: Any) -> Any:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            if named(r, name) and check(r):
                report("metadata matched", r.urn)

    return validate


METADATA = [
    (
        "name-type-urn-props",
        metadata("identity", lambda a: a.props.get("value") is True and "::identity" in a.urn),
    ),
    ("protect", metadata("protected", lambda a: a.opts.protect is True)),
    ("ignore-changes", metadata("ignoreChanges", lambda a: "value" in a.opts.ignore_changes)),
    (
        "delete-before-replace",
        metadata("deleteBeforeReplace", lambda a: a.opts.delete_before_replace is True),
    ),
    (
        "additional-secret-outputs",
        metadata("secretOutput", lambda a: "value" in a.opts.additional_secret_outputs),
    ),
    (
        "custom-timeouts",
        metadata("customTimeouts", lambda a: a.opts.custom_timeouts.create_seconds == 300),
    ),
    (
        "provider",
        metadata(
            "explicitProvider",
            lambda a: (
                a.provider is not None
                and a.provider.resource_type == "pulumi:providers:simple"
                and a.provider.name == "prov"
            ),
        ),
    ),
    ("parent", metadata("child", lambda a: "::parent" in (a.opts.parent or ""))),
]
STACK_METADATA = [
    (
        "dependencies",
        stack_metadata("dependsOn", lambda r: any("::dependency" in d.urn for d in r.dependencies)),
    ),
    (
        "property-dependencies",
        stack_metadata(
            "propertyDependency",
            lambda r: any(
                "::dependency" in d.urn for d in r.property_dependencies.get("value", [])
            ),
        ),
    ),
]

level = os.environ.get("CONFORMANCE_PACK_LEVEL")
M, A, R = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY, EnforcementLevel.REMEDIATE
policies = [
    ResourceValidationPolicy(
        "dynamic-no-state-with-value-1",
        "Prohibits setting state to 1 on dynamic resources.",
        state_is(1),
        M,
    ),
    StackValidationPolicy(
        "dynamic-no-state-with-value-2",
        "Prohibits setting state to 2 on dynamic resources.",
        stack_state_is(2, with_urn=False),
        M,
    ),
    StackValidationPolicy(
        "dynamic-no-state-with-value-3",
        "Prohibits setting state to 3 on dynamic resources.",
        stack_state_is(3, with_urn=True),
        M,
    ),
    StackValidationPolicy(
        "dynamic-no-foo-with-value-bar",
        "Prohibits setting foo to 'bar' on dynamic resources.",
        no_foo_bar,
        R,
    ),
    ResourceValidationPolicy("truthiness", "Verifies properties are true", truthiness, A),
    ResourceValidationPolicy("falsiness", "Verifies properties are false", falsiness, M),
    StackValidationPolicy(
        "stack-size", "Stack must contain at most one simple:index:Resource", stack_size, M
    ),
    ResourceValidationPolicy(
        "blame-another", "Files a violation against another URN.", blame_another, A
    ),
    ResourceValidationPolicy(
        "provider-region", "The aws provider is in us-west-2.", provider_region, M
    ),
    ResourceValidationPolicy(
        "root-stack-analyzed", "The root stack reaches Analyze.", root_stack, A
    ),
    ResourceValidationPolicy(
        "unknown-values-resource-validation", "Reads a value unknown in preview.", unknown_prefix, A
    ),
    ResourceValidationPolicy(
        "violate-at-remediate", "A violation at level remediate.", violate_at_remediate, R
    ),
    ResourceValidationPolicy(
        "fixup",
        "Sets property to config",
        None,
        R,
        PolicyConfigSchema({"value": {"type": "boolean", "default": False}}),
        remediate=fixup,
    ),
    ResourceValidationPolicy("options", "Reports the resource options it sees.", options, A),
    ResourceValidationPolicy("provider-seen", "Reports the provider it sees.", provider_seen, A),
    *(ResourceValidationPolicy(n, f"{n} metadata", v, A) for n, v in METADATA),
    *(StackValidationPolicy(n, f"{n} metadata", v, A) for n, v in STACK_METADATA),
]
# TestEnforcementLevel: one pair per policy level, "unset" takes the pack's level.
for suffix, policy_level in (
    ("advisory", A),
    ("disabled", EnforcementLevel.DISABLED),
    ("mandatory", M),
    ("unset", None),
):
    policies.append(
        ResourceValidationPolicy(
            f"validate-resource-{suffix}",
            "Always reports a resource violation.",
            always_resource,
            policy_level,
        )
    )
    policies.append(
        StackValidationPolicy(
            f"validate-stack-{suffix}",
            "Always reports a stack violation.",
            always_stack,
            policy_level,
        )
    )

PolicyPack("conformance", policies, LEVELS[level] if level else None)
