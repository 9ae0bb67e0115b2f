from typing import Any

import pytest

from policies.s3 import PUBLIC_ACCESS_SETTINGS
from policies.spec import StackCheck, StackResource
from policies.state_bucket import RULES, check_state_bucket, is_state_bucket, missing_settings
from tests.bootstrap.planned import BUCKET, LIFECYCLE, as_stack, edited, resources
from tests.policies.conftest import BAD_STACK_ARGS, UNKNOWN, Ctx, bad_in_stack, context

RULE = RULES[0]
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def check(found: Any) -> list[tuple[str, str]]:
    return RULE.check_all(as_stack(found), context("prod"))


def test_silent_on_the_bootstraps_state_bucket() -> None:
    assert sum(r.type == BUCKET for r in resources()) == 1
    assert check(resources()) == []


def test_fires_for_each_missing_setting_of_the_bootstraps_bucket() -> None:
    def suspended(props: dict[str, Any]) -> None:
        props["versioningConfiguration"]["status"] = "Suspended"

    def aes256(props: dict[str, Any]) -> None:
        default = props["rules"][0]["applyServerSideEncryptionByDefault"]
        default["sseAlgorithm"] = "AES256"
        default.pop("kmsMasterKeyId", None)

    def public(props: dict[str, Any]) -> None:
        props["restrictPublicBuckets"] = False

    def allow_http(props: dict[str, Any]) -> None:
        props["policy"] = '{"Version": "2012-10-17", "Statement": []}'

    def keep_forever(props: dict[str, Any]) -> None:
        props["rules"][0]["status"] = "Disabled"

    bad = resources()
    expected = {
        VERSIONING: (suspended, "versioning enabled"),
        ENCRYPTION: (aes256, "SSE-KMS with a customer key"),
        PUBLIC_ACCESS_BLOCK: (public, "a public-access block"),
        POLICY: (allow_http, "denying aws:SecureTransport=false"),
        LIFECYCLE: (keep_forever, "expiring noncurrent versions"),
    }
    for type_, (change, message) in expected.items():
        (violation,) = check(edited(resources(), type_, change))
        assert message in violation[1], type_
        assert "state bucket state lacks" in violation[1]
        bad = tuple(edited(bad, type_, change))
    ((_, everything),) = check(bad)
    assert everything.count(";") == 4


def test_other_buckets_are_not_state_buckets() -> None:
    def untag(props: dict[str, Any]) -> None:
        props["tags"].pop("Purpose")

    without_tag = edited(resources(), BUCKET, untag)
    only_bucket = [r for r in without_tag if r.type == BUCKET]
    assert check(only_bucket) == []
    tagged_alone = [r for r in resources() if r.type == BUCKET]
    assert len(check(tagged_alone)) == 1


# --- Each setting on its own, linked by name or by dependency: good and bad calls ---------------

S3_BUCKET = "aws:s3/bucket:Bucket"
URN = "urn:state"
TAGS = {"Purpose": "pulumi-state"}


def _kms(algorithm: str, key: str | None = "k") -> dict[str, Any]:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return {"rules": [{"applyServerSideEncryptionByDefault": default}]}


def _lifecycle(status: str, expiration: dict[str, Any] | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"status": status}
    if expiration is not None:
        rule["noncurrentVersionExpiration"] = expiration
    return {"rules": [rule]}


PARTS: dict[str, tuple[str, dict[str, Any]]] = {
    "versioning": (VERSIONING, {"versioningConfiguration": {"status": "Enabled"}}),
    "kms": (ENCRYPTION, _kms("aws:kms")),
    "tls": (
        POLICY,
        {
            "policy": '{"Statement": [{"Effect": "Deny", "Action": "s3:*", '
            '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}'
        },
    ),
    "pab": (PUBLIC_ACCESS_BLOCK, dict.fromkeys(PUBLIC_ACCESS_SETTINGS, True)),
    "lifecycle": (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        _lifecycle("Enabled", {"noncurrentDays": 90}),
    ),
}
MESSAGES = {
    "versioning": "versioning enabled",
    "kms": "SSE-KMS with a customer key (sseAlgorithm aws:kms and kmsMasterKeyId)",
    "tls": "a bucket policy denying aws:SecureTransport=false",
    "pab": "a public-access block with all four settings true",
    "lifecycle": "a lifecycle rule expiring noncurrent versions",
}
WRONG: list[tuple[str, dict[str, Any]]] = [
    ("versioning", {"versioningConfiguration": {"status": "Suspended"}}),
    ("kms", _kms("AES256")),
    ("kms", _kms("aws:kms", key=None)),
    ("kms", {"rules": [None]}),
    ("tls", {"policy": "{}"}),
    *(("pab", {setting: False}) for setting in PUBLIC_ACCESS_SETTINGS),
    ("lifecycle", _lifecycle("Disabled", {"noncurrentDays": 90})),
    ("lifecycle", _lifecycle("Enabled", {})),
    ("lifecycle", _lifecycle("Enabled", None)),
    ("lifecycle", {"rules": [None]}),
]


