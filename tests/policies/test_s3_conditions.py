"""Each condition of the S3 rules pinned on its own: every setting, every link, every message."""

import json
from typing import Any

import pytest

from policies.props import UnknownValueError
from policies.s3 import (
    PUBLIC_ACCESS_SETTINGS,
    check_encryption,
    check_public_access_block,
    check_tls_only,
    check_versioning,
    denies_insecure_transport,
)
from policies.spec import StackResource
from tests.policies.conftest import UNKNOWN, context

BUCKET = "aws:s3/bucket:Bucket"
URN = "urn:pulumi:prod::data::aws:s3/bucket:Bucket::artifacts"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ALL_ON = dict.fromkeys(PUBLIC_ACCESS_SETTINGS, True)
DENY = {
    "Effect": "Deny",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def bucket(props: dict[str, Any] | None = None, name: str = "artifacts") -> StackResource:
    return StackResource(BUCKET, URN, {"bucket": "b", **(props or {})}, name=name)


def by_dependency(type_: str, props: dict[str, Any]) -> StackResource:
    return StackResource(type_, f"urn:{type_}", props, dependencies=(URN,))


def by_name(type_: str, props: dict[str, Any], name: str = "b") -> StackResource:
    return StackResource(type_, f"urn:{type_}", {"bucket": name, **props})


@pytest.mark.parametrize("setting", PUBLIC_ACCESS_SETTINGS)
@pytest.mark.parametrize("off", [False, None, "false"])
def test_each_public_access_setting_left_off_is_caught(setting: str, off: Any) -> None:
    settings = {**ALL_ON, setting: off}
    if off is None:
        del settings[setting]
    found = check_public_access_block([bucket(), by_dependency(PAB, settings)], context("prod"))
    assert found == [(URN, f"bucket artifacts: public-access block leaves {setting} not true")]


def test_every_setting_off_is_named_in_order() -> None:
    found = check_public_access_block([bucket(), by_name(PAB, {})], context("dev"))
    assert found == [
        (
            URN,
            "bucket artifacts: public-access block leaves blockPublicAcls, blockPublicPolicy, "
            "ignorePublicAcls, restrictPublicBuckets not true",
        )
    ]


def test_a_block_with_all_four_on_passes_whichever_way_it_is_linked() -> None:
    for block in (by_dependency(PAB, ALL_ON), by_name(PAB, ALL_ON)):
        assert check_public_access_block([bucket(), block], context("prod")) == []
    # One good block among several is enough; the order does not matter.
    for blocks in (
        [by_name(PAB, {}), by_name(PAB, ALL_ON)],
        [by_name(PAB, ALL_ON), by_name(PAB, {})],
    ):
        assert check_public_access_block([bucket(), *blocks], context("prod")) == []


def test_a_block_of_another_bucket_or_type_does_not_count() -> None:
    expected = [(URN, "bucket artifacts: has no BucketPublicAccessBlock")]
    other_bucket = by_name(PAB, ALL_ON, name="other")
    other_type = by_dependency(SSE, ALL_ON)
    assert check_public_access_block([bucket(), other_bucket], context("prod")) == expected
    assert check_public_access_block([bucket(), other_type], context("prod")) == expected
    # A bucket without a name is linked by dependency only, never by a missing name.
    unnamed = StackResource(BUCKET, URN, {}, name="artifacts")
    assert (
        check_public_access_block([unnamed, StackResource(PAB, "urn:p", ALL_ON)], context("prod"))
        == expected
    )


def test_the_urn_names_a_bucket_without_a_name() -> None:
    unnamed = StackResource(BUCKET, URN, {"bucket": "b"})
    assert check_public_access_block([unnamed], context("prod")) == [
        (URN, f"bucket {URN}: has no BucketPublicAccessBlock")
    ]


def test_every_bucket_is_checked_not_only_the_first() -> None:
    good = StackResource(BUCKET, "urn:good", {"bucket": "g"}, name="good")
    resources = [
        StackResource(PAB, "urn:pab", {"bucket": "g", **ALL_ON}),
        good,
        bucket(),
    ]
    assert check_public_access_block(resources, context("prod")) == [
        (URN, "bucket artifacts: has no BucketPublicAccessBlock")
    ]


def test_an_unknown_bucket_is_skipped_and_raised_only_when_nothing_else_fires() -> None:
    unknown = StackResource(BUCKET, "urn:unknown", {"bucket": "u", "policy": UNKNOWN}, name="u")
    with pytest.raises(UnknownValueError):
        check_tls_only([unknown], context("prod"))
    found = check_tls_only([unknown, bucket()], context("prod"))
    assert found == [
        (
            URN,
            "bucket artifacts: no bucket policy denies requests without TLS "
            "(aws:SecureTransport=false)",
        )
    ]


def test_encryption_inline_forms_and_attached_rules() -> None:
    missing = [(URN, "bucket artifacts: has no server-side encryption configuration")]
    assert check_encryption([bucket()], context("prod")) == missing
    inline = bucket({"serverSideEncryptionConfiguration": {"rule": {}}})
    assert check_encryption([inline], context("prod")) == []
    listed = bucket({"serverSideEncryptionConfigurations": [{"rules": []}]})
    assert check_encryption([listed], context("prod")) == []
    assert check_encryption([bucket(), by_name(SSE, {"rules": [{}]})], context("prod")) == []
    assert check_encryption([bucket(), by_dependency(SSE, {"rules": [{}]})], context("prod")) == []
    # A configuration without rules encrypts nothing.
    assert check_encryption([bucket(), by_name(SSE, {"rules": []})], context("prod")) == missing


def test_tls_policy_on_the_bucket_itself_or_a_bucket_policy() -> None:
    document = json.dumps({"Statement": [DENY]})
    assert check_tls_only([bucket({"policy": document})], context("prod")) == []
    assert check_tls_only([bucket(), by_name(POLICY, {"policy": document})], context("prod")) == []
    assert check_tls_only([bucket(), by_name(POLICY, {"policy": "{}"})], context("prod"))


@pytest.mark.parametrize(
    ("document", "denies"),
    [
        ({"Statement": [DENY]}, True),
        ({"Statement": DENY}, True),  # a single statement, not in a list
        (json.dumps({"Statement": [DENY]}), True),
        ({"Statement": [{**DENY, "Action": ["s3:GetObject", "*"]}]}, True),
        ({"Statement": [{**DENY, "Action": "*"}]}, True),
        ({"Statement": [{**DENY, "Condition": {"Bool": {"aws:SecureTransport": False}}}]}, True),
        ({"Statement": [{**DENY, "Effect": "Allow"}]}, False),
        ({"Statement": [{**DENY, "Action": "s3:GetObject"}]}, False),
        ({"Statement": [{**DENY, "Action": ["s3:GetObject"]}]}, False),
        ({"Statement": [{**DENY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}, False),
        ({"Statement": [{**DENY, "Condition": {}}]}, False),
        ({"Statement": [{**DENY, "Condition": {"StringEquals": {}}}]}, False),
        ({"Statement": [{k: v for k, v in DENY.items() if k != "Condition"}]}, False),
        ({"Statement": [{k: v for k, v in DENY.items() if k != "Action"}]}, False),
        ({"Statement": ["not a statement", DENY]}, True),
        ({"Statement": [{**DENY, "Effect": "Allow"}, DENY]}, True),
        ({}, False),
        ("not json", False),
        (["a", "list"], False),
        (None, False),
    ],
)
def test_denies_insecure_transport(document: Any, denies: bool) -> None:
    assert denies_insecure_transport(document) is denies


def test_versioning_each_way_to_enable_it() -> None:
    missing = [(URN, "bucket artifacts: versioning is not enabled on a prod bucket")]
    assert check_versioning([bucket()], context("prod")) == missing
    enabled = {"versioningConfiguration": {"status": "Enabled"}}
    suspended = {"versioningConfiguration": {"status": "Suspended"}}
    assert check_versioning([bucket(), by_name(VERSIONING, enabled)], context("prod")) == []
    assert check_versioning([bucket(), by_dependency(VERSIONING, enabled)], context("prod")) == []
    assert check_versioning([bucket(), by_name(VERSIONING, suspended)], context("prod")) == missing
    assert check_versioning([bucket({"versioning": {"enabled": True}})], context("prod")) == []
    assert (
        check_versioning([bucket({"versioning": {"enabled": False}})], context("prod")) == missing
    )
    listed = bucket({"versionings": [{"enabled": False}, {"enabled": True}]})
    assert check_versioning([listed], context("prod")) == []
    off = bucket({"versionings": [{"enabled": False}]})
    assert check_versioning([off], context("prod")) == missing
