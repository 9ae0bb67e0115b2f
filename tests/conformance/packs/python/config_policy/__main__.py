"""pulumi-policy `tests/integration/config`: one policy per config scenario of TestConfig, each with
the schema that scenario uses; a test gives every other policy a valid value."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

SCHEMAS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "required": ({"foo": {"type": "string"}}, ["foo"]),
    "default-wrong-type": ({"foo": {"type": "string", "default": 1}}, []),
    "default-too-long": (
        {"foo": {"type": "string", "maxLength": 3, "default": "this is too long"}},
        [],
    ),
    "default-too-short": (
        {"foo": {"type": "string", "minLength": 50, "default": "this is too short"}},
        [],
    ),
    "default-enum": ({"foo": {"type": "string", "enum": ["bar", "baz"], "default": "blah"}}, []),
    "default-const": ({"foo": {"const": "bar", "default": "blah"}}, []),
    "string": ({"foo": {"type": "string"}}, []),
    "enum": ({"foo": {"type": "string", "enum": ["bar", "baz"]}}, []),
    "const": ({"foo": {"const": "bar"}}, []),
    "multiple": ({"foo": {"type": "string", "maxLength": 3}, "bar": {"type": "integer"}}, []),
    "number": ({"foo": {"type": "number"}}, []),
    "integer": ({"foo": {"type": "integer"}}, []),
    "boolean": ({"foo": {"type": "boolean"}}, []),
    "object": ({"foo": {"type": "object"}}, []),
    "array": ({"foo": {"type": "array"}}, []),
    "null": ({"foo": {"type": "null"}}, []),
}


def echo(args: ResourceValidationArgs, report: ReportViolation) -> None:
    del args, report


PolicyPack(
    "config-policy",
    [
        ResourceValidationPolicy(
            name,
            f"config scenario {name}",
            echo,
            EnforcementLevel.ADVISORY,
            PolicyConfigSchema(properties, required),
        )
        for name, (properties, required) in SCHEMAS.items()
    ],
)
