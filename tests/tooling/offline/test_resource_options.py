"""Custom timeouts as the engine keeps them: Go durations in seconds, an export's seconds as is."""

import pytest

from tooling.offline.resource_options import (
    CustomTimeoutError,
    duration_seconds,
    export_timeouts,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("", 0.0),
        ("0", 0.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("300ms", 0.3),
        ("2m3s", 123.0),
        ("-1s", -1.0),
    ],
)
def test_go_durations_become_seconds(text: str, seconds: float) -> None:
    assert duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5", "m", "5 m", "5x", "+", "1h-2m"])
def test_what_go_cannot_parse_is_the_engine_s_error(text: str) -> None:
    with pytest.raises(CustomTimeoutError, match=f"unable to parse customTimeout Value {text}"):
        duration_seconds(text)


def test_an_export_keeps_its_seconds_and_drops_what_is_not_a_number() -> None:
    assert export_timeouts({"create": 60, "update": 1.5, "delete": "3m", "read": True}) == {
        "create": 60.0,
        "update": 1.5,
    }
    assert export_timeouts(None) == {}
