"""Policy config validation errors worded as the Pulumi CLI words them.

The CLI validates each policy's config with gojsonschema and reports every error as
`validating policy config: <pack> <version>  <policy>: <field>: <description>` (pulumi/pulumi
`pkg/engine/update.go` loadPolicyPlugins, `pkg/resource/analyzer/config.go` validatePolicyConfig,
which drops the `(root): ` prefix). The descriptions are gojsonschema's DefaultLocale templates
(xeipuuv/gojsonschema `locales.go`); the const wording is the one pulumi-policy's integration test
expects (`tests/integration/integration_test.go` TestConfig). The validation itself is jsonschema's;
only the words are translated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema.exceptions import ValidationError


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _number(value: Any) -> str:
    """Go's %v of a float64 limit: 3, not 3.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _type_name(value: Any) -> str:
    """gojsonschema's name for a JSON value's type: whole numbers are `integer`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _field(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(root)"


def _expected(types: Any) -> str:
    return ", ".join(types) if isinstance(types, list) else str(types)


_DESCRIPTIONS: dict[str, Callable[[ValidationError, str], str]] = {
    "type": lambda e, f: (
        f"Invalid type. Expected: {_expected(e.validator_value)}, given: {_type_name(e.instance)}"
    ),
    "minLength": lambda e, f: (
        f"String length must be greater than or equal to {_number(e.validator_value)}"
    ),
    "maxLength": lambda e, f: (
        f"String length must be less than or equal to {_number(e.validator_value)}"
    ),
    "enum": lambda e, f: (
        f"{f} must be one of the following: {', '.join(_json(v) for v in e.validator_value)}"
    ),
    "const": lambda e, f: f"{f} does not match: {_json(e.validator_value)}",
    "minItems": lambda e, f: f"Array must have at least {_number(e.validator_value)} items",
    "maxItems": lambda e, f: f"Array must have at most {_number(e.validator_value)} items",
    "uniqueItems": lambda e, f: "array items must be unique",
    "minimum": lambda e, f: f"Must be greater than or equal to {_number(e.validator_value)}",
    "maximum": lambda e, f: f"Must be less than or equal to {_number(e.validator_value)}",
    "exclusiveMinimum": lambda e, f: f"Must be greater than {_number(e.validator_value)}",
    "exclusiveMaximum": lambda e, f: f"Must be less than {_number(e.validator_value)}",
    "multipleOf": lambda e, f: f"Must be a multiple of {_number(e.validator_value)}",
    "pattern": lambda e, f: f"Does not match pattern '{e.validator_value}'",
    "format": lambda e, f: f"Does not match format '{e.validator_value}'",
    "anyOf": lambda e, f: "Must validate at least one schema (anyOf)",
    "oneOf": lambda e, f: "Must validate one and only one schema (oneOf)",
    "allOf": lambda e, f: "Must validate all the schemas (allOf)",
    "not": lambda e, f: "Must not validate the schema (not)",
    "minProperties": lambda e, f: f"Must have at least {_number(e.validator_value)} properties",
    "maxProperties": lambda e, f: f"Must have at most {_number(e.validator_value)} properties",
}


def describe(error: ValidationError) -> list[str]:
    """One error as gojsonschema's `<field>: <description>` lines, `(root): ` dropped."""
    field = _field(error)
    prefix = "" if field == "(root)" else f"{field}: "
    if error.validator == "required":
        # gojsonschema reports each missing property on its own, at the object's field.
        present = error.instance if isinstance(error.instance, dict) else {}
        return [
            f"{prefix}{name} is required" for name in error.validator_value if name not in present
        ]
    if error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {})
        extra = [k for k in (error.instance or {}) if k not in allowed]
        return [f"{prefix}Additional property {name} is not allowed" for name in extra]
    wording = _DESCRIPTIONS.get(str(error.validator))
    return [f"{prefix}{wording(error, field) if wording else error.message}"]


def cli_messages(
    pack: str, version: str, policy: str, errors: Iterable[ValidationError]
) -> list[str]:
    """Every error of one policy's config, one CLI line each, sorted as the CLI sorts them."""
    lines = sorted(line for error in errors for line in describe(error))
    return [f"validating policy config: {pack} {version}  {policy}: {line}" for line in lines]