def state_bucket(name: str | None = "state") -> StackResource:
    props: dict[str, Any] = {"tags": TAGS}
    if name is not None:
        props["bucket"] = name
    return StackResource(S3_BUCKET, URN, props, name="state")


def part(kind: str, link: str = "name", override: dict[str, Any] | None = None) -> StackResource:
    type_, props = PARTS[kind]
    props = {**props, **(override or {})}
    if link == "name":
        return StackResource(type_, f"urn:{kind}", {"bucket": "state", **props})
    return StackResource(type_, f"urn:{kind}", props, dependencies=(URN,))


def complete(
    link: str = "name", overrides: dict[str, dict[str, Any]] | None = None
) -> list[StackResource]:
    """The state bucket with all five settings, `overrides` written over some of them."""
    return [state_bucket(), *(part(kind, link, (overrides or {}).get(kind)) for kind in PARTS)]


UNKNOWN_NAMED = StackResource(S3_BUCKET, URN, {"tags": TAGS, "bucket": UNKNOWN})

GOOD_SETTINGS = [
    *(complete(link) for link in ("name", "dependency")),
    complete(overrides={"kms": _kms("aws:kms:dsse")}),  # DSSE-KMS counts as KMS
]

BAD_SETTINGS = [
    # A setting present but wrong is missing.
    *((complete(overrides={kind: override}), [MESSAGES[kind]]) for kind, override in WRONG),
    # Settings of another bucket do not count.
    (
        [
            state_bucket(),
            *(
                StackResource(t, f"urn:{k}", {"bucket": "other", **p})
                for k, (t, p) in PARTS.items()
            ),
        ],
        list(MESSAGES.values()),
    ),
    # A bucket whose name is not known yet is linked by dependency only.
    (
        [state_bucket(None), *(StackResource(t, f"urn:{k}", p) for k, (t, p) in PARTS.items())],
        list(MESSAGES.values()),
    ),
    (
        [
            UNKNOWN_NAMED,
            *(
                StackResource(t, f"urn:{k}", {"bucket": UNKNOWN, **p})
                for k, (t, p) in PARTS.items()
            ),
        ],
        list(MESSAGES.values()),
    ),
]

BAD_STACKS = [
    # Each missing setting is named.
    bad_in_stack(
        check_state_bucket,
        [state_bucket(), *(part(k) for k in PARTS if k != left_out)],
        [(URN, f"state bucket state lacks: {MESSAGES[left_out]}")],
        "dev",
    )
    for left_out in PARTS
]


@pytest.mark.parametrize("stack", GOOD_SETTINGS)
def test_good(stack: list[StackResource]) -> None:
    assert missing_settings(stack[0], stack) == []
    assert check_state_bucket(stack, context("prod")) == []


@pytest.mark.parametrize(("stack", "expected"), BAD_SETTINGS)
def test_bad(stack: list[StackResource], expected: list[str]) -> None:
    assert missing_settings(stack[0], stack) == expected


@pytest.mark.parametrize(BAD_STACK_ARGS, BAD_STACKS)
def test_bad_stack(
    check: StackCheck, resources: list[StackResource], ctx: Ctx, expected: list[tuple[str, str]]
) -> None:
    assert check(resources, ctx()) == expected


def test_only_tagged_buckets_are_state_buckets() -> None:
    assert is_state_bucket(state_bucket())
    assert not is_state_bucket(StackResource(S3_BUCKET, "u", {"tags": {"Purpose": "logs"}}))
    assert not is_state_bucket(StackResource(S3_BUCKET, "u", {}))
    assert not is_state_bucket(StackResource(S3_BUCKET, "u", {"tags": UNKNOWN}))
    assert not is_state_bucket(StackResource(PUBLIC_ACCESS_BLOCK, "u", {"tags": TAGS}))
    nameless = StackResource(S3_BUCKET, URN, {"tags": TAGS})
    (found,) = check_state_bucket([nameless], context("dev"))
    assert found[1].startswith(f"state bucket {URN} lacks: versioning enabled; SSE-KMS")
