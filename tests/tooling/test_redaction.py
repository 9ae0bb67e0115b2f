"""The one masking path: every serialised form of a secret, text derived by escapes, control characters."""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooling.redaction import (
    SHOWN,
    Masker,
    current,
    masking,
    public_text,
    remember,
    secret_texts,
    terminal_text,
    wrap,
)

SECRET = "hunter2-MASTER-PASSWORD"


def node_inspect(text: str) -> str:
    """What Node's util.inspect shows inside quotes, for the characters the tests use."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\x1b", "\\x1B")


# Ways programs and packs write a value that holds a secret.
ENCODERS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "json.dumps": lambda s: json.dumps({"password": s}),
    "JSON.stringify": lambda s: json.dumps({"password": s}, ensure_ascii=False),
    "json in json": lambda s: json.dumps(json.dumps({"password": s})),
    "repr": lambda s: repr({"password": s}),
    "util.inspect": lambda s: "{ password: '" + node_inspect(s) + "' }",
    "url": lambda s: "https://h/?p=" + urllib.parse.quote(s, safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 after 1 byte": lambda s: base64.b64encode(b"x" + s.encode() + b"yz").decode(),
    "base64 after 2 bytes": lambda s: base64.b64encode(b"xy" + s.encode()).decode(),
}


@pytest.mark.parametrize("encoder", ENCODERS)
def test_every_serialised_form_is_masked(encoder: str) -> None:
    secret = 'p"a\\ss\n\x1bwörd-42'
    written = ENCODERS[encoder](secret)
    masked = Masker([secret]).text(written)
    assert SHOWN in masked
    forms = [secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], node_inspect(secret)]
    assert [form for form in forms if form in masked] == []
    assert "TWFTVEVS" not in masked  # a base64 piece of the secret


def test_the_strings_inside_a_secret_json_document_are_secrets_too() -> None:
    document = json.dumps([{"environment": [{"name": "API_TOKEN", "value": "TOKEN-5150"}]}])
    assert secret_texts({"containerDefinitions": wrap(document)}) == {
        document,
        "API_TOKEN",
        "TOKEN-5150",
    }
    assert secret_texts({"plain": document}) == set()  # not a secret: nothing to hunt


def test_a_piece_of_a_secret_the_plan_shows_in_the_clear_is_no_secret() -> None:
    # A container definition is secret as a whole because it holds a secret's ARN; the region
    # and the log group inside it are public, and masking them would blank every ARN of the plan.
    document = json.dumps([{"logConfiguration": {"options": {"awslogs-region": "us-east-1"}}}])
    value = {"containerDefinitions": wrap(document), "arn": "arn:aws:ecs:us-east-1:1:cluster/c"}
    assert secret_texts(value, public=public_text(value)) == {document}
    # The whole plaintext stays a secret even where the plan also shows it.
    assert secret_texts({"a": wrap("us-east-1"), "b": "us-east-1"}, public="us-east-1") == {
        "us-east-1"
    }
    assert public_text({"a": wrap("hidden"), "b": ["shown", {"c": "too"}]}) == "a\nb\nshown\nc\ntoo"


def test_control_characters_cannot_hide_or_assemble_a_secret() -> None:
    masker = Masker([SECRET])
    hidden = "hunter2-\x1b[0mMASTER-PASSWORD"
    assert masker.text(hidden) == SHOWN  # the terminal would have shown it whole
    assert masker.terminal(f"say \x1b[2J{hidden}\r\x07") == f"say {SHOWN}"
    assert terminal_text("a\tb\nc\x00\x7f\x9b\u202ed") == "a\tb\ncd"
    # Control sequences go whole, ESC sequences with their next character; an OSC's text stays.
    assert terminal_text("\x1b[2J\x1b[31mred\x1b]0;t\x07 \x9b31mover\x1bc") == "red0;t over"


def test_a_mask_next_to_text_cannot_complete_another_secret() -> None:
    # "[secret]" followed by "ef" would spell the second secret once the first is masked.
    masker = Masker(["abcd", "t]ef"])
    assert "t]ef" not in masker.text("abcdef")


def test_the_longest_secret_wins_where_several_start() -> None:
    masker = Masker(["pass-word", "pass-word-2", "pass-wordy"])
    assert masker.text("pass-word-2x pass-wordyz pass-word.") == f"{SHOWN}x {SHOWN}z {SHOWN}."


def test_many_secrets_with_one_prefix_are_all_masked() -> None:
    secrets = [f"secret-value-{n:04d}" for n in range(500)]
    masker = Masker(secrets)
    assert masker.text(" ".join(reversed(secrets))) == " ".join([SHOWN] * 500)


def test_short_strings_are_not_hunted() -> None:
    assert Masker(["tcp", "80"]).text("tcp 80") == "tcp 80"


def test_values_are_masked_keys_included() -> None:
    masker = Masker([SECRET])
    assert masker.value({SECRET: [wrap("x"), f"a {SECRET}", 3, None]}) == {
        SHOWN: [SHOWN, f"a {SHOWN}", 3, None]
    }


def test_secrets_are_remembered_only_within_a_scope() -> None:
    remember([SECRET])  # outside a scope: nowhere to keep it
    assert current().text(SECRET) == SECRET
    with masking() as masker:
        remember([SECRET])
        assert current() is masker and current().text(SECRET) == SHOWN
    assert current().text(SECRET) == SECRET


@given(
    secret=st.text(min_size=4, max_size=30).filter(lambda s: SHOWN not in s),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    encoder=st.sampled_from(sorted(ENCODERS)),
)
@settings(max_examples=300)
def test_no_generated_secret_survives_masking(
    secret: str, before: str, after: str, encoder: str
) -> None:
    masker = Masker([secret])
    written = ENCODERS[encoder](before + secret + after)
    for shown in (masker.text(written), masker.terminal(written)):
        assert secret not in shown
        assert json.dumps(secret)[1:-1] not in shown
        assert repr(secret)[1:-1] not in shown
