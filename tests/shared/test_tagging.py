"""The standard tag set and AWS tag rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.layers import PRODUCT
from shared.tagging import (
    MAX_KEY_LENGTH,
    MAX_VALUE_LENGTH,
    STANDARD_TAG_KEYS,
    TagError,
    standard_tags,
    tag_problems,
    validate_tags,
    with_name,
)


def test_standard_tags() -> None:
    assert standard_tags(environment="dev", layer="network") == {
        "Project": PRODUCT,
        "Environment": "dev",
        "Layer": "network",
        "ManagedBy": "pulumi",
    }
    assert tuple(standard_tags(environment="dev", layer="data")) == STANDARD_TAG_KEYS


def test_owner_and_cost_center_only_when_given() -> None:
    tags = standard_tags(environment="prod", layer="app", owner="Team Web", cost_center="1234")
    assert tags["Owner"] == "Team Web" and tags["CostCenter"] == "1234"
    assert "Owner" not in standard_tags(environment="prod", layer="app", owner=None)
    assert "CostCenter" not in standard_tags(environment="prod", layer="app", cost_center="")


def test_with_name_adds_a_name_tag_and_keeps_the_rest() -> None:
    base = standard_tags(environment="dev", layer="network")
    named = with_name(base, "platform-dev-vpc")
    assert named == {**base, "Name": "platform-dev-vpc"}
    assert "Name" not in base  # not mutated


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("", "x", "must be 1-128 characters"),
        ("k" * (MAX_KEY_LENGTH + 1), "x", "must be 1-128 characters"),
        ("Owner", "v" * (MAX_VALUE_LENGTH + 1), "at most 256 characters"),
        ("aws:createdBy", "me", "may not start with 'aws:'"),
        ("AWS:x", "me", "may not start with 'aws:'"),
        ("Owner", "a<b>", "may not contain '<>'"),
        ("Cost;Center", "1", "may not contain ';'"),
    ],
)
def test_tag_problems(key: str, value: str, reason: str) -> None:
    assert any(reason in p for p in tag_problems(key, value))
    with pytest.raises(TagError, match=reason.replace("'", ".")):
        validate_tags({key: value})


def test_valid_tags_have_no_problems() -> None:
    assert tag_problems("Name", "/platform/dev/app") == []
    assert tag_problems("k" * MAX_KEY_LENGTH, "v" * MAX_VALUE_LENGTH) == []
    assert tag_problems("Owner", "") == []  # empty values are allowed
    assert tag_problems("Owner", "Équipe Données + ops@example.com") == []


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(TagError) as caught:
        validate_tags({"aws:x": "ok", "Owner": "v" * 300})
    assert "aws:" in str(caught.value) and "256" in str(caught.value)


def test_standard_tags_refuse_bad_values() -> None:
    with pytest.raises(TagError, match="256"):
        standard_tags(environment="dev", layer="app", owner="x" * 300)


@given(environment=st.sampled_from(["dev", "staging", "prod", "pr-1"]), owner=st.text(max_size=300))
def test_standard_tags_either_validate_or_raise_tag_error(environment: str, owner: str) -> None:
    try:
        tags = standard_tags(environment=environment, layer="app", owner=owner)
    except TagError:
        assert tag_problems("Owner", owner)
    else:
        assert all(tag_problems(k, v) == [] for k, v in tags.items())
