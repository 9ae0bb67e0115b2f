"""Each value parser pinned: its boundaries, both input forms (text and YAML-native), its message."""

from ipaddress import IPv4Network
from typing import Any

import pytest

from shared.aws.accepted_values import CLOUDWATCH_RETENTION_DAYS
from shared.config import parse, values
from shared.config.schema import load
from shared.config.schemas import AppConfig, DataConfig, ObservabilityConfig
from shared.config.values import UNDECRYPTED, ConfigError, Invalid, UnknownKeyError
from shared.environment import NAMED_CLASSES, parse_environment


def refused(parse: Any, value: Any) -> str:
    with pytest.raises(Invalid) as caught:
        parse(value)
    return str(caught.value)


@pytest.mark.parametrize("value", ["  web  ", 7, 1.5])
def test_text_takes_strings_and_numbers_stripped(value: Any) -> None:
    assert values.text(value) == str(value).strip()


@pytest.mark.parametrize("value", [True, None, ["a"], {"a": 1}])
def test_text_refuses_the_rest(value: Any) -> None:
    assert refused(values.text, value) == "must be a string"


def test_whole_number_boundaries_and_forms() -> None:
    parse = values.whole_number(2, 5)
    assert [parse(2), parse(5), parse(" 3 "), parse("+4"), parse(4)] == [2, 5, 3, 4, 4]
    message = "must be a whole number from 2 to 5"
    for bad in (1, 6, "1", "6", "1_000", "٣", "3.0", "", True, "0x3", "1234567890123"):
        assert refused(parse, bad) == message, bad
    negative = values.whole_number(-3, -1)
    assert negative("-3") == -3


def test_boolean_accepts_only_true_and_false() -> None:
    assert values.boolean(True) is True and values.boolean(False) is False
    assert values.boolean(" TRUE ") is True and values.boolean("false") is False
    for bad in ("yes", "1", 1, "", None):
        assert refused(values.boolean, bad) == "must be true or false"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b", ("a", "b")),
        ("a", ("a",)),
        ('["a", " b "]', ("a", "b")),
        (' ["a"]', ("a",)),
        (["a", "b"], ("a", "b")),
        (("a",), ("a",)),
        ("", ()),
        ("   ", ()),
        ([], ()),
    ],
)
def test_string_list_forms(value: Any, expected: tuple[str, ...]) -> None:
    assert values.string_list(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[not json", "must be a list of strings"),
        ({"a": "b"}, "must be a list of strings"),
        ("[1, 2]", "must be a list of strings"),
        (["a", 1], "must be a list of strings"),
        (5, "must be a list of strings"),
        ("a,,b", "must be a list of non-empty strings"),
        (["a", " "], "must be a list of non-empty strings"),
    ],
)
def test_string_list_refusals(value: Any, message: str) -> None:
    assert refused(values.string_list, value) == message


def test_one_of_and_one_of_numbers() -> None:
    parse = values.one_of(("small", "large"))
    assert parse(" large ") == "large"
    assert refused(parse, "medium") == "must be one of: small, large"
    numbers = values.one_of_numbers((256, 512, 1024))
    assert [numbers("256"), numbers(1024)] == [256, 1024]
    assert refused(numbers, 300) == "must be one of: 256, 512, 1024"
    assert refused(numbers, 255) == "must be a whole number from 256 to 1024"
    assert refused(numbers, 1025) == "must be a whole number from 256 to 1024"


def test_matching_is_a_full_ascii_match() -> None:
    parse = values.matching(r"[a-z]+", "lowercase letters")
    assert parse(" abc ") == "abc"
    for bad in ("abc1", "1abc", "é", ""):
        assert refused(parse, bad) == "must be lowercase letters", bad


def test_log_retention_takes_cloudwatch_values_only() -> None:
    for days in (CLOUDWATCH_RETENTION_DAYS[0], CLOUDWATCH_RETENTION_DAYS[-1]):
        assert values.log_retention(str(days)) == days
    message = "must be a CloudWatch Logs retention: " + ", ".join(
        map(str, CLOUDWATCH_RETENTION_DAYS)
    )
    assert refused(values.log_retention, 2) == message
    assert refused(values.log_retention, 0) == "must be a whole number from 1 to 3653"
    assert refused(values.log_retention, 3654) == "must be a whole number from 1 to 3653"


@pytest.mark.parametrize(
    "value", ["10.0.0.0/16", "172.16.0.0/24", "192.168.0.0/16", "172.31.255.0/24"]
)
def test_private_cidr_accepts_rfc1918_from_16_to_24(value: str) -> None:
    assert values.private_cidr(value) == IPv4Network(value)


@pytest.mark.parametrize(
    "value", ["10.0.0.0/15", "10.0.0.0/25", "11.0.0.0/16", "172.32.0.0/16", "10.0.0.1/16", "x"]
)
def test_private_cidr_refusals(value: Any) -> None:
    assert refused(values.private_cidr, value) == (
        "must be a private RFC 1918 IPv4 range from /16 to /24, e.g. 10.10.0.0/16"
    )


