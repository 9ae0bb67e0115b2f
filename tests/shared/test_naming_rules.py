"""NameRule and Namer pinned on hand-built rules: each check, its message, and the Namer's guards."""

import pytest

from shared.name_rule import NameRule
from shared.naming import Namer, _sanitize, rule_for, stable_hash


def test_stable_hash_is_fixed_across_processes() -> None:
    # sha256 -> base32 -> lowercase: these values must never change (names would change).
    assert stable_hash("abc") == "xj4bnp4p"
    assert stable_hash("abc", 4) == "xj4b"
    assert stable_hash("\udc80") == stable_hash("\udc80")  # lone surrogates hash, not crash


def test_length_prefix_and_characters() -> None:
    rule = NameRule("thing", max_length=8, min_length=3, allowed="a-z", prefix="p/")
    assert rule.problems("p/abc") == []
    assert rule.problems("p/") == [
        "thing names must be 3-8 characters long (got 2)",
        "thing names need something after 'p/'",
    ]
    assert rule.problems("abcdefghi") == [
        "thing names must be 3-8 characters long (got 9)",
        "thing names must start with 'p/'",
    ]
    assert rule.problems("p/aB1b") == ["thing names may not contain '1B'"]
    house_style = NameRule("thing", max_length=8, allowed="a-z/", prefix="/", prefix_required=False)
    assert house_style.problems("abc") == []


def test_case_first_letter_ends_and_hyphens() -> None:
    rule = NameRule(
        "thing",
        max_length=20,
        allowed="A-Za-z0-9-",
        lowercase=True,
        first_letter=True,
        alnum_ends=True,
        no_double_hyphen=True,
    )
    assert rule.problems("a-b") == []
    assert rule.problems("Ab") == ["thing names must be lowercase"]
    assert rule.problems("1a") == ["thing names must start with a letter"]
    assert rule.problems("a-") == [
        "thing names must start and end with a letter or digit",
        "thing names may not end with '-'",
    ]
    assert rule.problems("-a") == [
        "thing names must start with a letter",
        "thing names must start and end with a letter or digit",
    ]
    assert rule.problems("a--b") == ["thing names may not contain '--'"]


def test_optional_suffix_is_allowed_only_at_the_end() -> None:
    rule = NameRule("topic", max_length=20, allowed="a-z", optional_suffix=".fifo")
    assert rule.problems("abc.fifo") == []
    assert rule.problems("a.fifob") == ["topic names may not contain '.'"]


def test_reserved_prefixes_suffixes_names_and_shapes() -> None:
    rule = NameRule(
        "bucket",
        max_length=63,
        allowed="a-z0-9.-",
        forbidden_prefixes=("xn--",),
        forbidden_suffixes=("-s3alias",),
        forbidden_substrings=("..",),
        forbidden_names=("reserved",),
        no_ip_address=True,
        no_secret_suffix=True,
    )
    assert rule.problems("XN--a") == [
        "bucket names may not contain 'NX'",
        "bucket names may not start with 'xn--'",
    ]
    assert rule.problems("a-S3ALIAS") == [
        "bucket names may not contain 'AILS'",
        "bucket names may not end with '-s3alias'",
    ]
    assert rule.problems("reserved") == ["'reserved' is reserved for bucket names"]
    assert rule.problems("10.0.0.1") == ["bucket names may not be formatted as an IP address"]
    assert rule.problems("app-abc123") == [
        "bucket names should not end in '-' plus 6 characters (Secrets Manager's "
        "own suffix, which confuses partial-ARN lookups)"
    ]
    assert rule.problems("app-abc12") == []


@pytest.mark.parametrize(
    ("delimiter", "allowed", "raw", "clean"),
    [
        ("-", "a-z0-9.-", "A..b  c--d.", "a-b-c-d"),  # dots allowed by AWS, not emitted
        ("/", "a-z0-9/-", "/a//b-/c/", "a/b-c"),  # a run of separators keeps its first
        ("-", "a-z0-9-", "a_b.c", "a-b-c"),
    ],
)
def test_sanitize_keeps_letters_digits_and_allowed_separators(
    delimiter: str, allowed: str, raw: str, clean: str
) -> None:
    rule = NameRule("t", max_length=63, allowed=allowed, delimiter=delimiter, lowercase=True)
    assert _sanitize(rule, raw) == clean


def test_sanitize_folds_case_only_when_asked() -> None:
    keeps = NameRule("t", max_length=63, allowed="A-Za-z0-9-")
    folds = NameRule("t", max_length=63, allowed="A-Za-z0-9-", fold_case=True)
    assert (_sanitize(keeps, "AbC"), _sanitize(folds, "AbC")) == ("AbC", "abc")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"project": "A"}, "project 'A' is not valid: use 2-12 lowercase letters and digits"),
        ({"account_id": "12"}, "account_id '12' is not valid: use the 12 digits"),
        ({"region": "mars"}, "region 'mars' is not an AWS region name such as us-east-1"),
        ({"account_id": None}, "pass account_id and region together (S3 bucket names need both)"),
        ({"region": None}, "pass account_id and region together (S3 bucket names need both)"),
    ],
)
def test_namer_guards(kwargs: dict[str, str | None], message: str) -> None:
    fields: dict[str, str | None] = {
        "project": "acme",
        "environment": "prod",
        "account_id": "123456789012",
        "region": "us-east-1",
        **kwargs,
    }
    with pytest.raises(ValueError) as caught:
        Namer(**fields)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_namer_refuses_a_project_that_makes_a_reserved_prefix() -> None:
    assert "sthree-" in rule_for("s3-bucket").forbidden_prefixes
    with pytest.raises(
        ValueError,
        match=r"^project 'sthree' and environment 'dev' cannot make valid names: "
        r"s3-bucket names may not start with 'sthree-'$",
    ):
        Namer("sthree", "dev")
    assert Namer("acme", "live").name("alb") == "acme-live"


def test_global_names_need_account_and_region() -> None:
    with pytest.raises(ValueError, match="s3-bucket names are global across AWS accounts"):
        Namer("acme", "prod").name("s3-bucket", "logs")
    namer = Namer("acme", "prod", "123456789012", "us-east-1")
    assert namer.name("s3-bucket", "Logs") != "acme-prod-logs-123456789012-us-east-1"
    assert namer.name("s3-bucket", "logs") == "acme-prod-logs-123456789012-us-east-1"


def test_a_lossy_or_long_name_gets_a_hash_of_the_raw_input() -> None:
    namer = Namer("acme", "prod", "123456789012", "us-east-1")
    lossy = namer.name("alb", "Web")  # ALB names fold case: "web" would collide with it
    assert lossy == f"acme-prod-web-{stable_hash('acme-prod-Web')}"
    long = namer.name("alb", "x" * 40)
    assert len(long) == 32 and long.endswith(stable_hash("acme-prod-" + "x" * 40))
    bucket = namer.name("s3-bucket", "y" * 60)
    assert bucket.endswith(
        f"-{stable_hash('acme-prod-' + 'y' * 60 + '-123456789012-us-east-1')}-123456789012-us-east-1"
    )
    assert len(bucket) == 63


def test_a_pr_class_environment_with_a_custom_name_gets_a_stable_vpc_slot() -> None:
    from shared.environment import parse_environment

    # Changing these would move every such environment's VPC: they are fixed on purpose.
    assert parse_environment("preview", "pr").default_vpc_cidr == "10.248.216.0/21"
    assert parse_environment("pr-7").default_vpc_cidr == "10.128.56.0/21"
