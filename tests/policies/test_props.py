import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from policies.props import UnknownValueError, flag, items, number, present, text, value
from tests.policies.conftest import UNKNOWN, secret


def test_value_reads_dotted_camel_case_paths() -> None:
    props = {"versioningConfiguration": {"status": "Enabled"}}
    assert value(props, "versioningConfiguration.status") == "Enabled"
    assert value(props, "versioningConfiguration.mfaDelete") is None
    assert value(props, "missing.deeper") is None


def test_unknown_raises_the_analyzers_unknown_error_with_the_path() -> None:
    with pytest.raises(UnknownValueError) as caught:
        value({"a": {"b": UNKNOWN}}, "a.b")
    assert caught.value.props == ["a", "b"]


def test_the_servicers_proxy_raises_the_same_error() -> None:
    with pytest.raises(UnknownValueError):
        value(unknown_checking_proxy({"instanceClass": UNKNOWN}), "instanceClass")


def test_secrets_are_unwrapped() -> None:
    assert text({"name": secret("db")}, "name") == "db"
    assert flag({"on": secret(True)}, "on") is True


def test_numbers_arrive_as_doubles_and_strings_as_booleans() -> None:
    assert number({"days": 30.0}, "days") == 30.0
    assert flag({"on": "true"}, "on") is True
    assert flag({}, "on") is None


def test_items_raise_on_unknown_elements() -> None:
    assert items({"l": ["a", secret("b")]}, "l") == ["a", "b"]
    with pytest.raises(UnknownValueError):
        items({"l": ["a", UNKNOWN]}, "l")
    assert items({"l": "not-a-list"}, "l") == []


def test_present_never_reads_unknown_or_secret_values() -> None:
    assert present({"p": secret("x")}, "p")
    assert present(unknown_checking_proxy({"p": UNKNOWN}), "p")
    assert not present({"p": None}, "p")
    assert not present({}, "p")
