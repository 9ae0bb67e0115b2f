"""The stack's resources handed to the translation: the policy SDK's proxies read as plain values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.cfn.resources import _item, plain, planned
from policies.props import UNKNOWN_SENTINELS, UnknownValueError
from policies.spec import StackResource
from shared.aws.cloudformation import translate_props
from shared.wire import UNKNOWN_SENTINELS as WIRE_SENTINELS
from tests.policies.conftest import UNKNOWN

REF = {"Ref": "PulumiUnknown"}


class Proxy(Mapping[str, Any]):
    """pulumi_policy's props proxy: reading an unknown raises instead of returning the sentinel."""

    def __init__(self, data: Mapping[str, Any], unknown: frozenset[str]) -> None:
        self.data, self.unknown = data, unknown

    def __getitem__(self, key: str) -> Any:
        if key in self.unknown:
            raise UnknownValueError(UNKNOWN, [key])
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_a_proxy_that_raises_for_an_unknown_reads_as_the_sentinel() -> None:
    proxy = Proxy({"known": "a", "later": "ignored", "list": ("x", 2.0)}, frozenset({"later"}))
    assert plain(proxy) == {"known": "a", "later": UNKNOWN, "list": ["x", 2.0]}
    assert _item(proxy, "later") == UNKNOWN
    assert _item({"a": 1}, "a") == 1
    assert plain("text") == "text"


def test_a_proxy_property_unknown_during_preview_translates_to_the_ref() -> None:
    proxy = Proxy({"name": "n", "displayName": "d"}, frozenset({"displayName"}))
    [resource] = planned([StackResource("aws:sns/topic:Topic", "urn:t", proxy, name="t")])
    assert (resource.type, resource.urn, resource.name) == ("aws:sns/topic:Topic", "urn:t", "t")
    props, _ = translate_props(resource.type, resource.props, resource.urn)
    assert props == {"TopicName": "n", "DisplayName": REF}


def test_the_pack_and_shared_know_the_same_unknown_sentinels() -> None:
    assert UNKNOWN_SENTINELS == WIRE_SENTINELS
