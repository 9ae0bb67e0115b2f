"""`--policy-pack-config` as the CLI reads, pairs, merges and validates it (analyzer/config.go)."""

import json
from pathlib import Path

import pytest

from tooling.offline.policy_config import (
    PolicyConfig,
    PolicyConfigError,
    PolicyInfo,
    load_policy_config_file,
    pair_configs,
    parse_policy_config,
    reconcile_policy_config,
)


def test_a_document_gives_levels_and_properties_per_policy() -> None:
    parsed = parse_policy_config(
        {
            "all": "advisory",
            "a": {"enforcementLevel": "mandatory", "max": 3},
            "b": {"max": 4},
            "environments": ["org/env"],  # ESC environments: nothing to resolve offline
        },
        source="f.json",
    )
    assert parsed == {
        "all": PolicyConfig("advisory"),
        "a": PolicyConfig("mandatory", {"max": 3}),
        "b": PolicyConfig(None, {"max": 4}),
    }


@pytest.mark.parametrize(
    ("document", "refusal"),
    [
        (["a"], "must be a JSON object of policy name -> config"),
        ({"a": "strict"}, "enforcement level 'strict' for 'a' is not one of advisory, mandatory"),
        ({"a": {"enforcementLevel": 1}}, "enforcement level for 'a' must be a string, not 1"),
        ({"a": 3}, "'a' must be an enforcement level or an object, not 3"),
    ],
)
def test_a_document_the_cli_would_refuse_is_refused(document: object, refusal: str) -> None:
    with pytest.raises(PolicyConfigError, match=f"^f.json: {refusal}"):
        parse_policy_config(document, source="f.json")


def test_a_file_empty_or_blank_is_no_config_and_a_bad_one_names_itself(tmp_path: Path) -> None:
    blank, broken, good = tmp_path / "blank.json", tmp_path / "broken.json", tmp_path / "ok.json"
    blank.write_text("  \n")
    broken.write_text("{")
    good.write_text(json.dumps({"a": "disabled"}))
    assert load_policy_config_file(blank) == {}
    assert load_policy_config_file(good) == {"a": PolicyConfig("disabled")}
    with pytest.raises(PolicyConfigError, match=r"broken\.json: not valid JSON"):
        load_policy_config_file(broken)
    with pytest.raises(PolicyConfigError, match=r"missing\.json: no such policy config file"):
        load_policy_config_file(tmp_path / "missing.json")


def test_files_pair_with_packs_by_position(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"a": "advisory"}))
    packs = [tmp_path / "pack-a", tmp_path / "pack-b"]
    assert pair_configs(packs, [first]) == [[({"a": PolicyConfig("advisory")}, str(first))], []]
    with pytest.raises(PolicyConfigError, match=r"2 --policy-pack-config file.* for 1 policy pack"):
        pair_configs(packs[:1], [first, first])


def test_reconcile_policy_config_precedence() -> None:
    policies = [
        PolicyInfo("a", "advisory", {"properties": {"max": {"type": "integer", "default": 5}}}),
        PolicyInfo("b", "mandatory"),
    ]
    initial = {"all": PolicyConfig("mandatory"), "a": PolicyConfig(properties={"max": 6})}
    user = {"all": PolicyConfig("advisory"), "a": PolicyConfig(properties={"max": 7})}
    assert reconcile_policy_config("p@1", policies, {}) == {
        "a": ("advisory", {"max": 5}),
        "b": ("mandatory", {}),
    }
    assert reconcile_policy_config("p@1", policies, initial) == {
        "a": ("mandatory", {"max": 6}),
        "b": ("mandatory", {}),
    }
    assert reconcile_policy_config("p@1", policies, initial, [(user, "f.json")]) == {
        "a": ("advisory", {"max": 7}),
        "b": ("advisory", {}),
    }
    bad = {"a": PolicyConfig(properties={"max": "many"})}
    # Worded as the CLI words it (update.go, gojsonschema): pack, version, policy, field, reason.
    with pytest.raises(
        PolicyConfigError,
        match=r"^validating policy config: p 1  a: max: Invalid type. Expected: integer, given: string$",
    ):
        reconcile_policy_config("p@1", policies, {}, [(bad, "f.json")])


def test_a_file_naming_a_policy_the_pack_lacks_is_refused() -> None:
    policies = [PolicyInfo("a", "advisory")]
    with pytest.raises(
        PolicyConfigError, match=r"f.json names 'nope', which the pack p@1 does not"
    ):
        reconcile_policy_config(
            "p@1", policies, {}, [({"nope": PolicyConfig("mandatory")}, "f.json")]
        )
