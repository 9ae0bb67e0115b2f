"""The state bucket's settings one at a time, linked by name or by dependency."""

from typing import Any

import pytest

from policies.s3 import PUBLIC_ACCESS_SETTINGS
from policies.spec import StackResource
from policies.state_bucket import check_state_bucket, is_state_bucket, missing_settings
from tests.policies.conftest import UNKNOWN, context

BUCKET = "aws:s3/bucket:Bucket"
URN = "urn:state"
TAGS = {"Purpose": "pulumi-state"}
VERSIONING = (
    "aws:s3/bucketVersioning:BucketVersioning",
    {"versioningConfiguration": {"status": "Enabled"}},
)
KMS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms",
                    "kmsMasterKeyId": "k",
                }
            }
        ]
    },
)
TLS = (
    "aws:s3/bucketPolicy:BucketPolicy",
    {
        "policy": '{"Statement": [{"Effect": "Deny", "Action": "s3:*", '
        '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}'
    },
)
PAB = (
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    dict.fromkeys(PUBLIC_ACCESS_SETTINGS, True),
)
LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    {"rules": [{"status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 90}}]},
)
MESSAGES = {
    "versioning": "versioning enabled",
    "kms": "SSE-KMS with a customer key (sseAlgorithm aws:kms and kmsMasterKeyId)",
    "tls": "a bucket policy denying aws:SecureTransport=false",
    "pab": "a public-access block with all four settings true",
    "lifecycle": "a lifecycle rule expiring noncurrent versions",
}
PARTS: dict[str, tuple[str, dict[str, Any]]] = {
    "versioning": VERSIONING,
    "kms": KMS,
    "tls": TLS,
    "pab": PAB,
    "lifecycle": LIFECYCLE,
}


def state_bucket(name: str | None = "state") -> StackResource:
    props: dict[str, Any] = {"tags": TAGS}
    if name is not None:
        props["bucket"] = name
    return StackResource(BUCKET, URN, props, name="state")


def part(kind: str, link: str, override: dict[str, Any] | None = None) -> StackResource:
    type_, props = PARTS[kind]
    props = {**props, **(override or {})}
    if link == "name":
        return StackResource(type_, f"urn:{kind}", {"bucket": "state", **props})
    return StackResource(type_, f"urn:{kind}", props, dependencies=(URN,))


@pytest.mark.parametrize("link", ["name", "dependency"])
def test_a_complete_state_bucket_passes(link: str) -> None:
    resources = [state_bucket(), *(part(kind, link) for kind in PARTS)]
    assert missing_settings(resources[0], resources) == []
    assert check_state_bucket(resources, context("prod")) == []


@pytest.mark.parametrize("left_out", list(PARTS))
def test_each_missing_setting_is_named(left_out: str) -> None:
    resources = [state_bucket(), *(part(k, "name") for k in PARTS if k != left_out)]
    assert check_state_bucket(resources, context("dev")) == [
        (URN, f"state bucket state lacks: {MESSAGES[left_out]}")
    ]


@pytest.mark.parametrize(
    ("kind", "override"),
    [
        ("versioning", {"versioningConfiguration": {"status": "Suspended"}}),
        (
            "kms",
            {
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "AES256",
                            "kmsMasterKeyId": "k",
                        }
                    }
                ]
            },
        ),
        ("kms", {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}),
        ("kms", {"rules": [None]}),
        ("tls", {"policy": "{}"}),
        *(("pab", {setting: False}) for setting in PUBLIC_ACCESS_SETTINGS),
        (
            "lifecycle",
            {
                "rules": [
                    {"status": "Disabled", "noncurrentVersionExpiration": {"noncurrentDays": 90}}
                ]
            },
        ),
        ("lifecycle", {"rules": [{"status": "Enabled", "noncurrentVersionExpiration": {}}]}),
        ("lifecycle", {"rules": [{"status": "Enabled"}]}),
        ("lifecycle", {"rules": [None]}),
    ],
)
def test_a_setting_present_but_wrong_is_missing(kind: str, override: dict[str, Any]) -> None:
    resources = [state_bucket(), *(part(k, "name", override if k == kind else None) for k in PARTS)]
    assert missing_settings(resources[0], resources) == [MESSAGES[kind]]


def test_dsse_kms_counts_as_kms() -> None:
    dsse = {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms:dsse",
                    "kmsMasterKeyId": "k",
                }
            }
        ]
    }
    resources = [state_bucket(), *(part(k, "name", dsse if k == "kms" else None) for k in PARTS)]
    assert missing_settings(resources[0], resources) == []


def test_settings_of_another_bucket_do_not_count() -> None:
    others = [
        StackResource(PARTS[k][0], f"urn:{k}", {"bucket": "other", **PARTS[k][1]}) for k in PARTS
    ]
    resources = [state_bucket(), *others]
    assert missing_settings(resources[0], resources) == list(MESSAGES.values())
    # A bucket whose name is not known yet is linked by dependency only.
    unnamed = state_bucket(None)
    nameless = [StackResource(PARTS[k][0], f"urn:{k}", PARTS[k][1]) for k in PARTS]
    assert missing_settings(unnamed, [unnamed, *nameless]) == list(MESSAGES.values())
    unknown_name = StackResource(BUCKET, URN, {"tags": TAGS, "bucket": UNKNOWN})
    unknown_targets = [
        StackResource(PARTS[k][0], f"urn:{k}", {"bucket": UNKNOWN, **PARTS[k][1]}) for k in PARTS
    ]
    assert missing_settings(unknown_name, [unknown_name, *unknown_targets]) == list(
        MESSAGES.values()
    )


def test_only_tagged_buckets_are_state_buckets() -> None:
    assert is_state_bucket(state_bucket())
    assert not is_state_bucket(StackResource(BUCKET, "u", {"tags": {"Purpose": "logs"}}))
    assert not is_state_bucket(StackResource(BUCKET, "u", {}))
    assert not is_state_bucket(StackResource(BUCKET, "u", {"tags": UNKNOWN}))
    assert not is_state_bucket(StackResource(PAB[0], "u", {"tags": TAGS}))
    nameless = StackResource(BUCKET, URN, {"tags": TAGS})
    (found,) = check_state_bucket([nameless], context("dev"))
    assert found[1].startswith(f"state bucket {URN} lacks: versioning enabled; SSE-KMS")
