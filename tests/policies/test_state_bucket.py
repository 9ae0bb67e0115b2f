from typing import Any

from policies.state_bucket import RULES
from tests.bootstrap.planned import BUCKET, LIFECYCLE, as_stack, edited, resources
from tests.policies.conftest import context

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
