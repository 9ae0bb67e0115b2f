"""Where a layer's environment and raw config come from, each branch and message pinned."""

from typing import Any

import pulumi
import pulumi.runtime
import pytest

from shared import config
from shared.config import ConfigError, LayerConfig, declared_environment, schema_of
from shared.environment import CLASSES
from shared.tagging import MAX_KEY_LENGTH, MAX_VALUE_LENGTH, TagError, tag_problems, validate_tags


def test_config_suffix_may_only_repeat_the_stack_name_and_blank_counts_as_unset() -> None:
    assert declared_environment("data", {"data:environmentSuffix": " dev "}, "dev").name == "dev"
    assert (
        declared_environment("data", {"data:environmentSuffix": "  "}, "staging").name == "staging"
    )
    assert declared_environment("data", {"app:environmentSuffix": "prod"}, "dev").name == "dev"
    live = declared_environment("data", {"data:environmentClass": "prod"}, "live")
    assert (live.name, live.environment_class) == ("live", "prod")


@pytest.mark.parametrize("klass", ["gold", 3])
def test_an_unknown_environment_class_names_the_classes(klass: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        declared_environment("data", {"data:environmentClass": klass}, "dev")
    assert (caught.value.layer, caught.value.key, caught.value.value) == (
        "data",
        "environmentClass",
        klass,
    )
    assert caught.value.accepted == f"must be one of: {', '.join(CLASSES)}"


def test_a_suffix_that_renames_the_stacks_environment_is_refused() -> None:
    # Pulumi.dev.yaml with `network:environmentSuffix: prod` would plan prod's resources into dev.
    with pytest.raises(ConfigError) as caught:
        declared_environment("network", {"network:environmentSuffix": "prod"}, "dev")
    assert (caught.value.key, caught.value.value) == ("environmentSuffix", "prod")
    assert "differs from the stack's environment 'dev'" in str(caught.value)


def test_a_bad_name_says_whether_it_came_from_config_or_the_stack() -> None:
    with pytest.raises(ConfigError) as from_config:
        declared_environment("data", {"data:environmentSuffix": "prd"}, "")
    assert from_config.value.key == "environmentSuffix" and from_config.value.value == "prd"
    assert "Did you mean 'prod'" in from_config.value.accepted
    assert "(the name came from the stack name)" not in from_config.value.accepted
    with pytest.raises(ConfigError) as from_stack:
        declared_environment("data", {}, "prd")
    assert from_stack.value.value == "prd"
    assert from_stack.value.accepted.endswith(" (the name came from the stack name)")


def test_a_layer_without_keys_of_its_own_has_the_common_schema() -> None:
    assert schema_of("data") is not LayerConfig
    with pytest.raises(ValueError, match="nope"):
        schema_of("nope")


def test_program_config_reads_declared_keys_then_the_layers_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = {"data:backupRetentionDays": "30", "aws:region": "eu-west-1"}
    monkeypatch.setattr(pulumi.runtime, "get_config", declared.get)
    monkeypatch.setattr(
        pulumi.runtime,
        "get_config_env",
        lambda: {
            "data:backupRetentionDays": "1",  # the declared read wins
            "data:typo": "x",
            "app:cpu": "256",
        },
    )
    assert config.read_program_config("data") == {
        "data:backupRetentionDays": "30",
        "aws:region": "eu-west-1",
        "data:typo": "x",
    }


def test_program_config_loads_for_the_running_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi.runtime, "get_config", {"aws:region": "eu-west-1"}.get)
    monkeypatch.setattr(pulumi.runtime, "get_config_env", dict)
    monkeypatch.setattr(pulumi, "get_stack", lambda: "staging")
    loaded = config.load_program_config("data")
    assert loaded.environment.name == "staging"
    assert isinstance(loaded, schema_of("data"))


def test_tag_key_and_value_limits() -> None:
    assert tag_problems("k" * MAX_KEY_LENGTH, "v" * MAX_VALUE_LENGTH) == []
    assert tag_problems("", "") == [f"tag key '' must be 1-{MAX_KEY_LENGTH} characters"]
    long_key = "k" * (MAX_KEY_LENGTH + 1)
    assert tag_problems(long_key, "v") == [
        f"tag key {long_key[:40]!r} must be 1-{MAX_KEY_LENGTH} characters"
    ]
    assert tag_problems("k", "v" * (MAX_VALUE_LENGTH + 1)) == [
        f"tag 'k' value must be at most {MAX_VALUE_LENGTH} characters"
    ]


def test_tag_characters_and_the_reserved_prefix() -> None:
    allowed = "(allowed: letters, digits, spaces and _ . : / = + - @)"
    assert tag_problems("a#b!", "c$") == [
        f"tag key 'a#b!' may not contain '!#' {allowed}",
        f"tag value 'c$' may not contain '$' {allowed}",
    ]
    assert tag_problems("AWS:team", "x") == [
        "tag key 'AWS:team' may not start with 'aws:' (reserved by AWS)"
    ]
    assert tag_problems("team:aws:x", "x") == []


def test_validate_tags_lists_every_problem_in_one_error() -> None:
    assert validate_tags({"Team": "platform"}) == {"Team": "platform"}
    with pytest.raises(TagError) as caught:
        validate_tags({"aws:x": "1", "ok": "a#"})
    assert str(caught.value) == (
        "tag key 'aws:x' may not start with 'aws:' (reserved by AWS); tag value 'a#' may not "
        "contain '#' (allowed: letters, digits, spaces and _ . : / = + - @)"
    )
