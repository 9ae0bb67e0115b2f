"""Policy config errors in gojsonschema's words, as the CLI prints them."""

from typing import Any

import jsonschema
import pytest

from tooling.offline.config_errors import cli_messages


def messages(schema: dict[str, Any], value: dict[str, Any]) -> list[str]:
    errors = jsonschema.Draft7Validator({"type": "object", **schema}).iter_errors(value)
    return cli_messages("pack", "1.0.0", "policy", errors)


@pytest.mark.parametrize(
    ("schema", "value", "reason"),
    [
        ({"required": ["a", "b"]}, {"b": 1}, "a is required"),
        ({"properties": {"n": {"minimum": 1}}}, {"n": 0}, "n: Must be greater than or equal to 1"),
        ({"properties": {"n": {"exclusiveMaximum": 3}}}, {"n": 3}, "n: Must be less than 3"),
        ({"properties": {"s": {"pattern": "^a"}}}, {"s": "b"}, "s: Does not match pattern '^a'"),
        (
            {"properties": {"l": {"maxItems": 1}}},
            {"l": [1, 2]},
            "l: Array must have at most 1 items",
        ),
        (
            {"properties": {"n": {"type": ["string", "null"]}}},
            {"n": 1.5},
            "n: Invalid type. Expected: string, null, given: number",
        ),
        (
            {"additionalProperties": False, "properties": {}},
            {"x": 1},
            "Additional property x is not allowed",
        ),
        ({"properties": {"o": {"required": ["k"]}}}, {"o": {}}, "o: k is required"),
    ],
)
def test_each_error_reads_as_the_cli_reads_it(
    schema: dict[str, Any], value: dict[str, Any], reason: str
) -> None:
    assert messages(schema, value) == [f"validating policy config: pack 1.0.0  policy: {reason}"]


def test_every_error_of_a_policy_is_a_line_in_sorted_order() -> None:
    schema = {"properties": {"foo": {"maxLength": 3}, "bar": {"type": "integer"}}}
    assert messages(schema, {"foo": "long", "bar": "x"}) == [
        "validating policy config: pack 1.0.0  policy: bar: Invalid type. Expected: integer, given: string",
        "validating policy config: pack 1.0.0  policy: foo: String length must be less than or equal to 3",
    ]