def test_availability_zones_count_duplicates_and_names() -> None:
    assert values.availability_zones("") == ()
    two = ("us-east-1a", "us-east-1b")
    assert values.availability_zones(list(two)) == two
    six = tuple(f"us-east-1{c}" for c in "abcdef")
    assert values.availability_zones(",".join(six)) == six
    assert refused(values.availability_zones, "us-east-1a") == "must list 2 to 6 availability zones"
    seven = ",".join(f"us-east-1{c}" for c in "abcdefg")
    assert refused(values.availability_zones, seven) == "must list 2 to 6 availability zones"
    assert refused(values.availability_zones, "us-east-1a,us-east-1a") == (
        "must not list a zone twice"
    )
    assert refused(values.availability_zones, "us-east-1a,us-east-1") == (
        "'us-east-1' is not an availability zone name such as us-east-1a"
    )
    assert values.availability_zones("ap-northeast-2a,us-gov-west-1b") == (
        "ap-northeast-2a",
        "us-gov-west-1b",
    )


def test_environment_names() -> None:
    assert values.environment_names("dev, pr-12") == ("dev", "pr-12")
    assert refused(values.environment_names, "dev,dev") == "must not list an environment twice"
    assert refused(values.environment_names, "dev,Prod!") == (
        f"'Prod!' is not a peerable environment: use {', '.join(NAMED_CLASSES)} or pr-<number>"
    )


def test_tag_value() -> None:
    assert values.tag_value(" Team Ünï_1 .:/=+-@ ") == "Team Ünï_1 .:/=+-@"
    message = "must be a tag value: 1-256 letters, digits, spaces and _ . : / = + - @"
    assert values.tag_value("a" * 256) == "a" * 256
    for bad in ("a" * 257, "", "a#b"):
        assert refused(values.tag_value, bad) == message


def test_url_path() -> None:
    assert values.url_path("/health") == "/health"
    assert values.url_path("/" + "a" * 1023) == "/" + "a" * 1023
    message = "must be an absolute URL path such as /health (no spaces, <=1024 chars)"
    for bad in ("health", "/" + "a" * 1024, "/a b", "/a\tb"):
        assert refused(values.url_path, bad) == message


def test_fargate_memory_hint_ranges_and_lists() -> None:
    assert values.fargate_memory_hint(256) == "one of 512, 1024, 2048 MiB"
    assert values.fargate_memory_hint(1024) == "2048-8192 MiB in steps of 1024"


def test_config_error_message_shows_the_value_or_not_set() -> None:
    error = ConfigError("app", "cpu", "3", "must be one of: 256, 512")
    assert str(error) == "app:cpu = '3' is invalid: must be one of: 256, 512"
    assert (error.layer, error.key, error.value, error.accepted) == (
        "app",
        "cpu",
        "3",
        "must be one of: 256, 512",
    )
    assert (
        str(ConfigError("app", "cpu", None, "required"))
        == "app:cpu = (not set) is invalid: required"
    )


def test_unknown_key_suggests_the_closest_known_key() -> None:
    error = UnknownKeyError("app", "cpuu", "1", ("cpu", "memory"))
    assert str(error) == (
        "app:cpuu = '1' is invalid: unknown key; did you mean app:cpu? known keys: app:cpu, app:memory"
    )
    assert error.known_keys == ("cpu", "memory")
    far = UnknownKeyError("app", "zzz", "1", ("cpu", "memory"))
    assert str(far) == "app:zzz = '1' is invalid: unknown key; known keys: app:cpu, app:memory"


def test_patterns_match_ascii_digits_only() -> None:
    parse = values.matching(r"\d+(\.\d+)?", "a version such as 16.4")
    assert parse("16.4") == "16.4"
    assert refused(parse, "١٦.٤") == "must be a version such as 16.4"  # Arabic-Indic digits


def test_a_large_value_is_never_echoed_whole() -> None:
    huge = "x" * (20 * 1024 * 1024)
    with pytest.raises(ConfigError) as caught:
        parse("app", {"app:containerImage": huge}, stack="dev")
    message = str(caught.value)
    assert len(message) < 300 and "(20,971,520 characters)" in message


def test_a_secret_not_decrypted_offline_counts_as_set_and_stays_unknown() -> None:
    # An awskms:// stack (or a passphrase stack without its passphrase) planned offline.
    secrets = {"observability:alarmEmail": UNDECRYPTED, "aws:region": "us-east-1"}
    prod = parse_environment("prod")
    config = load(ObservabilityConfig, "observability", secrets, prod, deploying=True)
    assert config.alarm_email == UNDECRYPTED
    app = {"app:certificateArn": UNDECRYPTED, "app:containerImage": UNDECRYPTED}
    assert load(AppConfig, "app", app, prod, deploying=True).certificate_arn == UNDECRYPTED
    data = load(DataConfig, "data", {"data:instanceClass": UNDECRYPTED}, prod)
    assert data.instance_class == UNDECRYPTED


@pytest.mark.parametrize("key", ["app:cpu", "data:deletionProtection", "network:natGateways"])
def test_a_secret_not_decrypted_offline_cannot_stand_for_a_number_or_a_choice(key: str) -> None:
    layer = key.split(":", maxsplit=1)[0]
    with pytest.raises(ConfigError) as caught:
        parse(layer, {key: UNDECRYPTED}, stack="prod")
    message = str(caught.value)
    assert f"{key} = (a secret not decrypted offline) is invalid" in message
    assert UNDECRYPTED not in message
