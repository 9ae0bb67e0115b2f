import dataclasses
import json
from typing import Any

import pytest

from policies.props import UnknownValueError
from policies.s3 import (
    PUBLIC_ACCESS_SETTINGS,
    RULES,
    check_encryption,
    check_public_access_block,
    check_tls_only,
    check_versioning,
    denies_insecure_transport,
)
from policies.spec import StackCheck, StackResource
from shared.environment import CLASSES
from tests.policies.conftest import (
    BAD_STACK_ARGS,
    GOOD_STACK_ARGS,
    UNKNOWN,
    Ctx,
    bad_in_stack,
    context,
    good_in_stack,
    level,
)

RULE = {rule.name: rule for rule in RULES}
BUCKET_URN = "urn:pulumi:prod::data::aws:s3/bucket:Bucket::artifacts"
TLS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)


def attached(type_: str, name: str, props: dict[str, Any]) -> StackResource:
    return StackResource(type_, f"urn:{name}", props, dependencies=(BUCKET_URN,), name=name)


def good_stack(bucket_ref: str = UNKNOWN) -> list[StackResource]:
    """A bucket and its five companions, linked by dependency (the id is unknown in preview)."""
    return [
        StackResource("aws:s3/bucket:Bucket", BUCKET_URN, {"bucket": "b"}, name="artifacts"),
        attached(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "pab",
            {
                "bucket": bucket_ref,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        ),
        attached(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "sse",
            {
                "bucket": bucket_ref,
                "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
            },
        ),
        attached(
            "aws:s3/bucketPolicy:BucketPolicy",
            "policy",
            {"bucket": bucket_ref, "policy": TLS_POLICY},
        ),
        attached(
            "aws:s3/bucketVersioning:BucketVersioning",
            "versioning",
            {"bucket": bucket_ref, "versioningConfiguration": {"status": "Enabled"}},
        ),
        attached(
            "aws:s3/bucketLogging:BucketLogging",
            "logging",
            {"bucket": bucket_ref, "targetBucket": "logs", "targetPrefix": "s3/"},
        ),
    ]


@pytest.mark.parametrize("name", sorted(RULE))
def test_a_fully_configured_bucket_passes(name: str) -> None:
    assert RULE[name].check_all(good_stack(), context("prod")) == []


def test_value_links_work_without_dependencies() -> None:
    stack = [
        r if r.type.endswith(":Bucket") else StackResource(r.type, r.urn, r.props, (), r.name)
        for r in good_stack(bucket_ref="b")
    ]
    assert RULE["aws-s3-bucket-public-access-block"].check_all(stack, context("prod")) == []


@pytest.mark.parametrize(
    ("name", "drop"),
    [
        ("aws-s3-bucket-public-access-block", "pab"),
        ("aws-s3-bucket-server-side-encryption", "sse"),
        ("aws-s3-bucket-tls-only", "policy"),
        ("aws-s3-bucket-versioning-prod", "versioning"),
    ],
)
def test_a_bucket_missing_its_companion_fires(name: str, drop: str) -> None:
    stack = [r for r in good_stack() if r.name != drop]
    found = RULE[name].check_all(stack, context("prod"))
    assert [urn for urn, _ in found] == [BUCKET_URN]


def test_one_public_access_setting_false_fires_and_names_it() -> None:
    stack = good_stack()
    pab = stack[1]
    stack[1] = StackResource(
        pab.type, pab.urn, {**pab.props, "ignorePublicAcls": False}, pab.dependencies, pab.name
    )
    (found,) = RULE["aws-s3-bucket-public-access-block"].check_all(stack, context())
    assert "ignorePublicAcls" in found[1]


def test_versioning_is_off_by_default_and_prods_config_turns_it_on() -> None:
    rule = RULE["aws-s3-bucket-versioning-prod"]
    assert rule.default_level == "disabled"
    assert level(rule.name, "prod") == "mandatory"
    stack = [r for r in good_stack() if r.name != "versioning"]
    ((_, message),) = rule.check_all(stack, context("staging"))
    assert message.endswith("versioning is not enabled on a staging bucket")


def test_unknown_policy_document_is_cant_run_not_a_violation() -> None:
    stack = good_stack()
    stack[3] = StackResource(
        stack[3].type, stack[3].urn, {"policy": UNKNOWN}, stack[3].dependencies, "policy"
    )
    with pytest.raises(UnknownValueError):
        RULE["aws-s3-bucket-tls-only"].check_all(stack, context())


def test_tls_detection() -> None:
    assert denies_insecure_transport(TLS_POLICY)
    allow = json.loads(TLS_POLICY)
    allow["Statement"][0]["Effect"] = "Allow"
    assert not denies_insecure_transport(allow)
    assert not denies_insecure_transport("not json")


def test_access_logging_is_advisory_and_fires_on_the_real_artifacts_bucket() -> None:
    from policies.pack import class_config, default_level
    from policies.s3 import RULES, check_access_logging
    from tests.stacks import offline_results

    data = offline_results.data("prod").resources
    stack = [
        StackResource(r.type, r.urn, r.outputs, r.dependencies, r.name, r.property_dependencies)
        for r in data
    ]
    # The data layer logs its artifacts bucket: without that BucketLogging the rule fires on it.
    unlogged = [r for r in stack if r.type != "aws:s3/bucketLogging:BucketLogging"]
    found = dict(check_access_logging(unlogged, context("prod")))
    (artifacts,) = [urn for urn in found if urn.endswith("::artifacts")]
    assert "server access logging" in found[artifacts]
    assert check_access_logging(stack, context("prod")) == []
    (rule,) = (r for r in RULES if r.name == "aws-s3-bucket-access-logging")
    for environment_class in CLASSES:
        assert default_level(rule, class_config(environment_class)) == "advisory"


def test_a_logging_configuration_belongs_to_the_bucket_its_bucket_input_names() -> None:
    from policies.s3 import check_access_logging

    def bucket(name: str) -> StackResource:
        return StackResource("aws:s3/bucket:Bucket", f"urn:{name}", {"bucket": UNKNOWN}, name=name)

    logging = StackResource(
        "aws:s3/bucketLogging:BucketLogging",
        "urn:log",
        {"bucket": UNKNOWN, "targetBucket": UNKNOWN},
        dependencies=("urn:a", "urn:b", "urn:logs"),
        name="log",
        property_dependencies={"bucket": ("urn:a",), "targetBucket": ("urn:logs",)},
    )
    stack = [bucket("a"), bucket("b"), bucket("logs"), logging]
    # b is only a dependency; logs receives the logs, so it needs none of its own.
    assert check_access_logging(stack, context("prod")) == [
        ("urn:b", "bucket b: has no server access logging (aws.s3.BucketLogging)")
    ]
    # Without dependencies per property (an old export): all dependencies, and names, decide.
    by_name = dataclasses.replace(
        logging,
        props={"bucket": UNKNOWN, "targetBucket": "logs-bucket"},
        dependencies=("urn:a",),
        property_dependencies={},
    )
    named = [*stack[:2], dataclasses.replace(stack[2], props={"bucket": "logs-bucket"}), by_name]
    assert [urn for urn, _ in check_access_logging(named, context("prod"))] == ["urn:b"]


# --- Each condition on its own: good and bad calls ----------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
URN = BUCKET_URN
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
TLS_DOCUMENT = json.dumps({"Statement": [DENY]})
NO_BLOCK = [(URN, "bucket artifacts: has no BucketPublicAccessBlock")]
UNENCRYPTED = [(URN, "bucket artifacts: has no server-side encryption configuration")]
NO_TLS = [
    (
        URN,
        "bucket artifacts: no bucket policy denies requests without TLS (aws:SecureTransport=false)",
    )
]
UNVERSIONED = [(URN, "bucket artifacts: versioning is not enabled on a prod bucket")]
ENABLED = {"versioningConfiguration": {"status": "Enabled"}}
SUSPENDED = {"versioningConfiguration": {"status": "Suspended"}}


def bucket(props: dict[str, Any] | None = None, name: str = "artifacts") -> StackResource:
    return StackResource(BUCKET, URN, {"bucket": "b", **(props or {})}, name=name)


def by_dependency(type_: str, props: dict[str, Any]) -> StackResource:
    return StackResource(type_, f"urn:{type_}", props, dependencies=(URN,))


def by_name(type_: str, props: dict[str, Any], name: str = "b") -> StackResource:
    return StackResource(type_, f"urn:{type_}", {"bucket": name, **props})


def _left(setting: str, off: Any) -> dict[str, Any]:
    """All four public-access settings on but `setting`: `off`, or missing when `off` is None."""
    return {k: v for k, v in {**ALL_ON, setting: off}.items() if v is not None}


GOOD = [
    # A block with all four on, whichever way it is linked; one good block among several is
    # enough, in any order.
    *(
        good_in_stack(check_public_access_block, [bucket(), block])
        for block in (by_dependency(PAB, ALL_ON), by_name(PAB, ALL_ON))
    ),
    good_in_stack(check_public_access_block, [bucket(), by_name(PAB, {}), by_name(PAB, ALL_ON)]),
    good_in_stack(check_public_access_block, [bucket(), by_name(PAB, ALL_ON), by_name(PAB, {})]),
    # Encryption inline (both forms) or by an attached configuration with rules.
    good_in_stack(check_encryption, [bucket({"serverSideEncryptionConfiguration": {"rule": {}}})]),
    good_in_stack(
        check_encryption, [bucket({"serverSideEncryptionConfigurations": [{"rules": []}]})]
    ),
    good_in_stack(check_encryption, [bucket(), by_name(SSE, {"rules": [{}]})]),
    good_in_stack(check_encryption, [bucket(), by_dependency(SSE, {"rules": [{}]})]),
    # A TLS-only policy on the bucket itself or in a bucket policy.
    good_in_stack(check_tls_only, [bucket({"policy": TLS_DOCUMENT})]),
    good_in_stack(check_tls_only, [bucket(), by_name(POLICY, {"policy": TLS_DOCUMENT})]),
    # Versioning: a prod rule, enabled each way there is.
    good_in_stack(check_versioning, [bucket(), by_name(VERSIONING, ENABLED)]),
    good_in_stack(check_versioning, [bucket(), by_dependency(VERSIONING, ENABLED)]),
    good_in_stack(check_versioning, [bucket({"versioning": {"enabled": True}})]),
    good_in_stack(
        check_versioning, [bucket({"versionings": [{"enabled": False}, {"enabled": True}]})]
    ),
]

BAD = [
    *(
        bad_in_stack(
            check_public_access_block,
            [bucket(), by_dependency(PAB, _left(setting, off))],
            [(URN, f"bucket artifacts: public-access block leaves {setting} not true")],
        )
        for setting in PUBLIC_ACCESS_SETTINGS
        for off in (False, None, "false")
    ),
    # Every setting off is named, in order.
    bad_in_stack(
        check_public_access_block,
        [bucket(), by_name(PAB, {})],
        [
            (
                URN,
                "bucket artifacts: public-access block leaves blockPublicAcls, blockPublicPolicy, "
                "ignorePublicAcls, restrictPublicBuckets not true",
            )
        ],
        "dev",
    ),
    # A block of another bucket or another type does not count; a bucket without a name is linked
    # by dependency only, never by a missing name.
    bad_in_stack(
        check_public_access_block, [bucket(), by_name(PAB, ALL_ON, name="other")], NO_BLOCK
    ),
    bad_in_stack(check_public_access_block, [bucket(), by_dependency(SSE, ALL_ON)], NO_BLOCK),
    bad_in_stack(
        check_public_access_block,
        [StackResource(BUCKET, URN, {}, name="artifacts"), StackResource(PAB, "urn:p", ALL_ON)],
        NO_BLOCK,
    ),
    # The URN names a bucket without a name.
    bad_in_stack(
        check_public_access_block,
        [StackResource(BUCKET, URN, {"bucket": "b"})],
        [(URN, f"bucket {URN}: has no BucketPublicAccessBlock")],
    ),
    # Every bucket is checked, not only the first.
    bad_in_stack(
        check_public_access_block,
        [
            StackResource(PAB, "urn:pab", {"bucket": "g", **ALL_ON}),
            StackResource(BUCKET, "urn:good", {"bucket": "g"}, name="good"),
            bucket(),
        ],
        NO_BLOCK,
    ),
    bad_in_stack(check_encryption, [bucket()], UNENCRYPTED),
    # A configuration without rules encrypts nothing.
    bad_in_stack(check_encryption, [bucket(), by_name(SSE, {"rules": []})], UNENCRYPTED),
    bad_in_stack(check_tls_only, [bucket(), by_name(POLICY, {"policy": "{}"})], NO_TLS),
    # An unknown bucket is skipped when another one fires.
    bad_in_stack(
        check_tls_only,
        [
            StackResource(BUCKET, "urn:unknown", {"bucket": "u", "policy": UNKNOWN}, name="u"),
            bucket(),
        ],
        NO_TLS,
    ),
    bad_in_stack(check_versioning, [bucket()], UNVERSIONED),
    bad_in_stack(check_versioning, [bucket(), by_name(VERSIONING, SUSPENDED)], UNVERSIONED),
    bad_in_stack(check_versioning, [bucket({"versioning": {"enabled": False}})], UNVERSIONED),
    bad_in_stack(check_versioning, [bucket({"versionings": [{"enabled": False}]})], UNVERSIONED),
]


@pytest.mark.parametrize(GOOD_STACK_ARGS, GOOD)
def test_good(check: StackCheck, resources: list[StackResource], ctx: Ctx) -> None:
    assert check(resources, ctx()) == []


@pytest.mark.parametrize(BAD_STACK_ARGS, BAD)
def test_bad(
    check: StackCheck, resources: list[StackResource], ctx: Ctx, expected: list[tuple[str, str]]
) -> None:
    assert check(resources, ctx()) == expected


def test_an_unknown_bucket_alone_cannot_be_judged() -> None:
    unknown = StackResource(BUCKET, "urn:unknown", {"bucket": "u", "policy": UNKNOWN}, name="u")
    with pytest.raises(UnknownValueError):
        check_tls_only([unknown], context("prod"))


DOCUMENTS = [
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
]


@pytest.mark.parametrize(("document", "denies"), DOCUMENTS)
def test_denies_insecure_transport(document: Any, denies: bool) -> None:
    assert denies_insecure_transport(document) is denies
