"""Config values as the Pulumi CLI reads `Pulumi.<stack>.yaml`: yaml.v3, then config.Value text."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tooling.offline.cli_yaml import CliYamlError, ConfigValue, stack_config_values


def value_of(yaml_scalar: str) -> ConfigValue:
    return stack_config_values(f"config:\n  k: {yaml_scalar}\n", "data")["data:k"]


@pytest.mark.parametrize(
    ("written", "program_sees"),
    [
        # YAML 1.1 booleans are strings in yaml.v3 (PyYAML: True/False).
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", "true"),
        ("TRUE", "true"),
        ("False", "false"),
        # Numbers: every one reaches the program as Go's JSON text of the decoded value.
        ("30", "30"),
        ("+30", "30"),
        ("0x10", "16"),
        ("0o17", "15"),
        ("017", "15"),  # a 1.1 octal, still decoded by yaml.v3
        ("08", "8"),  # not octal: read as the float 8
        ("1_000", "1000"),
        ("1e3", "1000"),
        ("1.0", "1"),
        ("2.50", "2.5"),
        (".5", "0.5"),
        ("-0.0", "-0"),
        ("1e21", "1e+21"),
        ("1e-7", "1e-7"),
        ("1e400", "1e400"),  # out of float64 range: a string
        ("99999999999999999999", "100000000000000000000"),  # beyond uint64: a float
        ("18446744073709551615", "18446744073709551615"),  # uint64's maximum
        ("-0b101", "-5"),
        # Null and empty are the empty string (with a CLI warning).
        ("~", ""),
        ("null", ""),
        ("", ""),
        # Dates are time.Time, rendered by Go's Time.String().
        ("2024-01-02", "2024-01-02 00:00:00 +0000 UTC"),
        ("2024-1-2 3:04:05.50", "2024-01-02 03:04:05.5 +0000 UTC"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.1 -0500 -0500"),
        ("2024-02-30", "2024-02-30"),  # not a date: a string
        # Quoted or tagged: the text, or the tag's type.
        ('"30"', "30"),
        ("'yes'", "yes"),
        ("!!str 0x10", "0x10"),
        ("!!float 1", "1"),
        ("[/bold]", '["/bold"]'),
        # Mappings and lists become Go's JSON: sorted keys, no spaces, HTML-safe.
        ("[1, 2.50, x, yes]", '[1,2.5,"x","yes"]'),
        ('{b: 1, a: "<&>"}', '{"a":"\\u003c\\u0026\\u003e","b":1}'),
        ("{when: 2024-01-02}", '{"when":"2024-01-02 00:00:00 +0000 UTC"}'),
    ],
)
def test_scalars_reach_the_program_as_the_cli_text(written: str, program_sees: str) -> None:
    assert value_of(written).text == program_sees


def test_secure_values_are_secrets_and_objects_holding_one_are_secret_objects() -> None:
    assert value_of("{secure: v1:abc}") == ConfigValue("v1:abc", secure=True)
    nested = value_of("{user: a, password: {secure: v1:abc}}")
    assert nested.secure and nested.object
    assert value_of("{secure: 5}") == ConfigValue('{"secure":5}', object=True)  # not a secret


def test_keys_without_a_namespace_belong_to_the_project_and_the_old_config_form_is_read() -> None:
    values = stack_config_values("config:\n  a: 1\n  aws:region: x\n  app:config:b: 2\n", "app")
    assert {k: v.text for k, v in values.items()} == {"app:a": "1", "aws:region": "x", "app:b": "2"}


def test_merge_keys_as_yaml_v3_applies_them() -> None:
    text = "base: &b {x: 1, y: 2}\nconfig:\n  k:\n    <<: *b\n    y: 3\n"
    assert stack_config_values(text, "data")["data:k"].text == '{"x":1,"y":3}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "expected the stack file to be a mapping"),
        ("config: [1]\n", "`config` must be a mapping"),
        ("config:\n  1: x\n", "key '1' is not a string"),
        ("config:\n  true: x\n", "key 'true' is not a string"),
        ("config:\n  2024-01-02: x\n", "is not a string"),
        ("config:\n  a: {1: x}\n", "key '1' is not a string"),
        ("config:\n  a: 1\n  a: 2\n", "mapping key 'a' already defined at line 2"),
        ("config:\n  a:b:c: 1\n", "could not parse a:b:c as a configuration key"),
        ("config:\n  a: !!int x\n", "cannot decode !!str `x` as a !!int"),
        ("config:\n  a: .inf\n", "json: unsupported value: +Inf"),
        ("config:\n  a: [\n", "not valid YAML"),
        ("config:\n  a: &x [*x]\n", "an alias refers to the value that contains it"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, n in zip("abcdef", "bcdefg", strict=True)
            )
            + "config:\n  k: *g\n",
            "document contains excessive aliasing",
        ),
    ],
)
def test_files_the_cli_refuses_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(CliYamlError, match=re.escape(message)):
        stack_config_values(text, "data")


def test_empty_files_and_empty_config_have_no_values() -> None:
    assert stack_config_values("", "data") == {}
    assert stack_config_values("# nothing\n", "data") == {}
    assert stack_config_values("config:\n", "data") == {}
    assert stack_config_values("\ufeffconfig:\n  a: 1\n", "data")["data:a"].text == "1"


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
def test_any_text_is_read_or_refused_with_a_message(text: str) -> None:
    try:
        stack_config_values(text, "data")
    except CliYamlError as error:
        assert str(error)


# Line and paragraph separators fold inside quoted YAML scalars, as line breaks do.
@given(st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=80))
def test_a_quoted_string_is_its_own_text(text: str) -> None:
    assert value_of(json.dumps(text, ensure_ascii=False)).text == text
