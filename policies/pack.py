"""Turns the pure rules into pulumi_policy policies for the stack the pack runs against.

The CLI starts the pack with the stack in the environment (`PULUMI_STACK`, `PULUMI_PROJECT`,
`PULUMI_CONFIG`), so the environment class is known before any resource arrives. Each rule declares
its default level; `config/<class>.json` lists only the class's deviations from those defaults (a
class without a file has none). Only the pack reads those files. A config the CLI sends
(`--policy-pack-config`) still overrides both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.catalog import RULES
from policies.spec import Context, Level, Rule, StackResource
from shared.environment import Environment, resolve_environment, stack_environment_name

PACK_NAME = "aws-platform"
CONFIG_DIR = Path(__file__).resolve().parent / "config"
LEVELS: Mapping[str, EnforcementLevel] = {level.value: level for level in EnforcementLevel}
SEVERITIES: Mapping[str, Severity] = {severity.value: severity for severity in Severity}


def stack_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """The stack's config as the CLI hands it to the pack (`PULUMI_CONFIG`, a JSON object)."""
    try:
        config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    except json.JSONDecodeError:
        return {}
    return config if isinstance(config, dict) else {}


def stack_environment(environ: Mapping[str, str] = os.environ) -> Environment:
    """The stack's environment by shared.environment's one rule: the stack names it (its config's
    `environmentSuffix` may only repeat the name), never a leftover ENVIRONMENT_SUFFIX, which the
    program already warned about. A name that cannot be resolved stops the pack with the
    resolver's message.
    """
    config = stack_config(environ)
    project = environ.get("PULUMI_PROJECT", "")

    def setting(key: str) -> str | None:
        found = config.get(f"{project}:{key}")
        if found is None:
            found = next((v for k, v in config.items() if k.endswith(f":{key}")), None)
        return None if found is None or not str(found).strip() else str(found)

    return resolve_environment(
        stack_environment_name(environ.get("PULUMI_STACK"), setting("environmentSuffix")),
        environment_class=setting("environmentClass"),
        environ=environ,
    ).environment


def stack_region(environ: Mapping[str, str] = os.environ) -> str | None:
    region = stack_config(environ).get("aws:region")
    return str(region) if region else environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")


def class_config(environment_class: str) -> dict[str, Any]:
    """`config/<class>.json`: the class's deviations from the rules' defaults ({} without a file)."""
    path = CONFIG_DIR / f"{environment_class}.json"
    if not path.is_file():
        return {}
    document = json.loads(path.read_text())
    unknown = sorted(set(document) - {"all"} - {rule.name for rule in RULES})
    if not isinstance(document, dict) or unknown:
        raise ValueError(f"{path}: not a policy name -> level/config object (unknown: {unknown})")
    problems = _problems(document)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return document


def _problems(document: Mapping[str, Any]) -> list[str]:
    """What the CLI would refuse in the file as a `--policy-pack-config`: a level it does not know,
    a threshold its policy's schema refuses. The pack is the file's only reader, so it checks."""
    found = []
    for rule in RULES:
        level = default_level(rule, document)
        if level not in LEVELS:
            found.append(f"{rule.name}: {level!r} is not a level ({', '.join(LEVELS)})")
        properties = default_properties(rule, document)
        if properties:
            import jsonschema  # only for a file with thresholds: the pack starts on every preview

            schema = {
                "type": "object",
                "properties": {k: dict(v) for k, v in rule.config_schema.items()},
                "additionalProperties": False,
            }
            errors = jsonschema.Draft7Validator(schema).iter_errors(dict(properties))
            found.extend(f"{rule.name}: {error.message}" for error in errors)
    return found


def default_level(rule: Rule, config: Mapping[str, Any]) -> Level:
    entry = config.get(rule.name)
    if isinstance(entry, str):
        return entry  # type: ignore[return-value]
    if isinstance(entry, Mapping) and "enforcementLevel" in entry:
        return entry["enforcementLevel"]  # type: ignore[no-any-return]
    return config.get("all", rule.default_level)  # type: ignore[no-any-return]


def default_properties(rule: Rule, config: Mapping[str, Any]) -> dict[str, Any]:
    entry = config.get(rule.name)
    if not isinstance(entry, Mapping):
        return {}
    return {k: v for k, v in entry.items() if k != "enforcementLevel"}


def _default_tags(provider_props: Mapping[str, Any] | None) -> dict[str, str]:
    try:
        tags = (provider_props or {}).get("defaultTags", {}) or {}
        tags = tags.get("tags", {}) or {}
    except Exception:  # an unknown provider config: no default tags we can count on
        return {}
    return {str(k): str(v) for k, v in dict(tags).items()}


def project_of(urn: str) -> str | None:
    """The Pulumi project (our layer) in `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    return parts[1] if urn.startswith("urn:pulumi:") and len(parts) >= 4 else None


@dataclass(frozen=True)
class _Stack:
    """What the pack knows of its stack from start-up: fixed for the life of the process."""

    environment: Environment
    region: str | None
    project: str | None


def _context(
    stack: _Stack,
    rule_defaults: Mapping[str, Any],
    sent: Mapping[str, Any] | None,
    provider_props: Mapping[str, Any] | None,
    urn: str = "",
) -> Context:
    region = stack.region
    if provider_props is not None and not region:
        found = provider_props.get("region")
        region = str(found) if isinstance(found, str) else None
    return Context(
        environment=stack.environment,
        region=region,
        config={**rule_defaults, **(sent or {})},
        # One pack process may serve several layers' stacks: the URN knows which one this is.
        layer=project_of(urn) or stack.project,
        default_tags=_default_tags(provider_props),
    )


def _stack_resources(resources: Sequence[PolicyResource]) -> list[StackResource]:
    out = []
    for resource in resources:
        depends = {d.urn for d in resource.dependencies}
        for deps in resource.property_dependencies.values():
            depends.update(d.urn for d in deps)
        out.append(
            StackResource(
                type=resource.resource_type,
                urn=resource.urn,
                props=resource.props,
                dependencies=tuple(sorted(depends)),
                name=resource.name,
                property_dependencies={
                    key: tuple(d.urn for d in deps)
                    for key, deps in resource.property_dependencies.items()
                },
            )
        )
    return out


@contextmanager
def _unknowns_judged(stack: _Stack, report: ReportViolation) -> Iterator[None]:
    """Where the class's profile says so (`unknowns_block`: prod), a rule whose verdict depends
    on a value unknown in preview is reported at the rule's level, so a mandatory rule blocks,
    instead of the SDK's advisory "can't run". A value is settled at `up` when the verdict does
    not depend on it: rules read such values with `props.present` (only that it is set), and
    then no UnknownValueError reaches here."""
    try:
        yield
    except UnknownValueError as error:
        if not stack.environment.profile.unknowns_block:
            raise
        report(
            f"cannot be checked before `up`: {error.message}. "
            f"{stack.environment.environment_class} does not approve what a rule at this level "
            "cannot judge: make the value known in preview (deploy what it comes from first), "
            "or lower this rule's level for the stack with --policy-pack-config",
            None,
        )


def to_policy(rule: Rule, config: Mapping[str, Any], stack: _Stack) -> Policy:
    """One pulumi_policy policy for `rule`, its level and thresholds defaulting to `config`'s."""
    defaults = default_properties(rule, config)
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": LEVELS[default_level(rule, config)],
        "severity": SEVERITIES[rule.severity],
        "remediation_steps": rule.remediation,
        "config_schema": PolicyConfigSchema(
            properties={k: dict(v) for k, v in rule.config_schema.items()}
        )
        if rule.config_schema
        else None,
    }
    if rule.check_stack is not None:

        def validate_stack(args: StackValidationArgs, report: ReportViolation) -> None:
            context = _context(stack, defaults, args.get_config(), None)
            with _unknowns_judged(stack, report):
                for urn, message in rule.check_all(_stack_resources(args.resources), context):
                    report(message, urn)

        return StackValidationPolicy(validate=validate_stack, **common)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.reads:
            return
        provider = args.provider.props if args.provider is not None else None
        context = _context(stack, defaults, args.get_config(), provider)
        with _unknowns_judged(stack, report):
            for message in rule.check(args.resource_type, args.props, context):
                report(message, None)

    fix = rule.fix
    if fix is None:
        return ResourceValidationPolicy(validate=validate, **common)

    def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
        provider = args.provider.props if args.provider is not None else None
        context = _context(stack, defaults, args.get_config(), provider, args.urn)
        changes = fix(args.resource_type, args.props, context)
        if not changes:
            return None
        props = args.props
        for key, new in changes.items():  # in place: the proxy keeps other secrets secret
            props[key] = new  # type: ignore[index]
        return props

    # The servicer takes a plain mapping too; its annotation only names the awaitable form.
    return ResourceValidationPolicy(validate=validate, remediate=remediate, **common)  # type: ignore[arg-type]


def policies(environ: Mapping[str, str] = os.environ) -> list[Policy]:
    # Resolved once: the CLI starts one pack process per stack, and per-resource calls are hot.
    stack = _Stack(
        environment=stack_environment(environ),
        region=stack_region(environ),
        project=environ.get("PULUMI_PROJECT"),
    )
    config = class_config(stack.environment.environment_class)
    return [to_policy(rule, config, stack) for rule in RULES]
